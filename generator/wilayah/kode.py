"""Codes against the national list: ``check`` compares every ``kode_wilayah``; ``new`` looks a name up.

Only sites whose ``config.yaml`` names their kota or kabupaten (``kode_wilayah: "35.71"``) are
compared; the list is read only for that code (and for the cities of foreign codes).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..config import SiteConfig
from ..errors import Problem
from ..models import Kecamatan
from .daftar import Wilayah, name_key, read_rows
from .istilah import untuk_satuan

_UNIT_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
UNITS = ("kelurahan", "desa")


@dataclass(frozen=True)
class Tercatat:
    """What a profile says about its place: where it is written, its name, kecamatan and code."""

    slug: str
    path: str
    line: int
    nama: str
    kecamatan: Kecamatan
    kode_wilayah: str


def compact(name: str) -> str:
    """A name for comparison: folded, without spaces and without 'Kelurahan'/'Desa' written in front."""
    key = re.sub(r"^(kelurahan|kel|desa) (?=.)", "", name_key(name))
    return key.replace(" ", "")


def _foreign(entries: Iterable[Tercatat], city: str) -> set[str]:
    return {e.kode_wilayah[:5] for e in entries if _UNIT_CODE.fullmatch(e.kode_wilayah) and e.kode_wilayah[:5] != city}


def _named(rows: Sequence[Wilayah], nama: str, kecamatan: str | None = None) -> list[Wilayah]:
    key = compact(nama)
    found = [r for r in rows if r.tingkat in UNITS and compact(r.nama) == key]
    same = [r for r in found if r.induk == kecamatan]
    return same or found


def _hint(config: SiteConfig, rows: Sequence[Wilayah], entry: Tercatat) -> str:
    found = _named([r for r in rows if r.kabkota == config.kode_wilayah], entry.nama, entry.kecamatan.kode)
    if not found:
        return f"'{entry.nama}' tidak ada di daftar {config.nama}; periksa nama dan kodenya"
    row = found[0]
    return f"kode {row.label} di Kecamatan {_kecamatan_name(rows, row.induk)} adalah {row.kode}"


def _kecamatan_name(rows: Sequence[Wilayah], kode: str) -> str:
    return next((r.nama for r in rows if r.kode == kode), kode)


def _city_name(rows: Sequence[Wilayah], kode: str) -> str:
    return next((r.nama for r in rows if r.kode == kode), kode)


def _problem(config: SiteConfig, rows: dict[str, Wilayah], entry: Tercatat) -> Problem | None:
    kode, listed = entry.kode_wilayah, list(rows.values())

    def problem(message: str, hint: str = "") -> Problem:
        return Problem(entry.path, entry.line, f"kode_wilayah: {message}", hint or _hint(config, listed, entry))

    if not _UNIT_CODE.fullmatch(kode):
        return problem(f"'{kode}' bukan kode desa/kelurahan Kemendagri (bentuknya 35.71.01.1001)")
    row = rows.get(kode)
    if row is None or row.tingkat not in UNITS:
        return problem(f"kode {kode} tidak ada dalam daftar wilayah Kemendagri")
    if row.kabkota != config.kode_wilayah:
        return problem(f"kode {kode} adalah {row.label} di {_city_name(listed, row.kabkota)}, "
                       f"bukan di {config.nama}")
    if row.induk != entry.kecamatan.kode:
        message = (f"kode {kode} adalah {row.label} di Kecamatan {_kecamatan_name(listed, row.induk)}, "
                   f"bukan di Kecamatan {entry.kecamatan.nama}")
        if compact(row.nama) == compact(entry.nama):
            slug = next((k.slug for k in config.kecamatan if k.kode == row.induk), None)
            return problem(message, f"tulis kecamatan: {slug}" if slug else "periksa kecamatan di config.yaml")
        return problem(message)
    if compact(row.nama) != compact(entry.nama):
        return problem(f"kode {kode} adalah {row.label}, bukan {untuk_satuan(config.istilah, kode).satuan} "
                       f"{entry.nama}")
    return None


def check_codes(config: SiteConfig, entries: Sequence[Tercatat]) -> dict[str, list[Problem]]:
    """Problems per slug for codes that do not exist, lie elsewhere or name another place."""
    city = config.kode_wilayah
    if city is None or not entries:
        return {}
    prefixes = {city, *_foreign(entries, city)}
    rows = {r.kode: r for r in read_rows(prefixes)}
    problems: dict[str, list[Problem]] = {}
    for entry in entries:
        found = _problem(config, rows, entry)
        if found is not None:
            problems.setdefault(entry.slug, []).append(found)
    return problems


def find_unit(config: SiteConfig, nama: str, kecamatan: Kecamatan | None) -> list[Wilayah]:
    """The desa/kelurahan of this site's city called ``nama`` (in ``kecamatan`` when given)."""
    if config.kode_wilayah is None:
        return []
    rows = read_rows([config.kode_wilayah])
    found = _named(rows, nama)
    if kecamatan is not None:
        found = [r for r in found if r.induk == kecamatan.kode]
    return found


def unit_names(config: SiteConfig) -> list[str]:
    """Every desa/kelurahan name of the site's city (for "maksud Anda ...?")."""
    if config.kode_wilayah is None:
        return []
    return [r.nama for r in read_rows([config.kode_wilayah]) if r.tingkat in UNITS]


class NotListed(Exception):
    """``new`` cannot use the list for this name; ``option`` names the option to fix."""

    def __init__(self, option: str, message: str, hint: str = "") -> None:
        super().__init__(f"{message}; {hint}" if hint else message)
        self.option = option


def match_unit(config: SiteConfig, nama: str, kecamatan: Kecamatan | None, needed: bool) -> Wilayah | None:
    """The listed desa/kelurahan called ``nama`` for ``new``; None when it is not listed and not ``needed``."""
    if config.kode_wilayah is None:
        if needed:
            option = "--kecamatan" if kecamatan is None else "--lokasi"
            raise NotListed(option, f"{option} wajib diisi",
                            "tanpa kode_wilayah kota/kabupaten di config.yaml, nama tidak bisa dicari di daftar")
        return None
    found = find_unit(config, nama, kecamatan)
    if len(found) == 1:
        return found[0]
    if found:
        places = ", ".join(f"{r.label} di {next((k.slug for k in config.kecamatan if k.kode == r.induk), r.induk)}"
                           for r in found)
        raise NotListed("--kecamatan", f"ada {len(found)} '{nama}' di {config.nama} ({places})",
                        "pilih salah satu dengan --kecamatan")
    if not needed:
        return None
    names = {compact(n): n for n in unit_names(config)}
    close = difflib.get_close_matches(compact(nama), list(names), n=1, cutoff=0.75)
    hint = f"maksud Anda '{names[close[0]]}'?" if close else "tulis --kecamatan dan --lokasi sendiri"
    where = f" Kecamatan {kecamatan.nama}" if kecamatan else ""
    raise NotListed("--nama", f"'{nama}' tidak ada di daftar wilayah{where} {config.nama}", hint)
