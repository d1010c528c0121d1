"""Kelurahan boundaries: reading the GeoJSON named by ``peta.batas_kelurahan`` and locating points.

Pure geometry in local metres (an equirectangular projection around each point, exact
enough for a city): point in polygon by ray casting, distance to a polygon's edges. The
polygons are simplified, so a point counts as outside its kelurahan only beyond a tolerance.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from .errors import ContentError, Problem

TOLERANCE_M = 300.0
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0

Ring = tuple[tuple[float, float], ...]  # (lon, lat) pairs, closed
Polygon = tuple[Ring, ...]  # exterior first, then holes


@dataclass(frozen=True)
class Wilayah:
    """One kelurahan polygon from the boundary file, keyed by its Kemendagri code."""

    kode: str
    nama: str
    polygons: tuple[Polygon, ...]

    def contains(self, lon: float, lat: float) -> bool:
        """True when the point lies inside (holes excluded)."""
        return any(_in_ring(lon, lat, p[0]) and not any(_in_ring(lon, lat, h) for h in p[1:])
                   for p in self.polygons)

    def distance_m(self, lon: float, lat: float) -> float:
        """Metres from the point to this kelurahan (0 inside)."""
        if self.contains(lon, lat):
            return 0.0
        scale = _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat))
        best = math.inf
        for polygon in self.polygons:
            for ring in polygon:
                for (x1, y1), (x2, y2) in pairwise(ring):
                    best = min(best, _segment_distance(
                        (x1 - lon) * scale, (y1 - lat) * _M_PER_DEG_LAT,
                        (x2 - lon) * scale, (y2 - lat) * _M_PER_DEG_LAT))
        return best

    def geometry(self) -> dict[str, Any]:
        """The GeoJSON geometry (RFC 7946, [lon, lat])."""
        coords = [[[list(pt) for pt in ring] for ring in polygon] for polygon in self.polygons]
        if len(coords) == 1:
            return {"type": "Polygon", "coordinates": coords[0]}
        return {"type": "MultiPolygon", "coordinates": coords}


@dataclass(frozen=True)
class Placement:
    """Where a point lies relative to its own kelurahan."""

    distance_m: float
    seems_in: str | None  # name of the kelurahan that contains it, if any
    seems_in_kode: str | None = None  # and its code


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _segment_distance(x1: float, y1: float, x2: float, y2: float) -> float:
    """Distance from the origin to the segment (x1, y1)-(x2, y2)."""
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / length))
    return math.hypot(x1 + t * dx, y1 + t * dy)


def place(wilayah: tuple[Wilayah, ...], kode: str, lon: float, lat: float) -> Placement | None:
    """How far a point lies outside the kelurahan ``kode``; None when that code has no polygon."""
    own = next((w for w in wilayah if w.kode == kode), None)
    if own is None:
        return None
    distance = own.distance_m(lon, lat)
    if distance == 0:
        return Placement(0.0, None)
    other = next((w for w in wilayah if w.kode != kode and w.contains(lon, lat)), None)
    return Placement(distance, other.nama, other.kode) if other else Placement(distance, None)


def _ring(value: Any) -> Ring:
    if not isinstance(value, list) or len(value) < 4:
        raise ValueError("cincin poligon harus berisi paling sedikit 4 titik")
    try:
        ring = tuple((float(pt[0]), float(pt[1])) for pt in value)
    except (TypeError, IndexError, ValueError):
        raise ValueError("setiap titik harus berbentuk [bujur, lintang]") from None
    if ring[0] != ring[-1]:
        raise ValueError("cincin poligon tidak tertutup (titik pertama dan terakhir berbeda)")
    return ring


def _polygons(geometry: Any) -> tuple[Polygon, ...]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon" and isinstance(coords, list):
        return (tuple(_ring(r) for r in coords),)
    if kind == "MultiPolygon" and isinstance(coords, list):
        return tuple(tuple(_ring(r) for r in p) for p in coords)
    raise ValueError(f"geometri harus Polygon atau MultiPolygon (tertulis {kind!r})")


def _polygons_of(number: int, kode: str, feature: dict[str, Any]) -> tuple[Polygon, ...]:
    try:
        return _polygons(feature.get("geometry"))
    except (TypeError, IndexError, ValueError) as error:
        reason = str(error) if isinstance(error, ValueError) else "koordinat tidak berbentuk GeoJSON"
        raise ValueError(f"fitur ke-{number} ({kode}): {reason}") from None


def parse_batas(text: str, where: str) -> tuple[Wilayah, ...]:
    """Read a GeoJSON FeatureCollection of kelurahan polygons with ``properties.kode``."""
    hint = "pakai GeoJSON FeatureCollection dengan properties.kode berisi kode Kemendagri"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContentError([Problem(where, error.lineno, "berkas batas kelurahan bukan JSON yang sah", hint)]) from None
    try:
        features = data["features"] if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise ValueError("bukan FeatureCollection GeoJSON")
        result = []
        for number, feature in enumerate(features, start=1):
            props = feature.get("properties") or {}
            kode = props.get("kode")
            if not isinstance(kode, str) or not kode:
                raise ValueError(f"fitur ke-{number} tidak punya properties.kode")
            result.append(Wilayah(kode, str(props.get("nama") or kode), _polygons_of(number, kode, feature)))
    except ValueError as error:  # our own messages, in Indonesian
        raise ContentError([Problem(where, 1, f"berkas batas kelurahan tidak bisa dibaca ({error})", hint)]) from None
    except (KeyError, AttributeError, TypeError):
        raise ContentError([Problem(where, 1, "berkas batas kelurahan tidak bisa dibaca (susunannya bukan GeoJSON)",
                                    hint)]) from None
    return tuple(sorted(result, key=lambda w: w.kode))


def load_batas(site: Path, rel: str) -> tuple[Wilayah, ...]:
    """Read the boundary file named in ``config.yaml`` (path relative to the site folder)."""
    path = site / rel
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ContentError([Problem("config.yaml", 1, f"peta.batas_kelurahan: berkas '{rel}' tidak bisa dibaca",
                                    "periksa nama berkasnya (jalur dihitung dari folder situs)")]) from None
    return parse_batas(text, rel)
