"""The files ``kelurahan new`` writes: a commented profile and one example per section."""

from __future__ import annotations

import datetime as dt

from .models import Kecamatan, Location


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def profile_yaml(nama: str, kecamatan: Kecamatan, lokasi: Location) -> str:
    """A commented ``profil.yaml`` that passes ``kelurahan check`` as it is."""
    return f"""\
# Profil Kelurahan {nama}. Baris yang diawali '#' adalah catatan dan tidak ditampilkan.
# Panduan lengkap: docs/panduan-konten.md

# Wajib diisi:
nama: {_quote(nama)}
kecamatan: {kecamatan.slug}
# Lokasi kantor kelurahan. Boleh juga menempel tautan Google Maps atau "-7.57, 110.82".
lokasi: {{lat: {lokasi.lat}, lon: {lokasi.lon}}}

# Boleh diisi (hapus tanda '#' di depan baris untuk memakainya):
# kode_wilayah: "{kecamatan.kode}.1001"
# kode_pos: "57100"
# alamat: "Jl. Contoh No. 1"
# telepon: "0271-000000"
# whatsapp: "nomor WhatsApp resmi kantor"
# email: kelurahan@example.org
# jam_layanan: "Senin-Kamis 07.30-15.00, Jumat 07.30-11.30"
# lurah: "Nama Lurah"
# luas_km2: 0.5
# penduduk: 10000
# ringkasan: "Satu atau dua kalimat tentang kelurahan."
# foto: media/kantor.jpg
# media_sosial:
#   instagram: https://www.instagram.com/akun_kelurahan/
"""


def example_entries(nama: str, lokasi: Location, today: dt.date) -> dict[str, str]:
    """One example Markdown file per section, keyed by path relative to the kelurahan folder."""
    point = f"{{lat: {lokasi.lat}, lon: {lokasi.lon}}}"
    note = "Ini contoh. Ganti isinya atau hapus berkas ini."
    return {
        "wisata/contoh-wisata.md": f"---\nnama: Contoh Tempat Wisata\nkategori: Taman\nlokasi: {point}\n"
                                   f"contoh: true\nringkasan: Tempat wisata contoh di Kelurahan {nama}.\n---\n{note}\n",
        "umkm/contoh-umkm.md": f"---\nnama: Contoh Usaha Warga\nkategori: Kuliner\nlokasi: {point}\n"
                               f"produk:\n  - Nasi liwet\n  - Wedang jahe\nhalal: true\ncontoh: true\n"
                               f"kontak:\n  whatsapp: \"0812-0000-0000\"\n---\n{note}\n",
        "ikon/contoh-ikon.md": f"---\nnama: Contoh Ikon Kelurahan\nkategori: Tradisi\ncontoh: true\n---\n{note}\n",
        "layanan/contoh-layanan.md": "---\nnama: Surat Keterangan Domisili\npersyaratan:\n"
                                     "  - Surat pengantar RT/RW\n  - Fotokopi KTP-el\nwaktu: sekitar 10 menit\n"
                                     f"biaya: gratis\ncontoh: true\n---\n{note}\n",
        "berita/contoh-berita.md": f"---\njudul: Contoh Berita Kelurahan\ntanggal: \"{today.isoformat()}\"\n"
                                   f"contoh: true\n---\n{note}\n",
        "halaman/tentang.md": f"---\njudul: Tentang Kelurahan {nama}\ncontoh: true\n---\n{note}\n",
    }
