"""The region words on the pages: Desa or Kelurahan, Kepala Desa or Lurah, Kabupaten or Kota.

They follow the Kemendagri codes (the fourth part of a ``kode_wilayah``: ``1xxx`` a kelurahan,
``2xxx`` and ``3xxx`` a desa; the second part of the city code: ``71`` and up a kota), unless
``config.yaml`` overrides them under ``istilah``. Templates get one ``istilah`` object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

KELURAHAN, DESA = "kelurahan", "desa"
KOTA, KABUPATEN = "kota", "kabupaten"
KECAMATAN, DISTRIK = "kecamatan", "distrik"
SATUAN_CHOICES = (KELURAHAN, DESA)
DAERAH_CHOICES = (KOTA, KABUPATEN)
KECAMATAN_CHOICES = (KECAMATAN, DISTRIK)
# Papua's provinces call their kecamatan "distrik" (UU 21/2001 and the provinces made from it).
_DISTRIK_PROVINCES = frozenset({"91", "92", "93", "94", "95", "96"})
_KEPALA = {KELURAHAN: "Lurah", DESA: "Kepala Desa"}
_WORD = re.compile(r"\b([Kk])elurahan\b")


@dataclass(frozen=True)
class Pilihan:
    """What ``config.yaml`` says about the region: its code and any overridden words."""

    kode_wilayah: str | None = None
    nama: str = ""
    satuan: str | None = None
    daerah: str | None = None
    kecamatan: str | None = None


BAWAAN = Pilihan()  # no code, no override (frozen: safe to share)


@dataclass(frozen=True)
class Istilah:
    """The words of one page: its own kind of site, and the city's."""

    jenis: str  # "kelurahan" or "desa": the kind of this site (on the portal: of most sites)
    daerah_jenis: str  # "kota" or "kabupaten"
    kecamatan_jenis: str  # "kecamatan" or "distrik"
    jamak: str  # every site of the city: "kelurahan", "desa" or "desa dan kelurahan"

    @property
    def satuan(self) -> str:
        """'Kelurahan' or 'Desa'."""
        return self.jenis.capitalize()

    @property
    def label(self) -> str:
        """Every site of the city as a heading: 'Kelurahan', 'Desa' or 'Desa/Kelurahan'."""
        return self.jamak.replace(" dan ", "/").title()

    @property
    def kepala(self) -> str:
        """'Lurah' or 'Kepala Desa'."""
        return _KEPALA[self.jenis]

    @property
    def kantor(self) -> str:
        """'Kantor Kelurahan' or 'Kantor Desa'."""
        return f"Kantor {self.satuan}"

    @property
    def daerah(self) -> str:
        """'Kota' or 'Kabupaten'."""
        return self.daerah_jenis.capitalize()

    @property
    def kecamatan(self) -> str:
        """'Kecamatan' or 'Distrik'."""
        return self.kecamatan_jenis.capitalize()

    def hitung(self, kodes: Iterable[str | None]) -> str:
        """How many sites of each kind these codes are: '12 desa, 2 kelurahan'."""
        kinds = [jenis_kode(k) or self.jenis for k in kodes]
        if " dan " not in self.jamak:
            return f"{_angka(len(kinds))} {self.jamak}"
        return ", ".join(f"{_angka(kinds.count(k))} {k}" for k in (DESA, KELURAHAN) if k in kinds) or "0 " + self.jamak

    def ganti(self, text: str) -> str:
        """A fixed text that says 'kelurahan', in this site's word."""
        if self.jenis == KELURAHAN:
            return text
        return _WORD.sub(lambda m: ("D" if m.group(1) == "K" else "d") + self.jenis[1:], text)


def _angka(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def jenis_kode(kode: str | None) -> str | None:
    """'kelurahan' for a ``xx.xx.xx.1xxx`` code, 'desa' for ``2xxx``/``3xxx``, else None."""
    if not kode:
        return None
    parts = kode.strip().split(".")
    if len(parts) != 4 or not parts[3][:1].isdigit():
        return None
    return {"1": KELURAHAN, "2": DESA, "3": DESA}.get(parts[3][0])


def jenis_daerah(pilihan: Pilihan) -> str:
    """'kota' or 'kabupaten': the override, else the city code, else the city's name."""
    if pilihan.daerah:
        return pilihan.daerah
    parts = (pilihan.kode_wilayah or "").split(".")
    if len(parts) >= 2 and parts[1].isdigit():
        return KOTA if int(parts[1]) >= 71 else KABUPATEN
    return KABUPATEN if re.match(r"(?i)kab(upaten)?\b", pilihan.nama.strip()) else KOTA


def _kecamatan(pilihan: Pilihan) -> str:
    if pilihan.kecamatan:
        return pilihan.kecamatan
    return DISTRIK if (pilihan.kode_wilayah or "")[:2] in _DISTRIK_PROVINCES else KECAMATAN


def _jamak(kinds: set[str]) -> str:
    return " dan ".join(k for k in (DESA, KELURAHAN) if k in kinds) or KELURAHAN


def untuk_satuan(pilihan: Pilihan, kode: str | None) -> Istilah:
    """The words of one desa's or kelurahan's pages, from its ``kode_wilayah``."""
    daerah = jenis_daerah(pilihan)
    default = DESA if daerah == KABUPATEN else KELURAHAN
    jenis = pilihan.satuan or jenis_kode(kode) or default
    jamak = pilihan.satuan or (KELURAHAN if daerah == KOTA else _jamak({DESA, KELURAHAN}))
    return Istilah(jenis, daerah, _kecamatan(pilihan), jamak)


def untuk_kota(pilihan: Pilihan, kodes: Iterable[str | None] | None = None) -> Istilah:
    """The words of the portal; with the codes of its sites, ``jamak`` names exactly their kinds."""
    base = untuk_satuan(pilihan, None)
    if kodes is None or pilihan.satuan:
        return base
    kinds = [jenis_kode(k) or base.jenis for k in kodes]
    if not kinds:
        return base
    most = max((DESA, KELURAHAN), key=kinds.count)
    return Istilah(most, base.daerah_jenis, base.kecamatan_jenis, _jamak(set(kinds)))
