"""The generated sites in a real headless Chromium, served over HTTP from the build output.

Every request is intercepted: requests to the local server go through, tile requests (the only
allowed requests to another host) are answered with a blank PNG so no test needs the network,
and anything else is blocked and recorded as a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import TINY_POINTS, city_features, local_target, parse_html, png_bytes, tile_pattern, tile_template

TILE = png_bytes((256, 256), (230, 230, 230))
MAP = ".folium-map"


@dataclass
class Visit:
    """A loaded page and what happened while loading it."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)

    def markers(self) -> int:
        """Circle markers drawn as SVG paths."""
        return int(self.page.locator(f"{MAP} path.leaflet-interactive").count())

    def clustered(self) -> int:
        """Points hidden inside clusters (the number each cluster icon shows)."""
        counts = self.page.eval_on_selector_all(f"{MAP} .marker-cluster span", "els => els.map(e => e.textContent)")
        return sum(int(c) for c in counts)

    def count_attribute(self) -> int | None:
        value = self.page.get_attribute(MAP, "data-jumlah-titik")
        return None if value is None else int(value)


@dataclass
class _Router:
    """Routes every request of the shared browser context on behalf of the current visit."""

    visit: Visit | None = None
    pattern: Any = None

    def __call__(self, route: Any) -> None:
        url, visit = route.request.url, self.visit
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        elif self.pattern is not None and self.pattern.match(url):
            if visit:
                visit.tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=TILE)
        else:
            if visit:
                visit.foreign.append(url)
            route.abort()


@pytest.fixture(scope="module")
def shared(browser: Any) -> Iterator[tuple[Any, _Router]]:
    """One browser context per module (pages share its cache), with every request routed."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(8000)
    router = _Router()
    context.route("**/*", router)
    yield context, router
    context.close()


@contextmanager
def visiting(shared: tuple[Any, _Router], base: str, path: str, tiles: str,
             settle: bool = True) -> Iterator[Visit]:
    """Open base+path in a new page; with ``settle``, wait until the network is idle."""
    context, router = shared
    page = context.new_page()
    visit = Visit(page, base)
    router.visit, router.pattern = visit, tile_pattern(tiles)
    page.on("pageerror", lambda error: visit.errors.append(f"pageerror: {error}"))
    page.on("console", lambda msg: visit.errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" else None)
    try:
        page.goto(base + path, wait_until="load")
        if settle:
            page.wait_for_load_state("networkidle")
        elif page.locator(MAP).count():
            page.wait_for_selector(f"{MAP}[data-jumlah-titik]")
        yield visit
    finally:
        router.visit = None
        page.close()


def assert_clean(visit: Visit) -> None:
    assert not visit.errors, visit.errors
    assert not visit.foreign, f"requests to other hosts: {visit.foreign}"
    assert visit.tiles, "the map requested no tiles"


@pytest.fixture
def tiny(tiny_build: tuple[Path, Path], serve_dir: Callable[[Path], str]) -> tuple[Path, str, str]:
    """(output folder, base URL, tile URL template) of the tiny site."""
    site, output = tiny_build
    return output, serve_dir(output), tile_template(site)


TINY_PAGES = {
    "index.html": sum(len(p) for p in TINY_POINTS.values()),
    "mawar/index.html": len(TINY_POINTS["mawar"]),
    "melati/index.html": len(TINY_POINTS["melati"]),
    "mawar/umkm/index.html": 1,
    "melati/wisata/index.html": 1,
    "mawar/umkm/warung-bu-sri/index.html": 1,
    "melati/ikon/tugu-melati/index.html": 1,
}


@pytest.mark.parametrize("path", sorted(TINY_PAGES))
def test_page_runs_without_errors_and_shows_every_point(shared: tuple[Any, _Router], tiny: tuple[Path, str, str],
                                                        path: str) -> None:
    output, base, tiles = tiny
    with visiting(shared, base, path, tiles) as visit:
        assert_clean(visit)
        assert visit.page.locator(MAP).count() == 1
        assert visit.page.locator(MAP).bounding_box()["height"] > 100, "the map has no height"
        expected = TINY_PAGES[path]
        assert visit.count_attribute() == expected
        if path == "index.html":
            assert visit.markers() + visit.clustered() == expected
        else:
            data = parse_html(output / path).json_script("peta-data")
            assert len(data["titik"]["features"]) == expected
            assert visit.markers() == expected


@pytest.mark.parametrize("path", ["mawar/ikon/tari-gambyong/index.html", "mawar/layanan/surat-domisili/index.html",
                                  "mawar/berita/index.html"])
def test_pages_without_points_have_no_map_and_no_errors(shared: tuple[Any, _Router], tiny: tuple[Path, str, str],
                                                        path: str) -> None:
    _, base, tiles = tiny
    with visiting(shared, base, path, tiles) as visit:
        assert not visit.errors and not visit.foreign and not visit.tiles
        assert visit.page.locator(MAP).count() == 0
        assert visit.page.locator("h1").count() == 1


def _open_popup(visit: Visit, marker: str, overlapping: bool = False) -> tuple[str, str]:
    """Click a marker; return (text, absolute href) of the popup's link.

    Markers of the tiny site never overlap, so a real mouse click must reach them; markers of
    the sample may share a point, so there the click event is sent to the marker itself.
    """
    if overlapping:
        visit.page.locator(marker).first.dispatch_event("click")
    else:
        visit.page.locator(marker).first.click()
    link = visit.page.locator(".leaflet-popup-content a")
    link.wait_for(state="visible", timeout=5000)
    return link.inner_text(), str(link.evaluate("a => a.href"))


@pytest.mark.parametrize(("path", "marker", "name", "target"), [
    ("mawar/index.html", "path.penanda-umkm", "Warung Bu Sri", "mawar/umkm/warung-bu-sri/"),
    ("mawar/index.html", "path.penanda-wisata", "Taman Sekar", "mawar/wisata/taman-sekar/"),
    ("melati/index.html", "path.penanda-ikon", "Tugu Melati", "melati/ikon/tugu-melati/"),
    ("melati/index.html", "path.penanda-kantor", "Kantor Kelurahan Melati", "melati/"),
    ("mawar/umkm/index.html", "path.penanda-umkm", "Warung Bu Sri", "mawar/umkm/warung-bu-sri/"),
    ("melati/ikon/tugu-melati/index.html", "path.penanda-ikon", "Tugu Melati", "melati/ikon/tugu-melati/"),
])
def test_marker_popup_links_to_its_page(shared: tuple[Any, _Router], tiny: tuple[Path, str, str], path: str,
                                        marker: str, name: str, target: str) -> None:
    _, base, tiles = tiny
    with visiting(shared, base, path, tiles, settle=False) as visit:
        text, href = _open_popup(visit, f"{MAP} {marker}")
        assert text == name
        assert href in (base + target, base + target + "index.html")
        visit.page.locator(".leaflet-popup-content a").click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url in (base + target, base + target + "index.html")
        heading = visit.page.locator("h1").inner_text()
        assert heading == name or heading == name.replace("Kantor ", ""), heading
        assert not visit.errors and not visit.foreign


def _zoom_until_markers(visit: Visit, tries: int = 8) -> None:
    """Click clusters (which zoom in) until single markers are shown."""
    for _ in range(tries):
        if visit.markers():
            return
        visit.page.locator(f"{MAP} .marker-cluster").first.click()
        visit.page.wait_for_timeout(700)
    assert visit.markers(), "clicking clusters never showed a single marker"


def _check_city_popup(visit: Visit, output: Path, names: dict[str, str]) -> None:
    text, href = _open_popup(visit, f"{MAP} path.leaflet-interactive", overlapping=True)
    assert href.startswith(visit.base), href
    rel = href.removeprefix(visit.base)
    assert rel in names, f"popup link {rel!r} is no point of the city data"
    assert text == names[rel]
    target = local_target(output / "index.html", rel, output)
    assert target is not None and target.is_file(), rel


def test_city_map_clusters_points_and_links_them(shared: tuple[Any, _Router], tiny: tuple[Path, str, str]) -> None:
    output, base, tiles = tiny
    features = city_features(output)
    names = {f["properties"]["url"]: f["properties"]["nama"] for f in features}
    with visiting(shared, base, "index.html", tiles) as visit:
        assert visit.page.locator(f"{MAP} .marker-cluster").count() >= 1, "the city map shows no cluster"
        assert visit.markers() + visit.clustered() == len(features)
        _zoom_until_markers(visit)
        _check_city_popup(visit, output, names)
        assert not visit.errors and not visit.foreign


# -- the shipped sample --------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sample(sample_build: tuple[Path, Any], serve_dir: Callable[[Path], str]) -> tuple[Path, str, str]:
    output, _ = sample_build
    return output, serve_dir(output), tile_template(REPO)


def test_sample_city_map_holds_every_point(shared: tuple[Any, _Router], sample: tuple[Path, str, str]) -> None:
    output, base, tiles = sample
    features = city_features(output)
    names = {f["properties"]["url"]: f["properties"]["nama"] for f in features}
    with visiting(shared, base, "index.html", tiles) as visit:
        assert_clean(visit)
        assert visit.count_attribute() == len(features)
        assert visit.page.locator(f"{MAP} .marker-cluster").count() >= 1
        assert visit.markers() + visit.clustered() == len(features)
        cluster = visit.page.locator(f"{MAP} .marker-cluster").first
        inside = int(cluster.inner_text())
        cluster.click()
        visit.page.wait_for_timeout(900)
        assert visit.markers() + visit.clustered() >= inside, "zooming into a cluster lost its points"
        _zoom_until_markers(visit)
        _check_city_popup(visit, output, names)
        assert not visit.errors and not visit.foreign


@pytest.mark.parametrize("slug", ["kauman", "jebres", "mojosongo"])
def test_sample_kelurahan_home_map(shared: tuple[Any, _Router], sample: tuple[Path, str, str], slug: str) -> None:
    output, base, tiles = sample
    features = parse_html(output / slug / "index.html").json_script("peta-data")["titik"]["features"]
    with visiting(shared, base, f"{slug}/index.html", tiles) as visit:
        assert_clean(visit)
        assert visit.count_attribute() == len(features)
        assert visit.markers() == len(features)
        text, href = _open_popup(visit, f"{MAP} path.penanda-kantor", overlapping=True)
        assert text.startswith("Kantor Kelurahan")
        assert href in (f"{base}{slug}/", f"{base}{slug}/index.html")


def test_sample_item_pages_run_without_errors(shared: tuple[Any, _Router], sample: tuple[Path, str, str]) -> None:
    output, base, tiles = sample
    pages = sorted(p.relative_to(output).as_posix() for p in (output / "kauman").glob("*/*/index.html"))
    assert pages
    located = [p for p in pages if parse_html(output / p).find("div", class_="folium-map")]
    assert located
    for path in [*located[:3], "kauman/layanan/index.html"]:
        with visiting(shared, base, path, tiles) as visit:
            assert not visit.errors, (path, visit.errors)
            assert not visit.foreign, (path, visit.foreign)
            if path in located:
                assert visit.count_attribute() == 1 and visit.markers() == 1, path


def test_relative_links_work_under_a_sub_path(shared: tuple[Any, _Router], tiny_build: tuple[Path, Path],
                                              tmp_path: Path,
                                              serve_dir: Callable[[Path], str]) -> None:
    """The site works when published under a sub-folder (relative links only)."""
    import shutil

    site, output = tiny_build
    shutil.copytree(output, tmp_path / "www" / "kelurahan-situs")
    base = serve_dir(tmp_path / "www") + "kelurahan-situs/"
    with visiting(shared, base, "index.html", tile_template(site)) as visit:
        assert_clean(visit)
        visit.page.locator("a[href='mawar/index.html']").first.click()
        visit.page.wait_for_load_state("networkidle")
        assert visit.page.url == urljoin(base, "mawar/index.html")
        assert visit.count_attribute() == len(TINY_POINTS["mawar"])
        assert not visit.errors and not visit.foreign
