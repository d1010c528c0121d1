"""Region words outside the pages: report, open data, posters and location errors of a kabupaten.

A kabupaten site made by ``kelurahan init`` (Kecamatan Bagelen of Kabupaten Purworejo: desa only,
and Kecamatan Bayan: desa and one kelurahan) must say "desa" and "kabupaten" wherever the Surakarta
sample says "kelurahan" and "kota". Names and codes are read from the packaged list here with gzip
and csv, not through the generator.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, assert_exit, build, parse_html, run_cli

from generator.cli import main

DATA = REPO / "generator" / "data" / "wilayah-indonesia.tsv.gz"
BAGELEN, BAYAN = "33.06.04", "33.06.08"  # desa only; 25 desa and 1 kelurahan
DATE = "2026-12-01"


def units(prefix: str) -> list[dict[str, str]]:
    """The desa and kelurahan of a kecamatan, in code order."""
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle, delimiter="\t")
                if r["kode"].startswith(prefix + ".") and r["tingkat"] in ("desa", "kelurahan")]


def box(row: dict[str, str]) -> tuple[float, float, float, float]:
    return float(row["selatan"]), float(row["barat"]), float(row["utara"]), float(row["timur"])


def inside(row: dict[str, str], lat: float, lon: float, margin: float = 0.0) -> bool:
    s, w, n, e = box(row)
    return s - margin <= lat <= n + margin and w - margin <= lon <= e + margin


def misplaced_pair(rows: list[dict[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Desa A and desa B whose centre lies only in B's box and well (> 1 km) outside A's."""
    for a in rows:
        for b in rows:
            lat, lon = float(b["lat"]), float(b["lon"])
            if a is not b and not inside(a, lat, lon, 0.01) and [r for r in rows if inside(r, lat, lon)] == [b]:
                return a, b
    raise AssertionError("no such pair in the list")


def cells(path: Path, tag: str) -> list[str]:
    """The text of every ``<tag>`` of a generated page (these hold no nested elements)."""
    return re.findall(rf"<{tag}\b[^>]*>([^<]*)</{tag}>", path.read_text(encoding="utf-8"))


def slug_of(site: Path, kode: str) -> str:
    return next(p.parent.name for p in (site / "kelurahan").glob("*/profil.yaml")
                if f'kode_wilayah: "{kode}"' in p.read_text(encoding="utf-8"))


def umkm(site: Path, slug: str, name: str, lat: float, lon: float) -> None:
    folder = site / "kelurahan" / slug / "umkm"
    folder.mkdir(exist_ok=True)
    (folder / f"{name.lower().replace(' ', '-')}.md").write_text(
        f"---\nnama: {name}\nkategori: Kuliner\nlokasi: {{lat: {lat}, lon: {lon}}}\n---\nKeripik singkong.\n",
        encoding="utf-8")


@pytest.fixture(scope="module")
def bagelen(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    """Kecamatan Bagelen made by init with box boundaries, base_url set, one UMKM in the wrong desa,
    built: (site, output, desa A with the UMKM, desa B where it lies)."""
    root = tmp_path_factory.mktemp("bagelen")
    rows = units(BAGELEN)
    features = [{"type": "Feature", "properties": {"kode": r["kode"], "nama": r["nama"]},
                 "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}}
                for r in rows for s, w, n, e in [box(r)]]
    batas = root / "batas.geojson"
    batas.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    site = root / "situs"
    assert_exit(CliRunner().invoke(main, ["init", str(site), "--wilayah", "33.06", "--kecamatan", BAGELEN,
                                          "--batas", str(batas)]), 0)
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("\nbase_url:\n", "\nbase_url: https://desa.contoh.go.id/\n"),
                      encoding="utf-8")
    a, b = misplaced_pair(rows)
    umkm(site, slug_of(site, a["kode"]), "Keripik Mbok Sri", float(b["lat"]), float(b["lon"]))
    build(site, root / "output")
    return site, root / "output", a, b


def test_report_table_and_json_say_desa(bagelen: tuple[Path, Path, dict[str, str], dict[str, str]]) -> None:
    site, _output, a, b = bagelen
    slug = slug_of(site, a["kode"])
    table = run_cli(site, "report", "--tanggal", DATE, "--output", site.parent / "r1", slug)
    assert_exit(table, 0)
    header, *_ = table.stdout.splitlines()
    assert re.match(r"Skor +Tingkat +Desa +Langkah berikutnya$", header)
    assert "Ukur titik kantor desa di tempat" in table.stdout
    assert f"di luar batas Desa {a['nama']}: umkm/keripik-mbok-sri.md berada sekitar" in table.stdout
    assert f"tampaknya di Desa {b['nama']}" in table.stdout
    assert "0 dari 1 desa siap terbit" in table.stdout
    assert "elurahan" not in table.stdout.replace("kelurahan check", "")
    result = run_cli(site, "report", "--tanggal", DATE, "--format", "json", "--output", site.parent / "r2")
    assert_exit(result, 0)
    data = json.loads(result.stdout)
    assert len(data["kelurahan"]) == len(units(BAGELEN))  # the documented key stays
    steps = [s["teks"] for k in data["kelurahan"] for s in k["langkah"]]
    assert any(s.startswith("Ukur titik kantor desa") for s in steps)
    assert not [s for s in steps if "elurahan" in s.replace("kelurahan check", "")]
    mine = next(k for k in data["kelurahan"] if k["slug"] == slug)
    assert mine["fakta"]["di_luar_batas"][0]["tampaknya_di"] == b["nama"]


def test_check_warnings_name_the_desa(bagelen: tuple[Path, Path, dict[str, str], dict[str, str]]) -> None:
    site, _output, a, b = bagelen
    slug = slug_of(site, a["kode"])
    result = run_cli(site, "check", slug)
    assert_exit(result, 0)
    assert (f"kelurahan/{slug}/umkm/keripik-mbok-sri.md:4: peringatan: titik umkm/keripik-mbok-sri.md berada "
            f"sekitar") in result.stdout
    assert f"m di luar batas Desa {a['nama']}; tampaknya di Desa {b['nama']}" in result.stdout
    lines = (site / "kelurahan" / slug / "profil.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("lokasi_perkiraan:"))
    assert (f"kelurahan/{slug}/profil.yaml:{line}: peringatan: lokasi kantor masih perkiraan (titik tengah desa)"
            in result.stdout)


def test_dashboard_says_desa_and_kabupaten(bagelen: tuple[Path, Path, dict[str, str], dict[str, str]]) -> None:
    site, _output, _a, _b = bagelen
    out = site.parent / "dasbor"
    assert_exit(run_cli(site, "report", "--tanggal", DATE, "--output", out), 0)
    page = out / "laporan" / "index.html"
    text = parse_html(page).text
    assert cells(page, "h1") == ["Laporan kesiapan situs desa"]
    assert f"0 dari {len(units(BAGELEN))} desa siap terbit" in text
    assert "Semua desa (skor terendah dulu)" in text and "Langkah per desa" in text
    assert cells(page, "th")[:2] == ["Desa", "Kecamatan"]
    assert "elurahan" not in text.replace("kelurahan report", "")


def test_open_data_titles_and_page_say_desa_and_kabupaten(
        bagelen: tuple[Path, Path, dict[str, str], dict[str, str]]) -> None:
    _site, output, a, _b = bagelen
    catalogue = json.loads((output / "data.json").read_text(encoding="utf-8"))
    city, *per_desa = catalogue["dataset"]
    assert city["title"] == "Tempat di Kabupaten Purworejo: kantor desa, wisata, UMKM dan ikon"
    assert city["description"].startswith("Semua titik di peta situs desa Kabupaten Purworejo, dengan kode "
                                          "wilayah Kemendagri desanya,")
    assert city["keyword"][0] == "desa"
    assert sorted(d["title"] for d in per_desa) == sorted(f"Tempat di Desa {r['nama']}, Kabupaten Purworejo"
                                                          for r in units(BAGELEN))
    mine = next(d for d in per_desa if d["title"] == f"Tempat di Desa {a['nama']}, Kabupaten Purworejo")
    assert mine["description"] == (f"Kantor desa, wisata, UMKM dan ikon di Desa {a['nama']} "
                                   f"(kode wilayah {a['kode']}).")
    assert "elurahan" not in json.dumps([d["title"] + d["description"] + " ".join(d["keyword"])
                                         for d in catalogue["dataset"]])
    page = output / "data-terbuka" / "index.html"
    headings = cells(page, "h2")
    assert "Seluruh kabupaten" in headings and "Per desa" in headings and "Seluruh kota" not in headings
    assert cells(page, "th")[0] == "Desa"
    text = parse_html(page).text
    assert "Semua titik di peta situs desa Kabupaten Purworejo (kantor desa, wisata, UMKM dan ikon)" in text
    assert "untuk seluruh kabupaten atau per desa" in text


def test_posters_name_the_desa(bagelen: tuple[Path, Path, dict[str, str], dict[str, str]]) -> None:
    site, _output, a, _b = bagelen
    out = site.parent / "cetak"
    assert_exit(run_cli(site, "poster", "--output", out), 0)
    svg = (out / "poster" / slug_of(site, a["kode"]) / "umkm-keripik-mbok-sri-a6.svg").read_text(encoding="utf-8")
    assert f"UMKM · Desa {a['nama']}</text>" in svg and ">Kabupaten Purworejo</text>" in svg
    assert "Kelurahan" not in svg


def test_point_outside_a_kabupaten_says_kabupaten(
        bagelen: tuple[Path, Path, dict[str, str], dict[str, str]], tmp_path: Path) -> None:
    site = tmp_path / "situs"
    shutil.copytree(bagelen[0], site)
    slug = slug_of(site, bagelen[2]["kode"])
    umkm(site, slug, "Toko Jauh", -7.5745, 110.8262)
    result = run_cli(site, "check", slug)
    assert_exit(result, 1)
    assert (f"kelurahan/{slug}/umkm/toko-jauh.md:4: lokasi: titik -7.5745, 110.8262 berada di luar wilayah "
            "kabupaten; titik harus di antara lintang") in result.output
    made = run_cli(site, "new", "desa-baru", "--nama", "Desa Baru", "--kecamatan", "bagelen",
                   "--lokasi", "-7.5745, 110.8262")
    assert_exit(made, 2)
    assert "berada di luar wilayah kabupaten" in made.output


def test_report_of_desa_and_kelurahan_names_both(tmp_path: Path) -> None:
    site = tmp_path / "bayan"
    assert_exit(CliRunner().invoke(main, ["init", str(site), "--wilayah", "33.06", "--kecamatan", BAYAN]), 0)
    rows = units(BAYAN)
    kelurahan = next(r for r in rows if r["tingkat"] == "kelurahan")
    result = run_cli(site, "report", "--tanggal", DATE, "--output", tmp_path / "out")
    assert_exit(result, 0)
    assert re.match(r"Skor +Tingkat +Desa/Kelurahan +Langkah berikutnya$", result.stdout.splitlines()[0])
    assert f"0 dari {len(rows)} desa dan kelurahan siap terbit" in result.stdout
    data = json.loads(run_cli(site, "report", "--tanggal", DATE, "--format", "json",
                              "--output", tmp_path / "out").stdout)
    first = {k["kode_wilayah"]: k["langkah"][0]["teks"] for k in data["kelurahan"]}
    assert first[kelurahan["kode"]].startswith("Ukur titik kantor kelurahan di tempat")
    desa = [teks for kode, teks in first.items() if kode != kelurahan["kode"]]
    assert len(desa) == len(rows) - 1 and all(t.startswith("Ukur titik kantor desa di tempat") for t in desa)
    page = tmp_path / "out" / "laporan" / "index.html"
    assert cells(page, "th")[0] == "Desa/Kelurahan"
    # no boundaries here: the map shows the offices, and a desa's popup says "Kantor desa"
    data = parse_html(page).json_script("peta-data")
    assert isinstance(data, dict)
    kinds = {f["properties"]["url"]: f["properties"].get("satuan", "") for f in data["titik"]["features"]}
    slug = next(p.parent.name for p in (site / "kelurahan").glob("*/profil.yaml")
                if kelurahan["kode"] in p.read_text(encoding="utf-8"))
    assert len(kinds) == len(rows) and kinds.pop(f"{slug}/") == "" and set(kinds.values()) == {"desa"}
