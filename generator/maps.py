"""Maps: folium writes one script per kind of map; the points travel as escaped JSON data.

Folium costs about 1.4 ms per inline marker and ``import folium`` about 0.2-0.4 s, so each
kind of map (the one of kelurahan and item pages, and the portal's city map) is rendered by
folium once, with element ids derived from its kind instead of random bytes, into a shared
script file (``MapKind.script``) that every page with that map loads: browsers download it
once, pages never depend on folium's output, and the build renders it in the main process
while the workers build the pages. The points of each page are a GeoJSON FeatureCollection in
a ``<script type="application/json">`` element (or, for the city, in a data file), drawn by
the site's own ``peta.js`` with DOM text nodes, never as HTML.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .batas import Wilayah
from .config import SiteConfig
from .models import Location

DATA_ELEMENT_ID = "peta-data"
CITY_DATA_FILE = "data/peta-kota.js"
CITY_DATA_GLOBAL = "PETA_KOTA"


@dataclass(frozen=True)
class MapKind:
    """A kind of map: the id of its ``<div>`` and the folium-made script that draws into it."""

    element: str
    script: str
    source: str
    cluster: bool


PAGE_MAP = MapKind("peta_halaman", "data/peta-halaman.js", f'KelurahanPeta.data("{DATA_ELEMENT_ID}")', False)
CITY_MAP = MapKind("peta_kota", "data/peta-portal.js", f"window.{CITY_DATA_GLOBAL}", True)
MAP_KINDS = (PAGE_MAP, CITY_MAP)


@dataclass(frozen=True)
class MapPoint:
    """One marker: a place with its kind, label and link relative to the site root."""

    nama: str
    jenis: str
    lokasi: Location
    url: str
    kategori: str = ""
    kelurahan: str = ""
    satuan: str = ""  # "desa" for the points of a desa (the popup says "Desa X", "Kantor desa")

    def feature(self) -> dict[str, Any]:
        """This point as a GeoJSON feature (coordinates in lon, lat order)."""
        props: dict[str, Any] = {"nama": self.nama, "jenis": self.jenis, "url": self.url}
        if self.kategori:
            props["kategori"] = self.kategori
        if self.kelurahan:
            props["kelurahan"] = self.kelurahan
        if self.satuan:
            props["satuan"] = self.satuan
        if self.lokasi.approximate:
            props["perkiraan"] = True
        coordinates = [round(self.lokasi.lon, 6), round(self.lokasi.lat, 6)]
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": coordinates}, "properties": props}


def safe_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element and a JS string context."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def feature_collection(points: list[MapPoint]) -> dict[str, Any]:
    """Points as a GeoJSON FeatureCollection, in a stable order."""
    return {"type": "FeatureCollection", "features": [p.feature() for p in points]}


def page_data(points: list[MapPoint], root: str, batas: list[dict[str, Any]] | None = None) -> str:
    """The JSON a page embeds for its map: the points, the relative path to the site root and
    optionally kelurahan boundaries (GeoJSON features; ``properties.tingkat`` colours them)."""
    data: dict[str, Any] = {"akar": root, "titik": feature_collection(points)}
    if batas:
        data["batas"] = {"type": "FeatureCollection", "features": batas}
    return safe_json(data)


def boundary_features(wilayah: Iterable[Wilayah],
                      extra: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Kelurahan polygons as GeoJSON features with their name and code (plus ``extra`` by code)."""
    return [{"type": "Feature", "geometry": w.geometry(),
             "properties": {"kode": w.kode, "nama": w.nama, **(extra or {}).get(w.kode, {})}} for w in wilayah]


def features_json(points: list[MapPoint]) -> str:
    """Points as the comma-separated GeoJSON features of a FeatureCollection (safe JSON text)."""
    return ",".join(safe_json(p.feature()) for p in points)


def city_data_script(features: Iterable[str], batas: list[dict[str, Any]] | None = None) -> str:
    """The city data file: every point of the city (and the kelurahan boundaries, if any),
    assigned to a global for ``peta.js``.

    ``features`` are ``features_json`` texts (one per kelurahan), so the city's points are
    never held as objects; the result equals ``safe_json`` of the whole object."""
    points = '"titik":{"features":[' + ",".join(f for f in features if f) + '],"type":"FeatureCollection"}'
    if batas:
        boundaries = safe_json({"features": batas, "type": "FeatureCollection"})
        return f'window.{CITY_DATA_GLOBAL}={{"batas":{boundaries},{points}}};\n'
    return f"window.{CITY_DATA_GLOBAL}={{{points}}};\n"


def map_script(config: SiteConfig, kind: MapKind) -> str:
    """The script file of one kind of map, rendered by folium (imported here, only when needed)."""
    import folium
    from branca.element import MacroElement
    from jinja2 import Template

    class Points(MacroElement):
        _template = Template(
            "{% macro script(this, kwargs) %}"
            "KelurahanPeta.pasang({{ this._parent.get_name() }}, {{ this.source }}, {{ this.options|tojson }});"
            "{% endmacro %}"
        )

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "Titik"
            self.source = kind.source
            self.options = {"cluster": kind.cluster, "zoomTitik": 17}

    fmap: Any = folium.Map(location=[config.pusat.lat, config.pusat.lon], zoom_start=config.zoom,
                           tiles=None, control_scale=True)
    fmap.default_js, fmap.default_css = [], []
    folium.TileLayer(tiles=config.ubin_url, attr=config.ubin_atribusi,
                     max_zoom=config.ubin_zoom_maks, name="ubin").add_to(fmap)
    Points().add_to(fmap)
    figure: Any = fmap.get_root()
    _stable_ids(figure, kind.element)
    fmap._name, fmap._id = "peta", kind.element.removeprefix("peta_")
    if fmap.get_name() != kind.element:
        raise RuntimeError(f"folium names the map {fmap.get_name()!r}, the pages expect {kind.element!r}")
    figure.render()
    return _tidy(figure.script.render()) + "\n"


def _stable_ids(element: Any, prefix: str) -> None:
    """Replace folium's random element ids with ids derived from the tree order."""
    counter = 0
    stack = [element]
    while stack:
        node = stack.pop()
        node._id = f"{prefix}{counter}"
        counter += 1
        stack.extend(reversed(list(node._children.values())))


def _tidy(script: str) -> str:
    return "\n".join(line.strip() for line in script.splitlines() if line.strip())
