"""Content checks, round two, through the CLI: curly quotes read as quotes, warnings (a news
date in the future) that neither stop a build nor change the exit status, and files that are
not UTF-8 outside kelurahan/. The refused cases live in tests/kasus/ (see test_errors.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from conftest import assert_exit, build, parse_html, problem_lines, run_cli, summary

BAKSO = "kelurahan/melati/umkm/bakso-pak-min.md"
LOMBA = "kelurahan/melati/berita/lomba-agustusan.md"
FUTURE = re.compile(
    rf"^{LOMBA}:3: peringatan: tanggal: tanggal berita belum tiba \(tertulis '2999-01-01', hari ini "
    r"\d{4}-\d{2}-\d{2}\); periksa tahun, bulan dan tanggalnya; berita ini tetap terbit dan tampil paling atas$")


def _news(date: str) -> str:
    return f"---\njudul: Lomba Agustusan\ntanggal: \"{date}\"\n---\nLomba balap karung.\n"


def test_values_wrapped_in_curly_quotes_are_read_as_quoted(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """Word and phone keyboards type curly quotes; a value wholly inside them means a quoted value."""
    site = make_site({
        BAKSO: ("---\nnama: Bakso Pak Min\nlokasi: \u201c-7.5575, 110.853\u201d\n"
                "alamat: \u201cJl. Melati: depan pasar\u201d  # dari Word\n"
                "ringkasan: Bakso \u201curat\u201d asli\nproduk:\n  - \u2018Bakso urat\u2019\n"
                "kontak:\n  whatsapp: \u201d+62 813-5555-6666\u201d\n---\nBakso.\n"),
        LOMBA: "---\njudul: Lomba Agustusan\ntanggal: \u201c2024-08-18\u201d\n---\nLomba.\n",
    })
    check = run_cli(site, "check")
    assert_exit(check, 0)
    assert "Semua 3 kelurahan lolos pemeriksaan." in check.stderr
    build(site, tmp_path / "out")
    page = parse_html(tmp_path / "out/melati/umkm/bakso-pak-min/index.html")
    assert "Jl. Melati: depan pasar" in page.text and "\u201cJl. Melati" not in page.text
    assert "Bakso \u201curat\u201d asli" in page.text, "curly quotes inside text are typography and stay"
    assert "Bakso urat" in page.text and "\u2018Bakso" not in page.text
    assert "https://wa.me/6281355556666" in {e.attrs.get("href") for e in page.find("a")}
    assert page.json_script("peta-data")["titik"]["features"][0]["geometry"]["coordinates"] == [110.853, -7.5575]
    news = parse_html(tmp_path / "out/melati/berita/lomba-agustusan/index.html")
    assert "18 Agustus 2024" in news.text


def test_news_date_in_the_future_is_a_warning(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site({LOMBA: _news("2999-01-01")})
    check = run_cli(site, "check")
    assert_exit(check, 0)
    lines = problem_lines(check)
    assert len(lines) == 1 and FUTURE.match(lines[0]), check.stderr
    assert check.stderr.splitlines()[-1] == "Semua 3 kelurahan lolos pemeriksaan, dengan 1 peringatan."

    result = build(site, tmp_path / "out")
    assert [line for line in problem_lines(result) if FUTURE.match(line)], result.stderr
    assert summary(result)["gagal"] == 0
    assert ", 1 peringatan, " in result.stderr
    assert "1 Januari 2999" in parse_html(tmp_path / "out/melati/berita/lomba-agustusan/index.html").text


def test_news_dated_today_or_earlier_gets_no_warning(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """Today in UTC is today or yesterday everywhere in Indonesia: never a warning."""
    today = dt.datetime.now(dt.UTC).date()
    site = make_site({LOMBA: _news(today.isoformat()),
                      "kelurahan/mawar/berita/kerja-bakti.md": _news((today - dt.timedelta(days=1)).isoformat())})
    check = run_cli(site, "check")
    assert_exit(check, 0)
    assert "peringatan" not in check.stderr
    assert check.stderr.strip() == "Semua 3 kelurahan lolos pemeriksaan."
    result = build(site, tmp_path / "out")
    assert "peringatan" not in result.stderr


def test_warnings_are_reported_with_errors_and_do_not_count_as_errors(make_site: Callable[..., Path]) -> None:
    site = make_site({LOMBA: _news("2999-01-01"),
                      "kelurahan/kenanga/umkm/soto-kenanga.md":
                          "---\nnama: Soto\nlokasi: {lat: -7.5405, lon: 110.8205}\nhalal: ya\n---\nSoto.\n"})
    check = run_cli(site, "check")
    assert_exit(check, 1)
    lines = problem_lines(check)
    assert any(FUTURE.match(line) for line in lines), check.stderr
    assert "kelurahan/kenanga/umkm/soto-kenanga.md:4: halal: harus true atau false (tertulis 'ya'); " \
           "tulis true untuk ya, false untuk tidak" in lines
    assert check.stderr.splitlines()[-1] == "1 masalah di 1 dari 3 kelurahan, dengan 1 peringatan."


def test_config_that_is_not_utf8_names_its_line(make_site: Callable[..., Path]) -> None:
    site = make_site()
    config = site / "config.yaml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("judul:"))
    lines[number - 1] = "judul: Portal Kelurahan Caf\u00e9\n"
    config.write_bytes("".join(lines).encode("cp1252"))
    result = run_cli(site, "check")
    assert_exit(result, 1)
    assert result.stderr.splitlines()[0] == (
        f"config.yaml:{number}: berkas bukan teks UTF-8: karakter '\u00e9' sesudah 'Portal Kelurahan Caf' "
        "tersimpan dengan pengodean lain; simpan ulang berkas dengan pengodean UTF-8")
    assert "Traceback" not in result.stderr


def test_new_with_a_short_maps_link_says_how_to_get_the_numbers(make_site: Callable[..., Path]) -> None:
    site = make_site()
    result = run_cli(site, "new", "dahlia", "--nama", "Dahlia", "--kecamatan", "jebres",
                     "--lokasi", "https://maps.app.goo.gl/Xy12AbCdEfGh34")
    assert_exit(result, 2)
    assert "tautan pendek Google Maps tidak memuat koordinat; buka tautan itu di Google Maps, tekan lama " \
           "titik tempatnya" in result.stderr
    assert not (site / "kelurahan/dahlia").exists()
