"""The content contract: which sections exist and which keys each file may hold."""

from __future__ import annotations

from dataclasses import dataclass

from . import fields as f
from . import models as m
from .models import Bounds


@dataclass(frozen=True)
class Section:
    """One kind of Markdown page in ``kelurahan/<slug>/<section>/``."""

    name: str
    label: str
    description: str
    model: type[m.Entry]
    title_key: str = "nama"
    location: str = "none"  # "required", "optional" or "none"


SECTIONS: tuple[Section, ...] = (
    Section("wisata", "Wisata", "Tempat wisata dan tujuan kunjungan", m.Wisata, location="required"),
    Section("umkm", "UMKM", "Usaha mikro, kecil dan menengah warga", m.Umkm, location="required"),
    Section("ikon", "Ikon & Kekhasan", "Ikon, tradisi dan kekhasan kelurahan", m.Ikon,
            location="optional"),
    Section("layanan", "Layanan", "Layanan publik di kantor kelurahan", m.Layanan),
    Section("berita", "Berita", "Kabar terbaru dari kelurahan", m.Berita, title_key="judul"),
    Section("halaman", "Halaman", "Informasi lain tentang kelurahan", m.Halaman, title_key="judul"),
)
SECTION_NAMES: tuple[str, ...] = tuple(s.name for s in SECTIONS)


def section_by_name(name: str) -> Section:
    """The section called ``name`` (already validated)."""
    return SECTIONS[SECTION_NAMES.index(name)]


CONTACT = (
    f.Field("telepon", f.phone), f.Field("whatsapp", f.phone), f.Field("instagram", f.text),
    f.Field("email", f.email), f.Field("situs", f.url),
)
SOCIAL = (f.Field("instagram", f.url), f.Field("facebook", f.url), f.Field("youtube", f.url))

_SPECIFIC: dict[str, tuple[f.Field, ...]] = {
    "wisata": (f.Field("kategori", f.text), f.Field("alamat", f.text), f.Field("jam_buka", f.text),
               f.Field("tiket", f.text)),
    "umkm": (f.Field("kategori", f.text), f.Field("produk", f.text_list), f.Field("pemilik", f.text),
             f.Field("alamat", f.text), f.Field("nib", f.text), f.Field("halal", f.boolean),
             f.Field("kontak", f.text, False, CONTACT)),
    "ikon": (f.Field("kategori", f.text),),
    "layanan": (f.Field("persyaratan", f.text_list), f.Field("waktu", f.text), f.Field("biaya", f.text),
                f.Field("tautan", f.url)),
    "berita": (f.Field("tanggal", f.date, True),),
    "halaman": (),
}


def entry_fields(section: Section, bounds: Bounds, daerah: str) -> tuple[f.Field, ...]:
    """Allowed front matter keys of one section (points inside ``bounds`` of the ``daerah``)."""
    common = (
        f.Field(section.title_key, f.text, True), f.Field("ringkasan", f.text),
        f.Field("foto", f.text), f.Field("contoh", f.boolean), f.Field("sumber", f.text),
    )
    place: tuple[f.Field, ...] = ()
    if section.location != "none":
        place = (f.Field("lokasi", f.location_reader(bounds, daerah), section.location == "required"),
                 f.Field("lokasi_perkiraan", f.boolean))
    return common + place + _SPECIFIC[section.name]


def profile_fields(kecamatan: tuple[str, ...], bounds: Bounds, daerah: str) -> tuple[f.Field, ...]:
    """Allowed keys of ``profil.yaml``."""
    return (
        f.Field("nama", f.text, True), f.Field("kecamatan", f.slug_list(kecamatan), True),
        f.Field("lokasi", f.location_reader(bounds, daerah), True), f.Field("lokasi_perkiraan", f.boolean),
        f.Field("kode_wilayah", f.text), f.Field("kode_pos", f.text), f.Field("alamat", f.text),
        f.Field("telepon", f.phone), f.Field("whatsapp", f.phone), f.Field("email", f.email),
        f.Field("jam_layanan", f.text), f.Field("lurah", f.text), f.Field("luas_km2", f.number),
        f.Field("penduduk", f.whole_number), f.Field("ringkasan", f.text), f.Field("foto", f.text),
        f.Field("media_sosial", f.text, False, SOCIAL), f.Field("contoh", f.boolean),
    )
