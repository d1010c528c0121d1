"""The shipped sample: the repository's own kelurahan/ folder (51 kelurahan of Kota Surakarta).

The reference table below is the public Kemendagri code list of the 51 kelurahan
(Permendagri 56/2015 and 137/2017, unchanged since) with their kode pos, hard-coded here so
the test reads nothing outside the repository.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from conftest import (
    REPO,
    assert_exit,
    broken_links,
    city_features,
    html_pages,
    parse_html,
    run_cli,
    summary,
)

# slug: (nama, kecamatan, kode_wilayah, kode_pos)
KEMENDAGRI: dict[str, tuple[str, str, str, str]] = {
    "pajang": ("Pajang", "laweyan", "33.72.01.1001", "57146"),
    "laweyan": ("Laweyan", "laweyan", "33.72.01.1002", "57148"),
    "bumi": ("Bumi", "laweyan", "33.72.01.1003", "57149"),
    "panularan": ("Panularan", "laweyan", "33.72.01.1004", "57149"),
    "penumping": ("Penumping", "laweyan", "33.72.01.1005", "57141"),
    "sriwedari": ("Sriwedari", "laweyan", "33.72.01.1006", "57141"),
    "purwosari": ("Purwosari", "laweyan", "33.72.01.1007", "57142"),
    "sondakan": ("Sondakan", "laweyan", "33.72.01.1008", "57147"),
    "kerten": ("Kerten", "laweyan", "33.72.01.1009", "57143"),
    "jajar": ("Jajar", "laweyan", "33.72.01.1010", "57144"),
    "karangasem": ("Karangasem", "laweyan", "33.72.01.1011", "57145"),
    "joyotakan": ("Joyotakan", "serengan", "33.72.02.1001", "57157"),
    "danukusuman": ("Danukusuman", "serengan", "33.72.02.1002", "57156"),
    "serengan": ("Serengan", "serengan", "33.72.02.1003", "57155"),
    "tipes": ("Tipes", "serengan", "33.72.02.1004", "57154"),
    "kratonan": ("Kratonan", "serengan", "33.72.02.1005", "57153"),
    "jayengan": ("Jayengan", "serengan", "33.72.02.1006", "57152"),
    "kemlayan": ("Kemlayan", "serengan", "33.72.02.1007", "57151"),
    "joyosuran": ("Joyosuran", "pasar-kliwon", "33.72.03.1001", "57116"),
    "semanggi": ("Semanggi", "pasar-kliwon", "33.72.03.1002", "57117"),
    "pasar-kliwon": ("Pasar Kliwon", "pasar-kliwon", "33.72.03.1003", "57118"),
    "gajahan": ("Gajahan", "pasar-kliwon", "33.72.03.1004", "57115"),
    "baluwarti": ("Baluwarti", "pasar-kliwon", "33.72.03.1005", "57114"),
    "kampung-baru": ("Kampung Baru", "pasar-kliwon", "33.72.03.1006", "57111"),
    "kedung-lumbu": ("Kedung Lumbu", "pasar-kliwon", "33.72.03.1007", "57113"),
    "sangkrah": ("Sangkrah", "pasar-kliwon", "33.72.03.1008", "57119"),
    "kauman": ("Kauman", "pasar-kliwon", "33.72.03.1009", "57112"),
    "kepatihan-kulon": ("Kepatihan Kulon", "jebres", "33.72.04.1001", "57129"),
    "kepatihan-wetan": ("Kepatihan Wetan", "jebres", "33.72.04.1002", "57129"),
    "sudiroprajan": ("Sudiroprajan", "jebres", "33.72.04.1003", "57121"),
    "gandekan": ("Gandekan", "jebres", "33.72.04.1004", "57122"),
    "sewu": ("Sewu", "jebres", "33.72.04.1005", "57129"),
    "pucangsawit": ("Pucangsawit", "jebres", "33.72.04.1006", "57125"),
    "jagalan": ("Jagalan", "jebres", "33.72.04.1007", "57162"),
    "purwodiningratan": ("Purwodiningratan", "jebres", "33.72.04.1008", "57128"),
    "tegalharjo": ("Tegalharjo", "jebres", "33.72.04.1009", "57128"),
    "jebres": ("Jebres", "jebres", "33.72.04.1010", "57126"),
    "mojosongo": ("Mojosongo", "jebres", "33.72.04.1011", "57127"),
    "kadipiro": ("Kadipiro", "banjarsari", "33.72.05.1001", "57136"),
    "nusukan": ("Nusukan", "banjarsari", "33.72.05.1002", "57135"),
    "gilingan": ("Gilingan", "banjarsari", "33.72.05.1003", "57134"),
    "setabelan": ("Setabelan", "banjarsari", "33.72.05.1004", "57139"),
    "kestalan": ("Kestalan", "banjarsari", "33.72.05.1005", "57133"),
    "keprabon": ("Keprabon", "banjarsari", "33.72.05.1006", "57131"),
    "timuran": ("Timuran", "banjarsari", "33.72.05.1007", "57131"),
    "ketelan": ("Ketelan", "banjarsari", "33.72.05.1008", "57132"),
    "punggawan": ("Punggawan", "banjarsari", "33.72.05.1009", "57132"),
    "mangkubumen": ("Mangkubumen", "banjarsari", "33.72.05.1010", "57139"),
    "manahan": ("Manahan", "banjarsari", "33.72.05.1011", "57139"),
    "sumber": ("Sumber", "banjarsari", "33.72.05.1012", "57138"),
    "banyuanyar": ("Banyuanyar", "banjarsari", "33.72.05.1013", "57137"),
}
KECAMATAN = {"laweyan": ("Laweyan", "33.72.01"), "serengan": ("Serengan", "33.72.02"),
             "pasar-kliwon": ("Pasar Kliwon", "33.72.03"), "jebres": ("Jebres", "33.72.04"),
             "banjarsari": ("Banjarsari", "33.72.05")}
MAP_SECTIONS = ("wisata", "umkm", "ikon")


# The verified points of interest of the public data set: (kelurahan, section, slug, lat, lon),
# with None where no public source gives coordinates (then the item sits at the kelurahan's
# centroid and must say so with lokasi_perkiraan).
VERIFIED_POI: list[tuple[str, str, str, float | None, float | None]] = [
    ("baluwarti", "ikon", "keraton-kasunanan-surakarta-hadiningrat", -7.57824, 110.82551),
    ("keprabon", "ikon", "pura-mangkunegaran", -7.56633, 110.82299),
    ("keprabon", "wisata", "pasar-triwindu-windujenar", None, None),
    ("sudiroprajan", "wisata", "pasar-gede-hardjonagoro", None, None),
    ("sudiroprajan", "ikon", "grebeg-sudiro", None, None),
    ("kedung-lumbu", "wisata", "benteng-vastenburg", -7.57192, 110.82853),
    ("kauman", "ikon", "masjid-agung-keraton-surakarta", -7.57448, 110.82661),
    ("kauman", "wisata", "kampung-batik-kauman", None, None),
    ("laweyan", "wisata", "kampung-batik-laweyan", None, None),
    ("pajang", "ikon", "masjid-laweyan-ki-ageng-henis", None, None),
    ("gajahan", "wisata", "pasar-klewer", None, None),
    ("sriwedari", "ikon", "museum-radya-pustaka", None, None),
    ("sriwedari", "wisata", "taman-sriwedari", None, None),
    ("sriwedari", "ikon", "museum-batik-danar-hadi", None, None),
    ("manahan", "ikon", "stadion-manahan", -7.55556, 110.80639),
    ("manahan", "wisata", "taman-balekambang", None, None),
    ("kerten", "ikon", "lokananta", None, None),
    ("kestalan", "ikon", "stasiun-solo-balapan", -7.55675, 110.8214),
    ("gilingan", "ikon", "masjid-raya-sheikh-zayed-solo", None, None),
    ("timuran", "ikon", "monumen-pers-nasional", None, None),
    ("setabelan", "wisata", "pasar-legi", None, None),
    ("jebres", "wisata", "solo-safari", None, None),
    ("mojosongo", "ikon", "pltsa-putri-cempo", None, None),
    ("semanggi", "wisata", "pasar-klithikan-notoharjo", None, None),
    ("pasar-kliwon", "ikon", "masjid-riyadh", None, None),
    ("pasar-kliwon", "wisata", "pasar-kliwon", None, None),
    ("kampung-baru", "ikon", "balai-kota-surakarta", None, None),
    ("kemlayan", "ikon", "kampung-kemlayan", None, None),
    ("kratonan", "ikon", "rumah-budaya-kratonan", None, None),
    ("danukusuman", "wisata", "pasar-hardjodaksino", None, None),
    ("serengan", "wisata", "sentra-blangkon-serengan", None, None),
    ("serengan", "wisata", "selat-solo-mbak-lies", None, None),
]


def _raw_yaml(text: str) -> Any:
    """YAML with every scalar as the text written (no type guessing at all)."""
    return yaml.load(text, Loader=yaml.BaseLoader)


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n", text, re.S)
    assert match, f"{path}: no front matter"
    return _raw_yaml(match.group(1)) or {}


def _point(value: Any) -> tuple[float, float]:
    if isinstance(value, dict):
        return float(value["lat"]), float(value["lon"])
    if isinstance(value, list):
        return float(value[0]), float(value[1])
    match = re.fullmatch(r"\(?\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)?", str(value))
    assert match, f"cannot read lokasi {value!r}"
    return float(match.group(1)), float(match.group(2))


@functools.cache
def _profiles() -> dict[str, dict[str, Any]]:
    return {slug: _raw_yaml((REPO / "kelurahan" / slug / "profil.yaml").read_text(encoding="utf-8"))
            for slug in KEMENDAGRI}


@functools.cache
def _located_items() -> dict[str, list[tuple[str, str, float, float]]]:
    """slug -> [(url, nama, lat, lon)] of every wisata/umkm/ikon with a lokasi, from the sources."""
    items: dict[str, list[tuple[str, str, float, float]]] = {}
    for slug in KEMENDAGRI:
        for section in MAP_SECTIONS:
            for path in sorted((REPO / "kelurahan" / slug / section).glob("*.md")):
                data = _front_matter(path)
                if "lokasi" in data:
                    lat, lon = _point(data["lokasi"])
                    items.setdefault(slug, []).append((f"{slug}/{section}/{path.stem}/", data["nama"], lat, lon))
    return items


def _bounds() -> tuple[float, float, float, float]:
    batas = _raw_yaml((REPO / "config.yaml").read_text(encoding="utf-8"))["peta"]["batas"]
    return float(batas["selatan"]), float(batas["barat"]), float(batas["utara"]), float(batas["timur"])


def _features_by_url(features: list[dict]) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    for feature in features:
        url = feature["properties"]["url"]
        assert url not in found, f"point {url} appears twice"
        lon, lat = feature["geometry"]["coordinates"]
        found[url] = (lat, lon)
    return found


def _snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    result = {}
    for root in roots:
        for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
            stat = path.stat()
            result[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return result


def test_check_accepts_the_sample_and_writes_nothing() -> None:
    watched = [REPO / "kelurahan", REPO / "config.yaml"]
    before = _snapshot(*watched)
    result = run_cli(REPO, "check")
    assert_exit(result, 0)
    assert "Semua 51 kelurahan lolos pemeriksaan." in result.stderr
    assert _snapshot(*watched) == before


def test_sample_has_the_51_kelurahan() -> None:
    folders = {p.name for p in (REPO / "kelurahan").iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert len(folders) == 51
    assert folders == set(KEMENDAGRI)
    for slug in folders:
        assert (REPO / "kelurahan" / slug / "profil.yaml").is_file(), slug


def test_profiles_match_the_kemendagri_codes() -> None:
    problems = []
    for slug, profile in _profiles().items():
        nama, kecamatan, kode, kode_pos = KEMENDAGRI[slug]
        written = (profile.get("nama"), profile.get("kecamatan"), profile.get("kode_wilayah"), profile.get("kode_pos"))
        if written != (nama, kecamatan, kode, kode_pos):
            problems.append(f"{slug}: {written} != {(nama, kecamatan, kode, kode_pos)}")
        if not kode.startswith(KECAMATAN[kecamatan][1] + "."):
            problems.append(f"{slug}: {kode} is not in kecamatan {kecamatan}")
    assert not problems, "\n".join(problems)


def test_config_lists_the_five_kecamatan_with_their_codes() -> None:
    config = _raw_yaml((REPO / "config.yaml").read_text(encoding="utf-8"))
    assert {k["slug"]: (k["nama"], k["kode"]) for k in config["kecamatan"]} == KECAMATAN


def test_build_writes_51_kelurahan_sites_and_the_portal(sample_build: tuple[Path, Result]) -> None:
    output, result = sample_build
    numbers = summary(result)
    assert numbers["situs"] == 52 and numbers["gagal"] == 0
    for slug in KEMENDAGRI:
        assert (output / slug / "index.html").is_file(), slug
    built = {p.name for p in output.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert built == set(KEMENDAGRI) | {"assets", "data", "data-terbuka"}
    assert (output / "index.html").is_file() and (output / "data/peta-kota.js").is_file()


def test_home_pages_show_the_codes_and_kecamatan(sample_build: tuple[Path, Result]) -> None:
    output, _ = sample_build
    problems = []
    for slug, (nama, kecamatan, kode, kode_pos) in KEMENDAGRI.items():
        page = parse_html(output / slug / "index.html")
        expected = (f"Kelurahan {nama}", f"Kecamatan {KECAMATAN[kecamatan][0]}", f"Kode wilayah {kode}",
                    f"Kode pos {kode_pos}")
        problems += [f"{slug}: '{text}' not on the home page" for text in expected if text not in page.text]
    assert not problems, "\n".join(problems)


def test_portal_groups_the_51_kelurahan_by_kecamatan(sample_build: tuple[Path, Result]) -> None:
    output, _ = sample_build
    page = parse_html(output / "index.html")
    groups: dict[str, set[str]] = {}
    for element in page.find("a"):
        group = [a for a in element.ancestors if a.startswith("kecamatan-")]
        if group:
            groups.setdefault(group[-1].removeprefix("kecamatan-"), set()).add(element.attrs["href"])
    expected: dict[str, set[str]] = {}
    for slug, (_, kecamatan, _, _) in KEMENDAGRI.items():
        expected.setdefault(kecamatan, set()).add(f"{slug}/index.html")
    assert groups == expected
    assert {k: len(v) for k, v in groups.items()} == {"laweyan": 11, "serengan": 7, "pasar-kliwon": 9,
                                                      "jebres": 11, "banjarsari": 13}


def test_every_source_point_lies_inside_the_city_bounds() -> None:
    south, west, north, east = _bounds()
    points = [(f"{slug}/profil.yaml", *_point(profile["lokasi"])) for slug, profile in _profiles().items()]
    points += [(url, lat, lon) for items in _located_items().values() for url, _, lat, lon in items]
    outside = [p for p in points if not (south <= p[1] <= north and west <= p[2] <= east)]
    assert not outside, outside


def test_every_built_point_lies_inside_the_city_bounds(sample_build: tuple[Path, Result]) -> None:
    output, _ = sample_build
    south, west, north, east = _bounds()
    features = city_features(output)
    for slug in KEMENDAGRI:
        features += parse_html(output / slug / "index.html").json_script("peta-data")["titik"]["features"]
    outside = [f["properties"]["url"] for f in features
               if not (south <= f["geometry"]["coordinates"][1] <= north
                       and west <= f["geometry"]["coordinates"][0] <= east)]
    assert not outside, outside


@pytest.mark.parametrize("slug", sorted(KEMENDAGRI))
def test_every_located_item_is_on_the_kelurahan_map(sample_build: tuple[Path, Result], slug: str) -> None:
    output, _ = sample_build
    office = (f"{slug}/", *_point(_profiles()[slug]["lokasi"]))
    items = [(url, lat, lon) for url, _, lat, lon in _located_items().get(slug, [])]
    data = parse_html(output / slug / "index.html").json_script("peta-data")
    on_map = _features_by_url(data["titik"]["features"])
    expected = {url: (round(lat, 6), round(lon, 6)) for url, lat, lon in [office, *items]}
    assert on_map == expected


def test_every_office_and_located_item_is_on_the_city_map(sample_build: tuple[Path, Result]) -> None:
    output, _ = sample_build
    features = city_features(output)
    on_map = _features_by_url(features)
    expected = {f"{slug}/": _point(p["lokasi"]) for slug, p in _profiles().items()}
    names = {f"{slug}/": f"Kantor Kelurahan {KEMENDAGRI[slug][0]}" for slug in KEMENDAGRI}
    for items in _located_items().values():
        for url, nama, lat, lon in items:
            expected[url] = (lat, lon)
            names[url] = nama
    assert on_map == {url: (round(lat, 6), round(lon, 6)) for url, (lat, lon) in expected.items()}
    assert {f["properties"]["url"]: f["properties"]["nama"] for f in features} == names
    kinds = {f["properties"]["url"]: f["properties"]["jenis"] for f in features}
    for url, kind in kinds.items():
        assert kind == ("kantor" if url.count("/") == 1 else url.split("/")[1]), url
    portal = parse_html(output / "index.html")
    assert f"{len(features)} titik di peta" in portal.text


def test_sample_pages_have_lang_title_description_and_working_links(sample_build: tuple[Path, Result]) -> None:
    output, _ = sample_build
    problems = []
    for path in html_pages(output):
        page = parse_html(path)
        rel = path.relative_to(output)
        if page.lang != "id" or not page.title.strip() or not page.meta.get("description", "").strip():
            problems.append(f"{rel}: lang={page.lang!r} title={page.title!r} "
                            f"description={page.meta.get('description')!r}")
        for element in page.elements:
            for attribute in ("src", "srcset"):
                if re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|//)", element.attrs.get(attribute, "")):
                    problems.append(f"{rel}: <{element.tag} {attribute}> loads from another host")
            href = element.attrs.get("href", "")
            if href.startswith("/") or (element.tag == "link" and re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)", href)):
                problems.append(f"{rel}: <{element.tag} href={href!r}> is not relative")
    problems += broken_links(output)
    assert not problems, "\n".join(problems[:50])


@pytest.mark.parametrize(("kelurahan", "section", "slug", "lat", "lon"), VERIFIED_POI,
                         ids=[p[2] for p in VERIFIED_POI])
def test_every_verified_point_of_interest_is_on_both_maps(sample_build: tuple[Path, Result], kelurahan: str,
                                                          section: str, slug: str, lat: float | None,
                                                          lon: float | None) -> None:
    output, _ = sample_build
    front = _front_matter(REPO / "kelurahan" / kelurahan / section / f"{slug}.md")
    assert front.get("sumber"), "a real place must name its source"
    url = f"{kelurahan}/{section}/{slug}/"
    if lat is None or lon is None:
        assert str(front.get("lokasi_perkiraan")) == "true", "no known coordinates: must be marked approximate"
        lat, lon = _point(_profiles()[kelurahan]["lokasi"])
    else:
        assert "lokasi_perkiraan" not in front
    expected = (round(lat, 6), round(lon, 6))
    home = parse_html(output / kelurahan / "index.html").json_script("peta-data")
    assert _features_by_url(home["titik"]["features"]).get(url) == expected
    assert _features_by_url(city_features(output)).get(url) == expected
    page = parse_html(output / url / "index.html")
    assert "Petunjuk arah" in page.text
