"""Readiness of a kelurahan site: a score from what its content has and lacks, and next steps.

Pure: a parsed Kelurahan, the config (for the boundaries) and a date in; a ``Kesiapan`` out.
Each rule (``ATURAN``) gives points out of its weight and, when points are missing, one next
step in Indonesian naming the file to change. The score is the points earned out of the
points possible (the boundary rule counts only where the kelurahan has a polygon), scaled to
100. README and docs/panduan-konten.md describe the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .batas import TOLERANCE_M, Placement, place
from .config import SiteConfig
from .i18n import format_date
from .models import Entry, Kelurahan
from .wilayah.istilah import Istilah, Pilihan, untuk_satuan

BERITA_HARI = 183  # "news in the last 6 months"
SIAP, HAMPIR = 80, 50
PROFIL_ISIAN = ("alamat", "kode_wilayah", "kode_pos", "ringkasan", "lurah", "foto", "luas_km2", "penduduk")
TARGET = {"wisata": 2, "umkm": 5, "ikon": 2, "layanan": 5}
LABEL = {"wisata": "wisata", "umkm": "UMKM", "ikon": "ikon", "layanan": "layanan"}
# rule name -> weight (points); the weights add up to 100
ATURAN: dict[str, int] = {
    "contoh": 15, "profil": 10, "kantor": 10, "kontak": 10, "jam_layanan": 5, "wisata": 5, "umkm": 10,
    "ikon": 5, "layanan": 10, "foto": 5, "berita": 5, "perkiraan": 5, "batas": 5,
}


@dataclass(frozen=True)
class Temuan:
    """A fact at a file (for ``check`` warnings): path relative to the site, the key to point at."""

    path: str
    key: str
    pesan: str


@dataclass(frozen=True)
class Langkah:
    """One next step: the points it would add, what to do, and where."""

    aturan: str
    poin: float
    teks: str
    temuan: tuple[Temuan, ...] = ()


@dataclass(frozen=True)
class Kesiapan:
    """The readiness of one kelurahan."""

    slug: str
    nama: str
    kecamatan: str
    kode: str
    skor: int
    rincian: dict[str, tuple[float, int]]
    langkah: tuple[Langkah, ...]
    fakta: dict[str, Any] = field(default_factory=dict)
    lokasi: tuple[float, float] | None = None

    @property
    def tingkat(self) -> str:
        """``siap``, ``hampir`` or ``belum``."""
        return "siap" if self.skor >= SIAP else "hampir" if self.skor >= HAMPIR else "belum"


def tingkat_label(tingkat: str) -> str:
    """Indonesian label of a readiness level."""
    return {"siap": "Siap terbit", "hampir": "Hampir siap", "belum": "Belum siap"}[tingkat]


class _Nilai:
    """Collects points and steps while the rules run."""

    def __init__(self, kel: Kelurahan, istilah: Istilah) -> None:
        self.kel = kel
        self.istilah = istilah  # "desa" or "kelurahan" in the texts
        self.profil = f"kelurahan/{kel.slug}/profil.yaml"
        self.rincian: dict[str, tuple[float, int]] = {}
        self.langkah: list[Langkah] = []

    def beri(self, aturan: str, bagian: float, teks: str = "", temuan: tuple[Temuan, ...] = ()) -> None:
        bobot = ATURAN[aturan]
        poin = round(bobot * max(0.0, min(1.0, bagian)), 1)
        self.rincian[aturan] = (poin, bobot)
        if poin < bobot and teks:
            self.langkah.append(Langkah(aturan, round(bobot - poin, 1), teks,
                                        temuan or (Temuan(self.profil, "", teks),)))


def _contoh(n: _Nilai) -> None:
    kel = n.kel
    marked = [e for e in kel.entries if e.contoh]
    total = len(kel.entries) + 1
    count = len(marked) + (1 if kel.profil.contoh else 0)
    if not count:
        n.beri("contoh", 1)
        return
    per = Counter(e.section for e in marked)
    parts = (["profil.yaml"] if kel.profil.contoh else []) + [f"{k}: {v}" for k, v in sorted(per.items())]
    teks = (f"Ganti {count} isi contoh dengan data asli lalu hapus baris 'contoh: true' "
            f"({', '.join(parts)})")
    temuan: tuple[Temuan, ...] = ()
    if kel.profil.contoh:
        temuan = (Temuan(n.profil, "contoh", "profil.yaml masih bertanda contoh: true"),)
    temuan += tuple(Temuan(e.source, "contoh", "masih bertanda contoh: true") for e in marked)
    n.beri("contoh", 1 - count / total, teks, temuan)


def _profil(n: _Nilai) -> None:
    missing = [k for k in PROFIL_ISIAN if getattr(n.kel.profil, k) in (None, "")]
    n.beri("profil", 1 - len(missing) / len(PROFIL_ISIAN), f"Lengkapi profil.yaml: {', '.join(missing)}")


def _kantor(n: _Nilai) -> None:
    jenis = n.istilah.jenis
    teks = (f"Ukur titik kantor {jenis} di tempat (Google Maps: tekan lama di lokasi kantor), tulis di "
            "'lokasi' lalu hapus 'lokasi_perkiraan: true' di profil.yaml")
    n.beri("kantor", 0 if n.kel.profil.lokasi.approximate else 1, teks,
           (Temuan(n.profil, "lokasi_perkiraan", f"lokasi kantor masih perkiraan (titik tengah {jenis})"),))


def _kontak(n: _Nilai) -> None:
    kontak = n.kel.profil.kontak
    missing = ([] if kontak.telepon or kontak.whatsapp else ["telepon atau whatsapp"]) + \
        ([] if kontak.email else ["email"])
    n.beri("kontak", 1 - len(missing) / 2, f"Tulis kontak kantor di profil.yaml: {', '.join(missing)}")


def _jam(n: _Nilai) -> None:
    n.beri("jam_layanan", 1 if n.kel.profil.jam_layanan else 0,
           "Tulis jam layanan kantor di profil.yaml (jam_layanan: \"Senin-Jumat 08.00-15.00\")")


def _jumlah(n: _Nilai, section: str) -> None:
    have, target = len(n.kel.section(section)), TARGET[section]
    teks = (f"Tambahkan {target - have} {LABEL[section]} lagi di folder {section}/ "
            f"(baru {have} dari {target} yang disarankan)")
    n.beri(section, have / target, teks,
           (Temuan(f"kelurahan/{n.kel.slug}/{section}", "", f"baru {have} {LABEL[section]} dari {target}"),))


def _foto(n: _Nilai) -> None:
    places = [e for e in n.kel.entries if e.section in ("wisata", "umkm", "ikon")]
    without = [e for e in places if not e.foto]
    if not places:
        n.beri("foto", 0, "Tambahkan wisata, UMKM atau ikon dengan foto (foto: media/nama.jpg)")
        return
    teks = f"Tambahkan foto untuk {len(without)} wisata/UMKM/ikon (foto: media/nama.jpg)"
    n.beri("foto", 1 - len(without) / len(places), teks,
           tuple(Temuan(e.source, "foto", "belum ada foto") for e in without))


def _berita(n: _Nilai, tanggal: dt.date) -> dt.date | None:
    dates = [d for e in n.kel.section("berita") if (d := getattr(e, "tanggal", None)) and d <= tanggal]
    last = max(dates, default=None)
    fresh = last is not None and (tanggal - last).days <= BERITA_HARI
    when = f"berita terakhir {format_date(last)}" if last else "belum ada berita"
    n.beri("berita", 1 if fresh else 0, f"Terbitkan berita baru di folder berita/ ({when}; "
           "disarankan paling sedikit satu berita tiap 6 bulan)",
           (Temuan(f"kelurahan/{n.kel.slug}/berita", "", f"tidak ada berita 6 bulan terakhir ({when})"),))
    return last


def _perkiraan(n: _Nilai) -> int:
    located = n.kel.points
    rough = [e for e in located if e.lokasi and e.lokasi.approximate]
    teks = (f"Ukur titik {len(rough)} tempat yang lokasinya masih perkiraan, lalu hapus "
            "'lokasi_perkiraan: true' di berkasnya")
    n.beri("perkiraan", 1 - len(rough) / len(located) if located else 1, teks,
           tuple(Temuan(e.source, "lokasi_perkiraan", "lokasi masih perkiraan") for e in rough))
    return len(rough)


def _luar(n: _Nilai, config: SiteConfig) -> list[dict[str, Any]] | None:
    kode = n.kel.profil.kode_wilayah or ""
    points: list[tuple[str, str, Entry | None]] = [(n.profil, f"Kantor {n.istilah.jenis}", None)]
    points += [(e.source, e.judul, e) for e in n.kel.points]
    own = f"{n.istilah.satuan} {n.kel.profil.nama}"
    checked, outside, temuan = 0, [], []
    for path, nama, entry in points:
        lokasi = entry.lokasi if entry else n.kel.profil.lokasi
        if lokasi is None or (where := place(config.wilayah, kode, lokasi.lon, lokasi.lat)) is None:
            continue
        checked += 1
        if where.distance_m > TOLERANCE_M:
            outside.append({"berkas": path, "nama": nama, "jarak_m": round(where.distance_m),
                            "tampaknya_di": where.seems_in})
            temuan.append(Temuan(path, "lokasi", _luar_pesan(own, config.istilah, outside[-1], where)))
    if not checked:
        return None
    teks = (f"Periksa titik {len(outside)} tempat yang berada di luar batas {own}: "
            + "; ".join(t.pesan.removeprefix("titik ") for t in temuan))
    n.beri("batas", 0 if outside else 1, teks, tuple(temuan))  # one misplaced point already misleads visitors
    return outside


def _luar_pesan(own: str, pilihan: Pilihan, o: dict[str, Any], where: Placement) -> str:
    """'titik X berada sekitar N m di luar batas Kelurahan A; tampaknya di Desa B'."""
    other = f"; tampaknya di {untuk_satuan(pilihan, where.seems_in_kode).satuan} {where.seems_in}"
    berkas = o["berkas"].split("/", 2)[-1]
    return f"titik {berkas} berada sekitar {o['jarak_m']} m di luar batas {own}{other if where.seems_in else ''}"


def nilai(kel: Kelurahan, config: SiteConfig, tanggal: dt.date) -> Kesiapan:
    """Score one parsed kelurahan on ``tanggal`` (the date news freshness is measured from)."""
    n = _Nilai(kel, untuk_satuan(config.istilah, kel.profil.kode_wilayah))
    _contoh(n)
    _profil(n)
    _kantor(n)
    _kontak(n)
    _jam(n)
    for section in TARGET:
        _jumlah(n, section)
    _foto(n)
    last = _berita(n, tanggal)
    rough = _perkiraan(n)
    outside = _luar(n, config)
    earned = sum(p for p, _ in n.rincian.values())
    possible = sum(w for _, w in n.rincian.values())
    fakta: dict[str, Any] = {
        "jumlah": {s: len(kel.section(s)) for s in ("wisata", "umkm", "ikon", "layanan", "berita", "halaman")},
        "contoh": sum(1 for e in kel.entries if e.contoh) + (1 if kel.profil.contoh else 0),
        "lokasi_perkiraan": rough, "kantor_perkiraan": kel.profil.lokasi.approximate,
        "berita_terakhir": last.isoformat() if last else None,
        "di_luar_batas": outside,
    }
    steps = sorted(n.langkah, key=lambda s: (-s.poin, list(ATURAN).index(s.aturan)))
    return Kesiapan(kel.slug, kel.profil.nama, kel.profil.kecamatan.nama, kel.profil.kode_wilayah or "",
                    round(100 * earned / possible), n.rincian, tuple(steps), fakta,
                    (kel.profil.lokasi.lat, kel.profil.lokasi.lon))


def gagal(slug: str, count: int) -> Kesiapan:
    """A kelurahan whose content has errors: score 0, the first step is to fix them."""
    teks = f"Perbaiki {count} kesalahan konten dulu (jalankan: kelurahan check {slug})"
    where = Temuan(f"kelurahan/{slug}/profil.yaml", "", teks)
    return Kesiapan(slug, slug, "", "", 0, {}, (Langkah("kesalahan", 100, teks, (where,)),), {"kesalahan": count})
