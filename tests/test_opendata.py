"""Open data written by every build: GeoJSON (RFC 7946), CSV, the DCAT-US catalogue, the page."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, assert_exit, broken_links, parse_html, run_cli

COLUMNS = ["kode_kelurahan", "kelurahan", "kecamatan", "jenis", "kategori", "nama", "lintang", "bujur",
           "lokasi_perkiraan", "url"]
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
BOX = CONFIG["peta"]["batas"]
BASE = CONFIG["base_url"]


def _geojson(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def assert_rfc7946_points(data: dict[str, Any]) -> None:
    """A FeatureCollection of Points in WGS 84 [lon, lat] inside the city, without a crs member."""
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    for feature in data["features"]:
        assert feature["type"] == "Feature" and set(feature) == {"type", "geometry", "properties"}
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert BOX["barat"] <= lon <= BOX["timur"], feature
        assert BOX["selatan"] <= lat <= BOX["utara"], feature
        assert isinstance(feature["properties"], dict)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def _sample_points() -> int:
    """Offices plus every wisata/UMKM/ikon file of the sample that has a lokasi."""
    count = 0
    for folder in sorted((REPO / "kelurahan").iterdir()):
        count += 1
        for section in ("wisata", "umkm", "ikon"):
            for path in (folder / section).glob("*.md"):
                front = path.read_text(encoding="utf-8").split("---")[1]
                count += bool(re.search(r"^lokasi:", front, re.M))
    return count


def test_city_geojson_and_csv_hold_every_place(sample_build: tuple[Path, Any]) -> None:
    output, _ = sample_build
    city = _geojson(output / "data" / "kota.geojson")
    assert_rfc7946_points(city)
    rows = _csv(output / "data" / "kota.csv")
    assert len(city["features"]) == len(rows) == _sample_points()
    codes = {yaml.safe_load((p / "profil.yaml").read_text(encoding="utf-8"))["kode_wilayah"]
             for p in (REPO / "kelurahan").iterdir()}
    assert {r["kode_kelurahan"] for r in rows} == codes
    assert {r["jenis"] for r in rows} == {"kantor", "wisata", "umkm", "ikon"}
    for row, feature in zip(rows, city["features"], strict=True):
        assert [float(row["bujur"]), float(row["lintang"])] == feature["geometry"]["coordinates"]
        assert row["url"].startswith(BASE)
        page = output / row["url"].removeprefix(BASE) / "index.html"
        assert page.is_file(), row["url"]
        assert row["lokasi_perkiraan"] in ("ya", "tidak")


def test_per_kelurahan_files_match_the_city_file(sample_build: tuple[Path, Any]) -> None:
    output, _ = sample_build
    city = _csv(output / "data" / "kota.csv")
    slugs = sorted(p.name for p in (REPO / "kelurahan").iterdir())
    assert sorted(p.stem for p in (output / "data" / "kelurahan").glob("*.csv")) == slugs
    together: list[dict[str, str]] = []
    for slug in slugs:
        data = _geojson(output / "data" / "kelurahan" / f"{slug}.geojson")
        assert_rfc7946_points(data)
        rows = _csv(output / "data" / "kelurahan" / f"{slug}.csv")
        assert len(rows) == len(data["features"]) and len({r["kode_kelurahan"] for r in rows}) == 1
        together += rows
    assert sorted(map(str, together)) == sorted(map(str, city))


def test_catalogue_is_dcat_us_with_content_dates(sample_build: tuple[Path, Any]) -> None:
    output, _ = sample_build
    catalogue = json.loads((output / "data.json").read_text(encoding="utf-8"))
    assert catalogue["@type"] == "dcat:Catalog"
    assert catalogue["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    datasets = catalogue["dataset"]
    assert len(datasets) == 52
    news = {}
    for folder in (REPO / "kelurahan").iterdir():
        dates = [yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1])["tanggal"]
                 for p in (folder / "berita").glob("*.md")]
        news[folder.name] = str(max(dates)) if dates else None
    for dataset in datasets:
        for key in ("title", "description", "keyword", "modified", "publisher", "contactPoint", "identifier",
                    "accessLevel", "distribution"):
            assert dataset.get(key), (key, dataset["identifier"])
        assert dataset["license"] == CONFIG["data_terbuka"]["lisensi"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", dataset["modified"])
        slug = dataset["identifier"].rsplit("/", 1)[-1]
        if news.get(slug):
            assert dataset["modified"] == news[slug]
        formats = {d["mediaType"] for d in dataset["distribution"]}
        assert formats == {"application/geo+json", "text/csv"}
        for distribution in dataset["distribution"]:
            assert (output / distribution["downloadURL"].removeprefix(BASE)).is_file()
    assert datasets[0]["modified"] == max(d for d in news.values() if d)


def test_open_data_page_is_linked_from_the_portal(sample_build: tuple[Path, Any]) -> None:
    output, _ = sample_build
    portal = parse_html(output / "index.html")
    assert any(e.attrs.get("href") == "data-terbuka/index.html" for e in portal.find("a"))
    page = parse_html(output / "data-terbuka" / "index.html")
    links = {e.attrs.get("href") for e in page.find("a")}
    assert {"../data.json", "../data/kota.geojson", "../data/kota.csv", "../data/kelurahan/kauman.csv"} <= links
    assert not [b for b in broken_links(output) if b.startswith(("data/", "data-terbuka/"))]


def test_no_personal_data_in_the_open_data(make_site: Any, tmp_path: Path) -> None:
    site = make_site({"kelurahan/mawar/umkm/jamu-gendong.md": """\
        ---
        nama: Jamu Gendong Lestari
        lokasi: {lat: -7.5650, lon: 110.7930}
        pemilik: Sumarni Hadiwijoyo
        kontak:
          whatsapp: "0857-2468-1357"
          telepon: "0271-713579"
        ---
        Jamu segar setiap pagi.
        """.replace("        ", "")})
    output = tmp_path / "out"
    assert_exit(run_cli(site, "build", "--output", output, "--jobs", "1"), 0)
    assert "Sumarni Hadiwijoyo" in (output / "mawar/umkm/jamu-gendong/index.html").read_text(encoding="utf-8")
    files = [output / "data.json", *(output / "data").glob("*.*"), *(output / "data" / "kelurahan").glob("*")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in files if p.suffix in (".json", ".csv", ".geojson"))
    assert "Jamu Gendong Lestari" in text
    for private in ("Sumarni", "Hadiwijoyo", "2468", "713579", "pemilik", "whatsapp", "telepon"):
        assert private not in text, private


def test_open_data_without_base_url_uses_relative_urls(make_site: Any, tmp_path: Path) -> None:
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    site = make_site({"config.yaml": re.sub(r"^base_url:.*$", "", config, flags=re.M)})
    assert_exit(run_cli(site, "build", "--output", tmp_path / "out", "--jobs", "1"), 0)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "data" / "kota.csv").read_text(encoding="utf-8"))))
    assert rows and all(not r["url"].startswith("http") for r in rows)
    for row in rows:
        assert (tmp_path / "out" / row["url"] / "index.html").is_file(), row["url"]


@pytest.mark.parametrize("removed", ["kenanga"])
def test_removed_kelurahan_loses_its_data_files(make_site: Any, tmp_path: Path, removed: str) -> None:
    import shutil

    site = make_site()
    out = tmp_path / "out"
    assert_exit(run_cli(site, "build", "--output", out, "--jobs", "1"), 0)
    assert (out / "data" / "kelurahan" / f"{removed}.csv").is_file()
    shutil.rmtree(site / "kelurahan" / removed)
    assert_exit(run_cli(site, "build", "--output", out, "--jobs", "1"), 0)
    assert not (out / "data" / "kelurahan" / f"{removed}.csv").exists()
    assert removed not in (out / "data" / "kota.csv").read_text(encoding="utf-8").lower().split(",")
