"""The files ``kelurahan new`` writes: a commented profile and one example per section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Kecamatan, Location


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Asal:
    """What the national list says about a place: its code, postal code, and why a point is approximate."""

    kode_wilayah: str
    kode_pos: str = ""
    perkiraan: str = ""  # e.g. "titik tengah wilayah desa": the point is only an estimate


def profile_yaml(nama: str, kecamatan: Kecamatan, lokasi: Location, asal: Asal | None = None,
                 satuan: str = "Kelurahan", kepala: str = "Lurah") -> str:
    """A commented ``profil.yaml`` that passes ``kelurahan check`` as it is."""
    point = f"{{lat: {lokasi.lat}, lon: {lokasi.lon}}}"
    if asal is not None and asal.perkiraan:
        place = (f"# Lokasi kantor: {asal.perkiraan}, hanya perkiraan. Ganti dengan lokasi kantor\n"
                 "# yang sebenarnya (tempel tautan Google Maps atau tulis lintang, bujur),\n"
                 f"# lalu hapus baris lokasi_perkiraan.\nlokasi: {point}\nlokasi_perkiraan: true\n")
    else:
        place = (f"# Lokasi kantor {satuan.lower()}. Boleh juga menempel tautan Google Maps atau "
                 f"\"{lokasi.lat}, {lokasi.lon}\".\nlokasi: {point}\n")
    if asal is not None:
        codes = f"# Dari daftar wilayah Kemendagri (lihat NOTICE.md):\nkode_wilayah: {_quote(asal.kode_wilayah)}\n"
        codes += f"kode_pos: {_quote(asal.kode_pos)}\n" if asal.kode_pos else ""
        optional = ""
    else:
        codes = ""
        optional = f'# kode_wilayah: "{kecamatan.kode}.1001"\n# kode_pos: "12345"\n'
    return f"""\
# Profil {satuan} {nama}. Baris yang diawali '#' adalah catatan dan tidak ditampilkan.
# Panduan lengkap: docs/panduan-konten.md

# Wajib diisi:
nama: {_quote(nama)}
kecamatan: {kecamatan.slug}
{place}
{codes}{"" if not codes else chr(10)}# Boleh diisi (hapus tanda '#' di depan baris untuk memakainya):
{optional}# alamat: "Jl. Contoh No. 1"
# telepon: "nomor telepon kantor"
# whatsapp: "nomor WhatsApp resmi kantor"
# email: {satuan.lower()}@example.org
# jam_layanan: "Senin-Kamis 07.30-15.00, Jumat 07.30-11.30"
{_kepala_lines(kepala)}# luas_km2: 0.5
# penduduk: 10000
# ringkasan: "Satu atau dua kalimat tentang {satuan.lower()} ini."
# foto: media/kantor.jpg
# media_sosial:
#   instagram: https://www.instagram.com/akun_{satuan.lower()}/
"""


def _kepala_lines(kepala: str) -> str:
    if kepala == "Lurah":
        return '# lurah: "Nama Lurah"\n'
    return f'# Nama {kepala} ditulis di isian lurah (halaman menampilkan "{kepala}"):\n# lurah: "Nama {kepala}"\n'


def example_entries(nama: str, lokasi: Location, today: dt.date, satuan: str = "Kelurahan") -> dict[str, str]:
    """One example Markdown file per section, keyed by path relative to the kelurahan folder."""
    nama = f"{satuan} {nama}"
    point = f"{{lat: {lokasi.lat}, lon: {lokasi.lon}}}"
    note = "Ini contoh. Ganti isinya atau hapus berkas ini."
    return {
        "wisata/contoh-wisata.md": f"---\nnama: Contoh Tempat Wisata\nkategori: Taman\nlokasi: {point}\n"
                                   f"contoh: true\nringkasan: Tempat wisata contoh di {nama}.\n---\n{note}\n",
        "umkm/contoh-umkm.md": f"---\nnama: Contoh Usaha Warga\nkategori: Kuliner\nlokasi: {point}\n"
                               f"produk:\n  - Nasi liwet\n  - Wedang jahe\nhalal: true\ncontoh: true\n"
                               f"kontak:\n  whatsapp: \"0812-0000-0000\"\n---\n{note}\n",
        "ikon/contoh-ikon.md": f"---\nnama: Contoh Ikon\nkategori: Tradisi\ncontoh: true\n---\n{note}\n",
        "layanan/contoh-layanan.md": "---\nnama: Surat Keterangan Domisili\npersyaratan:\n"
                                     "  - Surat pengantar RT/RW\n  - Fotokopi KTP-el\nwaktu: sekitar 10 menit\n"
                                     f"biaya: gratis\ncontoh: true\n---\n{note}\n",
        "berita/contoh-berita.md": f"---\njudul: Contoh Berita\ntanggal: \"{today.isoformat()}\"\n"
                                   f"contoh: true\n---\n{note}\n",
        "halaman/tentang.md": f"---\njudul: Tentang {nama}\ncontoh: true\n---\n{note}\n",
    }
