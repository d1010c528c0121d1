"""The city view: readiness report (table, JSON, dashboard), check warnings, kelurahan boundaries."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, assert_exit, build, parse_html, run_cli, tile_template

SAMPLE_DATE = "2026-12-01"


def _report_json(site: Path, output: Path, *args: str) -> dict[str, Any]:
    result = run_cli(site, "report", "--format", "json", "--tanggal", SAMPLE_DATE, "--output", output, *args)
    assert_exit(result, 0)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    output = tmp_path_factory.mktemp("laporan") / "out"
    return _report_json(REPO, output), output


def test_report_json_lists_all_51_with_a_spread_of_scores(sample_report: tuple[dict[str, Any], Path]) -> None:
    data, _ = sample_report
    folders = sorted(p.name for p in (REPO / "kelurahan").iterdir() if p.is_dir())
    assert len(folders) == 51
    assert sorted(k["slug"] for k in data["kelurahan"]) == folders
    scores = [k["skor"] for k in data["kelurahan"]]
    assert all(0 <= s <= 100 for s in scores)
    assert max(scores) - min(scores) >= 20, scores
    assert len(set(scores)) >= 8, scores
    assert sum(data["ringkasan"].values()) == 51
    assert sum(data["aturan"].values()) == 100
    for k in data["kelurahan"]:
        assert k["tingkat"] == ("siap" if k["skor"] >= 80 else "hampir" if k["skor"] >= 50 else "belum")
        earned = sum(r["poin"] for r in k["rincian"].values())
        possible = sum(r["maks"] for r in k["rincian"].values())
        assert k["skor"] == round(100 * earned / possible)
        gains = [s["poin"] for s in k["langkah"]]
        assert gains == sorted(gains, reverse=True), "most useful step first"
        assert k["langkah"] and all(s["teks"] for s in k["langkah"])


def test_report_counts_contoh_and_approximate_points_of_the_sample(
        sample_report: tuple[dict[str, Any], Path]) -> None:
    data, _ = sample_report
    kauman = next(k for k in data["kelurahan"] if k["slug"] == "kauman")
    folder = REPO / "kelurahan" / "kauman"
    marked = [p for p in folder.rglob("*.md") if re.search(r"^contoh: true$", p.read_text(encoding="utf-8"), re.M)]
    profile = yaml.safe_load((folder / "profil.yaml").read_text(encoding="utf-8"))
    assert kauman["fakta"]["contoh"] == len(marked) + (1 if profile.get("contoh") else 0)
    assert kauman["fakta"]["kantor_perkiraan"] is bool(profile.get("lokasi_perkiraan"))
    assert kauman["fakta"]["jumlah"]["umkm"] == len(list((folder / "umkm").glob("*.md")))
    steps = [s["teks"] for s in kauman["langkah"]]
    assert steps[0].startswith(f"Ganti {kauman['fakta']['contoh']} isi contoh dengan data asli")
    assert ("Ukur titik kantor kelurahan di tempat (Google Maps: tekan lama di lokasi kantor), tulis di 'lokasi' "
            "lalu hapus 'lokasi_perkiraan: true' di profil.yaml") in steps


def test_report_dashboard_is_noindex_with_a_coloured_map(sample_report: tuple[dict[str, Any], Path]) -> None:
    data, output = sample_report
    html = (output / "laporan" / "index.html").read_text(encoding="utf-8")
    page = parse_html(output / "laporan" / "index.html")
    assert "noindex" in page.meta.get("robots", "")
    assert "data-pagefind-body" not in html
    for k in data["kelurahan"]:
        section = re.search(rf'<section class="kelurahan-laporan" id="{k["slug"]}">(.*?)</section>', html, re.S)
        assert section is not None, k["slug"]
        shown = [unescape(t) for t in re.findall(r"<li>(.*?) <span", section.group(1))]
        assert shown == [s["teks"] for s in k["langkah"]]
    boundaries = page.json_script("peta-data")["batas"]["features"]
    by_code = {k["kode_wilayah"]: k for k in data["kelurahan"]}
    assert len(boundaries) == 51
    for feature in boundaries:
        props = feature["properties"]
        assert props["skor"] == by_code[props["kode"]]["skor"]
        assert props["tingkat"] == by_code[props["kode"]]["tingkat"]


def test_report_table_and_dashboard_in_a_browser(sample_report: tuple[dict[str, Any], Path], browser: Any,
                                                 serve_dir: Callable[[Path], str]) -> None:
    data, output = sample_report
    result = run_cli(REPO, "report", "kauman", "--tanggal", SAMPLE_DATE, "--output", output)
    assert_exit(result, 0)
    kauman = next(k for k in data["kelurahan"] if k["slug"] == "kauman")
    for n, step in enumerate(kauman["langkah"], 1):
        assert f"{n}. {step['teks']}" in result.stdout
    assert "dari 1 kelurahan siap terbit" in result.stdout
    base = serve_dir(output)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    tiles = re.compile(re.escape(tile_template(REPO).split("{")[0]))
    page.route(tiles, lambda route: route.fulfill(status=204))
    try:
        page.goto(base + "laporan/index.html")
        page.wait_for_selector("path.batas-kelurahan")
        for tingkat in {k["tingkat"] for k in data["kelurahan"]}:
            expected = sum(1 for k in data["kelurahan"] if k["tingkat"] == tingkat)
            assert page.locator(f"path.batas-{tingkat}").count() == expected
    finally:
        page.close()
    assert not errors, errors


def test_report_is_deterministic_for_a_date(tmp_path: Path, sample_report: tuple[dict[str, Any], Path]) -> None:
    data, output = sample_report
    again = _report_json(REPO, tmp_path / "out")
    assert again == data
    assert (tmp_path / "out" / "laporan" / "index.html").read_bytes() == \
        (output / "laporan" / "index.html").read_bytes()


# -- a tiny site with known facts: exact scores and steps ------------------------------------


def test_report_exact_steps_for_a_known_kelurahan(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site()
    data = _report_json(site, tmp_path / "out", "kenanga")
    (kenanga,) = data["kelurahan"]
    profile = yaml.safe_load((site / "kelurahan/kenanga/profil.yaml").read_text(encoding="utf-8"))
    assert not profile.get("kode_wilayah") and "batas" not in kenanga["rincian"]
    teks = [s["teks"] for s in kenanga["langkah"]]
    assert "Tambahkan 5 layanan lagi di folder layanan/ (baru 0 dari 5 yang disarankan)" in teks
    assert "Tambahkan 2 wisata lagi di folder wisata/ (baru 0 dari 2 yang disarankan)" in teks
    assert ("Terbitkan berita baru di folder berita/ (belum ada berita; disarankan paling sedikit satu berita "
            "tiap 6 bulan)") in teks


def test_news_freshness_follows_the_given_date(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site({"kelurahan/kenanga/berita/kerja-bakti.md":
                      "---\njudul: Kerja bakti\ntanggal: \"2025-03-01\"\n---\nKerja bakti warga.\n"})

    def berita(date: str) -> float:
        result = run_cli(site, "report", "kenanga", "--format", "json", "--tanggal", date, "--output", tmp_path)
        assert_exit(result, 0)
        return float(json.loads(result.stdout)["kelurahan"][0]["rincian"]["berita"]["poin"])

    assert berita("2025-06-01") == 5
    assert berita("2026-01-01") == 0


def test_report_rejects_a_bad_date(site: Path) -> None:
    result = run_cli(site, "report", "--tanggal", "31-12-2025")
    assert_exit(result, 2)
    assert "--tanggal" in result.output and "TAHUN-BULAN-TANGGAL" in result.output


# -- boundaries ---------------------------------------------------------------------------


def _sample_site(tmp_path: Path, *slugs: str) -> Path:
    site = tmp_path / "situs"
    site.mkdir()
    for name in ("config.yaml", "batas-kelurahan.geojson"):
        shutil.copyfile(REPO / name, site / name)
    for slug in slugs:
        shutil.copytree(REPO / "kelurahan" / slug, site / "kelurahan" / slug)
    return site


def _office(slug: str) -> tuple[float, float]:
    lokasi = yaml.safe_load((REPO / "kelurahan" / slug / "profil.yaml").read_text(encoding="utf-8"))["lokasi"]
    return float(lokasi["lat"]), float(lokasi["lon"])


def test_point_in_the_wrong_kelurahan_is_reported(tmp_path: Path) -> None:
    site = _sample_site(tmp_path, "laweyan")
    lat, lon = _office("jebres")
    wrong = site / "kelurahan/laweyan/umkm/salah-tempat.md"
    wrong.write_text(f"---\nnama: Salah Tempat\nlokasi: {{lat: {lat}, lon: {lon}}}\n---\nUsaha.\n", encoding="utf-8")
    near_lat, near_lon = _office("laweyan")
    (site / "kelurahan/laweyan/umkm/dekat.md").write_text(
        f"---\nnama: Dekat\nlokasi: {{lat: {near_lat + 0.0005}, lon: {near_lon}}}\n---\nUsaha.\n", encoding="utf-8")
    result = run_cli(site, "check")
    assert_exit(result, 0)
    warnings = [line for line in result.stdout.splitlines() if "di luar batas" in line]
    assert len(warnings) == 1, warnings
    assert re.fullmatch(r"kelurahan/laweyan/umkm/salah-tempat\.md:3: peringatan: titik umkm/salah-tempat\.md "
                        r"berada sekitar \d+ m di luar batas Kelurahan Laweyan; tampaknya di Kelurahan Jebres",
                        warnings[0]), warnings[0]
    data = _report_json(site, tmp_path / "out")
    (laweyan,) = data["kelurahan"]
    (outside,) = laweyan["fakta"]["di_luar_batas"]
    assert outside["berkas"] == "kelurahan/laweyan/umkm/salah-tempat.md"
    assert outside["tampaknya_di"] == "Jebres" and outside["jarak_m"] > 300
    assert laweyan["rincian"]["batas"]["poin"] < laweyan["rincian"]["batas"]["maks"]
    assert any("tampaknya di Kelurahan Jebres" in s["teks"] for s in laweyan["langkah"])


def test_check_warnings_never_change_the_exit_code(make_site: Callable[..., Path]) -> None:
    site = make_site({"kelurahan/kenanga/profil.yaml": "nama: Kenanga\nkecamatan: banjarsari\n"
                      "lokasi: {lat: -7.5410, lon: 110.8210}\nlokasi_perkiraan: true\ncontoh: true\n"})
    result = run_cli(site, "check")
    assert_exit(result, 0)
    assert "kelurahan/kenanga/profil.yaml:4: peringatan: lokasi kantor masih perkiraan" in result.stdout
    assert re.search(r"^\d+ peringatan kesiapan \(bukan kesalahan\); rinciannya: kelurahan report$",
                     result.stdout, re.M)
    assert "peringatan" not in result.stderr
    assert result.stderr.strip() == "Semua 3 kelurahan lolos pemeriksaan."
    broken = make_site({"kelurahan/mawar/profil.yaml": "nama: Mawar\n"})
    assert_exit(run_cli(broken, "check"), 1)


def test_boundaries_on_the_kelurahan_home_and_the_portal(sample_build: tuple[Path, Any]) -> None:
    output, _ = sample_build
    home = parse_html(output / "kauman" / "index.html").json_script("peta-data")
    (feature,) = home["batas"]["features"]
    assert feature["properties"]["kode"] == "33.72.03.1009"
    assert feature["geometry"]["type"] == "Polygon"
    text = (output / "data" / "peta-kota.js").read_text(encoding="utf-8")
    city = json.loads(text.removeprefix("window.PETA_KOTA=").rstrip().removesuffix(";"))
    source = json.loads((REPO / "batas-kelurahan.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["kode"] for f in city["batas"]["features"]} == \
        {f["properties"]["kode"] for f in source["features"]}


def test_a_bad_boundary_file_is_a_config_error(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site({"batas-kelurahan.geojson": '{"type": "FeatureCollection", "features": [{"properties": {}}]}'})
    result = build(site, tmp_path / "out", code=1)
    assert "batas-kelurahan.geojson:1: berkas batas kelurahan tidak bisa dibaca" in result.output
    assert "Traceback" not in result.output
    (site / "batas-kelurahan.geojson").write_text('{"type": "FeatureCollection",\n "features": [\n  {oops}\n]}',
                                                 encoding="utf-8")
    broken = build(site, tmp_path / "out", code=1)
    assert "batas-kelurahan.geojson:3: berkas batas kelurahan bukan JSON yang sah; pakai GeoJSON" in broken.output, \
        broken.output
    assert "Expecting" not in broken.output  # not the JSON library's English



def test_boundaries_are_drawn_in_a_browser(sample_build: tuple[Path, Any], browser: Any,
                                           serve_dir: Callable[[Path], str]) -> None:
    output, _ = sample_build
    base = serve_dir(output)
    source = json.loads((REPO / "batas-kelurahan.geojson").read_text(encoding="utf-8"))
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(re.compile(re.escape(tile_template(REPO).split("{")[0])), lambda route: route.fulfill(status=204))
    try:
        for path, expected in (("kauman/index.html", 1), ("index.html", len(source["features"]))):
            page.goto(base + path)
            page.wait_for_selector("path.batas-kelurahan", state="attached")
            assert page.locator("path.batas-kelurahan").count() == expected, path
            assert page.locator("path.batas-kelurahan.leaflet-interactive").count() == 0, "boundaries hide markers"
    finally:
        page.close()
    assert not errors, errors


def test_no_readiness_warnings_for_a_named_kelurahan_with_errors(make_site: Callable[..., Path]) -> None:
    site = make_site({"kelurahan/mawar/profil.yaml": "nama: Mawar\n"})
    result = run_cli(site, "check", "mawar")
    assert_exit(result, 1)
    assert "peringatan" not in result.output
