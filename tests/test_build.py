"""The build through the CLI: the files it writes, their links, determinism, incremental builds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import (
    TINY_KECAMATAN,
    TINY_POINTS,
    assert_exit,
    broken_links,
    build,
    city_features,
    diff_trees,
    html_pages,
    parse_html,
    png_bytes,
    run_cli,
    summary,
    tree_bytes,
    tree_hashes,
    tree_stats,
)

from generator.models import Kelurahan
from generator.output import build_dir
from generator.render import Page, Renderer

SECTION_ITEMS = {
    "mawar": {"wisata": ["taman-sekar"], "umkm": ["warung-bu-sri"], "ikon": ["tari-gambyong"],
              "layanan": ["surat-domisili"], "berita": ["kerja-bakti", "posyandu-balita"],
              "halaman": ["sejarah"]},
    "melati": {"wisata": ["taman-melati"], "umkm": ["bakso-pak-min"], "ikon": ["tugu-melati"],
               "berita": ["lomba-agustusan"]},
    "kenanga": {"umkm": ["soto-kenanga"]},
}
LOCATED = {url for points in TINY_POINTS.values() for url, _, _ in points[1:]}
# External links a page may carry: fixed services, plus addresses written in the content.
FOREIGN = r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)"
EXTERNAL_LINK_PREFIXES = ("https://wa.me/62", "https://www.google.com/maps/dir/?api=1&destination=",
                          "https://www.openstreetmap.org/", "tel:", "mailto:")
CONTENT_LINKS = {"https://www.instagram.com/kelurahan.mawar/",
                 "https://creativecommons.org/licenses/by/4.0/"}  # data_terbuka.lisensi in config.yaml


def expected_pages() -> set[str]:
    pages = {"index.html", "404.html", "cari/index.html", "data-terbuka/index.html"}
    for slug, sections in SECTION_ITEMS.items():
        pages.add(f"{slug}/index.html")
        for section, items in sections.items():
            pages.add(f"{slug}/{section}/index.html")
            pages.update(f"{slug}/{section}/{item}/index.html" for item in items)
    return pages


# -- the output of one build of the tiny site ------------------------------------------------


def test_build_writes_every_page_and_asset(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    pages = {p.relative_to(output).as_posix() for p in html_pages(output)}
    assert pages == expected_pages()
    for rel in ("assets/leaflet/leaflet.js", "assets/leaflet/leaflet.css", "assets/peta.js",
                "assets/situs.css", "assets/leaflet-markercluster/leaflet.markercluster.js",
                "data/peta-kota.js", "mawar/media/kantor.png"):
        assert (output / rel).is_file(), rel


def test_media_image_is_published_as_a_png(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    from PIL import Image

    with Image.open(output / "mawar/media/kantor.png") as image:
        assert image.format == "PNG" and image.size == (8, 6)


def test_every_page_has_lang_title_and_description(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    problems = []
    for path in html_pages(output):
        page = parse_html(path)
        rel = path.relative_to(output)
        if page.lang != "id":
            problems.append(f"{rel}: lang={page.lang!r}")
        if not page.title.strip():
            problems.append(f"{rel}: empty <title>")
        if not page.meta.get("description", "").strip():
            problems.append(f"{rel}: empty meta description")
    assert not problems, "\n".join(problems)


def test_internal_links_are_relative_and_external_links_are_allowed(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    problems = []
    canonical = {e.attrs["href"] for p in html_pages(output) for e in parse_html(p).find("link", rel="canonical")}
    for path in html_pages(output):
        if path == output / "404.html":
            continue  # served at any depth: its links start from base_url (test_discovery.py)
        for tag, attribute, url in parse_html(path).urls():
            where = f"{path.relative_to(output)}: <{tag} {attribute}={url!r}>"
            if tag == "link" and url in canonical:
                continue  # the page's own published address, not a link
            if url.startswith(("/", "\\")):
                problems.append(f"{where} is absolute")
            elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
                allowed = tag == "a" and attribute == "href" and (
                    url.startswith(EXTERNAL_LINK_PREFIXES) or url in CONTENT_LINKS)
                if not allowed:
                    problems.append(f"{where} leaves the site")
    assert not problems, "\n".join(problems)


def test_no_page_loads_anything_from_another_host(tiny_build: tuple[Path, Path]) -> None:
    """Scripts, styles, images and frames all come from the site itself (tiles come via JS)."""
    _, output = tiny_build
    problems = []
    for path in html_pages(output):
        page = parse_html(path)
        for element in page.elements:
            for attribute in ("src", "srcset", "data", "poster"):
                value = element.attrs.get(attribute, "")
                if re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|//)", value):
                    problems.append(f"{path.relative_to(output)}: <{element.tag} {attribute}={value!r}>")
            href = element.attrs.get("href", "")
            if element.tag == "link" and element.attrs.get("rel") != "canonical" and re.match(FOREIGN, href):
                problems.append(f"{path.relative_to(output)}: <link href={element.attrs['href']!r}>")
    assert not problems, "\n".join(problems)


def test_every_relative_link_resolves(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    problems = broken_links(output)
    assert not problems, "\n".join(problems)


def test_markdown_links_are_rebased_on_item_pages(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    page = parse_html(output / "mawar/wisata/taman-sekar/index.html")
    hrefs = {e.attrs.get("href") for e in page.find("a")}
    assert {"../../umkm/warung-bu-sri/index.html", "../../media/kantor.png"} <= hrefs
    home = {e.attrs.get("href") for e in parse_html(output / "mawar/index.html").find("a")}
    assert {"umkm/warung-bu-sri/index.html", "media/kantor.png"} <= home


def test_umkm_whatsapp_becomes_wa_me_link_with_62(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    for rel, number in (("mawar/umkm/warung-bu-sri/index.html", "6281234567890"),
                        ("melati/umkm/bakso-pak-min/index.html", "6281355556666")):
        hrefs = [e.attrs.get("href", "") for e in parse_html(output / rel).find("a")]
        assert f"https://wa.me/{number}" in hrefs, (rel, [h for h in hrefs if "wa.me" in h])
    soto = parse_html(output / "kenanga/umkm/soto-kenanga/index.html")
    assert not [e for e in soto.find("a") if "wa.me" in e.attrs.get("href", "")]


def test_petunjuk_arah_only_on_located_items(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    coordinates = {url: (lat, lon) for points in TINY_POINTS.values() for url, lat, lon in points}
    for slug, sections in SECTION_ITEMS.items():
        for section, items in sections.items():
            for item in items:
                url = f"{slug}/{section}/{item}/"
                page = parse_html(output / url / "index.html")
                arah = [e for e in page.find("a") if "maps/dir" in e.attrs.get("href", "")]
                if url in LOCATED:
                    lat, lon = coordinates[url]
                    assert "Petunjuk arah" in page.text, url
                    assert len(arah) == 1, url
                    destination = urlsplit(arah[0].attrs["href"]).query
                    assert f"destination={lat:.6f}%2C{lon:.6f}" in destination, (url, destination)
                    assert page.find("div", class_="folium-map"), f"{url}: no small map"
                    data = page.json_script("peta-data")
                    assert len(data["titik"]["features"]) == 1
                else:
                    assert "Petunjuk arah" not in page.text, url
                    assert not arah, url
                    assert not page.find("div", class_="folium-map"), f"{url}: map without a location"


def test_item_without_location_is_on_no_map(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    urls = {f["properties"]["url"] for f in city_features(output)}
    assert "mawar/ikon/tari-gambyong/" not in urls
    home = parse_html(output / "mawar/index.html").json_script("peta-data")
    assert "mawar/ikon/tari-gambyong/" not in {f["properties"]["url"] for f in home["titik"]["features"]}


def _feature_points(features: list[dict]) -> list[tuple[str, float, float]]:
    return sorted((f["properties"]["url"], f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
                  for f in features)


@pytest.mark.parametrize("slug", sorted(TINY_POINTS))
def test_kelurahan_home_map_holds_office_and_every_located_item(tiny_build: tuple[Path, Path], slug: str) -> None:
    _, output = tiny_build
    data = parse_html(output / slug / "index.html").json_script("peta-data")
    assert data["akar"] == "../"
    assert _feature_points(data["titik"]["features"]) == sorted(TINY_POINTS[slug])


def test_city_map_data_holds_every_office_and_item(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    expected = sorted(p for points in TINY_POINTS.values() for p in points)
    features = city_features(output)
    assert _feature_points(features) == expected
    kinds = {f["properties"]["url"]: f["properties"]["jenis"] for f in features}
    assert kinds["mawar/"] == "kantor" and kinds["melati/ikon/tugu-melati/"] == "ikon"
    portal = parse_html(output / "index.html")
    assert "data/peta-kota.js" in {e.attrs.get("src") for e in portal.find("script")}
    assert portal.find("div", class_="folium-map")


def test_kelurahan_home_shows_profile_contact_hours_news_and_sections(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    page = parse_html(output / "mawar/index.html")
    for text in ("Kelurahan Mawar", "Kecamatan Laweyan", "33.72.01.9001", "57146", "Sri Rahayu",
                 "Jl. Mawar Raya No. 1", "Senin\u2013Kamis 07.30\u201315.00, Jumat 07.30\u201311.30", "12.345 jiwa",
                 "0,75 km²"):
        assert text in page.text, text
    hrefs = [e.attrs.get("href", "") for e in page.find("a")]
    assert "tel:0271712345" in hrefs
    assert "https://wa.me/6281211112222" in hrefs
    assert "mailto:kelurahan.mawar@example.org" in hrefs
    assert any(h.startswith("https://www.google.com/maps/dir/") for h in hrefs)
    for section in SECTION_ITEMS["mawar"]:
        assert f"{section}/index.html" in hrefs, section
    news = [h for h in hrefs if h.startswith("berita/") and h != "berita/index.html"]
    assert news == ["berita/posyandu-balita/index.html", "berita/kerja-bakti/index.html"], "newest first"
    # A kelurahan only links the sections it has.
    kenanga = [e.attrs.get("href", "") for e in parse_html(output / "kenanga/index.html").find("a")]
    assert "umkm/index.html" in kenanga and "wisata/index.html" not in kenanga


def test_section_page_lists_its_items_and_maps_them(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    page = parse_html(output / "melati/umkm/index.html")
    assert "bakso-pak-min/index.html" in {e.attrs.get("href") for e in page.find("a")}
    data = page.json_script("peta-data")
    assert [f["properties"]["url"] for f in data["titik"]["features"]] == ["melati/umkm/bakso-pak-min/"]


def test_portal_groups_kelurahan_by_kecamatan(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    page = parse_html(output / "index.html")
    groups: dict[str, set[str]] = {}
    for element in page.find("a"):
        group = [a for a in element.ancestors if a.startswith("kecamatan-")]
        if group:
            groups.setdefault(group[-1].removeprefix("kecamatan-"), set()).add(element.attrs["href"])
    expected: dict[str, set[str]] = {}
    for slug, kecamatan in TINY_KECAMATAN.items():
        expected.setdefault(kecamatan, set()).add(f"{slug}/index.html")
    assert groups == expected
    order = [e.attrs["id"] for e in page.elements if e.attrs.get("id", "").startswith("kecamatan-")]
    assert order == ["kecamatan-laweyan", "kecamatan-serengan", "kecamatan-pasar-kliwon",
                     "kecamatan-jebres", "kecamatan-banjarsari"]


def test_item_values_are_shown_as_written(tiny_build: tuple[Path, Path]) -> None:
    _, output = tiny_build
    wisata = parse_html(output / "mawar/wisata/taman-sekar/index.html").text
    assert "06.00\u201318.00" in wisata and "Jl. Sekar No. 3" in wisata
    umkm = parse_html(output / "mawar/umkm/warung-bu-sri/index.html").text
    assert "Nasi liwet" in umkm and "Wedang jahe" in umkm and "Bu Sri" in umkm
    berita = parse_html(output / "mawar/berita/kerja-bakti/index.html").text
    assert "17 Agustus 2024" in berita
    layanan = parse_html(output / "mawar/layanan/surat-domisili/index.html").text
    assert "Surat pengantar RT/RW" in layanan and "sekitar 10 menit" in layanan


# -- determinism and incremental builds ------------------------------------------------------


def test_build_twice_is_byte_identical_and_second_build_writes_nothing(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = build(site, output)
    assert summary(first)["ditulis"] > 0
    hashes, stats = tree_hashes(output), tree_stats(output)
    second = build(site, output)
    numbers = summary(second)
    assert (numbers["dirender"], numbers["ditulis"], numbers["gagal"]) == (0, 0, 0)
    assert tree_hashes(output) == hashes
    changed = [rel for rel, stat in tree_stats(output).items() if stats.get(rel) != stat]
    assert not changed, f"rewritten by a build with nothing changed: {changed}"


def test_second_build_does_not_rewrite_the_manifest(site: Path, tmp_path: Path) -> None:
    """'A second build with nothing changed writes nothing' includes the build's own files."""
    output = tmp_path / "out"
    build(site, output)
    before = tree_stats(output, include_hidden=True)
    build(site, output)
    after = tree_stats(output, include_hidden=True)
    rewritten = sorted(rel for rel, stat in after.items() if rel in before and before[rel] != stat)
    assert not rewritten, f"rewritten by a build with nothing changed: {rewritten}"


def test_builds_in_separate_folders_and_clean_builds_are_identical(site: Path, tmp_path: Path) -> None:
    build(site, tmp_path / "a")
    build(site, tmp_path / "b", "--clean")
    build(site, tmp_path / "a", "--clean")
    assert not diff_trees(tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b"))


def test_parallel_build_equals_serial_build(site: Path, tmp_path: Path) -> None:
    build(site, tmp_path / "serial")
    assert_exit(run_cli(site, "build", "--output", tmp_path / "parallel", "--jobs", "2"), 0)
    assert not diff_trees(tree_bytes(tmp_path / "serial"), tree_bytes(tmp_path / "parallel"))


def _edit_umkm(site: Path) -> None:
    path = site / "kelurahan/mawar/umkm/warung-bu-sri.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Warung Bu Sri", "Warung Bu Sri Rejeki").replace("-7.5690, 110.7930", "-7.5695, 110.7940")
    path.write_text(text.replace("0812-3456-7890", "0813-0000-1111"), encoding="utf-8")


def _write(rel: str, content: str | bytes) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return edit


def _delete(rel: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        target = site / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return edit


def _edit_config(site: Path) -> None:
    path = site / "config.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("berita_terbaru: 5", "berita_terbaru: 1"),
                    encoding="utf-8")


def _edit_tiles(site: Path) -> None:
    path = site / "config.yaml"
    text = path.read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in text
    path.write_text(text.replace("tile.openstreetmap.org", "ubin.example.org"), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "ubah-umkm": _edit_umkm,
    "hapus-satu-ikon-dan-bagiannya": _delete("kelurahan/mawar/ikon/tari-gambyong.md"),
    "tambah-berita": _write("kelurahan/melati/berita/rapat-rw.md",
                            "---\njudul: Rapat RW\ntanggal: \"2025-01-05\"\n---\nRapat pengurus RW.\n"),
    "ubah-profil": _write("kelurahan/kenanga/profil.yaml",
                          "nama: Kenanga Baru\nkecamatan: banjarsari\nlokasi: {lat: -7.5410, lon: 110.8210}\n"),
    "ubah-beranda": _write("kelurahan/mawar/beranda.md", "Selamat datang kembali.\n"),
    "ganti-gambar": _write("kelurahan/mawar/media/kantor.png", png_bytes((10, 10), (0, 90, 0))),
    "hapus-kelurahan": _delete("kelurahan/kenanga"),
    "ubah-config": _edit_config,
    "ubah-ubin-peta": _edit_tiles,
    # An ikon gains a place: no section count changes, but the city gets one more point.
    "ikon-mendapat-lokasi": _write("kelurahan/mawar/ikon/tari-gambyong.md",
                                   "---\nnama: Tari Gambyong Mawar\nlokasi: {lat: -7.5675, lon: 110.7885}\n---\n"
                                   "Sanggar tari.\n"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_incremental_build_equals_clean_build(site: Path, tmp_path: Path, edit: str) -> None:
    incremental, clean = tmp_path / "incremental", tmp_path / "clean"
    build(site, incremental)
    EDITS[edit](site)
    build(site, incremental)
    build(site, clean, "--clean")
    problems = diff_trees(tree_bytes(incremental), tree_bytes(clean))
    assert not problems, "\n".join(problems)


def test_incremental_build_only_rewrites_what_changed(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    before = _without_search_index(tree_stats(output))
    _edit_umkm(site)
    result = build(site, output)
    after = _without_search_index(tree_stats(output))
    assert "Indeks pencarian: dibuat ulang" in result.stderr  # a page changed (test_discovery.py)
    assert set(after) == set(before)
    changed = {rel for rel in after if after[rel] != before[rel] and (output / rel).is_file()}
    # The item, its section list and the kelurahan home show the name; the city data has the point,
    # the open data of the kelurahan and the city list it, and the item's generated share card shows it.
    assert changed == {"mawar/umkm/warung-bu-sri/index.html", "mawar/umkm/index.html",
                       "mawar/index.html", "data/peta-kota.js", "data/kelurahan/mawar.geojson",
                       "data/kelurahan/mawar.csv", "data/kota.geojson", "data/kota.csv",
                       "mawar/kartu/umkm-warung-bu-sri.jpg"}
    assert summary(result)["ditulis"] == len(changed)


def _without_search_index(stats: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {rel: stat for rel, stat in stats.items() if rel.split("/")[0] != "pagefind"}


def test_one_item_edit_renders_only_the_pages_that_read_it(site: Path, tmp_path: Path) -> None:
    """Unchanged pages come out byte-identical and are hard-linked, so only the count of rendered
    pages shows the page cache at work: an edit of an item's body renders the three pages that
    declare the item as an input (the item, its section list, the kelurahan home), not the other
    pages of the kelurahan, and writes only the item page."""
    output = tmp_path / "out"
    build(site, output)
    item = site / "kelurahan/mawar/umkm/warung-bu-sri.md"
    item.write_text(item.read_text(encoding="utf-8") + "\nSatu kalimat baru.\n", encoding="utf-8")
    numbers = summary(build(site, output))
    assert (numbers["dirender"], numbers["ditulis"]) == (3, 1), numbers
    assert summary(build(site, output))["dirender"] == 0, "a build with nothing changed renders nothing"


def _damage_state(path: Path, how: str) -> None:
    """Spoil the build state file the way a crash, a hand edit or an older generator could."""
    if how == "sampah":
        path.write_bytes(b"\x00{bukan json")
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    if how == "format-lama":
        data["format"] -= 1
    elif how == "bukan-objek":
        data = [data]
    elif how == "kunci-halaman-rusak":
        data["kelurahan"]["mawar"]["pages"] = "bukan base64!"
    elif how == "ringkasan-tanpa-nama":
        del data["kelurahan"]["melati"]["summary"]["nama"]
    elif how == "jumlah-bukan-angka":
        data["kelurahan"]["kenanga"]["summary"]["jumlah"] = "banyak"
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("how", ["sampah", "format-lama", "bukan-objek", "kunci-halaman-rusak",
                                 "ringkasan-tanpa-nama", "jumlah-bukan-angka"])
def test_damaged_build_state_means_a_full_rebuild(site: Path, tmp_path: Path, how: str) -> None:
    output = tmp_path / "out"
    first = build(site, output)
    _damage_state(build_dir(output) / "state.json", how)
    _edit_umkm(site)
    result = build(site, output)
    assert summary(result)["dirender"] == summary(first)["dirender"], "every page is rendered again"
    build(site, tmp_path / "clean", "--clean")
    assert not diff_trees(tree_bytes(output), tree_bytes(tmp_path / "clean"))
    assert summary(build(site, output))["dirender"] == 0, "the repaired state is used by the next build"


def test_deleting_an_item_removes_its_page(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    assert (output / "melati/berita/lomba-agustusan/index.html").is_file()
    (site / "kelurahan/melati/berita/lomba-agustusan.md").unlink()
    build(site, output)
    assert not (output / "melati/berita").exists()
    assert "berita/index.html" not in {e.attrs.get("href") for e in parse_html(output / "melati/index.html").find("a")}
    assert not broken_links(output)


def test_deleting_a_kelurahan_removes_its_site_and_portal_entry(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    shutil.rmtree(site / "kelurahan/kenanga")
    build(site, output)
    assert not (output / "kenanga").exists()
    assert "kenanga/index.html" not in {e.attrs.get("href") for e in parse_html(output / "index.html").find("a")}
    assert not [f for f in city_features(output) if f["properties"]["url"].startswith("kenanga/")]


# -- command line behaviour ------------------------------------------------------------------


def test_build_slug_builds_only_that_kelurahan(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output, "melati")
    assert (output / "melati/index.html").is_file()
    assert not (output / "mawar").exists() and not (output / "kenanga").exists()
    assert (output / "index.html").is_file()


def test_build_slug_leaves_other_kelurahan_alone(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    mawar = tree_bytes(output / "mawar")
    _edit_umkm(site)
    (site / "kelurahan/melati/profil.yaml").write_text(
        "nama: Melati Indah\nkecamatan: jebres\nlokasi: \"-7.5550, 110.8500\"\n", encoding="utf-8")
    build(site, output, "melati")
    assert tree_bytes(output / "mawar") == mawar, "mawar was rebuilt although only melati was asked for"
    assert "Kelurahan Melati Indah" in parse_html(output / "melati/index.html").text


@pytest.mark.parametrize("command", ["build", "check"])
def test_unknown_slug_is_a_usage_error(site: Path, tmp_path: Path, command: str) -> None:
    result = run_cli(site, command, "mawar", "anggrek")
    assert_exit(result, 2)
    assert "anggrek" in result.stderr
    assert not (site / "output").exists()


def test_output_option_is_respected_and_default_is_site_output(site: Path, tmp_path: Path) -> None:
    custom = tmp_path / "hasil" / "situs-web"
    build(site, custom)
    assert (custom / "index.html").is_file()
    assert not (site / "output").exists()
    assert_exit(run_cli(site, "build", "--jobs", "1"), 0)
    assert (site / "output" / "mawar" / "index.html").is_file()
    assert not diff_trees(tree_bytes(custom), tree_bytes(site / "output"))


def _snapshot(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def test_check_writes_nothing(site: Path) -> None:
    before = _snapshot(site)
    result = run_cli(site, "check")
    assert_exit(result, 0)
    assert "3 kelurahan" in result.stderr
    assert _snapshot(site) == before
    assert not (site / "output").exists()


def test_check_writes_nothing_when_content_is_broken(make_site: Callable[..., Path]) -> None:
    site = make_site({"kelurahan/melati/umkm/bakso-pak-min.md": "---\nnama: Bakso\n"})
    before = _snapshot(site)
    assert_exit(run_cli(site, "check"), 1)
    assert _snapshot(site) == before


def test_check_leaves_an_existing_output_untouched(site: Path, tmp_path: Path) -> None:
    build(site, site / "output")
    before = tree_stats(site / "output", include_hidden=True)
    _edit_umkm(site)
    assert_exit(run_cli(site, "check"), 0)
    assert tree_stats(site / "output", include_hidden=True) == before


def test_new_kelurahan_passes_check_and_builds(site: Path, tmp_path: Path) -> None:
    result = run_cli(site, "new", "kemuning", "--nama", "Kemuning", "--kecamatan", "Pasar Kliwon",
                     "--lokasi", "-7.5800, 110.8300")
    assert_exit(result, 0)
    folder = site / "kelurahan/kemuning"
    assert (folder / "profil.yaml").is_file()
    assert {p.parent.name for p in folder.glob("*/*.md")} == {"wisata", "umkm", "ikon", "layanan", "berita", "halaman"}
    assert_exit(run_cli(site, "check", "kemuning"), 0)
    assert_exit(run_cli(site, "check"), 0)
    output = tmp_path / "out"
    build(site, output)
    home = parse_html(output / "kemuning/index.html")
    assert "Kecamatan Pasar Kliwon" in home.text
    office = home.json_script("peta-data")["titik"]["features"][0]
    assert office["geometry"]["coordinates"] == [110.83, -7.58]
    portal = parse_html(output / "index.html")
    assert "kemuning/index.html" in {e.attrs.get("href") for e in portal.find("a")
                                     if "kecamatan-pasar-kliwon" in e.ancestors}


def test_new_accepts_a_google_maps_link(site: Path) -> None:
    link = "https://www.google.com/maps/place/Balai/@-7.5612,110.8123,17z/data=!3m1!4b1"
    assert_exit(run_cli(site, "new", "kemuning", "--nama", "Kemuning", "--kecamatan", "jebres", "--lokasi", link), 0)
    assert_exit(run_cli(site, "check", "kemuning"), 0)
    assert "-7.5612" in (site / "kelurahan/kemuning/profil.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "where"), [
    (["kemuning", "--kecamatan", "jebres", "--lokasi", "110.82, -7.57"], "--lokasi"),
    (["kemuning", "--kecamatan", "jebres", "--lokasi", "-7.90, 110.82"], "--lokasi"),
    (["kemuning", "--kecamatan", "jebres", "--lokasi", "di dekat pasar"], "--lokasi"),
    (["kemuning", "--kecamatan", "colomadu", "--lokasi", "-7.57, 110.82"], "--kecamatan"),
    (["Kemuning Baru", "--kecamatan", "jebres", "--lokasi", "-7.57, 110.82"], "SLUG"),
    (["mawar", "--kecamatan", "jebres", "--lokasi", "-7.57, 110.82"], "SLUG"),
])
def test_new_with_bad_arguments_is_a_usage_error(site: Path, args: list[str], where: str) -> None:
    before = _snapshot(site)
    result = run_cli(site, "new", *args[:1], "--nama", "Kemuning", *args[1:])
    assert_exit(result, 2)
    assert where in result.stderr
    assert _snapshot(site) == before, "a refused 'new' must not create or change files"


@pytest.mark.parametrize("slug", ["data", "wisata"])
def test_new_refuses_slugs_that_check_refuses(site: Path, slug: str) -> None:
    """'new' must scaffold a folder that 'check' accepts as is, so reserved names are refused."""
    result = run_cli(site, "new", slug, "--nama", "Coba", "--kecamatan", "jebres", "--lokasi", "-7.57, 110.82")
    if result.exit_code == 0:
        check = run_cli(site, "check", slug)
        pytest.fail(f"'new {slug}' created a folder that 'check' rejects:\n{check.stderr}")
    assert_exit(result, 2)
    assert not (site / "kelurahan" / slug).exists()


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["new"]])
def test_help_works_for_every_command(site: Path, command: list[str]) -> None:
    result = run_cli(site, *command, "--help")
    assert_exit(result, 0)
    usage = result.output.splitlines()[0]
    assert re.match(r"Usage: \S+" + "".join(" " + c for c in command) + r" \[OPTIONS\]", usage), usage
    for text in {"": ["build", "check", "new"], "build": ["--output", "--jobs", "--clean"],
                 "check": ["SLUG"], "new": ["--nama", "--kecamatan", "--lokasi"]}["".join(command)]:
        assert text in result.output, text


def test_version_option(site: Path) -> None:
    result = run_cli(site, "--version")
    assert_exit(result, 0)
    assert "kelurahan" in result.output


def test_missing_config_is_reported_not_crashed(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check")
    assert result.exit_code in (1, 2)
    assert_exit(result, result.exit_code)
    assert "config.yaml" in result.stderr


# -- contract details found by reading the code ---------------------------------------------


def test_portal_has_a_description_even_without_config_deskripsi(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """'deskripsi' is optional in config.yaml, yet every page needs a meta description."""
    site = make_site()
    config = (site / "config.yaml").read_text(encoding="utf-8")
    config = re.sub(r"^deskripsi: >-\n(  .*\n)+", "", config, flags=re.M)
    assert "deskripsi" not in config
    (site / "config.yaml").write_text(config, encoding="utf-8")
    output = tmp_path / "out"
    build(site, output)
    for path in html_pages(output):
        assert parse_html(path).meta.get("description", "").strip(), path.relative_to(output)


def test_markdown_image_from_another_host_is_not_loaded(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """No generated page may request anything from another host: staff paste image links."""
    site = make_site({"kelurahan/mawar/halaman/sejarah.md":
                      "---\njudul: Sejarah\n---\nFoto lama:\n\n![Kali](https://i.example.com/kali.jpg)\n"})
    output = tmp_path / "out"
    result = run_cli(site, "build", "--output", output, "--jobs", "1")
    if result.exit_code == 1:  # refusing the file is fine, if it says where
        assert "kelurahan/mawar/halaman/sejarah.md:" in result.stderr
        return
    assert_exit(result, 0)
    page = parse_html(output / "mawar/halaman/sejarah/index.html")
    external = [e.attrs.get("src") for e in page.find("img") if "example.com" in e.attrs.get("src", "")]
    assert not external, f"page loads an image from another host: {external}"


@pytest.mark.parametrize("unit", ["1. ", "> ", "<div>"])
def test_markdown_nested_100_levels_builds_and_101_is_refused(
        make_site: Callable[..., Path], tmp_path: Path, unit: str) -> None:
    rel = "kelurahan/mawar/halaman/sejarah.md"
    site = make_site({rel: "---\njudul: Sejarah\n---\n" + unit * 100 + "isi terdalam\n"})
    output = tmp_path / "out"
    build(site, output)
    assert "isi terdalam" in parse_html(output / "mawar/halaman/sejarah/index.html").text
    (site / rel).write_text("---\njudul: Sejarah\n---\n" + unit * 101 + "isi terdalam\n", encoding="utf-8")
    result = build(site, output, code=1)
    assert f"{rel}:4: kutipan atau daftar di tulisan ini bertingkat terlalu dalam (lebih dari 100 tingkat); " \
           "kurangi tanda > atau -" in result.stderr, result.stderr


def test_markdown_images_are_rendered_deterministically(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """Same input, byte-identical output, also for images in Markdown bodies (several builds)."""
    image = "![Kantor](media/kantor.png)\n\n![Lagi](media/kantor.png)\n"
    site = make_site({"kelurahan/mawar/beranda.md": "Selamat datang.\n\n" + image,
                      "kelurahan/mawar/halaman/sejarah.md": "---\njudul: Sejarah\n---\n" + image,
                      "kelurahan/melati/media/kantor.png": png_bytes(),
                      "kelurahan/melati/berita/lomba-agustusan.md":
                          "---\njudul: Lomba\ntanggal: \"2024-08-18\"\n---\n" + image})
    pages = ("mawar/index.html", "mawar/halaman/sejarah/index.html", "melati/berita/lomba-agustusan/index.html")
    variants: dict[str, set[bytes]] = {page: set() for page in pages}
    for run in range(6):
        output = tmp_path / f"out{run}"
        build(site, output)
        for page in pages:
            variants[page].add((output / page).read_bytes())
    assert (tmp_path / "out0/mawar/halaman/sejarah/index.html").read_text(encoding="utf-8").count("<img") == 2
    differing = {page: len(v) for page, v in variants.items() if len(v) > 1}
    assert not differing, f"pages with several different outputs over 6 builds: {differing}"


BROKEN_MELATI = "---\nnama: Bakso Pak Min\nlokasi: {lat: -7.5575, lon: 110.8530}\nhalal: ya\n---\n"


def _full_rebuild(site: Path, output: Path, how: str) -> None:
    """A build that renders everything again: a config change, or --clean."""
    if how == "ubah-config":
        _edit_config(site)
        build(site, output, code=1)
    else:
        build(site, output, "--clean", code=1)


@pytest.mark.parametrize("how", ["ubah-config", "clean"])
def test_kelurahan_deleted_after_failing_a_full_rebuild_is_removed(site: Path, tmp_path: Path, how: str) -> None:
    """build; melati breaks and everything is rebuilt (melati fails, keeps its old output);
    melati is then deleted: the next build must remove its output like a clean build would."""
    output = tmp_path / "out"
    build(site, output)
    (site / "kelurahan/melati/umkm/bakso-pak-min.md").write_text(BROKEN_MELATI, encoding="utf-8")
    _full_rebuild(site, output, how)
    assert (output / "melati/index.html").is_file(), "the failing kelurahan keeps its previous output"
    shutil.rmtree(site / "kelurahan/melati")
    build(site, output)
    build(site, tmp_path / "clean", "--clean")
    problems = diff_trees(tree_bytes(output), tree_bytes(tmp_path / "clean"))
    assert not problems, "\n".join(problems[:10])


def test_failing_kelurahan_stays_on_the_portal_after_a_config_change(site: Path, tmp_path: Path) -> None:
    """Its previous site stays published, so the portal keeps linking it (and its map points)."""
    output = tmp_path / "out"
    build(site, output)
    (site / "kelurahan/melati/umkm/bakso-pak-min.md").write_text(BROKEN_MELATI, encoding="utf-8")
    _full_rebuild(site, output, "ubah-config")
    assert (output / "melati/index.html").is_file()
    portal = {e.attrs.get("href") for e in parse_html(output / "index.html").find("a")}
    assert "melati/index.html" in portal, "the portal no longer links the kept site of melati"
    assert "melati/" in {f["properties"]["url"] for f in city_features(output)}


def test_build_with_the_same_broken_content_writes_nothing(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    (site / "kelurahan/melati/umkm/bakso-pak-min.md").write_text(BROKEN_MELATI, encoding="utf-8")
    build(site, output, code=1)
    before = tree_stats(output, include_hidden=True)
    result = build(site, output, code=1)
    assert summary(result)["ditulis"] == 0
    assert tree_stats(output, include_hidden=True) == before


def test_fixed_kelurahan_is_rebuilt_like_a_clean_build(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    umkm = site / "kelurahan/melati/umkm/bakso-pak-min.md"
    umkm.write_text(BROKEN_MELATI, encoding="utf-8")
    build(site, output, code=1)
    umkm.write_text(BROKEN_MELATI.replace("halal: ya", "halal: true"), encoding="utf-8")
    build(site, output)
    build(site, tmp_path / "clean", "--clean")
    assert not diff_trees(tree_bytes(output), tree_bytes(tmp_path / "clean"))
    assert "Sertifikat halal Ada" in parse_html(output / "melati/umkm/bakso-pak-min/index.html").text


@pytest.mark.parametrize("args", [["build", "--bogus"], ["build", "--jobs", "0"], ["check", "--output", "x"],
                                  ["terbitkan"], ["new", "kemuning"]])
def test_usage_errors_exit_2(site: Path, args: list[str]) -> None:
    result = run_cli(site, *args)
    assert_exit(result, 2)
    assert not (site / "output").exists() and not (site / "kelurahan/kemuning").exists()


# A build in a fresh interpreter that reports on stderr whether it imported folium.
FOLIUM_PROBE = ("import atexit, sys; from generator.cli import main; "
                "atexit.register(lambda: print('folium:', 'folium' in sys.modules, file=sys.stderr)); main()")


def _imports_folium(site: Path, output: Path, *args: str) -> bool:
    done = subprocess.run([sys.executable, "-c", FOLIUM_PROBE, "--site", str(site), "build", "--output", str(output),
                           *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return "folium: True" in done.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_maps_are_shared_script_files_and_folium_runs_only_when_they_change(
        site: Path, tmp_path: Path, jobs: str) -> None:
    output = tmp_path / "out"
    assert _imports_folium(site, output, "--jobs", jobs), "a first build must render the map scripts"
    page_map, city_map = (output / "data/peta-halaman.js").read_text(), (output / "data/peta-portal.js").read_text()
    for rel, script in (("melati/index.html", page_map), ("melati/umkm/bakso-pak-min/index.html", page_map),
                        ("index.html", city_map)):
        page = parse_html(output / rel)
        elements = page.find("div", class_="folium-map")
        assert len(elements) == 1, rel
        assert f'L.map(\n"{elements[0].attrs["id"]}"' in script, f"{rel}: the map script draws elsewhere"
        sources = [attrs["src"] for attrs, _text in page.scripts if "src" in attrs]
        assert sources[-1].endswith("data/" + ("peta-portal.js" if rel == "index.html" else "peta-halaman.js"))
        inline = ("application/json", "application/ld+json")
        assert all("src" in attrs or attrs.get("type") in inline for attrs, _text in page.scripts), rel
    assert "tile.openstreetmap.org" in page_map and "tile.openstreetmap.org" in city_map

    _edit_umkm(site)
    assert not _imports_folium(site, output, "--jobs", jobs), "content edits must not render maps again"
    assert not _imports_folium(site, output, "--jobs", jobs), "a build with no change must not import folium"
    _edit_tiles(site)
    assert _imports_folium(site, output, "--jobs", jobs), "a new tile server must render the map scripts again"
    assert "ubin.example.org" in (output / "data/peta-halaman.js").read_text()
    assert "ubin.example.org" in (output / "data/peta-portal.js").read_text()


# A page's path comes from the kelurahan's slug and checked file names, so content alone cannot
# aim outside its folder; the build still refuses such a page, in case a template or a future
# renderer change makes one. The renderer is patched to make one.
@pytest.mark.parametrize("bad", ["melati/index.html", "mawar/../melati/index.html", "mawar//x.html",
                                 "mawar/./index.html", "mawar/index.html", "assets/peta.js"])
def test_a_page_outside_its_own_kelurahan_folder_is_refused(site: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    output = tmp_path / "out"
    build(site, output)
    before = tree_hashes(output)
    original = Renderer.kelurahan_pages

    def with_a_stray_page(self: Renderer, kel: Kelurahan, *rest: Any) -> list[Page]:
        pages = original(self, kel, *rest)
        if kel.slug != "mawar":
            return pages
        return [*pages, Page(bad, ("kelurahan/mawar/profil.yaml",), lambda: b"<p>tersesat</p>")]

    monkeypatch.setattr(Renderer, "kelurahan_pages", with_a_stray_page)
    (site / "kelurahan/mawar/beranda.md").write_text("Isi baru.\n", encoding="utf-8")
    result = build(site, output, code=1)
    assert f"kelurahan/mawar/profil.yaml:1: halaman '{bad}' tidak boleh ditulis di sini" in result.stderr
    assert tree_hashes(output) == before, "the refused kelurahan and every other site keep their last output"
