"""The plan of a new site (pure): from a kota's or kabupaten's rows to the files of its site folder.

Nothing here reads or writes files: ``buat.py`` reads the list and the boundary file, asks for a
plan, and writes it.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..content import KELURAHAN_DIR, PROFILE_FILE, RESERVED_SLUGS
from ..errors import FieldError
from ..models import Bounds, Kecamatan, Location
from ..scaffold import Asal, profile_yaml
from .daftar import Wilayah, name_key
from .istilah import DESA, KELURAHAN, Pilihan, jenis_daerah, untuk_satuan

BOUNDARY_FILE = "batas-kelurahan.geojson"
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_CREDIT = '&copy; <a href="https://www.openstreetmap.org/copyright">Kontributor OpenStreetMap</a>'
UNITS = ("kelurahan", "desa")


@dataclass(frozen=True)
class Satuan:
    """One desa or kelurahan of the new site."""

    wilayah: Wilayah
    slug: str
    kecamatan: Kecamatan


@dataclass(frozen=True)
class Rencana:
    """Everything ``init`` writes: file path (relative to the new folder) → text."""

    kota: Wilayah
    kecamatan: tuple[Kecamatan, ...]
    satuan: tuple[Satuan, ...]
    files: dict[str, str]

    def jumlah(self) -> str:
        """'46 kelurahan' or '469 desa dan 25 kelurahan'."""
        kinds = Counter(s.wilayah.tingkat for s in self.satuan)
        return " dan ".join(f"{kinds[k]} {k}" for k in (DESA, KELURAHAN) if kinds[k])


def slugify(name: str) -> str:
    """'Pasi Kuala Ba'u' → 'pasi-kuala-bau' (ASCII letters and digits joined by hyphens)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", re.sub(r"['`]", "", folded)))


def _kecamatan(rows: Sequence[Wilayah]) -> list[Kecamatan]:
    bases = [slugify(r.nama) or r.kode.replace(".", "-") for r in rows]
    counts = Counter(bases)
    return [Kecamatan(r.nama, base if counts[base] == 1 else f"{base}-{r.kode[-2:]}", r.kode)
            for r, base in zip(rows, bases, strict=True)]


def unique_slugs(units: Sequence[Wilayah], kecamatan: dict[str, Kecamatan]) -> dict[str, str]:
    """A slug per code: the name, plus the kecamatan where names clash, plus the code where even that clashes."""
    bases = {u.kode: slugify(u.nama) for u in units}
    counts = Counter(bases.values())
    slugs = {}
    for unit in units:
        base = bases[unit.kode]
        if counts[base] > 1 or base in RESERVED_SLUGS or not base:
            base = "-".join(p for p in (base, kecamatan[unit.induk].slug) if p)
        slugs[unit.kode] = base
    counts = Counter(slugs.values())
    return {kode: slug if counts[slug] == 1 else f"{slug}-{kode.rsplit('.', 1)[1]}" for kode, slug in slugs.items()}


def choose_kecamatan(all_rows: Sequence[Kecamatan], kota: Wilayah, wanted: Iterable[str]) -> list[Kecamatan]:
    """The kecamatan named by ``--kecamatan`` (names, slugs or codes, comma-separated); all when none."""
    words = [w.strip() for item in wanted for w in item.split(",") if w.strip()]
    if not words:
        return list(all_rows)
    chosen: dict[str, Kecamatan] = {}
    for word in words:
        key = name_key(word)
        match = [k for k in all_rows if word in (k.kode, k.slug, k.kode[-2:]) or key == name_key(k.nama)]
        if not match:
            names = {name_key(k.nama): k.nama for k in all_rows}
            close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
            hint = f"maksud Anda '{names[close[0]]}'?" if close else \
                "pilihan: " + ", ".join(k.slug for k in all_rows)
            raise FieldError(f"kecamatan '{word}' tidak ada di {kota.nama}", hint)
        chosen.update((k.kode, k) for k in match)
    return [k for k in all_rows if k.kode in chosen]


def _union(boxes: Iterable[Bounds]) -> Bounds:
    items = list(boxes)
    return Bounds(min(b.south for b in items), min(b.west for b in items),
                  max(b.north for b in items), max(b.east for b in items))


def with_margin(box: Bounds) -> Bounds:
    """The box grown by 10 % of its size (at least about 1 km) on every side, rounded outward."""
    dlat = max((box.north - box.south) * 0.1, 0.01)
    dlon = max((box.east - box.west) * 0.1, 0.01)
    return Bounds(math.floor((box.south - dlat) * 1000) / 1000, math.floor((box.west - dlon) * 1000) / 1000,
                  math.ceil((box.north + dlat) * 1000) / 1000, math.ceil((box.east + dlon) * 1000) / 1000)


def zoom_for(box: Bounds) -> int:
    """The map zoom that shows the box on a map about 800 x 500 pixels wide."""
    span_lon = max(box.east - box.west, 1e-6)
    span_lat = max(box.north - box.south, 1e-6)
    fit = min(800 * 360 / (256 * span_lon), 500 * 360 / (256 * span_lat))
    return max(5, min(16, int(math.log2(fit))))


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _title(jamak: str) -> str:
    return " ".join(w if w == "dan" else w.capitalize() for w in jamak.split())


@dataclass(frozen=True)
class _Map:
    pusat: Location
    zoom: int
    batas: Bounds


def _map(kota: Wilayah, rows: Sequence[Wilayah], whole: bool) -> _Map:
    boxes = [r.batas for r in rows if r.batas is not None] or ([kota.batas] if kota.batas else [])
    if not boxes:
        raise FieldError(f"{kota.nama} tidak punya batas wilayah di daftar", "isi peta.batas di config.yaml sendiri")
    box = _union(boxes)
    centres = [r.pusat for r in rows if r.pusat is not None]
    if whole and kota.pusat is not None:
        pusat = kota.pusat
    elif centres:
        pusat = Location(round(sum(c.lat for c in centres) / len(centres), 5),
                         round(sum(c.lon for c in centres) / len(centres), 5))
    else:
        pusat = Location(round((box.south + box.north) / 2, 5), round((box.west + box.east) / 2, 5))
    return _Map(pusat, zoom_for(box), with_margin(box))


def config_yaml(kota: Wilayah, kecamatan: Sequence[Kecamatan], jumlah: str, jamak: str, peta: _Map,
                batas_file: str | None) -> str:
    """The new site's ``config.yaml`` (valid for ``kelurahan check`` as it is)."""
    lines = "\n".join(f"  - {{nama: {_quote(k.nama)}, slug: {k.slug}, kode: {_quote(k.kode)}}}" for k in kecamatan)
    b = peta.batas
    boundary = f"  # Batas tiap {jamak} (GeoJSON, properti kode = kode_wilayah); lisensinya di NOTICE.md.\n" \
               f"  batas_kelurahan: {batas_file}\n" if batas_file else ""
    return f"""\
# Konfigurasi situs {kota.nama} untuk semua situs {jamak} (dikelola Diskominfo).
# Dibuat oleh 'kelurahan init' dari daftar wilayah Kemendagri (sumber dan lisensi: NOTICE.md).
# Kunci yang tidak dikenal dilaporkan sebagai kesalahan.
nama: {_quote(kota.nama)}
judul: {_quote("Portal " + _title(jamak) + " " + kota.nama)}
deskripsi: {_quote(f"Profil, layanan, wisata, UMKM dan berita dari {jumlah} di {kota.nama}, dengan peta lokasi.")}
# Kode Kemendagri {kota.nama}: 'kelurahan check' mencocokkan setiap kode_wilayah dengan daftar wilayah.
kode_wilayah: {_quote(kota.kode)}
# Alamat tempat situs diterbitkan, misalnya https://desa.contoh.go.id/ (dipakai untuk tautan kanonik).
# Isi sebelum situs diterbitkan; semua tautan internal tetap relatif.
base_url:

kecamatan:
{lines}

peta:
  pusat: {{lat: {peta.pusat.lat}, lon: {peta.pusat.lon}}}
  zoom: {peta.zoom}
  # Batas wilayah (kotak dengan sedikit ruang di tepi): setiap titik konten harus berada di dalamnya.
  batas: {{selatan: {b.south}, barat: {b.west}, utara: {b.north}, timur: {b.east}}}
  ubin:
    url: {TILE_URL}
    atribusi: '{TILE_CREDIT}'
    zoom_maks: 19
{boundary}
# Sebutan di halaman mengikuti kode wilayah: kode 1xxx kelurahan, 2xxx dan 3xxx desa; kode kota
# 71 ke atas kota, selain itu kabupaten. Untuk mengubahnya, hapus tanda '#' di depan baris:
# istilah:
#   satuan: desa        # desa atau kelurahan, untuk semua situs
#   daerah: kabupaten   # kabupaten atau kota
#   kecamatan: distrik  # kecamatan atau distrik

tampilan:
  # Jumlah berita terbaru di beranda.
  berita_terbaru: 5
  # Bagian yang ditampilkan di situs, dalam urutan menu.
  bagian: [wisata, umkm, ikon, layanan, berita, halaman]
"""


def _profile(unit: Satuan, pilihan: Pilihan, kecamatan_row: Wilayah, kota: Wilayah) -> str:
    istilah = untuk_satuan(pilihan, unit.wilayah.kode)
    row = unit.wilayah
    if row.pusat is not None:
        point, why = row.pusat, f"titik tengah wilayah {istilah.jenis}"
    else:
        point = kecamatan_row.pusat or kota.pusat or Location(0, 0)
        why = f"titik tengah {istilah.kecamatan_jenis} (batas {istilah.jenis} ini tidak ada di daftar)"
    asal = Asal(row.kode, row.kode_pos, why)
    return profile_yaml(row.nama, unit.kecamatan, point, asal, istilah.satuan, istilah.kepala)


def plan(kota: Wilayah, rows: Sequence[Wilayah], wanted: Iterable[str] = (), batas_file: str | None = None,
         notice: str = "") -> Rencana:
    """The files of a new site for ``kota`` (``rows``: everything under its code) and the chosen kecamatan."""
    kec_rows = [r for r in rows if r.tingkat == "kecamatan"]
    all_kecamatan = _kecamatan(kec_rows)
    by_code = {k.kode: k for k in all_kecamatan}
    units = [r for r in rows if r.tingkat in UNITS]
    slugs = unique_slugs(units, by_code)
    chosen = choose_kecamatan(all_kecamatan, kota, wanted)
    codes = {k.kode for k in chosen}
    satuan = tuple(Satuan(u, slugs[u.kode], by_code[u.induk]) for u in units if u.induk in codes)
    pilihan = Pilihan(kota.kode, kota.nama)
    kinds = {s.wilayah.tingkat for s in satuan}
    jamak = " dan ".join(k for k in (DESA, KELURAHAN) if k in kinds) or \
        (KELURAHAN if jenis_daerah(pilihan) == "kota" else DESA)
    result = Rencana(kota, tuple(chosen), satuan, {})
    peta = _map(kota, [r for r in kec_rows if r.kode in codes], whole=len(chosen) == len(all_kecamatan))
    kec_by_code = {r.kode: r for r in kec_rows}
    files = {"config.yaml": config_yaml(kota, chosen, result.jumlah(), jamak, peta, batas_file),
             "NOTICE.md": notice, ".gitignore": "output/\n.pratinjau/\n.kelurahan/\n"}
    for unit in satuan:
        path = f"{KELURAHAN_DIR}/{unit.slug}/{PROFILE_FILE}"
        files[path] = _profile(unit, pilihan, kec_by_code[unit.wilayah.induk], kota)
    return Rencana(kota, tuple(chosen), satuan, files)
