"""Spreadsheet import: UMKM or wisata lists kept in Excel (.xlsx) or CSV become Markdown files.

Reading is forgiving (Indonesian headers in any case and order, a title block above the
header, merged cells, blank rows, coordinates or a Google Maps link in one cell or two, phone
numbers written in many ways); validation is not: every generated file is checked with the
same content contract as ``check`` (``sections.entry_fields``) and the same privacy gate
before anything is written. Each row gets one verdict: imported, skipped or needs fixing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fields as f
from .config import SiteConfig
from .content import KELURAHAN_DIR, suggest_slug
from .errors import ContentError, FieldError, Problem
from .privacy import find_identity_numbers, find_personal_phones, normalize_phone
from .sections import entry_fields, section_by_name
from .yamlio import split_front_matter

JENIS = ("umkm", "wisata")
_COMMON = {
    "nama": ("nama", "nama usaha", "nama umkm", "nama tempat", "nama wisata", "nama objek wisata", "objek wisata",
             "nama toko", "usaha", "nama destinasi"),
    "kategori": ("kategori", "jenis", "jenis usaha", "bidang usaha", "kategori usaha", "jenis wisata", "sektor"),
    "alamat": ("alamat", "alamat usaha", "alamat lengkap", "alamat tempat"),
    "lokasi": ("lokasi", "koordinat", "titik", "titik koordinat", "google maps", "link maps", "link google maps",
               "gmaps", "peta", "maps", "tautan peta", "link lokasi", "tautan google maps", "share lokasi"),
    "lintang": ("lintang", "latitude", "lat"),
    "bujur": ("bujur", "longitude", "long", "lon", "lng"),
    "ringkasan": ("ringkasan", "keterangan singkat"),
    "isi": ("deskripsi", "keterangan", "uraian", "catatan", "profil", "cerita"),
}
_SPECIFIC: dict[str, dict[str, tuple[str, ...]]] = {
    "umkm": {
        "produk": ("produk", "produk utama", "jenis produk", "barang", "produk unggulan"),
        "pemilik": ("pemilik", "nama pemilik", "pemilik usaha"),
        "telepon": ("telepon", "telp", "no telp", "no telepon", "nomor telepon", "hp", "no hp", "nomor hp",
                    "kontak", "no kontak", "nomor kontak", "no hp wa"),
        "whatsapp": ("whatsapp", "wa", "no wa", "nomor wa", "nomor whatsapp", "no whatsapp"),
        "instagram": ("instagram", "ig", "akun instagram"),
        "email": ("email", "e mail", "surel"),
        "situs": ("situs", "website", "web", "situs web"),
        "nib": ("nib", "no nib", "nomor nib", "nomor induk berusaha"),
        "halal": ("halal", "sertifikat halal", "status halal"),
    },
    "wisata": {
        "jam_buka": ("jam buka", "jam operasional", "waktu buka", "jam", "buka"),
        "tiket": ("tiket", "harga tiket", "htm", "harga masuk", "tiket masuk"),
    },
}
_MINUS = "\u2212"  # the minus sign some spreadsheets show for negative numbers
_ROW_NUMBER = {"no", "nomor", "no urut", "nomor urut"}
_YES = {"ya", "y", "iya", "ada", "sudah", "true", "halal", "v", "✓"}
_NO = {"tidak", "t", "tdk", "belum", "false", "tidak ada", "-", "no"}


@dataclass(frozen=True)
class Baris:
    """The verdict on one row: ``diimpor``, ``dilewati`` or ``perbaiki`` (needs fixing)."""

    nomor: int
    status: str
    pesan: str
    berkas: str = ""
    teks: str = ""


@dataclass(frozen=True)
class Lembar:
    """A sheet as rows of text cells, with the row numbers staff see, and title rows marked."""

    rows: tuple[tuple[int, tuple[str, ...]], ...]
    titles: frozenset[int] = frozenset()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) > 1000:
        return str(int(value))  # phone numbers and NIB typed as numbers
    return str(value).strip()


def read_sheet(path: Path) -> Lembar:
    """Read the first sheet of an .xlsx (merged cells filled from their top-left cell) or a CSV."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=True)
    sheet = book.worksheets[0]
    grid = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    titles = set()
    for merged in sheet.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1]
        if merged.max_col - merged.min_col >= 2 and merged.min_row == merged.max_row:
            titles.add(merged.min_row)
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[r - 1][c - 1] = top
    return Lembar(tuple((n, tuple(row)) for n, row in enumerate(grid, 1)), frozenset(titles))


def _read_csv(path: Path) -> Lembar:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    return Lembar(tuple((n, tuple(c.strip() for c in row)) for n, row in enumerate(rows, 1)))


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()


def header_map(cells: tuple[str, ...], jenis: str) -> dict[int, str]:
    """Column index → field, for the cells of a header row."""
    names: dict[str, tuple[str, ...]] = {**_COMMON, **_SPECIFIC[jenis]}
    lookup = {alias: name for name, aliases in names.items() for alias in aliases}
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _key(cell)
        name = lookup.get(key) or lookup.get(re.sub(r"^(no|nomor) ", "", key))
        if name and name not in found.values():
            found[index] = name
    return found


def find_header(sheet: Lembar, jenis: str) -> tuple[int, dict[int, str]] | None:
    """The first row (of the first 15) that names a ``nama`` column and at least one other."""
    for position, (_number, cells) in enumerate(sheet.rows[:15]):
        columns = header_map(cells, jenis)
        if "nama" in columns.values() and len(columns) >= 2:
            return position, columns
    return None


def phone(raw: str) -> str:
    """``+62 812-3456-7890``, ``(021) 5551234``, ``8123456789`` (a number cell) → ``08123456789``."""
    first = re.split(r"\s*(?:/|,|;| atau |\n)\s*", raw.strip())[0]
    return f.phone(normalize_phone(first))


def _number(raw: str, example: str) -> float:
    text = raw.strip().replace(_MINUS, "-").replace(" ", "")
    if re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise FieldError(f"bukan angka (tertulis '{raw}')", f"tulis angkanya saja, misalnya {example}") from None


def location(values: dict[str, str], config: SiteConfig) -> Any:
    """The point of a row: a Google Maps link or "lat, lon" in one cell, or lintang and bujur cells."""
    read = f.location_reader(config.batas, config.daerah)
    lat, lon = f.example_point(config.batas)
    if values.get("lokasi"):
        raw = values["lokasi"].replace(_MINUS, "-")
        pair = re.fullmatch(r"\s*(-?\d+,\d+)\s*[;/ ]\s*(-?\d+,\d+)\s*", raw)
        return read([_number(pair.group(1), lat), _number(pair.group(2), lon)] if pair else raw)
    if values.get("lintang") and values.get("bujur"):
        return read([_number(values["lintang"], lat), _number(values["bujur"], lon)])
    raise FieldError("lokasi kosong", f"isi kolom lokasi dengan \"{lat}, {lon}\" atau tautan Google Maps, "
                     "atau isi kolom lintang dan bujur")


def _halal(raw: str) -> bool | None:
    key = raw.strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise FieldError(f"halal harus 'ya' atau 'tidak' (tertulis '{raw}')", "tulis ya atau tidak")


def _yaml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def markdown(values: dict[str, str], config: SiteConfig) -> str:
    """The Markdown file for one row (front matter in the content contract's keys)."""
    point = location(values, config)
    lines = [f"nama: {_yaml(values['nama'])}"]
    for key in ("kategori", "ringkasan", "alamat", "jam_buka", "tiket", "pemilik", "nib"):
        if values.get(key):
            lines.append(f"{key}: {_yaml(values[key])}")
    lines.append(f"lokasi: {{lat: {round(point.lat, 6)}, lon: {round(point.lon, 6)}}}")
    if values.get("produk"):
        lines.append("produk:")
        lines += [f"  - {_yaml(p.strip())}" for p in re.split(r"[,;\n]", values["produk"]) if p.strip()]
    if values.get("halal"):
        halal = _halal(values["halal"])
        if halal is not None:
            lines.append(f"halal: {'true' if halal else 'false'}")
    contact = [(k, phone(values[k]) if k in ("telepon", "whatsapp") else values[k])
               for k in ("telepon", "whatsapp", "instagram", "email", "situs") if values.get(k)]
    if contact:
        lines.append("kontak:")
        lines += [f"  {k}: {_yaml(v)}" for k, v in contact]
    body = values.get("isi", "").strip()
    return "---\n" + "\n".join(lines) + "\n---\n" + (body + "\n" if body else "")


def validate(jenis: str, text: str, where: str, config: SiteConfig, contacts: list[str]) -> str:
    """Check a generated file with the content contract and the privacy gate; '' when it passes."""
    try:
        front = split_front_matter(text, where)
    except ContentError as error:
        return error.problems[0].message
    schema = entry_fields(section_by_name(jenis), config.batas, config.daerah)
    _values, problems = f.read_mapping(front.data, schema, where)
    if problems:
        return "; ".join(f"{p.message}{' (' + p.hint + ')' if p.hint else ''}" for p in problems)
    phones = find_personal_phones(text, contacts)
    return phones[0].message if phones else ""


@dataclass(frozen=True)
class Tujuan:
    """Where and how an import writes."""

    site: Path
    slug: str
    jenis: str
    timpa: bool
    dry_run: bool


def _values(cells: tuple[str, ...], columns: dict[int, str]) -> dict[str, str]:
    return {name: cells[i].strip() for i, name in columns.items() if i < len(cells) and cells[i].strip()}


def _row(tujuan: Tujuan, config: SiteConfig, number: int, cells: tuple[str, ...], columns: dict[int, str],
         seen: dict[str, int], is_title: bool) -> Baris:
    filled = [c for c in cells if c.strip()]
    if not filled:
        return Baris(number, "dilewati", "baris kosong")
    for column, cell in enumerate(cells):
        if found := find_identity_numbers(cell):
            name = columns.get(column, f"kolom {column + 1}")
            return Baris(number, "perbaiki", f"diblokir: sel {name} {found[0].message}")
    if is_title or (len(set(filled)) == 1 and len(filled) > 1):
        return Baris(number, "dilewati", f"baris judul atau pemisah ('{filled[0][:40]}')")
    values = _values(cells, columns)
    if not values.get("nama"):
        return Baris(number, "perbaiki", "nama kosong; isi kolom nama")
    slug = suggest_slug(values["nama"])
    if slug in seen:
        return Baris(number, "dilewati", f"nama sama dengan baris {seen[slug]} ({values['nama']})")
    seen[slug] = number
    rel = f"{KELURAHAN_DIR}/{tujuan.slug}/{tujuan.jenis}/{slug}.md"
    try:
        text = markdown(values, config)
    except FieldError as error:
        return Baris(number, "perbaiki", f"{error.message}{'; ' + error.hint if error.hint else ''}")
    contacts = [values[k] for k in ("telepon", "whatsapp") if values.get(k)] + _listed(text)
    if problem := validate(tujuan.jenis, text, rel, config, contacts):
        return Baris(number, "perbaiki", problem)
    if (tujuan.site / rel).exists() and not tujuan.timpa:
        return Baris(number, "dilewati", f"{rel} sudah ada; pakai --timpa untuk menimpanya", rel)
    return Baris(number, "diimpor", values["nama"], rel, text)


def _listed(text: str) -> list[str]:
    return re.findall(r"^  (?:telepon|whatsapp): \"([^\"]+)\"$", text, re.MULTILINE)


def rows(tujuan: Tujuan, config: SiteConfig, sheet: Lembar) -> Iterator[Baris]:
    """The verdict on every row below the header."""
    header = find_header(sheet, tujuan.jenis)
    if header is None:
        raise FieldError("baris judul kolom tidak ditemukan",
                         "baris pertama tabel harus berisi judul kolom, paling sedikit 'nama' dan 'lokasi'")
    position, columns = header
    seen: dict[str, int] = {}
    for number, cells in sheet.rows[position + 1:]:
        yield _row(tujuan, config, number, cells, columns, seen, number in sheet.titles)


def unknown_columns(sheet: Lembar, jenis: str) -> list[str]:
    """Header cells that are not read (reported once, so nothing is dropped silently)."""
    header = find_header(sheet, jenis)
    if header is None:
        return []
    position, columns = header
    cells = sheet.rows[position][1]
    return [c for i, c in enumerate(cells) if c.strip() and i not in columns and _key(c) not in _ROW_NUMBER]


def import_sheet(tujuan: Tujuan, config: SiteConfig, path: Path) -> tuple[list[Baris], list[str]]:
    """Read a sheet, judge every row, write the good ones (unless a dry run); the rows and unread columns."""
    try:
        sheet = read_sheet(path)
    except Exception as error:  # any library error on a foreign file means "unreadable", never a traceback
        hint = "simpan ulang dari Excel sebagai .xlsx (Buku Kerja Excel) atau .csv"
        message = f"berkas tidak bisa dibaca ({type(error).__name__})"
        raise ContentError([Problem(str(path), 1, message, hint)]) from None
    try:
        results = list(rows(tujuan, config, sheet))
    except FieldError as error:
        raise ContentError([Problem(str(path), 1, error.message, error.hint)]) from None
    write(tujuan, results)
    return results, unknown_columns(sheet, tujuan.jenis)


def write(tujuan: Tujuan, results: list[Baris]) -> None:
    """Write the imported rows (not in a dry run)."""
    if tujuan.dry_run:
        return
    for row in results:
        if row.status == "diimpor":
            path = tujuan.site / row.berkas
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(row.teks, encoding="utf-8")
