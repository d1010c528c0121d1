"""Interface strings of the generated sites (Indonesian and English) and locale-aware filters.

Templates call ``t("key", name=value)``; a message names its parameters in braces, so a region
word (``{wilayah}``: "Kelurahan" or "Desa") or a name is passed in by the template, never glued
on. Dates and numbers are Jinja filters (``tanggal``, ``angka``): never the process locale.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
_SEPARATORS = {"id": (".", ","), "en": (",", ".")}  # (thousands, decimal)

_ID: dict[str, str] = {
    "lewati": "Langsung ke isi",
    "menu": "Menu",
    "menu.label": "Menu {wilayah} {nama}",
    "beranda": "Beranda",
    "cari": "Cari",
    "cari.label": "Cari di semua situs kelurahan",
    "cari.contoh": "misalnya batik, surat pindah",
    "cari.judul": "Pencarian",
    "cari.lead": "Cari wisata, UMKM, layanan, berita dan halaman dari semua kelurahan di {kota}.",
    "cari.semua_kelurahan": "Semua kelurahan",
    "cari.semua_bagian": "Semua bagian",
    "cari.saring_kelurahan": "Kelurahan",
    "cari.saring_bagian": "Bagian",
    "cari.tanpa_js": "Pencarian membutuhkan JavaScript. Tanpa JavaScript, buka daftar kelurahan di portal.",
    "cari.hasil": "{jumlah} hasil untuk “{kata}”",
    "cari.kosong": "Tidak ada hasil untuk “{kata}”.",
    "cari.gagal": "Indeks pencarian belum tersedia.",
    "kota.semua": "Semua {jamak}",
    "kaki.dibuat": "Dibuat dengan generator situs kelurahan.",
    "kaki.peta": "Peta: Leaflet, data peta © kontributor OpenStreetMap.",
    "kaki.umpan": "Umpan berita (Atom)",
    "kantor": "Kantor {wilayah} {nama}",
    "wilayah.nama": "{wilayah} {nama}",
    "kecamatan.nama": "{kecamatan} {nama}",
    "remah.label": "Lokasi halaman",
    "peta.lokasi": "Peta lokasi",
    "peta.di_peta": "Lokasi di peta",
    "peta.legenda": "Keterangan warna penanda",
    "peta.kelurahan": "Kel. {nama}",
    "peta.perkiraan": "Lokasi perkiraan",
    "jenis.kantor": "Kantor kelurahan",
    "jenis.wisata": "Wisata",
    "jenis.umkm": "UMKM",
    "jenis.ikon": "Ikon & kekhasan",
    "jenis.beranda": "Profil kelurahan",
    "arah": "Petunjuk arah",
    "arah.kantor": "Petunjuk arah ke kantor {wilayah}",
    "perkiraan": "Titik di peta adalah lokasi perkiraan.",
    "perkiraan.kantor": "(lokasi kantor perkiraan)",
    "contoh": "contoh",
    "contoh.konten": "Konten contoh",
    "contoh.profil": "Sebagian informasi di halaman ini adalah contoh, bukan data resmi.",
    "sumber": "Sumber: {sumber}",
    "layanan.persyaratan": "Persyaratan",
    "layanan.bawa": "Bawa ke kantor {wilayah}:",
    "layanan.waktu": "Waktu",
    "layanan.biaya": "Biaya",
    "layanan.tautan": "Tautan",
    "layanan.wa": "Ajukan lewat WhatsApp",
    "layanan.wa.catatan": "Pesan WhatsApp berisi nama layanan dan persyaratannya; situs ini tidak menyimpan apa pun.",
    "layanan.wa.pesan": "Selamat pagi/siang, saya ingin mengajukan layanan \"{layanan}\" di {kantor}.",
    "layanan.wa.persyaratan": "Persyaratan yang akan saya siapkan:",
    "layanan.cetak": "Dicetak dari {alamat}",
    "profil.judul": "Profil dan kontak",
    "profil.kode_wilayah": "Kode wilayah",
    "profil.kode_pos": "Kode pos",
    "profil.luas": "Luas",
    "profil.penduduk": "Penduduk",
    "profil.jiwa": "{jumlah} jiwa",
    "profil.alamat": "Alamat kantor",
    "profil.jam": "Jam layanan",
    "telepon": "Telepon",
    "whatsapp": "WhatsApp",
    "email": "Email",
    "beranda.tentang": "Tentang {wilayah}",
    "beranda.jelajahi": "Jelajahi {wilayah}",
    "beranda.entri": "{jumlah} entri",
    "beranda.berita": "Berita terbaru",
    "beranda.deskripsi": "Profil {wilayah} {nama}, Kecamatan {kecamatan}, {kota}: layanan, wisata, UMKM dan berita.",
    "bagian.lead": "{deskripsi} di {wilayah} {nama}.",
    "umkm.produk": "Produk",
    "umkm.pemilik": "Pemilik",
    "umkm.alamat": "Alamat",
    "umkm.nib": "NIB",
    "umkm.halal": "Sertifikat halal",
    "umkm.halal.ada": "Ada",
    "umkm.halal.belum": "Belum ada",
    "umkm.instagram": "Instagram",
    "umkm.situs": "Situs web",
    "umkm.wa": "Pesan lewat WhatsApp ({nomor})",
    "wisata.alamat": "Alamat",
    "wisata.jam": "Jam buka",
    "wisata.tiket": "Tiket",
    "portal.ringkas": "{jumlah}, {titik} titik di peta.",
    "portal.data_terbuka": "Data terbuka",
    "portal.peta": "Peta {kota}",
    "portal.daftar": "{jamak} per {kecamatan}",
    "portal.jumlah": "({jumlah})",
    "404.judul": "Halaman tidak ditemukan",
    "404.lead": "Alamat yang Anda buka tidak ada atau sudah dipindah.",
    "404.saran": "Coba cari, atau buka portal untuk melihat semua kelurahan.",
    "404.portal": "Ke portal {kota}",
    "umpan.judul": "Berita {wilayah} {nama}",
    "umpan.kota": "Berita kelurahan {kota}",
    "bagian.wisata": "Wisata",
    "bagian.umkm": "UMKM",
    "bagian.ikon": "Ikon & Kekhasan",
    "bagian.layanan": "Layanan",
    "bagian.berita": "Berita",
    "bagian.halaman": "Halaman",
    "bagian.wisata.deskripsi": "Tempat wisata dan tujuan kunjungan",
    "bagian.umkm.deskripsi": "Usaha mikro, kecil dan menengah warga",
    "bagian.ikon.deskripsi": "Ikon, tradisi dan kekhasan kelurahan",
    "bagian.layanan.deskripsi": "Layanan publik di kantor kelurahan",
    "bagian.berita.deskripsi": "Kabar terbaru dari kelurahan",
    "bagian.halaman.deskripsi": "Informasi lain tentang kelurahan",
}

_EN: dict[str, str] = {
    "lewati": "Skip to content",
    "menu": "Menu",
    "menu.label": "Menu of {wilayah} {nama}",
    "beranda": "Home",
    "cari": "Search",
    "cari.label": "Search every kelurahan site",
    "cari.contoh": "for example batik, moving letter",
    "cari.judul": "Search",
    "cari.lead": "Search places, businesses, services, news and pages of every kelurahan in {kota}.",
    "cari.semua_kelurahan": "All kelurahan",
    "cari.semua_bagian": "All sections",
    "cari.saring_kelurahan": "Kelurahan",
    "cari.saring_bagian": "Section",
    "cari.tanpa_js": "Search needs JavaScript. Without it, open the list of kelurahan on the portal.",
    "cari.hasil": "{jumlah} results for “{kata}”",
    "cari.kosong": "No results for “{kata}”.",
    "cari.gagal": "The search index is not available yet.",
    "kota.semua": "All {jamak}",
    "kaki.dibuat": "Made with the kelurahan site generator.",
    "kaki.peta": "Map: Leaflet, map data © OpenStreetMap contributors.",
    "kaki.umpan": "News feed (Atom)",
    "kantor": "{wilayah} {nama} office",
    "wilayah.nama": "{wilayah} {nama}",
    "kecamatan.nama": "{kecamatan} {nama}",
    "remah.label": "Breadcrumb",
    "peta.lokasi": "Location map",
    "peta.di_peta": "On the map",
    "peta.legenda": "Marker colours",
    "peta.kelurahan": "Kel. {nama}",
    "peta.perkiraan": "Approximate location",
    "jenis.kantor": "Kelurahan office",
    "jenis.wisata": "Places to visit",
    "jenis.umkm": "Small business",
    "jenis.ikon": "Icons & specialities",
    "jenis.beranda": "Kelurahan profile",
    "arah": "Directions",
    "arah.kantor": "Directions to the {wilayah} office",
    "perkiraan": "The point on the map is an approximate location.",
    "perkiraan.kantor": "(approximate office location)",
    "contoh": "sample",
    "contoh.konten": "Sample content",
    "contoh.profil": "Some information on this page is a sample, not official data.",
    "sumber": "Source: {sumber}",
    "layanan.persyaratan": "Requirements",
    "layanan.bawa": "Bring to the {wilayah} office:",
    "layanan.waktu": "Time",
    "layanan.biaya": "Fee",
    "layanan.tautan": "Link",
    "layanan.wa": "Apply via WhatsApp",
    "layanan.wa.catatan": "The WhatsApp message names the service and its requirements; this site stores nothing.",
    "layanan.wa.pesan": "Hello, I would like to apply for \"{layanan}\" at the {kantor}.",
    "layanan.wa.persyaratan": "Requirements I will prepare:",
    "layanan.cetak": "Printed from {alamat}",
    "profil.judul": "Profile and contact",
    "profil.kode_wilayah": "Region code",
    "profil.kode_pos": "Postal code",
    "profil.luas": "Area",
    "profil.penduduk": "Population",
    "profil.jiwa": "{jumlah} people",
    "profil.alamat": "Office address",
    "profil.jam": "Opening hours",
    "telepon": "Phone",
    "whatsapp": "WhatsApp",
    "email": "Email",
    "beranda.tentang": "About the {wilayah}",
    "beranda.jelajahi": "Explore the {wilayah}",
    "beranda.entri": "{jumlah} entries",
    "beranda.berita": "Latest news",
    "beranda.deskripsi": ("Profile of {wilayah} {nama}, Kecamatan {kecamatan}, {kota}: "
                          "services, places, businesses, news."),
    "bagian.lead": "{deskripsi} in {wilayah} {nama}.",
    "umkm.produk": "Products",
    "umkm.pemilik": "Owner",
    "umkm.alamat": "Address",
    "umkm.nib": "Business ID (NIB)",
    "umkm.halal": "Halal certificate",
    "umkm.halal.ada": "Yes",
    "umkm.halal.belum": "Not yet",
    "umkm.instagram": "Instagram",
    "umkm.situs": "Website",
    "umkm.wa": "Order via WhatsApp ({nomor})",
    "wisata.alamat": "Address",
    "wisata.jam": "Opening hours",
    "wisata.tiket": "Tickets",
    "portal.ringkas": "{jumlah}, {titik} points on the map.",
    "portal.data_terbuka": "Open data",
    "portal.peta": "Map of {kota}",
    "portal.daftar": "{jamak} by {kecamatan}",
    "portal.jumlah": "({jumlah})",
    "404.judul": "Page not found",
    "404.lead": "The address you opened does not exist or has moved.",
    "404.saran": "Try searching, or open the portal to see every kelurahan.",
    "404.portal": "Go to the {kota} portal",
    "umpan.judul": "News of {wilayah} {nama}",
    "umpan.kota": "Kelurahan news of {kota}",
    "bagian.wisata": "Places to visit",
    "bagian.umkm": "Small businesses",
    "bagian.ikon": "Icons & specialities",
    "bagian.layanan": "Services",
    "bagian.berita": "News",
    "bagian.halaman": "Pages",
    "bagian.wisata.deskripsi": "Places to visit",
    "bagian.umkm.deskripsi": "Micro, small and medium businesses of residents",
    "bagian.ikon.deskripsi": "Landmarks, traditions and specialities",
    "bagian.layanan.deskripsi": "Public services at the kelurahan office",
    "bagian.berita.deskripsi": "Latest news from the kelurahan",
    "bagian.halaman.deskripsi": "More about the kelurahan",
}

CATALOG: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"id": MappingProxyType(_ID), "en": MappingProxyType(_EN)})


def parameters(message: str) -> frozenset[str]:
    """The ``{names}`` a message expects."""
    return frozenset(name for _text, name, _spec, _conv in string.Formatter().parse(message) if name)


class Messages:
    """The catalog of one language, callable from templates as ``t(key, **params)``."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.catalog = CATALOG[language]

    def __call__(self, key: str, **params: Any) -> str:
        """The message ``key`` with its parameters filled in; unknown keys are a template bug."""
        return self.catalog[key].format_map(params)

    def pola(self, key: str) -> str:
        """The message ``key`` with its ``{names}`` left in, for a script to fill in."""
        return self.catalog[key]


def format_date(value: dt.date, language: str = DEFAULT_LANGUAGE) -> str:
    """``2024-08-17`` → ``17 Agustus 2024`` (``17 August 2024`` in English)."""
    return f"{value.day} {_MONTHS[language][value.month - 1]} {value.year}"


def format_number(value: float, decimals: int = 0, language: str = DEFAULT_LANGUAGE) -> str:
    """``1234.5`` → ``1.234,5`` in Indonesian, ``1,234.5`` in English."""
    thousands, decimal = _SEPARATORS[language]
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
