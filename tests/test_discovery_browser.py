"""Search, layout, accessibility and print in a real headless Chromium.

One build of the tiny site (with a few pages whose words test the Indonesian stemmer) is
served over HTTP for the whole module, from the root and from a sub-path; one browser context
routes every request: the local server goes through, map tiles get a blank image, anything
else is aborted and recorded as a failure.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from conftest import build, png_bytes, serving, write_site

TILE = png_bytes((256, 256), (230, 230, 230))
SUB_PATH = "kota/kelurahan/"
EXTRA: dict[str, str | bytes | None] = {
    "kelurahan/mawar/umkm/anyaman-darmo.md": """\
---
nama: Anyaman Pak Darmo
kategori: Kerajinan
lokasi: {lat: -7.5675, lon: 110.7960}
ringkasan: Tas dan tikar dari bambu.
---
Kerajinan anyaman bambu buatan warga sejak 1980, dijual di pasar kelurahan.
""",
    "kelurahan/kenanga/ikon/sanggar-wayang.md": """\
---
nama: Sanggar Wayang Kenanga
---
Para pengrajin wayang kulit berlatih setiap Sabtu.
""",
    "kelurahan/melati/berita/pelatihan-pkk.md": """\
---
judul: Pelatihan Ibu-ibu PKK
tanggal: "2024-10-05"
---
Ibu-ibu belajar membatik kain tulis di balai warga.
""",
    "kelurahan/kenanga/halaman/motif-parang.md": """\
---
judul: Motif Khas Kenanga
---
Batik tulis motif parang khas kampung ini.
""",
}
# One page of every type, for layout, console errors and accessibility.
PAGE_TYPES = {
    "portal": "index.html",
    "beranda": "mawar/index.html",
    "bagian": "mawar/umkm/index.html",
    "wisata": "mawar/wisata/taman-sekar/index.html",
    "umkm": "mawar/umkm/warung-bu-sri/index.html",
    "ikon": "mawar/ikon/tari-gambyong/index.html",
    "layanan": "mawar/layanan/surat-domisili/index.html",
    "berita": "mawar/berita/kerja-bakti/index.html",
    "halaman": "mawar/halaman/sejarah/index.html",
    "cari": "cari/index.html?q=kerajinan",
    "404": "404.html",
}
VIEWPORTS = {"ponsel": (360, 740), "desktop": (1280, 800)}


@dataclass
class Visit:
    """A loaded page and what happened while loading it."""

    page: Any
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@dataclass
class _Router:
    visit: Visit | None = None

    def __call__(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        elif re.match(r"https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$", url):
            route.fulfill(status=200, content_type="image/png", body=TILE)
        else:
            if self.visit:
                self.visit.foreign.append(url)
            route.abort()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """(output, base URL at the root, base URL under a sub-path) of the built tiny site."""
    root = tmp_path_factory.mktemp("cari")
    output = root / "www" / SUB_PATH
    build(write_site(root / "situs", EXTRA), output)
    with serving(output) as base, serving(root / "www") as host:
        yield output, base, host + SUB_PATH


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[tuple[Any, _Router]]:
    context = browser.new_context()
    context.set_default_timeout(10000)
    router = _Router()
    context.route("**/*", router)
    yield context, router
    context.close()


@contextmanager
def visiting(context: tuple[Any, _Router], url: str, size: tuple[int, int] = (1280, 800)) -> Iterator[Visit]:
    browser_context, router = context
    page = browser_context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    visit = Visit(page)
    router.visit = visit
    page.on("pageerror", lambda error: visit.errors.append(f"pageerror: {error}"))
    page.on("console", lambda msg: visit.errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" else None)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        yield visit
    finally:
        router.visit = None
        page.close()


def _results(visit: Visit) -> list[dict[str, str]]:
    """The search results shown: link (relative to the page), title and 'bagian · kelurahan'."""
    visit.page.wait_for_function("document.getElementById('status-cari').textContent !== ''")
    return list(visit.page.eval_on_selector_all("#hasil-cari li", """items => items.map(li => ({
        href: li.querySelector('a').getAttribute('href'), title: li.querySelector('a').textContent,
        meta: (li.querySelector('.meta') || {}).textContent || ''}))"""))


def _search(context: tuple[Any, _Router], base: str, query: str, **filters: str) -> list[dict[str, str]]:
    params = "&".join(f"{k}={quote(v)}" for k, v in {"q": query, **filters}.items())
    with visiting(context, f"{base}cari/index.html?{params}") as visit:
        results = _results(visit)
        assert not visit.errors and not visit.foreign, (visit.errors, visit.foreign)
    return results


# -- search --------------------------------------------------------------------------------------


def test_search_from_the_portal_finds_a_umkm_by_a_word_of_its_description(
        context: tuple[Any, _Router], site: tuple[Path, str, str]) -> None:
    _, base, _ = site
    with visiting(context, base + "index.html", (360, 740)) as visit:
        visit.page.fill("#kata-cari", "anyaman")
        visit.page.press("#kata-cari", "Enter")
        visit.page.wait_for_url(re.compile(r"cari/index\.html\?q=anyaman$"))
        results = _results(visit)
        assert results[0]["title"] == "Anyaman Pak Darmo"
        assert results[0]["meta"] == "UMKM · Mawar"  # page type and kelurahan
        visit.page.click("#hasil-cari li a")
        visit.page.wait_for_load_state("load")
        assert visit.page.url in (base + "mawar/umkm/anyaman-darmo/", base + "mawar/umkm/anyaman-darmo/index.html")
        assert visit.page.locator("h1").inner_text() == "Anyaman Pak Darmo"
        assert not visit.errors and not visit.foreign


@pytest.mark.parametrize(("query", "found"), [
    ("kerajinan", "Sanggar Wayang Kenanga"),  # "pengrajin" on that page
    ("pengrajin", "Anyaman Pak Darmo"),  # "kerajinan" on that page
    ("membatik", "Motif Khas Kenanga"),  # "batik" on that page
    ("batik", "Pelatihan Ibu-ibu PKK"),  # "membatik" on that page
])
def test_indonesian_word_forms_find_each_other(context: tuple[Any, _Router], site: tuple[Path, str, str],
                                               query: str, found: str) -> None:
    _, base, _ = site
    titles = [r["title"] for r in _search(context, base, query)]
    assert found in titles, titles


def test_kelurahan_names_are_not_mangled(context: tuple[Any, _Router], site: tuple[Path, str, str]) -> None:
    _, base, _ = site
    with visiting(context, base + "cari/index.html?q=kenanga") as visit:
        results = _results(visit)
        options = visit.page.eval_on_selector_all("#saring-kelurahan option", "os => os.map(o => o.value)")
    assert options == ["", "Kenanga", "Mawar", "Melati"]
    assert results and all(r["meta"].endswith("· Kenanga") for r in results), results
    assert "Kelurahan Kenanga" in [r["title"] for r in results]


def test_results_can_be_filtered_by_kelurahan_and_section(context: tuple[Any, _Router],
                                                          site: tuple[Path, str, str]) -> None:
    _, base, _ = site
    everywhere = _search(context, base, "kerajinan")
    assert {r["meta"].split(" · ")[1] for r in everywhere} >= {"Mawar", "Kenanga"}
    in_mawar = _search(context, base, "kerajinan", kelurahan="Mawar")
    assert in_mawar and all(r["meta"].endswith("· Mawar") for r in in_mawar)
    umkm = _search(context, base, "kerajinan", bagian="UMKM")
    assert umkm and all(r["meta"].startswith("UMKM ·") for r in umkm)


def test_search_works_from_a_sub_path(context: tuple[Any, _Router], site: tuple[Path, str, str]) -> None:
    _, _, sub = site
    results = _search(context, sub, "anyaman")
    assert results[0]["href"] == "/" + SUB_PATH + "mawar/umkm/anyaman-darmo/index.html"
    with visiting(context, sub + "cari/index.html?q=anyaman") as visit:
        _results(visit)
        visit.page.click("#hasil-cari li a")
        visit.page.wait_for_load_state("load")
        assert visit.page.locator("h1").inner_text() == "Anyaman Pak Darmo"


# -- layout, errors, accessibility ---------------------------------------------------------------


def _layout_problems(visit: Visit, width: int) -> list[str]:
    page = visit.page
    problems = list(visit.errors) + [f"request to another host: {u}" for u in visit.foreign]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        problems.append(f"page is {scroll} px wide on a {width} px screen")
    for box in page.eval_on_selector_all(".menu a", "as => as.map(a => a.getBoundingClientRect().toJSON())"):
        if box["width"] == 0 or box["left"] < 0 or box["right"] > width:
            problems.append(f"menu link outside the screen: {box}")
    return problems


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_every_page_type_fits_the_screen_without_errors(context: tuple[Any, _Router], site: tuple[Path, str, str],
                                                        kind: str, viewport: str) -> None:
    _, base, _ = site
    width, height = VIEWPORTS[viewport]
    with visiting(context, base + PAGE_TYPES[kind], (width, height)) as visit:
        problems = _layout_problems(visit, width)
        kelurahan_page = kind not in ("portal", "cari", "404")
        if kelurahan_page:
            assert visit.page.locator(".menu a").count() == 7  # Beranda + six sections
        assert visit.page.locator("form[role=search]").count() >= 1
    assert not problems, "\n".join(problems)


def test_menu_and_content_are_aligned_on_desktop(context: tuple[Any, _Router], site: tuple[Path, str, str]) -> None:
    _, base, _ = site
    with visiting(context, base + "mawar/umkm/index.html", (1280, 800)) as visit:
        text_left = visit.page.evaluate("""() => {
            const a = document.querySelector('.menu a');
            return a.getBoundingClientRect().left + parseFloat(getComputedStyle(a).paddingLeft); }""")
        heading_left = visit.page.evaluate("document.querySelector('main h1').getBoundingClientRect().left")
    assert abs(text_left - heading_left) <= 1, (text_left, heading_left)


def _axe_script() -> str:
    try:
        source = importlib.resources.files("axe_playwright_python") / "axe.min.js"
    except ModuleNotFoundError:
        pytest.fail("axe-playwright-python is not installed: pip install -e '.[test]'", pytrace=False)
    return source.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_axe_finds_no_accessibility_violation(context: tuple[Any, _Router], site: tuple[Path, str, str],
                                              kind: str) -> None:
    _, base, _ = site
    with visiting(context, base + PAGE_TYPES[kind], (360, 740)) as visit:
        if kind == "cari":
            assert _results(visit)
        visit.page.add_script_tag(content=_axe_script())
        violations = visit.page.evaluate("""async () => (await axe.run(document)).violations.map(v =>
            v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))""")
    assert not violations, "\n".join(violations)


# -- map markers, print ----------------------------------------------------------------------------


def test_office_marker_is_drawn_above_the_others(context: tuple[Any, _Router], site: tuple[Path, str, str]) -> None:
    _, base, _ = site
    with visiting(context, base + "mawar/index.html") as visit:
        classes = visit.page.eval_on_selector_all(".folium-map path.leaflet-interactive",
                                                  "ps => ps.map(p => p.getAttribute('class'))")
    assert len(classes) == 4 and "penanda-kantor" in classes[-1], classes


def test_layanan_prints_on_one_a4_sheet_as_a_checklist(context: tuple[Any, _Router],
                                                       site: tuple[Path, str, str]) -> None:
    _, base, _ = site
    with visiting(context, base + PAGE_TYPES["layanan"]) as visit:
        visit.page.emulate_media(media="print")
        hidden = visit.page.evaluate("""() => ['.kepala', '.kaki', '.ajukan'].map(
            s => getComputedStyle(document.querySelector(s)).display)""")
        box = visit.page.evaluate("""() => { const li = document.querySelector('.persyaratan li');
            const mark = getComputedStyle(li, '::before');
            return [mark.borderTopStyle, mark.width, getComputedStyle(li.parentElement).listStyleType]; }""")
        office = visit.page.locator(".kantor-cetak").inner_text()
        pdf = visit.page.pdf(format="A4", print_background=False)
    assert hidden == ["none", "none", "none"]
    assert box[0] == "solid" and box[1] != "auto" and box[2] == "none", box  # an empty box to tick
    assert "Jl. Mawar Raya No. 1" in office and "07.30" in office
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
