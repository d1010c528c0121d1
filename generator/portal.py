"""The city-level files of a build: portal page, city map data, search page, 404 page,
sitemap, robots.txt, city feed, share card, open data, the folium map scripts and the assets.

Each is a ``Page`` keyed on what it is made from, so a build renders only those whose key
changed (``write_pages``); the keys are kept in the build state as its portal keys.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from . import opendata
from .assets import site_assets
from .buildstate import KelurahanState
from .config import SiteConfig
from .discovery import FEED_FILE, ROBOTS_FILE, SITEMAP_FILE, robots_txt, sitemap_xml
from .images.cache import ImageCache, card_key
from .images.cards import CardText
from .images.pages import Made, card_renderer
from .maps import CITY_DATA_FILE, MAP_KINDS, MapKind, boundary_features, city_data_script, map_script
from .output import readable_dirs, remove_unlisted, write_if_changed
from .render import PORTAL_CARD, SEARCH_PAGE, KelurahanSummary, Page, Renderer

NOT_FOUND_PAGE = "404.html"
HTML_PAGES = ("index.html", SEARCH_PAGE, NOT_FOUND_PAGE, opendata.PAGE)  # the portal's own pages
OPTIONAL_FILES = (SITEMAP_FILE, ROBOTS_FILE, FEED_FILE)  # made only with a base_url


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def city_pages(site: Path, config: SiteConfig, glob: str, cache: ImageCache, published: list[KelurahanState],
               search_parts: list[str], made: Made) -> list[Page]:
    """Every city-level page but the map scripts (``map_pages``), from the published kelurahan."""
    def renderer() -> Renderer:
        return Renderer(site, config, glob)

    def open_data(listing: list[tuple[KelurahanSummary, str]]) -> bytes:
        return renderer().open_data_page(listing, opendata.COLUMNS)

    return [*portal_pages(glob, config, published, search_parts, renderer), *portal_card(config, cache, made),
            *open_data_pages(config, glob, published, open_data)]


def portal_pages(glob: str, config: SiteConfig, published: list[KelurahanState], search_parts: list[str],
                 renderer: Callable[[], Renderer]) -> list[Page]:
    """The portal-level files: portal page, city map data, search page, 404 page and, with a
    ``base_url``, sitemap, robots.txt and the city news feed."""
    summaries = [k.summary for k in published]
    listing = _sha((glob + json.dumps([vars(s) for s in summaries], sort_keys=True)).encode())
    points = hashlib.sha256(glob.encode())
    for kelurahan in published:
        points.update(b"\0" + kelurahan.points.encode())
    pages = [
        Page("index.html", (), lambda: renderer().portal_page(summaries), listing),
        Page(CITY_DATA_FILE, (), lambda: city_data_script((k.points for k in published),
                                                          boundary_features(config.wilayah)).encode(),
             points.hexdigest()),
        Page(SEARCH_PAGE, (), lambda: renderer().search_page(search_parts),
             _sha(f"{glob}\0cari\0{' '.join(search_parts)}".encode())),
        Page(NOT_FOUND_PAGE, (), lambda: renderer().not_found_page(), _sha(f"{glob}\0404".encode())),
    ]
    if base := config.base_url:
        fixed = [("index.html", ""), (SEARCH_PAGE, ""), (opendata.PAGE, "")]
        entries = [*fixed, *(page for s in summaries for page in s.halaman)]
        pages += [
            Page(SITEMAP_FILE, (), lambda: sitemap_xml(base, entries).encode(), listing),
            Page(ROBOTS_FILE, (), lambda: robots_txt(base).encode(), _sha(f"{glob}\0robots".encode())),
            Page(FEED_FILE, (), lambda: renderer().city_feed(summaries), listing),
        ]
    return pages


def portal_card(config: SiteConfig, cache: ImageCache, made: Made) -> list[Page]:
    """The portal's share card (none without ``base_url``)."""
    if not config.base_url:
        return []
    text = CardText(config.judul, "", config.nama)
    return [Page(PORTAL_CARD, (), card_renderer(cache, text, made), card_key(text))]


def open_data_pages(config: SiteConfig, glob: str, published: list[KelurahanState],
                     render_page: Callable[[list[tuple[KelurahanSummary, str]]], bytes]) -> list[Page]:
    """GeoJSON, CSV, the catalogue and the open-data page, all keyed on the portal's data."""
    items = [opendata.Published(k.summary, k.points) for k in published]
    digest = hashlib.sha256(glob.encode())
    for k in published:
        digest.update(b"\0" + json.dumps(vars(k.summary), sort_keys=True).encode() + b"\0" + k.points.encode())
    key = digest.hexdigest()
    made = functools.cache(lambda: opendata.files(config, items))
    paths = [*(i.stem() + suffix for i in items for suffix in (".geojson", ".csv")),
             opendata.CITY_STEM + ".geojson", opendata.CITY_STEM + ".csv", opendata.CATALOGUE]
    pages = [Page(path, (), _picker(made, path), key) for path in paths]
    return [*pages, Page(opendata.PAGE, (), lambda: render_page(opendata.listing(items)), key)]


def _picker(made: Callable[[], dict[str, bytes]], path: str) -> Callable[[], bytes]:
    return lambda: made()[path]


def map_pages(config: SiteConfig, glob: str) -> list[Page]:
    """The folium-made map scripts: they depend on the config only (part of the global hash)."""
    return [Page(kind.script, (), _map_renderer(config, kind), _sha(f"{glob}\0{kind.script}".encode()))
            for kind in MAP_KINDS]


def _map_renderer(config: SiteConfig, kind: MapKind) -> Callable[[], bytes]:
    return lambda: map_script(config, kind).encode()


def write_city(output: Path, pages: list[Page], before: dict[str, str]) -> tuple[int, int]:
    """Write the city pages and assets that changed, and delete the city files no page makes
    any more (open data of a removed kelurahan, the ``base_url`` files once it is gone).
    Returns (pages rendered, files written)."""
    rendered, written = write_pages(output, pages, before)
    remove_unlisted(output / opendata.DATA_DIR / "kelurahan", {p.path.rsplit("/", 1)[-1] for p in pages})
    made = {page.path for page in pages}
    for path in OPTIONAL_FILES:
        if path not in made:
            (output / path).unlink(missing_ok=True)
    return rendered, written + write_assets(output, before)


def write_pages(output: Path, pages: list[Page], before: dict[str, str]) -> tuple[int, int]:
    """Render and write the portal files whose key changed; returns (HTML pages rendered, files written)."""
    rendered = written = 0
    for page in pages:
        if before.get(page.path) != page.extra or not (output / page.path).is_file():
            rendered += page.path.endswith(".html")
            written += write_if_changed(output / page.path, page.render())
    for folder in {page.path.split("/")[0] for page in pages if "/" in page.path}:
        readable_dirs(output / folder)
    return rendered, written


def write_assets(output: Path, before: dict[str, str]) -> int:
    """Write any missing asset. Assets are part of the global hash: when they change,
    ``before`` is empty and all are compared and rewritten where they differ."""
    written = 0
    for rel, source in site_assets():
        if not before or not (output / rel).is_file():
            written += write_if_changed(output / rel, source.read_bytes())
    for folder in {rel.split("/")[0] for rel, _source in site_assets()}:
        readable_dirs(output / folder)
    return written
