"""The staff guide (docs/panduan-konten.md) quotes what the program prints.

Every message the guide quotes is collected (output lines in ``text`` blocks, and inline code
that is a located message, or that follows "Kesalahan:" or sits in a "Pesan" column) and must be
a message the program can print: the message, and the hint after "; ", each match one of the
string templates in generator/ (f-strings with any value in their placeholders). One example
block is also run through ``kelurahan check`` and compared line by line.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, assert_exit, png_bytes, run_cli

GUIDE = REPO / "docs" / "panduan-konten.md"
LOCATED = re.compile(r"^(?:kelurahan/[^:]+|config\.yaml):\d+: (?P<body>.+)$")
OUTPUT_LINE = re.compile(r"^(?:kelurahan/\S+:\d+: |config\.yaml:\d+: |Kesalahan: |Error: |Konten berisi |"
                         r"\d+ masalah di |Semua \d+ kelurahan )")
FIELD_PREFIX = re.compile(r"^[a-z_0-9]+: ")
WARNING_LABEL = "peringatan: "
USAGE_LABEL = "Kesalahan: "
MIN_LITERAL = 8  # a template must hold this many letters of its own to count (not just "{a}: {b}")


@dataclass(frozen=True)
class Quote:
    """One message quoted in the guide."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"docs/panduan-konten.md:{self.line}: {self.text}"


def _code_spans(line: str) -> Iterator[tuple[int, str]]:
    """Inline code (single or double backticks) with its position in the line."""
    for match in re.finditer(r"``\s?(.+?)\s?``|`([^`]+)`", line):
        yield match.start(), (match.group(1) or match.group(2))


def guide_quotes(text: str) -> list[Quote]:
    """Every program message the guide quotes."""
    quotes: list[Quote] = []
    in_text_block = False
    message_column: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = re.sub(r"^>\s?", "", line.strip()).strip()  # blocks inside a "> " note too
        if stripped.startswith("```"):
            in_text_block = stripped == "```text"
            continue
        if in_text_block:
            if OUTPUT_LINE.match(stripped):
                quotes.append(Quote(number, stripped))
            continue
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if any(c.startswith("Pesan") for c in cells):
                message_column = next(i for i, c in enumerate(cells) if c.startswith("Pesan"))
                continue
        else:
            message_column = None
        for start, span in _code_spans(line):
            before = line[:start]
            cell = re.sub(r"`[^`]*`", "", before.rsplit("|", 1)[-1]).replace("atau", "")
            in_column = message_column is not None and before.count("|") == message_column + 1 and not cell.strip()
            if OUTPUT_LINE.match(span) or before.rstrip().endswith("Kesalahan:") or in_column:
                quotes.append(Quote(number, span))
    return quotes


# -- the program's templates -------------------------------------------------------------------


ANY = (".+?", 0)  # an f-string placeholder
JOINED = ("(?:.*?)", 0)  # a computed string added to a literal (", ".join(...))


def _pattern(node: ast.expr) -> tuple[str, int] | None:
    """A regular expression for the strings an expression can make, with the number of letters
    every such string holds from the code itself; None if the expression makes no string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "{masked}": a str.format template
        pieces = re.split(r"\{[a-z_]+\}", node.value)
        return ".+?".join(map(re.escape, pieces)), len(re.findall(r"[A-Za-z]", "".join(pieces)))
    if isinstance(node, ast.JoinedStr):
        parts = [ANY if isinstance(v, ast.FormattedValue) else _pattern(v) or ANY for v in node.values]
        return "".join(p for p, _ in parts), sum(n for _, n in parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pattern(node.left), _pattern(node.right)
        if left is None and right is None:
            return None
        (lp, ln), (rp, rn) = left or JOINED, right or JOINED
        return lp + rp, ln + rn
    if isinstance(node, ast.IfExp):
        body, orelse = _pattern(node.body), _pattern(node.orelse)
        if body is None or orelse is None:  # a string or something else: not a message template
            return None
        return f"(?:{body[0]}|{orelse[0]})", min(body[1], orelse[1])
    return None


@functools.cache
def _raw_templates() -> tuple[str, ...]:
    """Every string the generator's code can build, as regular expressions (sources)."""
    patterns: set[str] = set()
    for source in sorted((REPO / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.expr) and (found := _pattern(node)) and found[1] >= MIN_LITERAL:
                # Text inside HTML (the preview's error box) is read without its tags.
                patterns.update(piece for piece in re.split(r"<[^<>]*>", found[0])
                                if len(re.findall(r"[A-Za-z]", piece.replace(".+?", ""))) >= MIN_LITERAL)
    return tuple(sorted(patterns))


@functools.cache
def program_templates() -> tuple[re.Pattern[str], ...]:
    """The templates as expressions; a value at the very end is one word (a name, a number):
    longer text there must be a template of its own (see ``_open_ended``)."""
    return tuple(re.compile(p.removesuffix(".+?") + r"\S+" if p.endswith(".+?") else p, re.DOTALL)
                 for p in _raw_templates())


def _is_template(text: str) -> bool:
    return any(t.fullmatch(text) for t in program_templates())


@functools.cache
def _open_ended() -> tuple[re.Pattern[str], ...]:
    """Templates that end in a value (``nilai {where} tidak valid: {message}``), without that value."""
    return tuple(re.compile(p.removesuffix(".+?"), re.DOTALL) for p in _raw_templates()
                 if p.endswith(".+?") and len(re.findall(r"[A-Za-z]", p.replace(".+?", ""))) >= MIN_LITERAL)


def _message_and_hint(text: str) -> bool:
    if _is_template(text):
        return True
    for split in [m.start() for m in re.finditer("; ", text)]:
        message, hint = text[:split], text[split + 2 :]
        if (_is_template(message) or _is_template(FIELD_PREFIX.sub("", message, count=1))) and _is_template(hint):
            return True
    return False


def is_program_message(quote: str) -> bool:
    """True when ``quote`` is (message) or (message; hint) the program can print, possibly with the
    warning label, a field name in front, or inside a template that ends in a value (usage errors)."""
    located = LOCATED.match(quote)
    body = located.group("body") if located else quote
    body = body.removeprefix(WARNING_LABEL).removeprefix(USAGE_LABEL)
    if _message_and_hint(body) or _message_and_hint(FIELD_PREFIX.sub("", body, count=1)):
        return True
    for template in _open_ended():
        head = template.match(body)
        if head and head.end() < len(body) and _message_and_hint(body[head.end() :]):
            return True
    return False


QUOTES = guide_quotes(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_quotes_many_messages() -> None:
    located = [q for q in QUOTES if LOCATED.match(q.text)]
    assert len(QUOTES) >= 60 and len(located) >= 40, [str(q) for q in QUOTES]


@pytest.mark.parametrize("quote", QUOTES, ids=[str(q.line) for q in QUOTES])
def test_every_quoted_message_is_one_the_program_prints(quote: Quote) -> None:
    assert is_program_message(quote.text), f"{quote}\nis not a message of the program (see generator/)"


@pytest.mark.parametrize("wrong", [
    "kelurahan/kauman/profil.yaml:4: isian 'alamt' tidak diketahui; maksud Anda 'alamat'?",
    "kelurahan/kauman/halaman/a.md:1: berkas bukan teks UTF8; simpan ulang berkas dengan pengodean UTF-8",
    "Error: Invalid value for SLUG: 'media' dipakai oleh situs; pilih nama lain",
    "halal: harus ya atau tidak (tertulis 'ya')",
    "Kesalahan: nilai SLUG tidak valid: 'media' tidak boleh dipakai",
    "kelurahan/kauman/profil.yaml:4: foto 'media/kantor.jpg' tidak ditemukan; simpan gambarnya di mana saja",
])
def test_the_matcher_refuses_messages_the_program_does_not_print(wrong: str) -> None:
    assert not is_program_message(wrong)


def _block_after(marker: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    block = text[text.index(marker):].split("```text\n", 1)[1].split("```", 1)[0]
    return block.strip().splitlines()


def test_the_privacy_messages_are_what_check_prints(make_site: Callable[..., Path]) -> None:
    """The guide's privacy messages (section 12), from files written to match them."""
    site = make_site({
        "kelurahan/kauman/profil.yaml": "nama: Kauman\nkecamatan: laweyan\nlokasi: \"-7.5660, 110.7900\"\n",
        "kelurahan/kauman/halaman/a.md": "---\njudul: Pendaftaran\n---\n"
                                         "Hubungi 081234567890 dengan membawa NIK 3372031203800005.\n",
        "kelurahan/kauman/media/ktp-3372031203800005.jpg": png_bytes(),
    })
    result = run_cli(site, "check", "kauman")
    assert_exit(result, 1)
    assert result.stderr.strip().splitlines()[:-1] == _block_after("#### Pesan yang muncul")


def test_the_example_check_output_is_what_check_prints(make_site: Callable[..., Path]) -> None:
    """The guide's "Contoh keluaran `kelurahan check kauman`", from files written to match it."""
    site = make_site({
        "kelurahan/kauman/profil.yaml": "nama: Kauman\nkecamatan: laweyan\nlokasi: \"-7.5660, 110.7900\"\n"
                                        "alamt: Jl. Contoh No. 1\n",
        "kelurahan/kauman/berita/kerja-bakti.md": "---\njudul: Kerja Bakti\ntanggal: 17-08-2025\n---\nKerja bakti.\n",
        "kelurahan/kauman/umkm/batik-tulis-kauman.md": "---\nnama: Batik Tulis\nlokasi: \"-7.5665, 110.7905\"\n"
                                                       "kategori: Batik\nhalal: ya\n---\nBatik.\n",
    })
    result = run_cli(site, "check", "kauman")
    assert_exit(result, 1)
    assert result.stderr.strip().splitlines() == _block_after("Contoh keluaran `kelurahan check kauman`")
