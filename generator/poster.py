"""QR posters: for each UMKM and wisata, an A6 and an A4 poster (SVG and PDF) whose QR code
opens its page on the published site (``base_url``).

The QR code comes from segno, the PDF from fpdf2 with its built-in Helvetica (no font files,
works offline; text outside Latin-1 is transliterated). Layout is computed once per paper size
(``Tata``) and drawn by both writers, so SVG and PDF look alike. Deterministic: the PDF's
creation date is fixed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from .config import CONFIG_FILE, SiteConfig, load_config
from .content import list_kelurahan, parse_kelurahan, read_sources
from .errors import ContentError, Problem
from .models import Entry, Kelurahan
from .output import readable_dirs, remove_unlisted, write_if_changed
from .wilayah.istilah import untuk_satuan

POSTER_DIR = "poster"
PAPER = {"a6": (105.0, 148.0), "a4": (210.0, 297.0)}
SECTIONS = ("umkm", "wisata")
LABEL = {"umkm": "UMKM", "wisata": "Wisata"}
_FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_LATIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                        "\u201d": '"', "\u2026": "...", "\u00b7": "-"})


@dataclass(frozen=True)
class Poster:
    """What one poster says."""

    nama: str
    kelurahan: str  # "Kelurahan Kauman" or "Desa Guyangan"
    jenis: str
    kota: str
    url: str

    @property
    def short_url(self) -> str:
        """The address as printed: without ``https://``."""
        return self.url.split("://", 1)[-1]


@dataclass(frozen=True)
class Baris:
    """One line of text: baseline y (mm), size (mm), bold, the text."""

    y: float
    size: float
    bold: bool
    text: str


@dataclass(frozen=True)
class Tata:
    """The layout of one poster on one paper size (all in millimetres)."""

    width: float
    height: float
    qr_x: float
    qr_y: float
    module: float
    matrix: tuple[tuple[bool, ...], ...]
    lines: tuple[Baris, ...]


def posters(kel: Kelurahan, config: SiteConfig) -> Iterator[tuple[Entry, Poster]]:
    """A poster for every UMKM and wisata of a kelurahan (``base_url`` must be set)."""
    base = config.base_url or "/"  # ends with '/' (config.py); posters need it set
    where = f"{untuk_satuan(config.istilah, kel.profil.kode_wilayah).satuan} {kel.profil.nama}"
    for entry in kel.entries:
        if entry.section in SECTIONS:
            yield entry, Poster(entry.judul, where, LABEL[entry.section], config.nama,
                                f"{base}{kel.slug}/{entry.url}")


def _matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    import segno

    qr = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix_iter(border=4))


def layout(poster: Poster, paper: str) -> Tata:
    """Where everything goes on ``paper`` (``a6`` or ``a4``)."""
    width, height = PAPER[paper]
    unit = width / 105  # A4 is A6 scaled by two
    matrix = _matrix(poster.url)
    qr_size = 72 * unit
    module = qr_size / len(matrix)
    lines = [Baris(12 * unit, 4.2 * unit, False, poster.kota)]
    name_size = 8 * unit if len(poster.nama) <= 22 else 6 * unit
    y = 24 * unit
    for part in textwrap.wrap(poster.nama, width=int(width / (name_size * 0.55)))[:3]:
        lines.append(Baris(y, name_size, True, part))
        y += name_size * 1.2
    lines.append(Baris(y + 1 * unit, 4.2 * unit, False, f"{poster.jenis} · {poster.kelurahan}"))
    qr_y = y + 6 * unit
    url_y = qr_y + qr_size + 7 * unit
    url_size = min(3.6 * unit, (width - 10 * unit) / (max(len(poster.short_url), 1) * 0.52))
    lines.append(Baris(url_y, url_size, True, poster.short_url))
    lines.append(Baris(url_y + 8 * unit, 3.4 * unit, False, "Pindai kode QR untuk membuka halamannya"))
    return Tata(width, height, (width - qr_size) / 2, qr_y, module, matrix, tuple(lines))


def _runs(row: tuple[bool, ...]) -> Iterator[tuple[int, int]]:
    """(start, length) of the dark runs of one QR row."""
    start = None
    for x, dark in enumerate((*row, False)):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None


def svg(tata: Tata) -> bytes:
    """The poster as SVG (millimetre units)."""
    w, h, m = tata.width, tata.height, tata.module
    path = "".join(f"M{tata.qr_x + x * m:.3f} {tata.qr_y + y * m:.3f}h{n * m:.3f}v{m:.3f}h{-n * m:.3f}z"
                   for y, row in enumerate(tata.matrix) for x, n in _runs(row))
    bold = ' font-weight="bold"'
    texts = "".join(
        f'<text x="{w / 2:.2f}" y="{b.y:.2f}" font-size="{b.size:.2f}" text-anchor="middle"'
        f'{bold if b.bold else ""}>{escape(b.text)}</text>' for b in tata.lines)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{w:g}mm" height="{h:g}mm" viewBox="0 0 {w:g} {h:g}">'
            f'<rect width="{w:g}" height="{h:g}" fill="#ffffff"/>'
            f'<g font-family="Helvetica, Arial, sans-serif" fill="#111111">{texts}</g>'
            f'<path fill="#000000" d="{path}"/></svg>\n').encode()


def latin(text: str) -> str:
    """Text the PDF's built-in font can show (Latin-1; other letters lose their accents)."""
    text = text.translate(_LATIN)
    return "".join(c if ord(c) < 256 else unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or "?"
                   for c in text)


def pdf(tata: Tata) -> bytes:
    """The poster as PDF (fpdf2, built-in Helvetica)."""
    from fpdf import FPDF

    document = FPDF(unit="mm", format=(tata.width, tata.height))
    document.set_creation_date(_FIXED_DATE)
    document.set_auto_page_break(False)
    document.set_margin(0)
    document.add_page()
    document.set_fill_color(0, 0, 0)
    m = tata.module
    for y, row in enumerate(tata.matrix):
        for x, n in _runs(row):
            document.rect(tata.qr_x + x * m, tata.qr_y + y * m, n * m, m, style="F")
    document.set_text_color(17, 17, 17)
    for b in tata.lines:
        document.set_font("helvetica", "B" if b.bold else "", b.size / 0.3528)
        text = latin(b.text)
        document.text((tata.width - document.get_string_width(text)) / 2, b.y, text)
    return bytes(document.output())


def files(entry: Entry, poster: Poster, slug: str) -> Iterator[tuple[str, bytes]]:
    """The four files of one poster (path relative to the output folder → bytes)."""
    stem = f"{POSTER_DIR}/{slug}/{entry.section}-{entry.slug}"
    for paper in PAPER:
        tata = layout(poster, paper)
        yield f"{stem}-{paper}.svg", svg(tata)
        yield f"{stem}-{paper}.pdf", pdf(tata)


@dataclass(frozen=True)
class Hasil:
    """What ``kelurahan poster`` made: files written, posters, and problems of kelurahan that failed."""

    posters: int
    written: int
    problems: tuple[Problem, ...]


def write_posters(site: Path, output: Path, slugs: tuple[str, ...]) -> Hasil:
    """Write the posters of the selected kelurahan (all by default) into ``output/poster/``."""
    config = load_config(site)
    if not config.base_url:
        raise ContentError([Problem(CONFIG_FILE, 1, "base_url belum diisi: poster butuh alamat situs untuk kode QR",
                                    "tambahkan misalnya base_url: https://kelurahan.contoh.go.id/ di config.yaml")])
    count = written = 0
    problems: list[Problem] = []
    for slug in slugs or tuple(list_kelurahan(site)):
        try:
            kel = parse_kelurahan(read_sources(site, slug), config)
        except ContentError as error:
            problems.extend(error.problems)
            continue
        made = {rel: data for entry, poster in posters(kel, config) for rel, data in files(entry, poster, slug)}
        count += len(made) // 4
        for rel, data in made.items():
            written += write_if_changed(output / rel, data)
        remove_unlisted(output / POSTER_DIR / slug, {rel.rsplit("/", 1)[-1] for rel in made})
    if (output / POSTER_DIR).is_dir():
        readable_dirs(output / POSTER_DIR)
    return Hasil(count, written, tuple(problems))
