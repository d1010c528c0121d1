"""Invalid content: one folder per case in tests/kasus/, plus valid look-alikes that must pass.

Each case folder holds files to overlay onto the tiny site (see ``conftest.apply_case``) and a
``harapan.txt`` with the expected stderr lines as ``path:line: fragment``. A printed problem
must start with ``path:line:`` and contain the fragment; every printed problem must be
expected, so a case also fails when the generator reports something spurious.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    TINY_KECAMATAN,
    Expected,
    ParsedPage,
    all_cases,
    apply_case,
    assert_exit,
    build,
    parse_html,
    problem_lines,
    read_expected,
    run_cli,
    summary,
    tree_bytes,
)

CASES = all_cases()
CHECK_SUMMARY = re.compile(r"^\d+ masalah di \d+ dari \d+ kelurahan\.$")


def _broken(expected: list[Expected]) -> set[str]:
    """The kelurahan a case breaks ('config.yaml' breaks the whole site)."""
    return {e.path.split("/")[1] if e.path.startswith("kelurahan/") else e.path for e in expected}


def _compare(expected: list[Expected], lines: list[str]) -> list[str]:
    problems = [f"missing: {e}" for e in expected if not any(e.matches(line) for line in lines)]
    problems += [f"unexpected: {line}" for line in lines if not any(e.matches(line) for e in expected)]
    return problems


def _snapshot(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def test_there_is_one_folder_per_case() -> None:
    names = {case.name for case in CASES}
    assert len(CASES) >= 25
    for required in ("indentasi-tab", "lokasi-tertukar", "tanda-minus-hilang", "titik-di-luar-kota",
                     "tautan-peta-tanpa-koordinat", "salah-ketik-kecamatan", "isian-wajib-hilang",
                     "halal-ya", "isian-ganda", "tanggal-tidak-valid", "berita-tanpa-tanggal",
                     "folder-bagian-salah-ketik", "nama-berkas-tidak-valid", "foto-tidak-ada",
                     "foto-keluar-folder", "front-matter-tidak-ditutup", "profil-hilang",
                     "kecamatan-tidak-dikenal", "yaml-titik-dua-tanpa-kutip", "anchor-dan-alias",
                     "bukan-utf8", "config-isian-tidak-dikenal", "tiga-kesalahan", "foto-huruf-besar",
                     "kutip-miring", "tautan-peta-pendek", "akhiran-ganda", "markdown-baris-sendiri"):
        assert required in names
    for case in CASES:
        read_expected(case)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_reports_the_case(case: Path, make_site: Callable[..., Path]) -> None:
    site = make_site()
    apply_case(case, site)
    before = _snapshot(site)
    result = run_cli(site, "check")
    assert_exit(result, 1)
    lines = problem_lines(result)
    problems = _compare(read_expected(case), lines)
    assert not problems, "\n".join(problems) + "\n--- stderr:\n" + result.stderr
    other = [line for line in result.stderr.splitlines() if line not in lines and not CHECK_SUMMARY.match(line)]
    assert not other, f"stderr lines that are neither a located problem nor the summary: {other}"
    assert _snapshot(site) == before, "check wrote or changed files"
    assert not (site / "output").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_build_keeps_old_output_of_the_broken_kelurahan_and_builds_the_others(
        case: Path, make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site()
    output = tmp_path / "out"
    build(site, output)
    before = tree_bytes(output)
    expected = read_expected(case)
    broken = _broken(expected)
    apply_case(case, site)

    result = build(site, output, code=1)
    problems = _compare(expected, problem_lines(result))
    assert not problems, "\n".join(problems) + "\n--- stderr:\n" + result.stderr
    if "config.yaml" in broken:
        assert tree_bytes(output) == before, "a broken config.yaml must leave the whole output untouched"
    else:
        assert summary(result)["gagal"] == len(broken)
        for slug in broken:
            old = {rel: data for rel, data in before.items() if rel.startswith(f"{slug}/")}
            assert old and tree_bytes(output / slug) == {rel.removeprefix(f"{slug}/"): data
                                                         for rel, data in old.items()}, slug

    fresh = tmp_path / "fresh"
    result = build(site, fresh, code=1)
    assert not _compare(expected, problem_lines(result))
    if "config.yaml" in broken:
        assert not (fresh / "index.html").exists()
        return
    portal = {e.attrs.get("href") for e in parse_html(fresh / "index.html").find("a")}
    for slug in TINY_KECAMATAN:
        if slug in broken:
            assert not (fresh / slug).exists(), f"{slug} has errors but was built"
            assert f"{slug}/index.html" not in portal
        else:
            assert (fresh / slug / "index.html").is_file(), f"{slug} was not built"
            assert f"{slug}/index.html" in portal


def test_all_problems_of_several_kelurahan_are_reported_at_once(make_site: Callable[..., Path],
                                                                tmp_path: Path) -> None:
    site = make_site({
        "kelurahan/mawar/umkm/warung-bu-sri.md": "---\nnama: Warung Bu Sri\nlokasi: \"-7.5690, 110.7930\"\n"
                                                 "halal: ya\n---\n",
        "kelurahan/mawar/berita/kerja-bakti.md": "---\njudul: Kerja Bakti\n---\n",
        "kelurahan/kenanga/profil.yaml": "nama: Kenanga\nkecamatan: banjarsari\n",
    })
    expected = [Expected("kelurahan/mawar/umkm/warung-bu-sri.md:4:", "halal"),
                Expected("kelurahan/mawar/berita/kerja-bakti.md:2:", "'tanggal' wajib diisi"),
                Expected("kelurahan/kenanga/profil.yaml:1:", "'lokasi' wajib diisi")]
    check = run_cli(site, "check")
    assert_exit(check, 1)
    assert not _compare(expected, problem_lines(check))
    assert "3 masalah di 2 dari 3 kelurahan" in check.stderr
    result = build(site, tmp_path / "out", code=1)
    assert not _compare(expected, problem_lines(result))
    assert summary(result)["gagal"] == 2
    assert (tmp_path / "out/melati/index.html").is_file()


def test_parallel_build_reports_the_same_problems(make_site: Callable[..., Path], tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "tiga-kesalahan")
    site = make_site()
    apply_case(case, site)
    serial = build(site, tmp_path / "serial", code=1)
    parallel = run_cli(site, "build", "--output", tmp_path / "parallel", "--jobs", "2")
    assert_exit(parallel, 1)
    assert problem_lines(parallel) == problem_lines(serial)
    assert (tmp_path / "parallel/mawar/index.html").is_file()


def test_file_in_a_subfolder_of_a_section_gets_a_sensible_hint(make_site: Callable[..., Path]) -> None:
    """umkm/kuliner/x.md: the folder 'umkm' is known, so 'maksud Anda umkm?' is no help."""
    site = make_site({"kelurahan/melati/umkm/kuliner/bakso.md":
                      "---\nnama: Bakso\nlokasi: {lat: -7.5575, lon: 110.8530}\n---\n"})
    result = run_cli(site, "check")
    assert_exit(result, 1)
    lines = [line for line in problem_lines(result) if line.startswith("kelurahan/melati/umkm/kuliner/bakso.md:1:")]
    assert lines, result.stderr
    assert not any("'umkm' tidak dikenal" in line or "maksud Anda 'umkm'" in line for line in lines), lines


# -- valid look-alikes -----------------------------------------------------------------------


def _built_page(make_site: Callable[..., Path], tmp_path: Path, changes: dict[str, str], page: str) -> ParsedPage:
    site = make_site(changes)
    check = run_cli(site, "check")
    assert_exit(check, 0)
    output = tmp_path / "out"
    build(site, output)
    return parse_html(output / page)


UMKM = "kelurahan/melati/umkm/bakso-pak-min.md"
WISATA = "kelurahan/mawar/wisata/taman-sekar.md"


@pytest.mark.parametrize(("link", "lat", "lon"), [
    ("https://www.google.com/maps/place/Bakso+Pak+Min/@-7.5575,110.853,17z", -7.5575, 110.853),
    ("https://www.google.com/maps?q=-7.5575,110.853", -7.5575, 110.853),
    ("https://maps.google.com/?q=-7.5575%2C110.853", -7.5575, 110.853),
    ("https://www.google.com/maps/search/-7.5575,+110.853?entry=tts", -7.5575, 110.853),
    ("https://www.google.com/maps/place/Bakso/@-7.5500,110.8400,15z/data=!3m1!4b1!4m6!3m5!1s0x2e7a:0x1!8m2"
     "!3d-7.5575!4d110.853!16s", -7.5575, 110.853),
])
def test_google_maps_link_with_coordinates_is_valid(make_site: Callable[..., Path], tmp_path: Path,
                                                   link: str, lat: float, lon: float) -> None:
    text = f"---\nnama: Bakso Pak Min\nlokasi: {link}\n---\nBakso.\n"
    page = _built_page(make_site, tmp_path, {UMKM: text}, "melati/umkm/bakso-pak-min/index.html")
    feature = page.json_script("peta-data")["titik"]["features"][0]
    assert feature["geometry"]["coordinates"] == [lon, lat]
    assert "Petunjuk arah" in page.text


def test_lokasi_as_a_list_is_valid(make_site: Callable[..., Path], tmp_path: Path) -> None:
    text = "---\nnama: Bakso Pak Min\nlokasi: [-7.5575, 110.853]\n---\nBakso.\n"
    page = _built_page(make_site, tmp_path, {UMKM: text}, "melati/umkm/bakso-pak-min/index.html")
    assert page.json_script("peta-data")["titik"]["features"][0]["geometry"]["coordinates"] == [110.853, -7.5575]


def test_unquoted_whatsapp_with_leading_zero_stays_text(make_site: Callable[..., Path], tmp_path: Path) -> None:
    text = ("---\nnama: Bakso Pak Min\nlokasi: {lat: -7.5575, lon: 110.8530}\nkontak:\n"
            "  whatsapp: 08123456789\n---\nBakso.\n")
    page = _built_page(make_site, tmp_path, {UMKM: text}, "melati/umkm/bakso-pak-min/index.html")
    assert "https://wa.me/628123456789" in {e.attrs.get("href") for e in page.find("a")}
    assert "08123456789" in page.text


def test_unquoted_time_stays_as_written(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """12:30 is 750 for PyYAML (base 60); the page must show 12:30."""
    text = "---\nnama: Taman Sekar\nlokasi: {lat: -7.5640, lon: 110.7870}\njam_buka: 12:30\n---\nTaman.\n"
    page = _built_page(make_site, tmp_path, {WISATA: text}, "mawar/wisata/taman-sekar/index.html")
    assert "Jam buka 12:30" in page.text
    assert "750" not in page.text


def test_unquoted_decimal_looking_values_stay_as_written(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """Indonesian '10.00' (a time) and '5.000' (Rp 5.000) must not become '10.0' and '5.0'."""
    text = ("---\nnama: Taman Sekar\nlokasi: {lat: -7.5640, lon: 110.7870}\njam_buka: 10.00\n"
            "tiket: 5.000\n---\nTaman.\n")
    page = _built_page(make_site, tmp_path, {WISATA: text}, "mawar/wisata/taman-sekar/index.html")
    assert "Jam buka 10.00" in page.text, page.text
    assert "Tiket 5.000" in page.text, page.text


def test_unquoted_codes_and_dates_stay_as_written(make_site: Callable[..., Path], tmp_path: Path) -> None:
    changes = {
        "kelurahan/melati/profil.yaml": "nama: Melati\nkecamatan: Jebres\nlokasi: \"-7.5550, 110.8500\"\n"
                                        "kode_wilayah: 33.72.04.9002\nkode_pos: 57126\n",
        "kelurahan/melati/berita/lomba-agustusan.md": "---\njudul: Lomba\ntanggal: 2024-08-18\n---\nLomba.\n",
        "kelurahan/melati/umkm/bakso-pak-min.md": "---\nnama: Bakso\nlokasi: {lat: -7.5575, lon: 110.853}\n"
                                                  "halal: false\nnib: 0220001234567\n---\nBakso.\n",
    }
    site = make_site(changes)
    assert_exit(run_cli(site, "check"), 0)
    build(site, tmp_path / "out")
    home = parse_html(tmp_path / "out/melati/index.html").text
    assert "33.72.04.9002" in home and "57126" in home and "Kecamatan Jebres" in home
    assert "18 Agustus 2024" in parse_html(tmp_path / "out/melati/berita/lomba-agustusan/index.html").text
    umkm = parse_html(tmp_path / "out/melati/umkm/bakso-pak-min/index.html").text
    assert "Sertifikat halal Belum ada" in umkm and "NIB 0220001234567" in umkm


def test_windows_line_endings_and_bom_are_valid(make_site: Callable[..., Path], tmp_path: Path) -> None:
    text = "\ufeff---\r\nnama: Bakso Pak Min\r\nlokasi: {lat: -7.5575, lon: 110.8530}\r\n---\r\nBakso enak.\r\n"
    page = _built_page(make_site, tmp_path, {UMKM: text}, "melati/umkm/bakso-pak-min/index.html")
    assert page.find("h1") and "Bakso Pak Min" in page.title
    assert "Bakso enak." in page.text


def test_error_line_numbers_count_from_the_top_of_the_file(make_site: Callable[..., Path]) -> None:
    """Front matter lines are numbered as in the editor, after comments and blank lines."""
    text = ("---\n# catatan: titik dari Google Maps\n\nnama: Bakso Pak Min\n\n"
            "lokasi: {lat: -7.5575, lon: 110.8530}\nhalal: ya\n---\nBakso.\n")
    site = make_site({UMKM: text})
    result = run_cli(site, "check")
    assert_exit(result, 1)
    assert problem_lines(result) == [
        f"{UMKM}:7: halal: harus true atau false (tertulis 'ya'); tulis true untuk ya, false untuk tidak"]
