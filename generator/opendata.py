"""Open data: every place of the city (offices, wisata, UMKM, ikon) as GeoJSON and CSV, per
kelurahan and for the whole city, with a DCAT-US catalogue (``data.json``) for CKAN harvesters.

Pure: made from what the build keeps per kelurahan (its portal summary and its map points, which
hold no owner names or phone numbers), so the files cost nothing to rebuild and never depend on
the clock: ``modified`` is the date of the newest news item.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .config import SiteConfig
from .render import KelurahanSummary
from .wilayah.istilah import untuk_kota, untuk_satuan

DATA_DIR = "data"
CITY_STEM = "data/kota"
CATALOGUE = "data.json"
PAGE = "data-terbuka/index.html"
COLUMNS = ("kode_kelurahan", "kelurahan", "kecamatan", "jenis", "kategori", "nama", "lintang", "bujur",
           "lokasi_perkiraan", "url")


@dataclass(frozen=True)
class Published:
    """One published kelurahan as the open data sees it."""

    summary: KelurahanSummary
    points: str  # the comma-joined GeoJSON features the build keeps (``features_json``)

    def stem(self) -> str:
        """Path of its files without the suffix."""
        return f"{DATA_DIR}/kelurahan/{self.summary.slug}"


def _url(config: SiteConfig, rel: str) -> str:
    return (config.base_url.rstrip("/") + "/" + rel) if config.base_url else rel


def _rows(config: SiteConfig, item: Published) -> list[dict[str, Any]]:
    kecamatan = {k.slug: k.nama for k in config.kecamatan}
    features = json.loads(f"[{item.points}]") if item.points else []
    rows = []
    for feature in features:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        rows.append({
            "kode_kelurahan": item.summary.kode_wilayah, "kelurahan": item.summary.nama,
            "kecamatan": kecamatan.get(item.summary.kecamatan, item.summary.kecamatan),
            "jenis": props["jenis"], "kategori": props.get("kategori", ""), "nama": props["nama"],
            "lintang": lat, "bujur": lon, "lokasi_perkiraan": bool(props.get("perkiraan")),
            "url": _url(config, props["url"]),
        })
    return rows


def geojson(rows: list[dict[str, Any]]) -> bytes:
    """RFC 7946 FeatureCollection of the rows ([lon, lat], WGS 84)."""
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [r["bujur"], r["lintang"]]},
                 "properties": {k: r[k] for k in COLUMNS if k not in ("lintang", "bujur")}} for r in rows]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, sort_keys=True)
    return (text + "\n").encode("utf-8")


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """CSV with a header row (``COLUMNS``), UTF-8, RFC 4180 line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["ya" if row[k] is True else "tidak" if row[k] is False else row[k] for k in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def files(config: SiteConfig, published: list[Published]) -> dict[str, bytes]:
    """Every open-data file (path relative to the output folder → bytes), catalogue included."""
    result: dict[str, bytes] = {}
    every: list[dict[str, Any]] = []
    for item in published:
        rows = _rows(config, item)
        every += rows
        result[item.stem() + ".geojson"] = geojson(rows)
        result[item.stem() + ".csv"] = csv_bytes(rows)
    result[CITY_STEM + ".geojson"] = geojson(every)
    result[CITY_STEM + ".csv"] = csv_bytes(every)
    result[CATALOGUE] = catalogue(config, published)
    return result


def _distributions(config: SiteConfig, stem: str, title: str) -> list[dict[str, str]]:
    return [
        {"@type": "dcat:Distribution", "title": f"{title} (GeoJSON)", "format": "GeoJSON",
         "mediaType": "application/geo+json", "downloadURL": _url(config, stem + ".geojson")},
        {"@type": "dcat:Distribution", "title": f"{title} (CSV)", "format": "CSV",
         "mediaType": "text/csv", "downloadURL": _url(config, stem + ".csv")},
    ]


def _dataset(config: SiteConfig, identifier: str, title: str, description: str, modified: str,
             distributions: list[dict[str, str]], words: list[str]) -> dict[str, Any]:
    publisher = config.penerbit or config.nama
    contact: dict[str, str] = {"@type": "vcard:Contact", "fn": publisher}
    if config.email:
        contact["hasEmail"] = f"mailto:{config.email}"
    b = config.batas
    dataset: dict[str, Any] = {
        "@type": "dcat:Dataset", "identifier": _url(config, identifier), "title": title,
        "description": description, "keyword": [*words, "wisata", "umkm", "ikon", "peta"],
        "publisher": {"@type": "org:Organization", "name": publisher}, "contactPoint": contact,
        "accessLevel": "public", "language": ["id"], "landingPage": _url(config, PAGE.removesuffix("index.html")),
        "spatial": f"{b.west},{b.south},{b.east},{b.north}", "distribution": distributions,
    }
    if modified:
        dataset["modified"] = modified
    if config.lisensi:
        dataset["license"] = config.lisensi
    return dataset


def catalogue(config: SiteConfig, published: list[Published]) -> bytes:
    """The DCAT-US 1.1 catalogue (``data.json``), readable by CKAN's DCAT/data.json harvesters."""
    newest = max((p.summary.terbaru for p in published), default="")
    kota = untuk_kota(config.istilah, [p.summary.kode_wilayah for p in published])
    city_title = f"Tempat di {config.nama}: kantor {kota.jamak}, wisata, UMKM dan ikon"
    datasets = [_dataset(config, CITY_STEM, city_title,
                         f"Semua titik di peta situs {kota.jamak} {config.nama}, dengan kode wilayah Kemendagri "
                         f"{kota.label.lower()}nya, jenis, kategori dan alamat halamannya. " + config.deskripsi,
                         newest, _distributions(config, CITY_STEM, city_title), kota.jamak.split(" dan "))]
    for item in published:
        satuan = untuk_satuan(config.istilah, item.summary.kode_wilayah)
        title = f"Tempat di {satuan.satuan} {item.summary.nama}, {config.nama}"
        datasets.append(_dataset(
            config, item.stem(), title,
            f"Kantor {satuan.jenis}, wisata, UMKM dan ikon di {satuan.satuan} {item.summary.nama} "
            f"(kode wilayah {item.summary.kode_wilayah or '-'}).",
            item.summary.terbaru or newest, _distributions(config, item.stem(), title), [satuan.jenis]))
    data = {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog", "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json", "dataset": datasets,
    }
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def listing(published: Iterable[Published]) -> list[tuple[KelurahanSummary, str]]:
    """What the open-data page lists: each kelurahan and the stem of its files."""
    return [(p.summary, p.stem()) for p in published]
