"""The content model: frozen, IO-free data classes for a city and its kelurahan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import quote

from .errors import Problem


@dataclass(frozen=True)
class Bounds:
    """A latitude/longitude box (the city limits)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        """True when the point lies inside the box."""
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True)
class Location:
    """A GPS point; ``approximate`` marks a point placed by estimate, not measured."""

    lat: float
    lon: float
    approximate: bool = False

    @property
    def directions_url(self) -> str:
        """A route planner link that works on every phone."""
        return f"https://www.google.com/maps/dir/?api=1&destination={self.lat:.6f}%2C{self.lon:.6f}"


@dataclass(frozen=True)
class Kecamatan:
    """A district of the city."""

    nama: str
    slug: str
    kode: str


@dataclass(frozen=True)
class Contact:
    """How to reach a business or an office."""

    telepon: str | None = None
    whatsapp: str | None = None
    instagram: str | None = None
    email: str | None = None
    situs: str | None = None

    @property
    def whatsapp_url(self) -> str | None:
        """A ``https://wa.me/62...`` link for the WhatsApp number, if any."""
        return whatsapp_url(self.whatsapp)

    @property
    def instagram_url(self) -> str | None:
        """The Instagram profile address for a handle or URL."""
        if not self.instagram:
            return None
        if self.instagram.startswith("http"):
            return self.instagram
        return "https://www.instagram.com/" + quote(self.instagram.lstrip("@")) + "/"


def whatsapp_url(number: str | None) -> str | None:
    """Turn ``0812-3456-7890`` or ``+62 812...`` into ``https://wa.me/628123456789``."""
    if not number:
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif not digits.startswith("62"):
        digits = "62" + digits
    return f"https://wa.me/{digits}"


@dataclass(frozen=True)
class SocialMedia:
    """Official social media accounts of a kelurahan."""

    instagram: str | None = None
    facebook: str | None = None
    youtube: str | None = None


@dataclass(frozen=True, kw_only=True)
class Profile:
    """What ``profil.yaml`` says about a kelurahan."""

    nama: str
    kecamatan: Kecamatan
    lokasi: Location
    kode_wilayah: str | None = None
    kode_pos: str | None = None
    alamat: str | None = None
    kontak: Contact = field(default_factory=Contact)
    jam_layanan: str | None = None
    lurah: str | None = None
    luas_km2: float | None = None
    penduduk: int | None = None
    ringkasan: str | None = None
    foto: str | None = None
    media_sosial: SocialMedia = field(default_factory=SocialMedia)
    contoh: bool = False


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One Markdown page of a section (a tourism spot, a business, a news item...)."""

    section: str
    slug: str
    judul: str
    source: str
    body: str
    body_line: int
    ringkasan: str | None = None
    foto: str | None = None
    contoh: bool = False
    sumber: str | None = None
    kategori: str | None = None
    lokasi: Location | None = None

    @property
    def url(self) -> str:
        """Path of the entry page relative to its kelurahan home, with a trailing slash."""
        return f"{self.section}/{self.slug}/"


@dataclass(frozen=True, kw_only=True)
class Wisata(Entry):
    """A place to visit."""

    alamat: str | None = None
    jam_buka: str | None = None
    tiket: str | None = None


@dataclass(frozen=True, kw_only=True)
class Umkm(Entry):
    """A small business."""

    produk: tuple[str, ...] = ()
    pemilik: str | None = None
    alamat: str | None = None
    nib: str | None = None
    halal: bool | None = None
    kontak: Contact = field(default_factory=Contact)


@dataclass(frozen=True, kw_only=True)
class Ikon(Entry):
    """An icon or speciality of the kelurahan: a landmark, a tradition, a dish."""


@dataclass(frozen=True, kw_only=True)
class Layanan(Entry):
    """A public service of the kelurahan office."""

    persyaratan: tuple[str, ...] = ()
    waktu: str | None = None
    biaya: str | None = None
    tautan: str | None = None


@dataclass(frozen=True, kw_only=True)
class Berita(Entry):
    """A news item."""

    tanggal: dt.date


@dataclass(frozen=True, kw_only=True)
class Halaman(Entry):
    """A free page (history, organisation...)."""


@dataclass(frozen=True)
class Kelurahan:
    """A kelurahan with everything read from its folder."""

    slug: str
    profil: Profile
    beranda: str
    entries: tuple[Entry, ...]
    media: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()

    def section(self, name: str) -> tuple[Entry, ...]:
        """Entries of one section, in display order."""
        return tuple(e for e in self.entries if e.section == name)

    @property
    def points(self) -> tuple[Entry, ...]:
        """Entries that have a place on the map."""
        return tuple(e for e in self.entries if e.lokasi is not None)
