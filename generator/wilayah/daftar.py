"""The packaged national list of regions, read lazily: only the rows under the codes asked for.

The file (``generator/data/wilayah-indonesia.tsv.gz``, notice in ``WILAYAH-NOTICE.md`` next to
it) is sorted by code, so the rows of one kota or kabupaten are one run of lines: reading stops
right after them. Streaming the whole file costs about 50 ms; nothing here is imported by
``build``.
"""

from __future__ import annotations

import difflib
import gzip
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import FieldError
from ..models import Bounds, Location

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_FILE = DATA_DIR / "wilayah-indonesia.tsv.gz"
NOTICE_FILE = DATA_DIR / "WILAYAH-NOTICE.md"
_CODE = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
_PREFIXES = ("kabupaten administrasi ", "kota administrasi ", "kabupaten ", "kota ")


@dataclass(frozen=True)
class Wilayah:
    """One row of the list: a provinsi, kabkota, kecamatan, kelurahan or desa."""

    kode: str
    tingkat: str
    nama: str
    kode_pos: str = ""
    pusat: Location | None = None
    batas: Bounds | None = None

    @property
    def induk(self) -> str:
        """The code of the region this one belongs to ('' for a provinsi)."""
        return self.kode.rpartition(".")[0]

    @property
    def kabkota(self) -> str:
        """The code of the kota or kabupaten of this region (its first two parts)."""
        return ".".join(self.kode.split(".")[:2])

    @property
    def label(self) -> str:
        """How people write it: 'Kelurahan Dermo', 'Kecamatan Mojoroto', 'Kota Kediri'."""
        prefix = {"provinsi": "Provinsi ", "kecamatan": "Kecamatan ", "kelurahan": "Kelurahan ", "desa": "Desa "}
        return prefix.get(self.tingkat, "") + self.nama


def _number(text: str) -> float | None:
    return float(text) if text else None


def _row(line: str) -> Wilayah:
    kode, tingkat, nama, kode_pos, lat, lon, selatan, barat, utara, timur = line.rstrip("\n").split("\t")
    la, lo = _number(lat), _number(lon)
    box = [_number(v) for v in (selatan, barat, utara, timur)]
    bounds = Bounds(*box) if all(v is not None for v in box) else None  # type: ignore[arg-type]
    pusat = Location(la, lo) if la is not None and lo is not None else None
    return Wilayah(kode, tingkat, nama, kode_pos, pusat, bounds)


def _lines() -> Iterator[str]:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        next(handle)  # the header
        yield from handle


def read_rows(prefixes: Iterable[str]) -> list[Wilayah]:
    """Every region whose code is one of ``prefixes`` or lies under one of them, in code order."""
    wanted = sorted(set(prefixes))
    if not wanted:
        return []
    last = wanted[-1]
    starts = tuple(p + "\t" for p in wanted) + tuple(p + "." for p in wanted)
    rows = []
    for line in _lines():
        if line.startswith(starts):
            rows.append(_row(line))
        elif line > last and not line.startswith(last):
            break
    return rows


def read_level(tingkat: str) -> list[Wilayah]:
    """Every region of one level (e.g. all 514 kabkota); scans the whole list."""
    marker = f"\t{tingkat}\t"
    return [_row(line) for line in _lines() if marker in line]


def normalize_code(raw: str) -> str | None:
    """``35.71`` or ``3571`` or ``35.71.01.1001`` as a dotted code; None when it is not a code."""
    text = raw.strip()
    if re.fullmatch(r"\d+", text) and len(text) in (2, 4, 6, 10):
        text = ".".join(p for p in (text[:2], text[2:4], text[4:6], text[6:]) if p)
    return text if _CODE.fullmatch(text) else None


def name_key(name: str) -> str:
    """A name folded for comparison: no case, accents, apostrophes or punctuation."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    folded = re.sub(r"['`]", "", folded)
    words = re.findall(r"[a-z0-9]+", folded)
    if words and words[0] == "kab":
        words[0] = "kabupaten"
    if len(words) > 1 and words[1] == "adm":
        words[1] = "administrasi"
    return " ".join(words)


def split_kind(name: str) -> tuple[str, str]:
    """('kota' or 'kabupaten' or '', the name key without it): 'Kab. Adm. X' → ('kabupaten', 'x')."""
    key = name_key(name)
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return prefix.split()[0], key[len(prefix):]
    return "", key


def find_kabkota(query: str) -> Wilayah:
    """The kota or kabupaten named by a code (``35.71``) or a name (``Kota Kediri``).

    Raises FieldError with a "maksud Anda ...?" hint for near misses."""
    code = normalize_code(query)
    if code is not None:
        return _by_code(code)
    return _by_name(query)


def _by_code(code: str) -> Wilayah:
    rows = {row.kode: row for row in read_rows([code[:5]])}
    if code in rows and rows[code].tingkat == "kabkota":
        return rows[code]
    hint = "tulis kode kota/kabupaten (dua bagian, misalnya 35.71) atau namanya, misalnya \"Kota Kediri\""
    if code in rows and rows[code].tingkat == "provinsi":
        cities = [r for r in read_rows([code]) if r.tingkat == "kabkota"]
        sample = ", ".join(f"{r.kode} ({r.nama})" for r in cities[:3])
        return _refuse(f"kode {code} adalah {rows[code].label}, bukan kota atau kabupaten",
                       f"pilih salah satu kota/kabupatennya, misalnya {sample}")
    if code in rows:
        row, parent = rows[code], rows.get(code[:5])
        if parent is not None:
            hint = f"pakai kode {parent.kode} ({parent.nama}) lalu --kecamatan untuk memilih kecamatan"
        return _refuse(f"kode {code} adalah {row.label}, bukan kota atau kabupaten", hint)
    return _refuse(f"kode {code} tidak ada dalam daftar wilayah Kemendagri", hint)


def _by_name(query: str) -> Wilayah:
    cities = read_level("kabkota")
    key = name_key(query)
    kind, short = split_kind(query)
    exact = [c for c in cities if name_key(c.nama) == key]
    if not exact:
        exact = [c for c in cities if split_kind(c.nama)[1] == short and kind in ("", split_kind(c.nama)[0])]
    if len(exact) == 1:
        return exact[0]
    if exact:
        choices = " atau ".join(f"'{c.nama}' ({c.kode})" for c in exact)
        return _refuse(f"ada {len(exact)} wilayah bernama '{query.strip()}'", f"maksud Anda {choices}?")
    by_key = {name_key(c.nama): c for c in cities} | {split_kind(c.nama)[1]: c for c in cities}
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.75)
    found = list(dict.fromkeys(by_key[k] for k in close))
    if found:
        choices = " atau ".join(f"'{c.nama}' ({c.kode})" for c in found)
        return _refuse(f"tidak ada kota atau kabupaten bernama '{query.strip()}'", f"maksud Anda {choices}?")
    return _refuse(f"tidak ada kota atau kabupaten bernama '{query.strip()}'",
                   "tulis nama lengkapnya, misalnya \"Kota Kediri\" atau \"Kabupaten Purworejo\", atau kodenya")


def _refuse(message: str, hint: str) -> Wilayah:
    raise FieldError(message, hint)
