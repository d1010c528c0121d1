"""``kelurahan init`` from the national list, region words, and codes checked against the list.

Expected values come from reading the packaged list here with gzip and csv (not through the
generator), so a wrong row, slug, bound or word in the generator cannot agree with itself.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import REPO, assert_exit, build, parse_html, problem_lines, run_cli, tree_bytes

from generator.cli import main

DATA = REPO / "generator" / "data" / "wilayah-indonesia.tsv.gz"
NOTICE = REPO / "generator" / "data" / "WILAYAH-NOTICE.md"
LICENCE_LINE = "Permission is hereby granted, free of charge"


def rows_under(prefix: str) -> list[dict[str, str]]:
    """The list's rows whose code starts with ``prefix.`` (read independently of the generator)."""
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle, delimiter="\t") if r["kode"].startswith(prefix + ".")]


def units(prefix: str) -> list[dict[str, str]]:
    return [r for r in rows_under(prefix) if r["tingkat"] in ("desa", "kelurahan")]


def init(folder: Path, *args: str) -> Result:
    """``kelurahan init FOLDER ARGS`` in-process."""
    return CliRunner().invoke(main, ["init", str(folder), *args])


def profiles(site: Path) -> dict[str, dict[str, object]]:
    """Every profil.yaml of a site, by folder name (read with PyYAML, not the generator)."""
    return {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((site / "kelurahan").glob("*/profil.yaml"))}


def listing(root: Path) -> list[str]:
    """Every path under ``root``, hidden ones included."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def boundary_file(path: Path, prefix: str) -> Path:
    """A boundary GeoJSON with one box per desa/kelurahan of ``prefix`` and a ``sumber`` member."""
    features = []
    for row in units(prefix):
        if not row["selatan"]:
            continue
        s, w, n, e = (float(row[k]) for k in ("selatan", "barat", "utara", "timur"))
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        features.append({"type": "Feature", "properties": {"kode": row["kode"], "nama": row["nama"]},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    sumber = {"repo": "https://example.org/batas-uji", "lisensi": "MIT", "copyright": "Copyright (c) 2024 Uji Batas",
              "lisensi_teks": "MIT License\n\nCopyright (c) 2024 Uji Batas\n\n" + LICENCE_LINE + " ..."}
    collection = {"type": "FeatureCollection", "sumber": sumber, "catatan": "Kotak uji, bukan batas asli.",
                  "features": features}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


# -- Kota Kediri: the whole city, with a boundary file --------------------------------------


@pytest.fixture(scope="module")
def kediri(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """Kota Kediri made by init (with --batas) and built once: (site, output, init result)."""
    root = tmp_path_factory.mktemp("kediri")
    batas = boundary_file(root / "batas-uji.geojson", "35.71")
    result = init(root / "kediri", "--wilayah", "35.71", "--batas", str(batas))
    assert_exit(result, 0)
    build(root / "kediri", root / "output")
    return root / "kediri", root / "output", result


def test_kediri_site_has_every_kelurahan_with_its_code_postal_code_and_approximate_office(
        kediri: tuple[Path, Path, Result]) -> None:
    site, _output, result = kediri
    expected = {r["kode"]: r for r in units("35.71")}
    assert len(expected) == 46
    found = profiles(site)
    assert len(found) == 46
    by_code = {str(p["kode_wilayah"]): (slug, p) for slug, p in found.items()}
    assert set(by_code) == set(expected)
    kecamatan = {r["kode"]: r["nama"].lower() for r in rows_under("35.71") if r["tingkat"] == "kecamatan"}
    for kode, (slug, profile) in by_code.items():
        row = expected[kode]
        assert profile["nama"] == row["nama"] and str(profile["kode_pos"]) == row["kode_pos"]
        assert profile["kecamatan"] == kecamatan[kode[:8]]
        assert profile["lokasi"] == {"lat": float(row["lat"]), "lon": float(row["lon"])}
        assert profile["lokasi_perkiraan"] is True
        assert slug == re.sub(r"[^a-z0-9]+", "-", row["nama"].lower()).strip("-")
    assert "46 kelurahan" in result.output and "3 kecamatan" in result.output


def test_kediri_config_names_the_city_its_kecamatan_and_bounds_with_a_margin(kediri: tuple[Path, Path, Result]) -> None:
    site, _output, _result = kediri
    config = yaml.safe_load((site / "config.yaml").read_text(encoding="utf-8"))
    assert config["nama"] == "Kota Kediri" and config["kode_wilayah"] == "35.71"
    assert "Kota Kediri" in config["judul"]
    assert "base_url" in config and config["base_url"] is None  # to fill in
    kecamatan = [(r["nama"], r["kode"]) for r in rows_under("35.71") if r["tingkat"] == "kecamatan"]
    assert [(k["nama"], k["kode"]) for k in config["kecamatan"]] == kecamatan
    assert [k["slug"] for k in config["kecamatan"]] == ["mojoroto", "kota", "pesantren"]
    box = config["peta"]["batas"]
    city = next(r for r in rows_under("35") if r["kode"] == "35.71")
    assert box["selatan"] < float(city["selatan"]) and box["utara"] > float(city["utara"])
    assert box["barat"] < float(city["barat"]) and box["timur"] > float(city["timur"])
    assert box["utara"] - box["selatan"] < 2 * (float(city["utara"]) - float(city["selatan"]))
    pusat = config["peta"]["pusat"]
    assert (pusat["lat"], pusat["lon"]) == (float(city["lat"]), float(city["lon"]))
    assert config["peta"]["ubin"]["url"].startswith("https://")
    assert config["peta"]["batas_kelurahan"] == "batas-kelurahan.geojson"


def test_kediri_boundary_file_is_copied_and_its_licence_carried_into_notice(
        kediri: tuple[Path, Path, Result]) -> None:
    site, _output, _result = kediri
    copied = site / "batas-kelurahan.geojson"
    assert copied.read_bytes() == (site.parent / "batas-uji.geojson").read_bytes()
    notice = (site / "NOTICE.md").read_text(encoding="utf-8")
    assert "Copyright (c) 2024 Uji Batas" in notice and "https://example.org/batas-uji" in notice
    assert "Kotak uji, bukan batas asli." in notice
    # the list's own notice travels with the codes and centroids
    assert "Copyright (c) 2017-2025 Cahya DSN" in notice and notice.count(LICENCE_LINE) >= 4


def test_kediri_passes_check_and_builds_every_kelurahan_and_the_portal(kediri: tuple[Path, Path, Result]) -> None:
    site, output, _result = kediri
    result = run_cli(site, "check")
    assert_exit(result, 0)
    assert "Semua 46 kelurahan lolos pemeriksaan." in result.stderr
    portal = parse_html(output / "index.html").text
    for slug, profile in profiles(site).items():
        home = parse_html(output / slug / "index.html").text
        assert f"Kelurahan {profile['nama']}" in home and "(lokasi kantor perkiraan)" in home
        assert profile["nama"] in portal
    assert "46 kelurahan" in portal and "Kelurahan per kecamatan" in portal


def test_init_refuses_an_existing_folder_and_leaves_it_untouched(kediri: tuple[Path, Path, Result]) -> None:
    site, _output, _result = kediri
    before = tree_bytes(site, include_hidden=True)
    result = init(site, "--wilayah", "53.71")
    assert_exit(result, 2)
    assert "sudah ada" in result.stderr
    assert tree_bytes(site, include_hidden=True) == before


def test_name_lookup_gives_the_same_site_as_the_code(kediri: tuple[Path, Path, Result], tmp_path: Path) -> None:
    site, _output, _result = kediri
    assert_exit(init(tmp_path / "nama", "--wilayah", "kota kediri"), 0)
    assert_exit(init(tmp_path / "kode", "--wilayah", "3571"), 0)
    assert tree_bytes(tmp_path / "nama") == tree_bytes(tmp_path / "kode")  # same input, same bytes
    ours = tree_bytes(site)
    assert {k: v for k, v in tree_bytes(tmp_path / "kode").items() if k.startswith("kelurahan/")} == \
        {k: v for k, v in ours.items() if k.startswith("kelurahan/")}


# -- codes checked against the list ----------------------------------------------------------


def _edit(site: Path, slug: str, old: str, new: str) -> None:
    path = site / "kelurahan" / slug / "profil.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_check_reports_wrong_foreign_and_mismatched_codes_with_the_right_one(
        kediri: tuple[Path, Path, Result], tmp_path: Path) -> None:
    site = tmp_path / "kediri"
    shutil.copytree(kediri[0], site)
    _edit(site, "dermo", '"35.71.01.1009"', '"35.71.01.1008"')  # Mrican's code
    _edit(site, "mrican", '"35.71.01.1008"', '"35.71.01.1099"')  # does not exist
    _edit(site, "ngampel", '"35.71.01.1010"', '"53.71.01.1001"')  # Namosain, Kota Kupang
    _edit(site, "mojoroto", '"35.71.01.1011"', '"35.71.02.1001"')  # Semampir, Kecamatan Kota
    _edit(site, "campurejo", '"35.71.01.1012"', '"35.71.1.12"')  # not a code at all
    result = run_cli(site, "check")
    assert_exit(result, 1)
    lines = problem_lines(result)
    assert len(lines) == 5, result.stderr
    expected = {
        "dermo": ("kode 35.71.01.1008 adalah Kelurahan Mrican, bukan Kelurahan Dermo", "35.71.01.1009"),
        "mrican": ("kode 35.71.01.1099 tidak ada dalam daftar wilayah", "35.71.01.1008"),
        "ngampel": ("kode 53.71.01.1001 adalah Kelurahan Namosain di Kota Kupang, bukan di Kota Kediri",
                    "35.71.01.1010"),
        "mojoroto": ("kode 35.71.02.1001 adalah Kelurahan Semampir di Kecamatan Kota, bukan di Kecamatan Mojoroto",
                     "35.71.01.1011"),
        "campurejo": ("'35.71.1.12' bukan kode desa/kelurahan", "35.71.01.1012"),
    }
    for slug, (message, right) in expected.items():
        line = next(x for x in lines if x.startswith(f"kelurahan/{slug}/profil.yaml:"))
        number = int(line.split(":")[1])
        written = (site / "kelurahan" / slug / "profil.yaml").read_text(encoding="utf-8").splitlines()
        assert written[number - 1].startswith("kode_wilayah:"), line
        assert message in line and f"adalah {right}" in line.split(";", 1)[1], line
    assert "5 masalah di 5 dari 46 kelurahan." in result.stderr
    # the others are still built
    build(site, tmp_path / "out", code=0)


def test_check_reports_a_code_of_another_kecamatan_for_the_right_name(
        kediri: tuple[Path, Path, Result], tmp_path: Path) -> None:
    site = tmp_path / "kediri"
    shutil.copytree(kediri[0], site)
    _edit(site, "dermo", "kecamatan: mojoroto", "kecamatan: pesantren")
    result = run_cli(site, "check", "dermo")
    assert_exit(result, 1)
    [line] = problem_lines(result)
    assert "kode 35.71.01.1009 adalah Kelurahan Dermo di Kecamatan Mojoroto, bukan di Kecamatan Pesantren" in line
    assert line.endswith("tulis kecamatan: mojoroto")


def test_sample_site_codes_are_checked_against_the_list(tmp_path: Path) -> None:
    site = tmp_path / "sampel"
    site.mkdir()
    shutil.copy(REPO / "config.yaml", site / "config.yaml")
    shutil.copy(REPO / "batas-kelurahan.geojson", site / "batas-kelurahan.geojson")  # named in config.yaml
    shutil.copytree(REPO / "kelurahan" / "kauman", site / "kelurahan" / "kauman")
    shutil.copytree(REPO / "kelurahan" / "jebres", site / "kelurahan" / "jebres")
    assert_exit(run_cli(site, "check"), 0)
    _edit(site, "kauman", '"33.72.03.1009"', '"33.72.04.1009"')
    result = run_cli(site, "check")
    assert_exit(result, 1)
    [line] = problem_lines(result)
    assert line.startswith("kelurahan/kauman/profil.yaml:3: kode_wilayah: kode 33.72.04.1009 adalah Kelurahan ")
    assert "bukan di Kecamatan Pasar Kliwon" in line and "adalah 33.72.03.1009" in line


# -- new fills from the list -------------------------------------------------------------------


def test_new_fills_code_postal_code_and_location_when_the_name_is_listed(
        kediri: tuple[Path, Path, Result], tmp_path: Path) -> None:
    site = tmp_path / "kediri"
    shutil.copytree(kediri[0], site)
    shutil.rmtree(site / "kelurahan" / "dermo")
    result = run_cli(site, "new", "dermo", "--nama", "dermo")
    assert_exit(result, 0)
    profile = profiles(site)["dermo"]
    row = next(r for r in units("35.71") if r["nama"] == "Dermo")
    assert profile["nama"] == "Dermo" and profile["kecamatan"] == "mojoroto"
    assert profile["kode_wilayah"] == row["kode"] and profile["kode_pos"] == row["kode_pos"]
    assert profile["lokasi"] == {"lat": float(row["lat"]), "lon": float(row["lon"])}
    assert profile["lokasi_perkiraan"] is True
    assert_exit(run_cli(site, "check", "dermo"), 0)
    # a measured location is kept and not marked approximate
    shutil.rmtree(site / "kelurahan" / "dermo")
    assert_exit(run_cli(site, "new", "dermo", "--nama", "Dermo", "--lokasi", "-7.7751, 112.0040"), 0)
    profile = profiles(site)["dermo"]
    assert profile["lokasi"] == {"lat": -7.7751, "lon": 112.004} and "lokasi_perkiraan" not in profile
    assert profile["kode_wilayah"] == row["kode"]


def test_new_suggests_a_listed_name_and_writes_nothing(kediri: tuple[Path, Path, Result], tmp_path: Path) -> None:
    site = tmp_path / "kediri"
    shutil.copytree(kediri[0], site)
    before = listing(site)
    result = run_cli(site, "new", "dermu", "--nama", "Dermu")
    assert_exit(result, 2)
    assert "'Dermu' tidak ada di daftar wilayah Kota Kediri; maksud Anda 'Dermo'?" in result.stderr
    assert listing(site) == before


# -- refusals: exit 2, nothing written ------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (("--wilayah", "35.99"), "kode 35.99 tidak ada dalam daftar wilayah Kemendagri"),
    (("--wilayah", "35"), "kode 35 adalah Provinsi Jawa Timur, bukan kota atau kabupaten"),
    (("--wilayah", "35.71.01"), "kode 35.71.01 adalah Kecamatan Mojoroto, bukan kota atau kabupaten; pakai kode 35.71"),
    (("--wilayah", "Kota Kedri"), "maksud Anda 'Kota Kediri' (35.71)"),
    (("--wilayah", "Kediri"), "maksud Anda 'Kabupaten Kediri' (35.06) atau 'Kota Kediri' (35.71)?"),
    (("--wilayah", "Negeri Antah Berantah"), "tidak ada kota atau kabupaten bernama 'Negeri Antah Berantah'"),
    (("--wilayah", "35.71", "--kecamatan", "mojorot"),
     "kecamatan 'mojorot' tidak ada di Kota Kediri; maksud Anda 'Mojoroto'?"),
    (("--wilayah", "35.71", "--batas", "tidak-ada.geojson"),
     "tidak-ada.geojson: berkas tidak bisa dibaca (berkas atau folder tidak ada)"),
])
def test_init_refusals_exit_2_and_write_nothing(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = init(tmp_path / "baru", *args)
    assert_exit(result, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert listing(tmp_path) == []


def test_init_refuses_a_boundary_file_of_another_city(tmp_path: Path) -> None:
    batas = boundary_file(tmp_path / "kupang.geojson", "53.71")
    broken = tmp_path / "rusak.geojson"
    broken.write_text("{bukan json", encoding="utf-8")
    before = listing(tmp_path)
    result = init(tmp_path / "kediri", "--wilayah", "35.71", "--batas", str(batas))
    assert_exit(result, 2)
    assert "tidak ada fitur dengan kode Kota Kediri (35.71)" in result.stderr
    result = init(tmp_path / "kediri", "--wilayah", "35.71", "--batas", str(broken))
    assert_exit(result, 2)
    assert "bukan berkas GeoJSON yang sah" in result.stderr
    # Refused as the build would refuse it: an open ring, a point that is not [bujur, lintang].
    for damage, message in ((lambda ring: ring.pop(), "cincin poligon tidak tertutup"),
                            (lambda ring: ring.__setitem__(1, "x"), "setiap titik harus berbentuk [bujur, lintang]")):
        kediri = boundary_file(tmp_path / "kediri.geojson", "35.71")
        collection = json.loads(kediri.read_text(encoding="utf-8"))
        damage(collection["features"][3]["geometry"]["coordinates"][0])
        kediri.write_text(json.dumps(collection), encoding="utf-8")
        result = init(tmp_path / "kediri", "--wilayah", "35.71", "--batas", str(kediri))
        assert_exit(result, 2)
        assert "fitur ke-4" in result.stderr and message in result.stderr, result.stderr
        kediri.unlink()
    assert listing(tmp_path) == before


def test_init_refuses_an_empty_existing_folder(tmp_path: Path) -> None:
    (tmp_path / "kediri").mkdir()
    assert_exit(init(tmp_path / "kediri", "--wilayah", "35.71"), 2)
    assert listing(tmp_path) == ["kediri"]


# -- Kota Kupang, and a kabupaten with desa ---------------------------------------------------


def test_kupang_passes_check_and_builds_every_kelurahan(tmp_path: Path) -> None:
    site = tmp_path / "kupang"
    assert_exit(init(site, "--wilayah", "53.71"), 0)
    expected = units("53.71")
    assert len(expected) == 51 and len(profiles(site)) == 51
    result = run_cli(site, "check")
    assert_exit(result, 0)
    assert "Semua 51 kelurahan lolos pemeriksaan." in result.stderr
    build(site, tmp_path / "out", "--jobs", "2")
    for slug in profiles(site):
        assert (tmp_path / "out" / slug / "index.html").is_file()
    assert "51 kelurahan" in parse_html(tmp_path / "out" / "index.html").text


@pytest.fixture(scope="module")
def purworejo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Three kecamatan of Kabupaten Purworejo (desa and kelurahan), built: (site, output)."""
    root = tmp_path_factory.mktemp("purworejo")
    assert_exit(init(root / "purworejo", "--wilayah", "Kabupaten Purworejo",
                     "--kecamatan", "purwodadi,Loano", "--kecamatan", "33.06.06"), 0)
    build(root / "purworejo", root / "output", "--jobs", "2")
    return root / "purworejo", root / "output"


def test_kabupaten_subset_has_only_the_chosen_kecamatan_and_unique_slugs(purworejo: tuple[Path, Path]) -> None:
    site, _output = purworejo
    chosen = [r for r in units("33.06") if r["kode"][:8] in ("33.06.03", "33.06.15", "33.06.06")]
    found = profiles(site)
    assert sorted(str(p["kode_wilayah"]) for p in found.values()) == sorted(r["kode"] for r in chosen)
    # Guyangan is a desa in both Purwodadi and Loano; Karanganyar in Purwodadi and (not chosen) Pituruh
    assert found["guyangan-purwodadi"]["kode_wilayah"] == "33.06.03.2022"
    assert found["guyangan-loano"]["kode_wilayah"] == "33.06.15.2010"
    assert found["karanganyar-purwodadi"]["kode_wilayah"] == "33.06.03.2004"
    assert "guyangan" not in found and "karanganyar" not in found
    names = Counter(r["nama"].lower() for r in units("33.06"))
    for slug, profile in found.items():
        plain = re.sub(r"[^a-z0-9]+", "-", str(profile["nama"]).lower()).strip("-")
        assert slug == (plain if names[str(profile["nama"]).lower()] == 1 else f"{plain}-{profile['kecamatan']}")
    config = yaml.safe_load((site / "config.yaml").read_text(encoding="utf-8"))
    assert [k["kode"] for k in config["kecamatan"]] == ["33.06.03", "33.06.06", "33.06.15"]
    assert config["judul"] == "Portal Desa dan Kelurahan Kabupaten Purworejo"
    assert_exit(run_cli(site, "check"), 0)


def test_kabupaten_pages_say_desa_and_kepala_desa_and_kelurahan_where_it_is_one(
        purworejo: tuple[Path, Path], tmp_path: Path) -> None:
    site, output = purworejo
    home = parse_html(output / "guyangan-loano" / "index.html").text
    assert "Desa Guyangan" in home and "Petunjuk arah ke kantor desa" in home and "Kelurahan" not in home
    assert "Semua desa dan kelurahan" in home
    kelurahan = next(slug for slug, p in profiles(site).items() if str(p["kode_wilayah"])[9] == "1")
    assert "Kelurahan " in parse_html(output / kelurahan / "index.html").text
    portal = parse_html(output / "index.html").text
    count = Counter(r["tingkat"] for r in units("33.06") if r["kode"][:8] in ("33.06.03", "33.06.15", "33.06.06"))
    assert f"{count['desa']} desa, {count['kelurahan']} kelurahan" in portal
    assert "Desa dan kelurahan per kecamatan" in portal
    city = (output / "data" / "peta-kota.js").read_text(encoding="utf-8")
    assert '"nama":"Kantor Desa Guyangan"' in city and '"satuan":"desa"' in city
    # Kepala Desa: the head's name is written as lurah
    copy = tmp_path / "purworejo"
    shutil.copytree(site, copy)
    _edit(copy, "guyangan-loano", '# lurah: "Nama Kepala Desa"', 'lurah: "Bapak Contoh"')
    build(copy, tmp_path / "out", "guyangan-loano")
    assert "Kepala Desa Bapak Contoh" in parse_html(tmp_path / "out" / "guyangan-loano" / "index.html").text


def test_config_can_override_the_words(kediri: tuple[Path, Path, Result], tmp_path: Path) -> None:
    site = tmp_path / "kediri"
    shutil.copytree(kediri[0], site)
    config = (site / "config.yaml").read_text(encoding="utf-8")
    (site / "config.yaml").write_text(config.replace("# istilah:\n#   satuan: desa ", "istilah:\n  satuan: desa "),
                                      encoding="utf-8")
    build(site, tmp_path / "out", "dermo")
    home = parse_html(tmp_path / "out" / "dermo" / "index.html").text
    assert "Desa Dermo" in home and "Kelurahan Dermo" not in home


def test_papua_kecamatan_are_distrik(tmp_path: Path) -> None:
    site = tmp_path / "jayapura"
    assert_exit(init(site, "--wilayah", "91.71", "--kecamatan", "91.71.01"), 0)
    build(site, tmp_path / "out")
    slug = next(iter(profiles(site)))
    assert "Distrik " in parse_html(tmp_path / "out" / slug / "index.html").text
    assert "per distrik" in parse_html(tmp_path / "out" / "index.html").text


# -- the packaged list ----------------------------------------------------------------------------


def test_build_never_reads_the_list(kediri: tuple[Path, Path, Result], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.wilayah import daftar

    monkeypatch.setattr(daftar, "DATA_FILE", tmp_path / "hilang.tsv.gz")
    build(kediri[0], tmp_path / "out")
    assert_exit(run_cli(kediri[0], "check"), 1)  # check does need it (and says so without a traceback)


def test_wheel_carries_the_list_and_its_notice(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("kelurahan-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert archive.read("generator/data/wilayah-indonesia.tsv.gz") == DATA.read_bytes()
        assert archive.read("generator/data/WILAYAH-NOTICE.md") == NOTICE.read_bytes()
    assert "generator/wilayah/daftar.py" in names


def test_no_region_specific_words_in_the_generator() -> None:
    for path in [*(REPO / "generator").rglob("*.py"), *(REPO / "generator" / "templates").rglob("*.html"),
                 *(REPO / "generator" / "assets").glob("*.js")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?i)surakarta|\bsolo\b|0271", text), path


def test_every_kota_and_kabupaten_gets_a_valid_config_and_unique_slugs() -> None:
    """All 514: the planned config.yaml passes validation, slugs are valid and unique, every office
    point lies inside the map bounds (the full init of each is what the tests above do for four)."""
    from generator.config import parse_config
    from generator.content import RESERVED_SLUGS, SLUG_PATTERN
    from generator.wilayah.daftar import read_rows
    from generator.wilayah.rencana import plan

    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as handle:
        cities = [r["kode"] for r in csv.DictReader(handle, delimiter="\t") if r["tingkat"] == "kabkota"]
    assert len(cities) == 514
    rows = read_rows(cities)
    by_city: dict[str, list] = {}
    for row in rows:
        by_city.setdefault(row.kode[:5], []).append(row)
    for kode in cities:
        rencana = plan(by_city[kode][0], by_city[kode])
        config = parse_config(rencana.files["config.yaml"])
        slugs = [s.slug for s in rencana.satuan]
        assert len(set(slugs)) == len(slugs) == len([r for r in by_city[kode] if r.tingkat in ("desa", "kelurahan")])
        assert all(SLUG_PATTERN.fullmatch(s) and s not in RESERVED_SLUGS for s in slugs), kode
        for text in (t for rel, t in rencana.files.items() if rel.endswith("profil.yaml")):
            point = re.search(r"^lokasi: \{lat: (\S+), lon: (\S+)\}$", text, re.MULTILINE)
            assert point and config.batas.contains(float(point[1]), float(point[2])), (kode, text[:200])


def test_desa_office_popup_in_a_real_browser(purworejo: tuple[Path, Path], browser: Any,
                                             serve_dir: Callable[[Path], str]) -> None:
    """The map of a desa names its office "Kantor desa" (peta.js reads the points' ``satuan``)."""
    _site, output = purworejo
    base = serve_dir(output)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    foreign: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        if urlsplit(request_route.request.url).hostname == "127.0.0.1":
            request_route.continue_()
        else:  # map tiles and anything else: no network in tests
            foreign.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(base + "guyangan-loano/index.html", wait_until="load")
        page.wait_for_selector(".folium-map[data-jumlah-titik]", timeout=8000)
        page.locator(".folium-map path.penanda-kantor").first.dispatch_event("click")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(state="visible", timeout=5000)
        assert popup.locator("a").inner_text() == "Kantor Desa Guyangan"
        assert "Kantor desa" in popup.inner_text() and "Lokasi perkiraan" in popup.inner_text()
    finally:
        context.close()
    assert not errors, errors
    assert all(urlsplit(url).hostname and "tile" in url for url in foreign), foreign


@pytest.mark.parametrize(("query", "nama"), [
    ("Kab. Kepulauan Seribu", "Kabupaten Administrasi Kepulauan Seribu"),
    ("Jakarta Pusat", "Kota Administrasi Jakarta Pusat"),
    ("KAB PURWOREJO", "Kabupaten Purworejo"),
])
def test_init_finds_names_written_the_usual_ways(tmp_path: Path, query: str, nama: str) -> None:
    result = init(tmp_path / "situs", "--wilayah", query, "--kecamatan", "01")
    assert_exit(result, 0)
    assert yaml.safe_load((tmp_path / "situs" / "config.yaml").read_text(encoding="utf-8"))["nama"] == nama


def test_the_readme_commands_for_kediri(tmp_path: Path) -> None:
    """`kelurahan init kediri --wilayah 35.71 && cd kediri && kelurahan build`, as a user types it."""
    beside = Path(sys.executable).parent / "kelurahan"
    exe = str(beside) if beside.exists() else shutil.which("kelurahan")
    assert exe, "the kelurahan command must be installed"
    made = subprocess.run([exe, "init", "kediri", "--wilayah", "35.71"], cwd=tmp_path, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    built = subprocess.run([exe, "build"], cwd=tmp_path / "kediri", capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert "Selesai: 47 situs" in built.stderr and "0 kelurahan gagal" in built.stderr
    output = tmp_path / "kediri" / "output"
    portal_folders = ("assets", "data", "data-terbuka", "cari")
    homes = sorted(p.parent.name for p in output.glob("*/index.html") if p.parent.name not in portal_folders)
    assert homes == sorted(profiles(tmp_path / "kediri"))
    assert len(homes) == 46


def test_location_examples_in_messages_lie_in_the_city_itself(kediri: tuple[Path, Path, Result],
                                                               tmp_path: Path) -> None:
    """A Kediri officer who writes a location wrongly is shown an example point in Kediri, not the
    Surakarta point of the staff guide."""
    site = tmp_path / "kediri"
    shutil.copytree(kediri[0], site)
    slug = sorted(profiles(site))[0]
    umkm = site / "kelurahan" / slug / "umkm" / "toko-uji.md"
    umkm.parent.mkdir(exist_ok=True)
    umkm.write_text("---\nnama: Toko Uji\nlokasi: di depan pasar\n---\nToko contoh.\n", encoding="utf-8")
    result = run_cli(site, "check", slug)
    assert_exit(result, 1)
    match = re.search(r"koordinat tidak dikenali \(tertulis 'di depan pasar'\); tulis seperti "
                      r"\"(-?\d+\.\d{4}), (\d+\.\d{4})\" \(lintang, bujur\)", result.stderr)
    assert match, result.stderr
    box = yaml.safe_load((site / "config.yaml").read_text(encoding="utf-8"))["peta"]["batas"]
    lat, lon = float(match.group(1)), float(match.group(2))
    assert box["selatan"] <= lat <= box["utara"] and box["barat"] <= lon <= box["timur"], (lat, lon, box)
    assert "-7.5745" not in result.stderr
