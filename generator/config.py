"""The typed, validated ``config.yaml`` of a site (the city)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import fields as f
from .batas import Wilayah, load_batas
from .errors import ContentError, FieldError, Problem
from .i18n import DEFAULT_LANGUAGE, LANGUAGES
from .models import Bounds, Kecamatan, Location
from .sections import SECTION_NAMES
from .wilayah.istilah import BAWAAN, DAERAH_CHOICES, KECAMATAN_CHOICES, SATUAN_CHOICES, Pilihan, untuk_kota
from .yamlio import Mapping, decode_text, load_mapping

CONFIG_FILE = "config.yaml"


@dataclass(frozen=True)
class SiteConfig:
    """Everything the city decides once for all its kelurahan sites."""

    nama: str
    judul: str
    deskripsi: str
    base_url: str | None
    kecamatan: tuple[Kecamatan, ...]
    pusat: Location
    zoom: int
    batas: Bounds
    ubin_url: str
    ubin_atribusi: str
    ubin_zoom_maks: int
    berita_terbaru: int
    bagian: tuple[str, ...]
    terbit_tujuan: str | None = None
    terbit_rilis: int = 3
    kode_wilayah: str | None = None
    istilah: Pilihan = BAWAAN
    batas_kelurahan: str | None = None
    wilayah: tuple[Wilayah, ...] = ()
    lisensi: str | None = None
    penerbit: str | None = None
    email: str | None = None
    bahasa: str = DEFAULT_LANGUAGE

    @property
    def daerah(self) -> str:
        """'kota' or 'kabupaten': the word for the area the map bounds enclose."""
        return untuk_kota(self.istilah).daerah_jenis

    def kecamatan_by_slug(self, slug: str) -> Kecamatan:
        """The kecamatan with this slug (the slug was validated before)."""
        return next(k for k in self.kecamatan if k.slug == slug)


def _slug(value: Any) -> str:
    raw = f.text(value)
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", raw):
        raise FieldError(f"slug '{raw}' tidak valid", "pakai huruf kecil, angka dan tanda hubung")
    return raw


def _with_slash(url: str | None) -> str | None:
    """``https://x.go.id/kel`` → ``https://x.go.id/kel/`` (pages are joined onto it)."""
    return url.rstrip("/") + "/" if url else None
def _city_code(value: Any) -> str:
    raw = f.text(value)
    if not re.fullmatch(r"\d{2}\.\d{2}", raw):
        raise FieldError(f"bukan kode kota/kabupaten (tertulis '{raw}')",
                         "tulis kode Kemendagri dua bagian dalam tanda kutip, misalnya \"35.71\"")
    return raw


def _as_is(value: Any) -> Any:
    return value


def _sections(value: Any) -> tuple[str, ...]:
    return tuple(f.slug_list(SECTION_NAMES)(item) for item in f.text_list(value))


def _tile_url(value: Any) -> str:
    """A tile address with {z}, {x} and {y}; a provider's name ("OpenStreetMap") is not taken,
    since what folium makes of a name depends on its version and its list of providers."""
    raw = f.url(value)
    if not all(part in raw for part in ("{z}", "{x}", "{y}")):
        raise FieldError(f"alamat ubin harus memuat {{z}}, {{x}} dan {{y}} (tertulis '{raw}')",
                         "contoh: https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    return raw


_KECAMATAN = (f.Field("nama", f.text, True), f.Field("slug", _slug, True), f.Field("kode", f.text, True))
_POINT = (f.Field("lat", f.number, True), f.Field("lon", f.number, True))
_BOX = (
    f.Field("selatan", f.number, True), f.Field("barat", f.number, True),
    f.Field("utara", f.number, True), f.Field("timur", f.number, True),
)
_TILES = (
    f.Field("url", _tile_url, True), f.Field("atribusi", f.text, True),
    f.Field("zoom_maks", f.whole_number),
)
_MAP = (
    f.Field("pusat", f.text, True, _POINT), f.Field("zoom", f.whole_number),
    f.Field("batas", f.text, True, _BOX), f.Field("ubin", f.text, True, _TILES),
    f.Field("batas_kelurahan", f.text),
)
_WORDS = (
    f.Field("satuan", f.slug_list(SATUAN_CHOICES)), f.Field("daerah", f.slug_list(DAERAH_CHOICES)),
    f.Field("kecamatan", f.slug_list(KECAMATAN_CHOICES)),
)
_OPEN_DATA = (f.Field("lisensi", f.url), f.Field("penerbit", f.text), f.Field("email", f.email))
_DISPLAY = (f.Field("berita_terbaru", f.whole_number), f.Field("bagian", _sections))
def publish_url(value: Any) -> str:
    """A publish target, checked by publish's own parser (so ``check`` refuses what publish would)."""
    from .publish.transport import PublishError, parse_target  # here: the publish package imports this module

    raw = f.text(value).strip()
    try:
        parse_target(raw)
    except PublishError as error:
        raise FieldError(error.message, error.hint) from None  # not the URL: it may hold a password
    return raw


def _releases(value: Any) -> int:
    count = f.whole_number(value)
    if count < 2:
        raise FieldError(f"rilis harus 2 atau lebih (tertulis {count})", "rilis lama dibutuhkan untuk --rollback")
    return count


_PUBLISH = (f.Field("tujuan", publish_url), f.Field("rilis", _releases))
_CONFIG = (
    f.Field("nama", f.text, True), f.Field("judul", f.text, True), f.Field("deskripsi", f.text),
    f.Field("base_url", f.url), f.Field("kecamatan", _as_is, True),
    f.Field("peta", f.text, True, _MAP), f.Field("tampilan", f.text, False, _DISPLAY),
    f.Field("bahasa", f.slug_list(LANGUAGES)),
    f.Field("data_terbuka", f.text, False, _OPEN_DATA),
    f.Field("terbit", f.text, False, _PUBLISH),
    f.Field("kode_wilayah", _city_code), f.Field("istilah", f.text, False, _WORDS),
)


def _read_kecamatan(data: Mapping) -> tuple[tuple[Kecamatan, ...], list[Problem]]:
    raw = data.get("kecamatan")
    if not isinstance(raw, list) or not raw:
        return (), [Problem(CONFIG_FILE, data.line_of("kecamatan"), "kecamatan harus berupa daftar",
                            "tulis tiap kecamatan sebagai '- {nama: ..., slug: ..., kode: ...}'")]
    result, problems = [], []
    for item in raw:
        if not isinstance(item, Mapping):
            problems.append(Problem(CONFIG_FILE, data.line_of("kecamatan"),
                                    "butir kecamatan harus berisi nama, slug, kode"))
            continue
        values, found = f.read_mapping(item, _KECAMATAN, CONFIG_FILE)
        problems.extend(found)
        if not found:
            result.append(Kecamatan(values["nama"], values["slug"], values["kode"]))
    return tuple(result), problems


def parse_config(text: str) -> SiteConfig:
    """Validate the text of ``config.yaml``; raise ContentError listing every problem."""
    data = load_mapping(text, CONFIG_FILE)
    values, problems = f.read_mapping(data, _CONFIG, CONFIG_FILE)
    kecamatan, found = _read_kecamatan(data)
    problems.extend(found)
    if problems:
        raise ContentError(problems)
    peta = values["peta"]
    box = peta["batas"]
    tiles = peta["ubin"]
    display = values.get("tampilan", {})
    open_data = values.get("data_terbuka", {})
    pilihan = Pilihan(values.get("kode_wilayah"), values["nama"], **values.get("istilah", {}))
    jamak = untuk_kota(pilihan).jamak
    return SiteConfig(
        nama=values["nama"],
        judul=values["judul"],
        deskripsi=values.get("deskripsi") or f"Profil, layanan, wisata, UMKM dan berita {jamak} di {values['nama']}.",
        base_url=_with_slash(values.get("base_url")),
        kecamatan=kecamatan,
        pusat=Location(peta["pusat"]["lat"], peta["pusat"]["lon"]),
        zoom=peta.get("zoom", 13),
        batas=Bounds(box["selatan"], box["barat"], box["utara"], box["timur"]),
        ubin_url=tiles["url"],
        ubin_atribusi=tiles["atribusi"],
        ubin_zoom_maks=tiles.get("zoom_maks", 19),
        berita_terbaru=display.get("berita_terbaru", 5),
        bagian=display.get("bagian", SECTION_NAMES),
        terbit_tujuan=values.get("terbit", {}).get("tujuan"),
        terbit_rilis=values.get("terbit", {}).get("rilis", 3),
        kode_wilayah=values.get("kode_wilayah"),
        istilah=pilihan,
        batas_kelurahan=peta.get("batas_kelurahan"),
        lisensi=open_data.get("lisensi"),
        penerbit=open_data.get("penerbit"),
        email=open_data.get("email"),
        bahasa=values.get("bahasa", DEFAULT_LANGUAGE),
    )


def load_config(site: Path) -> SiteConfig:
    """Read ``config.yaml`` from a site folder."""
    path = site / CONFIG_FILE
    if not path.is_file():
        raise ContentError([Problem(CONFIG_FILE, 1, "berkas config.yaml tidak ditemukan",
                                    "jalankan perintah di folder situs atau pakai --site FOLDER")])
    config = parse_config(decode_text(path.read_bytes(), CONFIG_FILE))
    if config.batas_kelurahan:
        config = replace(config, wilayah=load_batas(site, config.batas_kelurahan))
    return config
