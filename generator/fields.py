"""Typed readers for YAML values, and a small schema checker with "did you mean" hints."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .errors import FieldError, Problem
from .models import Bounds, Location
from .yamlio import CURLY_QUOTES, Mapping

Reader = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One allowed key: how to read it, whether it is required, and nested keys if any."""

    name: str
    read: Reader
    required: bool = False
    fields: tuple[Field, ...] = field(default=())


def text(value: Any) -> str:
    """A single line or paragraph of text; numbers are accepted as their digits."""
    if type(value) is str:
        result = value.strip()
    elif isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise FieldError("harus berupa teks", "tulis teksnya setelah titik dua")
    else:
        result = str(getattr(value, "text", value)).strip()
    if not result:
        raise FieldError("tidak boleh kosong", "isi nilainya atau hapus baris ini")
    return result


def text_list(value: Any) -> tuple[str, ...]:
    """A list of short texts (``- butir`` lines); a single text is accepted as a list of one."""
    if isinstance(value, str):
        return (text(value),)
    if not isinstance(value, list) or not value:
        raise FieldError("harus berupa daftar", "tulis tiap butir di baris baru diawali '- '")
    return tuple(text(item) for item in value)


def boolean(value: Any) -> bool:
    """Exactly ``true`` or ``false``; ``ya``/``no`` are refused rather than guessed."""
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        raise FieldError(f"harus true atau false tanpa tanda kutip (tertulis '{value}')", "hapus tanda kutipnya")
    raise FieldError(f"harus true atau false (tertulis '{value}')",
                     "tulis true untuk ya, false untuk tidak")


def number(value: Any) -> float:
    """A plain number; Indonesian decimal commas are explained, not guessed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        hint = "gunakan titik sebagai tanda desimal, misalnya 1.25"
        if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
            hint = "hapus tanda kutipnya"
        raise FieldError(f"harus berupa angka (tertulis '{value}')", hint)
    try:
        return float(value)
    except OverflowError:
        raise FieldError("angkanya terlalu besar", "periksa kembali angka ini") from None


def whole_number(value: Any) -> int:
    """A whole number without thousands separators."""
    if isinstance(value, bool) or not isinstance(value, int):
        quoted = isinstance(value, str) and value.strip().isdigit()
        raise FieldError(f"harus berupa bilangan bulat (tertulis '{value}')",
                         "hapus tanda kutipnya" if quoted else "tulis tanpa titik ribuan, misalnya 12345")
    return value


def date(value: Any) -> dt.date:
    """A calendar date written as YYYY-MM-DD."""
    raw = text(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise FieldError(f"tanggal tidak valid (tertulis '{raw}')",
                     "tulis dengan format TAHUN-BULAN-TANGGAL, misalnya \"2024-08-17\"")


def url(value: Any) -> str:
    """An http(s) address (curly quotes from Word or a phone keyboard would break the link)."""
    raw = text(value)
    if any(quote in raw for quote in CURLY_QUOTES):
        raise FieldError(f"alamat web berisi tanda kutip miring (tertulis '{raw}')",
                         "hapus tanda kutip \u201c \u201d \u2018 \u2019 dari alamat itu; "
                         "dengan tanda kutip tautannya tidak bisa dibuka")
    if not re.match(r"https?://[^\s/]+\.[^\s]+$", raw, re.IGNORECASE):
        raise FieldError(f"alamat web tidak valid (tertulis '{raw}')",
                         "salin alamat lengkap yang diawali https://")
    return raw


def email(value: Any) -> str:
    """An e-mail address."""
    raw = text(value)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", raw):
        raise FieldError(f"alamat email tidak valid (tertulis '{raw}')",
                         "contoh: kantor.kelurahan@contoh.go.id")
    return raw


def phone(value: Any) -> str:
    """A phone number as staff write it; must hold 6 to 15 digits."""
    raw = text(value)
    digits = re.sub(r"\D", "", raw)
    if not re.fullmatch(r"[0-9+()\-. ]+", raw) or not 6 <= len(digits) <= 15:
        raise FieldError(f"nomor telepon tidak valid (tertulis '{raw}')",
                         "tulis nomornya saja (6-15 angka), misalnya \"0812-3456-7890\"")
    return raw


def slug_list(choices: Sequence[str]) -> Reader:
    """A reader for one of a fixed set of names (case-insensitive, spaces as hyphens)."""

    def read(value: Any) -> str:
        raw = text(value)
        key = re.sub(r"[\s_]+", "-", raw.strip().lower())
        if key in choices:
            return key
        raise FieldError(f"'{raw}' tidak dikenal", _suggest(key, choices))

    return read


_SYNONYMS = {"nama": "judul", "judul": "nama", "title": "judul", "name": "nama", "date": "tanggal",
             "location": "lokasi", "koordinat": "lokasi", "alamat_web": "situs", "website": "situs",
             "wa": "whatsapp", "hp": "telepon", "telp": "telepon", "foto_utama": "foto", "gambar": "foto",
             "kepala_desa": "lurah", "kades": "lurah", "kepala": "lurah"}


def _suggest(word: str, choices: Sequence[str]) -> str:
    if _SYNONYMS.get(word) in choices:
        return f"maksud Anda '{_SYNONYMS[word]}'?"
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"maksud Anda '{close[0]}'?"
    return "pilihan yang ada: " + ", ".join(sorted(choices))


_PAIR = r"(-?\d{1,3}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)"
_MAPS_PATTERNS = (
    re.compile(r"!3d(-?\d+(?:\.\d+)?)!4d(-?\d+(?:\.\d+)?)"),
    re.compile(r"[?&](?:q|query|ll|destination|center|daddr)=(?:loc:)?" + _PAIR),
    re.compile(r"/@" + _PAIR),
    re.compile(r"/(?:place|search|dir/[^/]*)/" + _PAIR),
)


_SHORT_MAPS_LINK = re.compile(r"(?:https?://)?(?:maps\.app\.goo\.gl|goo\.gl/maps|g\.co/kgs|share\.google)/",
                              re.IGNORECASE)


def _pair_from_text(raw: str, example: tuple[str, str]) -> tuple[float, float]:
    lat, lon = example
    if _SHORT_MAPS_LINK.match(raw):
        # Resolving it would need the network; the link itself holds no numbers.
        raise FieldError("tautan pendek Google Maps tidak memuat koordinat",
                         "buka tautan itu di Google Maps, tekan lama titik tempatnya sampai muncul pin merah, "
                         f"lalu salin angka koordinatnya dan tulis misalnya lokasi: \"{lat}, {lon}\"")
    if re.match(r"https?://", raw, re.IGNORECASE):
        decoded = unquote(raw).replace("+", " ")
        for pattern in _MAPS_PATTERNS:
            match = pattern.search(decoded)
            if match:
                return float(match.group(1)), float(match.group(2))
        raise FieldError("tautan peta ini tidak memuat koordinat",
                         "buka tautan di Google Maps, tekan lama titiknya, lalu salin angka "
                         f"seperti {lat}, {lon}")
    match = re.fullmatch(r"\(?\s*" + _PAIR + r"\s*\)?", raw)
    if not match:
        raise FieldError(f"koordinat tidak dikenali (tertulis '{raw}')",
                         f"tulis seperti \"{lat}, {lon}\" (lintang, bujur) atau "
                         "tempel tautan Google Maps")
    return float(match.group(1)), float(match.group(2))


def _pair(value: Any, example: tuple[str, str]) -> tuple[float, float]:
    lat, lon = example
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - {"lat", "lon"})
        if unknown:
            raise FieldError(f"isian '{unknown[0]}' tidak dikenal di lokasi",
                             f"tulis {{lat: {lat}, lon: {lon}}}")
        if "lat" not in value or "lon" not in value:
            raise FieldError("lokasi harus berisi lat dan lon", f"tulis {{lat: {lat}, lon: {lon}}}")
        return number(value["lat"]), number(value["lon"])
    if isinstance(value, list) and len(value) == 2:
        return number(value[0]), number(value[1])
    return _pair_from_text(text(value), example)


# The point the staff guide's examples use (in the sample's city).
GUIDE_EXAMPLE = (-7.5745, 110.8262)


def example_point(bounds: Bounds) -> tuple[str, str]:
    """The coordinates messages give as an example: the guide's point where the city holds it,
    elsewhere the middle of the city's box, so nobody is sent to copy a point in another city."""
    lat, lon = GUIDE_EXAMPLE if bounds.contains(*GUIDE_EXAMPLE) else \
        ((bounds.south + bounds.north) / 2, (bounds.west + bounds.east) / 2)
    return f"{lat:.4f}", f"{lon:.4f}"


def location_reader(bounds: Bounds, daerah: str) -> Reader:
    """A reader for a point that must lie inside the ``daerah`` (kota or kabupaten); explains swapped
    or unsigned values."""
    example = example_point(bounds)

    def read(value: Any) -> Location:
        lat, lon = _pair(value, example)
        if not -90 <= lat <= 90:
            hint = "mungkin lintang dan bujur tertukar?" if bounds.contains(lon, lat) else ""
            raise FieldError(f"lintang harus di antara -90 dan 90 (tertulis {lat})", hint)
        if bounds.contains(lat, lon):
            return Location(lat, lon)
        raise FieldError(f"titik {lat}, {lon} berada di luar wilayah {daerah}", _location_hint(lat, lon, bounds))

    return read


def _location_hint(lat: float, lon: float, bounds: Bounds) -> str:
    if bounds.contains(lon, lat):
        return f"lintang dan bujur tertukar: tulis lintang ({lon:g}) dulu, lalu bujur ({lat:g})"
    if bounds.contains(-lat, lon):
        return f"tanda minus pada lintang hilang: lintang di wilayah ini diawali '-', misalnya {-lat:g}"
    return (f"titik harus di antara lintang {bounds.south:g}..{bounds.north:g} dan bujur "
            f"{bounds.west:g}..{bounds.east:g}; salin ulang koordinat dari Google Maps")


def read_mapping(data: Mapping, fields: Sequence[Field], path: str) -> tuple[dict[str, Any], list[Problem]]:
    """Check keys against the schema and read every value; return values and all problems."""
    known = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key in data:
        if key not in known:
            hint = _suggest(key, list(known))
            problems.append(Problem(path, data.line_of(key), f"isian '{key}' tidak dikenal", hint))
    for spec in fields:
        raw = data.get(spec.name)
        if raw is None:
            if spec.required:
                problems.append(Problem(path, data.line_of(spec.name), f"isian '{spec.name}' wajib diisi",
                                        f"tambahkan baris '{spec.name}: ...'"))
            continue
        if spec.fields:
            if not isinstance(raw, Mapping):
                problems.append(Problem(path, data.line_of(spec.name), f"'{spec.name}' harus berisi isian bertingkat",
                                        "tulis isiannya di baris berikutnya dengan indentasi 2 spasi"))
                continue
            values[spec.name], nested = read_mapping(raw, spec.fields, path)
            problems.extend(nested)
            continue
        try:
            values[spec.name] = spec.read(raw)
        except FieldError as error:
            problems.append(Problem(path, data.line_of(spec.name), f"{spec.name}: {error.message}", error.hint))
    return values, problems
