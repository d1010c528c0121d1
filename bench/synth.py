"""Seeded synthetic city for benchmarks: N kelurahan in our content format, plus a Hugo twin.

    python3 bench/synth.py --kelurahan 51 --seed 1 --out bench/out/city-51 [--check]

writes ``OUT/site`` (a site folder: the repo's ``config.yaml`` and ``templates/``, and
``kelurahan/<slug>/``) and ``OUT/hugo`` (the same Markdown bodies as a Hugo site with a
minimal layout, no theme, no maps). Each kelurahan has ``profil.yaml``, ``beranda.md`` and 56
Markdown pages: 10 wisata, 15 umkm, 6 ikon, 12 layanan, 10 berita, 3 halaman, each ~300-600
words of Indonesian-ish Markdown (headings, lists, links, bold; some tables and quotes).

The same ``--kelurahan`` and ``--seed`` always give byte-identical files. Free text never holds
16-digit numbers or mobile numbers (the privacy gate blocks those); phone numbers appear only
in ``telepon``/``whatsapp`` fields of ``profil.yaml`` and ``kontak:``. ``--check`` runs
``kelurahan check`` on the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo" / "layouts"
BOUNDARIES = "batas-kelurahan.geojson"  # kelurahan boundaries, with their notice in NOTICE.md

SECTION_COUNTS = {"wisata": 10, "umkm": 15, "ikon": 6, "layanan": 12, "berita": 10, "halaman": 3}
IKON_WITH_LOCATION = 4
SECTION_LABELS = {
    "wisata": ("Wisata", "Tempat wisata dan tujuan kunjungan"),
    "umkm": ("UMKM", "Usaha mikro, kecil dan menengah warga"),
    "ikon": ("Ikon & Kekhasan", "Ikon, tradisi dan kekhasan kelurahan"),
    "layanan": ("Layanan", "Layanan publik di kantor kelurahan"),
    "berita": ("Berita", "Kabar terbaru dari kelurahan"),
    "halaman": ("Halaman", "Informasi lain tentang kelurahan"),
}
FIXED_DATE = "2025-01-01"

# -- vocabulary --------------------------------------------------------------------------

NAME_HEAD = (
    "Karang",
    "Sido",
    "Sumber",
    "Tegal",
    "Ngampel",
    "Banyu",
    "Joyo",
    "Mangku",
    "Purwo",
    "Suko",
    "Tirto",
    "Wono",
    "Sri",
    "Manah",
    "Kebon",
    "Kali",
    "Gondang",
    "Pandan",
    "Kembang",
    "Tanjung",
    "Ngasem",
    "Krajan",
    "Mojo",
    "Bener",
)
NAME_TAIL = (
    "rejo",
    "mulyo",
    "harjo",
    "sari",
    "asri",
    "agung",
    "makmur",
    "luhur",
    "santoso",
    "utomo",
    "wiryo",
    "kerto",
    "dadi",
    "langu",
    "songo",
    "jati",
    "wangi",
    "kusumo",
    "laras",
    "winangun",
)
NAME_PART = ("", "Lor", "Kidul", "Wetan", "Kulon", "Tengah")

WISATA = (
    "Taman",
    "Kampung Wisata",
    "Pasar Seni",
    "Galeri Batik",
    "Pendapa",
    "Situs",
    "Embung",
    "Kampung Kuliner",
    "Museum Mini",
    "Joglo Budaya",
    "Omah Kreatif",
    "Kebun Edukasi",
)
WISATA_KIND = (
    "Wisata budaya",
    "Wisata kuliner",
    "Taman kota",
    "Wisata sejarah",
    "Wisata edukasi",
    "Kampung tematik",
)
UMKM = (
    "Batik Tulis",
    "Warung Soto",
    "Serabi",
    "Wedangan",
    "Kerajinan Bambu",
    "Jamu Gendong",
    "Intip Goreng",
    "Timlo",
    "Tenun Lurik",
    "Roti Kecik",
    "Bengkel Las",
    "Jahit Busana",
    "Keripik Tempe",
    "Gudeg Ceker",
    "Sablon Kaos",
    "Wayang Kulit",
)
UMKM_KIND = ("Kuliner", "Batik dan fesyen", "Kerajinan", "Jasa", "Minuman", "Oleh-oleh")
PRODUK = (
    "Kain batik tulis",
    "Kemeja batik",
    "Serabi kuah",
    "Wedang jahe",
    "Nasi liwet",
    "Keripik tempe",
    "Tas anyaman",
    "Kipas bambu",
    "Jamu kunyit asam",
    "Roti kecik",
    "Timlo sastro",
    "Selendang lurik",
    "Kaos sablon",
    "Wayang kardus",
    "Intip goreng",
    "Gudeg ceker",
    "Pesanan nasi kotak",
    "Permak pakaian",
)
IKON = (
    "Tradisi Kirab",
    "Masjid Tua",
    "Pohon Beringin",
    "Sendang",
    "Gapura Kampung",
    "Tari Gambyong",
    "Kesenian Keroncong",
    "Klenteng",
    "Langgar Kuno",
    "Sanggar Karawitan",
)
LAYANAN = (
    "Surat Keterangan Domisili",
    "Surat Keterangan Usaha",
    "Pengantar Nikah",
    "Surat Keterangan Tidak Mampu",
    "Pengantar Akta Kelahiran",
    "Pengantar Akta Kematian",
    "Pindah Datang",
    "Pindah Keluar",
    "Surat Keterangan Ahli Waris",
    "Surat Keterangan Harga Tanah",
    "Pengantar SKCK",
    "Legalisasi Dokumen",
    "Surat Keterangan Belum Menikah",
    "Pengantar Kartu Pencari Kerja",
)
PERSYARATAN = (
    "Surat pengantar RT/RW",
    "Fotokopi KTP-el",
    "Fotokopi Kartu Keluarga",
    "Pas foto berwarna",
    "Surat pernyataan bermeterai",
    "Akta kelahiran (fotokopi)",
    "Bukti lunas PBB tahun berjalan",
    "Formulir F-1 yang sudah diisi",
    "Fotokopi KTP-el dua orang saksi",
)
BERITA = (
    "Kerja Bakti",
    "Musyawarah Warga",
    "Pelatihan UMKM",
    "Posyandu Balita",
    "Lomba Kebersihan",
    "Pentas Seni",
    "Senam Bersama",
    "Bazar Kuliner",
    "Penanaman Pohon",
    "Sosialisasi Layanan",
    "Donor Darah",
    "Festival Kampung",
)
HALAMAN = (
    "Tentang Kelurahan",
    "Sejarah Singkat",
    "Struktur Organisasi",
    "Visi dan Misi",
    "Potensi Wilayah",
    "Kontak dan Pengaduan",
)

SUBJECTS = (
    "Warga",
    "Pengurus RT dan RW",
    "Karang taruna",
    "Ibu-ibu PKK",
    "Para pelaku usaha",
    "Pengunjung",
    "Petugas kelurahan",
    "Anak-anak sekolah",
    "Pengelola kampung",
    "Komunitas pemuda",
    "Para perajin",
    "Wisatawan dari luar kota",
    "Kader posyandu",
    "Lembaga pemberdayaan masyarakat",
    "Pedagang pasar",
    "Para sesepuh kampung",
)
VERBS = (
    "mengadakan",
    "menyiapkan",
    "mengembangkan",
    "merawat",
    "memperkenalkan",
    "mendukung",
    "menata",
    "membersihkan",
    "mengunjungi",
    "mempromosikan",
    "melestarikan",
    "mengelola",
    "menghidupkan kembali",
    "mendokumentasikan",
    "memperbaiki",
    "meramaikan",
)
OBJECTS = (
    "kegiatan kerja bakti",
    "pasar tradisional",
    "kampung batik",
    "taman bermain anak",
    "produk olahan rumahan",
    "kesenian karawitan",
    "jalur pejalan kaki",
    "lapak kuliner malam",
    "sanggar tari",
    "bank sampah",
    "posyandu balita",
    "pelatihan pemasaran digital",
    "perpustakaan kampung",
    "saluran air",
    "lumbung pangan",
    "kebun sayur warga",
    "ruang terbuka hijau",
    "arsip foto lama",
    "motif batik klasik",
    "resep masakan keluarga",
)
ADVERBIALS = (
    "setiap akhir pekan",
    "sejak beberapa tahun terakhir",
    "bersama pemerintah kelurahan",
    "di sekitar balai warga",
    "menjelang hari jadi kota",
    "dengan semangat gotong royong",
    "pada pagi hari",
    "selama bulan Ramadan",
    "di halaman kantor kelurahan",
    "secara bergiliran antar-RW",
    "tanpa memungut biaya",
    "dengan dukungan dinas terkait",
)
CLAUSES = (
    "sehingga suasana kampung semakin hidup",
    "agar generasi muda mengenal budaya sendiri",
    "supaya lingkungan tetap bersih dan sehat",
    "sehingga pendapatan keluarga bertambah",
    "agar layanan kepada warga makin cepat",
    "sehingga tamu merasa betah berkunjung",
    "agar tradisi lama tidak hilang",
    "supaya informasi sampai ke seluruh warga",
    "sehingga banyak pembeli datang dari kelurahan tetangga",
    "agar anak-anak punya tempat bermain yang aman",
)
OPENERS = (
    "Selain itu,",
    "Menurut pengurus setempat,",
    "Pada umumnya,",
    "Tidak hanya itu,",
    "Dalam beberapa kesempatan,",
    "Seperti tahun-tahun sebelumnya,",
    "Sementara itu,",
    "",
)
HEADINGS = (
    "Sejarah singkat",
    "Kegiatan warga",
    "Yang bisa dilakukan",
    "Cara berkunjung",
    "Catatan untuk pengunjung",
    "Peran warga",
    "Rencana ke depan",
    "Informasi tambahan",
    "Alur pelayanan",
    "Tips dan saran",
    "Latar belakang",
    "Hasil kegiatan",
)
LINK_TARGETS = (
    ("situs Pemerintah Kota Surakarta", "https://surakarta.go.id/"),
    ("portal pariwisata Solo", "https://pariwisata.surakarta.go.id/"),
    ("informasi Dispendukcapil", "https://dispendukcapil.surakarta.go.id/"),
    ("peta OpenStreetMap", "https://www.openstreetmap.org/"),
    ("panduan pelayanan publik", "https://example.org/panduan-pelayanan"),
    ("kanal berita kelurahan", "https://example.org/berita-kelurahan"),
)
MOBILE_PREFIXES = (
    "0812",
    "0813",
    "0821",
    "0822",
    "0852",
    "0853",
    "0856",
    "0857",
    "0877",
    "0878",
    "0895",
    "0896",
)
JAM = (
    "Senin-Jumat 08.00-15.00",
    "Setiap hari 07.00-21.00",
    "Sabtu-Minggu 09.00-17.00",
    "Buka 24 jam",
    "Selasa-Minggu 08.30-16.00",
)


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens (same rule as the generator's slugs)."""
    out, word = [], []
    for char in text.lower():
        if char.isascii() and char.isalnum():
            word.append(char)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return "-".join(out)


# -- Markdown bodies -----------------------------------------------------------------------


class Prose:
    """Seeded Indonesian-ish Markdown: paragraphs, headings, lists, links, bold."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def sentence(self, topic: str, plain: bool = False) -> str:
        """One sentence; unless ``plain``, sometimes with bold text or a link."""
        r = self.rng
        obj = r.choice(OBJECTS)
        roll = r.random()
        if roll < 0.12 and not plain:
            obj = f"**{obj}**"
        elif roll < 0.2 and not plain:
            label, url = r.choice(LINK_TARGETS)
            obj = f"{obj} (lihat [{label}]({url}))"
        opener = r.choice(OPENERS)
        subject = r.choice(SUBJECTS)
        if opener:
            subject = subject[0].lower() + subject[1:]
        parts = [opener, subject, r.choice(VERBS), obj, r.choice(ADVERBIALS)]
        text = " ".join(p for p in parts if p)
        if r.random() < 0.6:
            text += ", " + r.choice(CLAUSES)
        if r.random() < 0.25:
            text += f" di sekitar {topic}"
        if r.random() < 0.1:
            text += f" sejak tahun {r.randint(1985, 2024)}"
        text = text[0].upper() + text[1:]
        return text + "."

    def paragraph(self, topic: str) -> str:
        return " ".join(self.sentence(topic) for _ in range(self.rng.randint(3, 6)))

    def bullets(self, topic: str, ordered: bool = False) -> str:
        items = []
        for number in range(1, self.rng.randint(3, 6) + 1):
            item = f"{self.rng.choice(VERBS).capitalize()} {self.rng.choice(OBJECTS)}"
            if self.rng.random() < 0.4:
                item += f" {self.rng.choice(ADVERBIALS)}"
            if self.rng.random() < 0.2:
                item = f"**{item}**"
            items.append(f"{number}. {item}" if ordered else f"- {item}")
        return "\n".join(items)

    def table(self) -> str:
        rows = ["| Keterangan | Isi |", "| --- | --- |"]
        for _ in range(self.rng.randint(3, 5)):
            rows.append(
                f"| {self.rng.choice(OBJECTS).capitalize()} | {self.rng.choice(ADVERBIALS)} |"
            )
        return "\n".join(rows)

    def body(self, topic: str, words: int) -> str:
        """Markdown of roughly ``words`` words about ``topic``."""
        blocks = [self.paragraph(topic)]
        count = len(blocks[0].split())
        headings = list(HEADINGS)
        self.rng.shuffle(headings)
        while count < words:
            roll = self.rng.random()
            if roll < 0.22 and headings:
                block = f"## {headings.pop()}"
            elif roll < 0.36:
                block = self.bullets(topic, ordered=self.rng.random() < 0.3)
            elif roll < 0.40:
                block = self.table()
            elif roll < 0.45:
                block = "> " + self.sentence(topic)
            else:
                block = self.paragraph(topic)
            blocks.append(block)
            count += len(block.split())
        return "\n\n".join(blocks) + "\n"


# -- the city --------------------------------------------------------------------------------


@dataclass
class Item:
    """One Markdown page: its section, file slug, front matter and body."""

    section: str
    slug: str
    title: str
    front: dict[str, Any]
    body: str
    date: str = FIXED_DATE


@dataclass
class Kelurahan:
    """One synthetic kelurahan."""

    slug: str
    nama: str
    kecamatan: str
    kecamatan_nama: str
    profil: dict[str, Any]
    beranda: str
    items: list[Item] = field(default_factory=list)


class City:
    """Generates N kelurahan inside the bounds of ``config.yaml``."""

    def __init__(self, config: dict[str, Any], n: int, seed: int) -> None:
        self.config = config
        self.n = n
        self.rng = random.Random(f"kelurahan-bench:{seed}:{n}")
        self.prose = Prose(self.rng)
        box = config["peta"]["batas"]
        self.south, self.west, self.north, self.east = (
            box["selatan"],
            box["barat"],
            box["utara"],
            box["timur"],
        )

    def names(self) -> list[str]:
        combos = [
            " ".join(p for p in (head + tail, part) if p)
            for head in NAME_HEAD
            for tail in NAME_TAIL
            for part in NAME_PART
        ]
        if self.n > len(combos):
            raise SystemExit(f"at most {len(combos)} kelurahan")
        base = [c for c in combos if " " not in c]
        self.rng.shuffle(base)
        rest = [c for c in combos if " " in c]
        self.rng.shuffle(rest)
        return (base + rest)[: self.n]

    def point(
        self, centre: tuple[float, float] | None = None, spread: float = 0.004
    ) -> dict[str, float]:
        margin = 0.002
        if centre is None:
            lat = self.rng.uniform(self.south + margin, self.north - margin)
            lon = self.rng.uniform(self.west + margin, self.east - margin)
        else:
            lat = min(
                max(centre[0] + self.rng.uniform(-spread, spread), self.south + margin),
                self.north - margin,
            )
            lon = min(
                max(centre[1] + self.rng.uniform(-spread, spread), self.west + margin),
                self.east - margin,
            )
        return {"lat": round(lat, 5), "lon": round(lon, 5)}

    def phone(self, mobile: bool) -> str:
        digits = "".join(str(self.rng.randint(0, 9)) for _ in range(8))
        if mobile:
            return f"{self.rng.choice(MOBILE_PREFIXES)}-{digits[:4]}-{digits[4:]}"
        return f"0271-{digits[:6]}"

    def unique(self, pool: tuple[str, ...], suffix: str, count: int) -> list[str]:
        seen: set[str] = set()
        titles: list[str] = []
        while len(titles) < count:
            title = (
                f"{self.rng.choice(pool)} {self.rng.choice(NAME_HEAD)}{self.rng.choice(NAME_TAIL)}"
            )
            if len(seen) > 40 or self.rng.random() < 0.3:
                title += f" {suffix}"
            if slugify(title) not in seen:
                seen.add(slugify(title))
                titles.append(title)
        return titles

    def kelurahan(self, nama: str) -> Kelurahan:
        r = self.rng
        kec = r.choice(self.config["kecamatan"])
        centre_point = self.point()
        centre = (centre_point["lat"], centre_point["lon"])
        slug = slugify(nama)
        profil = {
            "nama": nama,
            "kecamatan": kec["slug"],
            "kode_wilayah": f"{kec['kode']}.{r.randint(1001, 1099)}",
            "kode_pos": f"571{r.randint(10, 99)}",
            "lokasi": centre_point,
            "alamat": f"Jl. {r.choice(NAME_HEAD)}{r.choice(NAME_TAIL)} No. {r.randint(1, 99)}, "
            + nama,
            "telepon": self.phone(mobile=False),
            "whatsapp": self.phone(mobile=True),
            "email": f"kelurahan.{slug}@example.org",
            "jam_layanan": "Senin-Kamis 07.30-15.00, Jumat 07.30-11.30",
            "lurah": f"{r.choice(('Bapak', 'Ibu'))} {r.choice(NAME_HEAD)}{r.choice(NAME_TAIL)}",
            "luas_km2": round(r.uniform(0.3, 3.5), 2),
            "penduduk": r.randint(3000, 25000),
            "ringkasan": f"Kelurahan {nama} berada di Kecamatan {kec['nama']}, Kota Surakarta. "
            + self.prose.sentence(nama),
            "media_sosial": {"instagram": f"https://www.instagram.com/kel.{slug.replace('-', '')}"},
            "contoh": True,
        }
        beranda = (
            f"Selamat datang di situs Kelurahan {nama}, Kecamatan {kec['nama']}.\n\n"
            + self.prose.body(nama, r.randint(200, 350))
        )
        kel = Kelurahan(slug, nama, kec["slug"], kec["nama"], profil, beranda)
        for section, count in SECTION_COUNTS.items():
            kel.items.extend(self.items(kel, section, count, centre))
        return kel

    def items(
        self, kel: Kelurahan, section: str, count: int, centre: tuple[float, float]
    ) -> list[Item]:
        r = self.rng
        pools = {
            "wisata": WISATA,
            "umkm": UMKM,
            "ikon": IKON,
            "layanan": LAYANAN,
            "berita": BERITA,
            "halaman": HALAMAN,
        }
        titles = self.unique(pools[section], kel.nama, count)
        items = []
        for index, title in enumerate(titles):
            front: dict[str, Any] = {}
            date = FIXED_DATE
            words = r.randint(300, 600)
            ringkasan = self.prose.sentence(kel.nama, plain=True)
            if section == "wisata":
                front = {
                    "nama": title,
                    "kategori": r.choice(WISATA_KIND),
                    "lokasi": self.point(centre),
                    "alamat": f"Kelurahan {kel.nama}",
                    "jam_buka": r.choice(JAM),
                    "tiket": r.choice(("Gratis", "Rp5.000", "Rp10.000")),
                }
            elif section == "umkm":
                kontak: dict[str, str] = {"whatsapp": self.phone(mobile=True)}
                if r.random() < 0.4:
                    kontak["telepon"] = self.phone(mobile=False)
                if r.random() < 0.5:
                    kontak["email"] = f"{slugify(title).replace('-', '.')}@example.org"
                if r.random() < 0.3:
                    kontak["instagram"] = "@" + slugify(title).replace("-", "")[:24]
                front = {
                    "nama": title,
                    "kategori": r.choice(UMKM_KIND),
                    "lokasi": self.point(centre),
                    "produk": r.sample(PRODUK, r.randint(2, 5)),
                    "pemilik": f"{r.choice(('Bu', 'Pak'))} {r.choice(NAME_HEAD)}",
                    "alamat": f"RT {r.randint(1, 9):02d}/RW {r.randint(1, 9):02d}, {kel.nama}",
                    "halal": r.random() < 0.6,
                    "kontak": kontak,
                }
            elif section == "ikon":
                front = {
                    "nama": title,
                    "kategori": r.choice(("Religi", "Tradisi", "Kesenian", "Alam")),
                }
                if index < IKON_WITH_LOCATION:
                    front["lokasi"] = self.point(centre)
            elif section == "layanan":
                front = {
                    "nama": title,
                    "persyaratan": r.sample(PERSYARATAN, r.randint(2, 5)),
                    "waktu": f"sekitar {r.choice((10, 15, 30, 60))} menit",
                    "biaya": "gratis",
                    "tautan": "https://example.org/layanan/" + slugify(title),
                }
            elif section == "berita":
                day = dt.date(2023, 1, 1) + dt.timedelta(days=r.randint(0, 900))
                date = day.isoformat()
                front = {"judul": title, "tanggal": date}
            else:
                front = {"judul": title}
            front["ringkasan"] = ringkasan
            if r.random() < 0.5:
                front["contoh"] = True
            body = self.prose.body(title, words)
            items.append(Item(section, slugify(title), title, front, body, date))
        return items


# -- writing -------------------------------------------------------------------------------


def _yaml(data: dict[str, Any]) -> str:
    """Our strict YAML: phone numbers, dates and codes quoted; flow style for lokasi."""
    lines = []
    for key, value in data.items():
        if key == "lokasi":
            lines.append(f"lokasi: {{lat: {value['lat']}, lon: {value['lon']}}}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items())
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  - {json.dumps(v, ensure_ascii=False)}" for v in value)
        elif isinstance(value, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_site(kels: list[Kelurahan], site: Path) -> int:
    """Our site folder; returns the number of files written."""
    shutil.copyfile(REPO / "config.yaml", site / "config.yaml")
    shutil.copyfile(REPO / BOUNDARIES, site / BOUNDARIES)  # config.yaml names it (peta.batas_kelurahan)
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", site / "templates", dirs_exist_ok=True)
    files = 0
    for kel in kels:
        root = site / "kelurahan" / kel.slug
        _write(root / "profil.yaml", _yaml(kel.profil))
        _write(root / "beranda.md", kel.beranda)
        files += 2
        for item in kel.items:
            _write(
                root / item.section / f"{item.slug}.md", f"---\n{_yaml(item.front)}---\n{item.body}"
            )
            files += 1
    return files


HUGO_CONFIG = """\
baseURL = "https://kelurahan.example.org/"
languageCode = "id"
title = "{title}"
relativeURLs = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
enableGitInfo = false

[markup.goldmark.renderer]
unsafe = false

[params]
kota = "{kota}"
deskripsi = "{deskripsi}"
"""


def _front_hugo(data: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


def write_hugo(config: dict[str, Any], kels: list[Kelurahan], hugo: Path) -> int:
    """The same corpus as a Hugo site; returns the number of content files written."""
    _write(
        hugo / "hugo.toml",
        HUGO_CONFIG.format(
            title=config["judul"],
            kota=config["nama"],
            deskripsi=" ".join(config["deskripsi"].split()),
        ),
    )
    shutil.copytree(HUGO_LAYOUTS, hugo / "layouts", dirs_exist_ok=True)
    kecamatan = [{"nama": k["nama"], "slug": k["slug"]} for k in config["kecamatan"]]
    _write(hugo / "data" / "kecamatan.json", json.dumps(kecamatan, ensure_ascii=False))
    _write(
        hugo / "content" / "_index.md", _front_hugo({"title": config["judul"], "date": FIXED_DATE})
    )
    files = 1
    for kel in kels:
        root = hugo / "content" / kel.slug
        profil = {
            k: v for k, v in kel.profil.items() if k not in ("nama", "lokasi", "media_sosial")
        }
        front = {
            "title": f"Kelurahan {kel.nama}",
            "date": FIXED_DATE,
            "kecamatan_nama": kel.kecamatan_nama,
            **profil,
            "lokasi": kel.profil["lokasi"],
        }
        _write(root / "_index.md", _front_hugo(front) + kel.beranda)
        files += 1
        for section, (label, description) in SECTION_LABELS.items():
            _write(
                root / section / "_index.md",
                _front_hugo(
                    {"title": label, "date": FIXED_DATE, "jenis": section, "deskripsi": description}
                ),
            )
            files += 1
        for item in kel.items:
            params = {k: v for k, v in item.front.items() if k not in ("nama", "judul", "tanggal")}
            front = {"title": item.title, "date": item.date, **params}
            _write(root / item.section / f"{item.slug}.md", _front_hugo(front) + item.body)
            files += 1
    return files


def generate(n: int, seed: int, out: Path, hugo: bool = True) -> dict[str, Any]:
    """Write ``out/site`` (and ``out/hugo``); return a small description of what was made."""
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    city = City(config, n, seed)
    kels = [city.kelurahan(nama) for nama in city.names()]
    for sub in ("site", "hugo"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "site").mkdir(parents=True)
    files = write_site(kels, out / "site")
    if hugo:
        write_hugo(config, kels, out / "hugo")
    pages = sum(len(k.items) for k in kels)
    words = sum(len(i.body.split()) for k in kels for i in k.items)
    umkm = next(i for i in kels[0].items if i.section == "umkm")
    return {
        "kelurahan": n,
        "seed": seed,
        "source_files": files,
        "markdown_pages": pages,
        "output_pages": pages + 7 * n + 1,
        "mean_words": round(words / pages),
        "edit_target": f"kelurahan/{kels[0].slug}/umkm/{umkm.slug}.md",
        "slugs": [k.slug for k in kels],
    }


def _stamp_key(n: int, seed: int) -> str:
    digest = hashlib.sha256(f"{n}:{seed}".encode())
    inputs = [Path(__file__).resolve(), REPO / "config.yaml", REPO / BOUNDARIES]
    for folder in (REPO / "templates", HUGO_LAYOUTS):
        inputs += sorted(p for p in folder.rglob("*") if p.is_file())
    for path in inputs:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def ensure_city(n: int, seed: int, root: Path) -> tuple[Path, dict[str, Any]]:
    """``root/city-N-sSEED`` made by this exact synth.py and config, reused when unchanged.

    The edit target is restored to its generated bytes (a benchmark stopped half-way may
    have left it edited) and a left-over preview folder is removed."""
    out = root / f"city-{n}-s{seed}"
    stamp = out / "synth.json"
    key = _stamp_key(n, seed)
    try:
        info = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    if (
        info.get("key") != key
        or not (out / "site" / "kelurahan").is_dir()
        or not (out / "hugo").is_dir()
    ):
        stamp.unlink(missing_ok=True)
        info = generate(n, seed, out)
        target = out / "site" / info["edit_target"]
        info.update(key=key, edit_original=target.read_text(encoding="utf-8"))
        stamp.write_text(json.dumps(info), encoding="utf-8")
    target = out / "site" / info["edit_target"]
    if target.read_text(encoding="utf-8") != info["edit_original"]:
        target.write_text(info["edit_original"], encoding="utf-8")
    shutil.rmtree(out / "site" / ".pratinjau", ignore_errors=True)
    return out, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kelurahan", "-n", type=int, default=51, help="number of kelurahan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for site/ and hugo/")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo twin")
    parser.add_argument("--check", action="store_true", help="run `kelurahan check` afterwards")
    args = parser.parse_args(argv)
    info = generate(args.kelurahan, args.seed, args.out, hugo=not args.no_hugo)
    info.pop("slugs")
    print(json.dumps(info, indent=2))
    if args.check:
        exe = shutil.which("kelurahan")
        if exe is None:
            print("kelurahan not on PATH (pip install -e .)", file=sys.stderr)
            return 2
        return subprocess.run(
            [exe, "--site", str(args.out / "site"), "check"], check=False
        ).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
