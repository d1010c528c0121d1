"""Strict YAML loading that keeps line numbers, and front matter splitting.

Staff paste text from WhatsApp and Word, so YAML 1.1 surprises are switched off: only
``true``/``false`` are booleans, only plain decimal numbers without a leading zero are
numbers, and everything else (``no``, ``08123``, ``12:30``, ``2024-08-17``) stays text.
Anchors, aliases, custom tags and duplicate keys are refused.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import ContentError, Problem

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 12
MAX_DIGITS = 400
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


# Plain (unquoted) scalars that are not text, group n tagged _IMPLICIT_TAGS[n]: YAML 1.2 booleans,
# decimal numbers and null, without YAML 1.1's yes/no, 0x1F, 1_000, 12:30 or dates.
_IMPLICIT = re.compile(
    r"^(?:(true|True|TRUE|false|False|FALSE)|(-?(?:0|[1-9][0-9]*))|(-?(?:0|[1-9][0-9]*)\.[0-9]+)"
    r"|(~|null|Null|NULL|))$"
)
_IMPLICIT_TAGS = (_STR, _BOOL, _INT, _FLOAT, _NULL)


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Composes nodes with a minimal, YAML-1.2-like set of implicit types."""

    # The composer calls these hooks around every node; with no path resolvers they have nothing
    # to do, and builtins that ignore their result (``is_(parent, index)``, ``tuple()``) are much
    # cheaper than the Python methods they replace.
    descend_resolver = staticmethod(operator.is_)
    ascend_resolver = staticmethod(tuple)

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of a node written without one (the composer asks for every such node)."""
        if kind is not yaml.ScalarNode:
            return _SEQ if kind is yaml.SequenceNode else _MAP
        return _implicit_tag(value) if implicit[0] else _STR


def _implicit_tag(text: str) -> str:
    """The type of a plain (unquoted) scalar written without a tag."""
    match = _IMPLICIT.match(text)
    return _IMPLICIT_TAGS[match.lastindex or 0] if match else _STR


class YamlInt(int):
    """A whole number that remembers how it was written (``10`` stays ``10`` as text)."""

    def __new__(cls, text: str) -> YamlInt:
        number = super().__new__(cls, text)
        number.text = text
        return number

    text: str


class YamlFloat(float):
    """A decimal number that remembers how it was written (``10.000`` stays ``10.000`` as text)."""

    def __new__(cls, text: str) -> YamlFloat:
        number = super().__new__(cls, text)
        number.text = text
        return number

    text: str


class Mapping(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """Line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class Sequence(list[Any]):
    """A YAML sequence that remembers the line of itself and of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


# A '---' line, with lines as str.splitlines() sees them: '---', then nothing but whitespace up to
# the line break. Searching for it spares splitting the whole body into lines.
_LINE_BREAKS = r"\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029"
_DELIMITER_END = rf"[^\S{_LINE_BREAKS}]*(?:\r\n|[{_LINE_BREAKS}]|\Z)"
_OPENING_LINE = re.compile("---" + _DELIMITER_END)
_CLOSING_LINE = re.compile(rf"---(?<=[{_LINE_BREAKS}]---){_DELIMITER_END}")


@dataclass(frozen=True)
class FrontMatter:
    """A Markdown file split into its YAML header and body."""

    data: Mapping
    body: str
    body_line: int


class _Builder:
    """Turns composed nodes into plain values, refusing what staff should not write.

    Anchors and aliases never get here: ``load_yaml`` refuses them while parsing."""

    def __init__(self, path: str, offset: int) -> None:
        self.path = path
        self.offset = offset
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + self.offset, message, hint))

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            self.fail(node, f"struktur YAML terlalu dalam (lebih dari {MAX_DEPTH} tingkat)",
                      "sederhanakan isian ini")
            return None
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self.scalar(node)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        return self.sequence(node, depth)

    def mapping(self, node: yaml.MappingNode, depth: int) -> Mapping | None:
        if node.tag != _MAP:
            self.fail(node, f"tag YAML '{node.tag}' tidak diizinkan", "hapus tag yang diawali '!'")
            return None
        result = Mapping(node.start_mark.line + self.offset)
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str | int | float | bool):
                self.fail(key_node, "nama isian harus berupa teks biasa")
                continue
            name = str(key)
            if name in result.key_lines:
                first = result.key_lines[name]
                self.fail(key_node, f"isian '{name}' ditulis dua kali (pertama di baris {first})",
                          "hapus salah satunya")
                continue
            result.key_lines[name] = key_node.start_mark.line + self.offset
            result[name] = self.build(value_node, depth + 1)
        return result

    def sequence(self, node: yaml.Node, depth: int) -> Sequence | None:
        if node.tag != _SEQ:
            self.fail(node, f"tag YAML '{node.tag}' tidak diizinkan", "hapus tag yang diawali '!'")
            return None
        result = Sequence(node.start_mark.line + self.offset)
        for item in node.value:
            result.item_lines.append(item.start_mark.line + self.offset)
            result.append(self.build(item, depth + 1))
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        """A scalar that is not plain text: a boolean, a number, null, or a refused tag.

        A tag is refused unless the text is of that type anyway (``!!int banyak`` would crash,
        ``!!bool mungkin`` would silently be false)."""
        tag, text = node.tag, node.value
        if node.style or tag != _implicit_tag(text):  # quoted text is never a number; plain style is ''
            self.fail(node, f"tag YAML '{tag}' tidak diizinkan", "hapus tag yang diawali '!'")
            return None
        if tag == _BOOL:
            return text.lower() == "true"
        if tag == _INT:
            if len(text) > MAX_DIGITS:
                self.fail(node, f"angka terlalu panjang ({len(text)} digit)", "periksa kembali angka ini")
                return None
            return YamlInt(text)
        if tag == _FLOAT:
            return YamlFloat(text)
        return None  # null


_DEEP = f"struktur YAML terlalu dalam (lebih dari {MAX_DEPTH} tingkat)", "sederhanakan isian ini"
_QUOTE_IT = "apit nilainya dengan tanda kutip"

# What the parser (libyaml, or PyYAML's own when libyaml is missing) says, in the parser's English,
# and what staff read instead: a part of the library's message (its context and problem, never the
# quoted content), then our message and hint. The library's words never reach the user: an error
# matching no line gets _UNKNOWN.
_LIBYAML_LIMIT = "exceeded maximum nesting depth"
_YAML_MESSAGES = (
    (_LIBYAML_LIMIT, *_DEEP),  # libyaml's own limit since PyYAML 6.0.4
    ("found character '\\t'", "ada karakter TAB", "ganti TAB dengan spasi (2 spasi per tingkat)"),
    ("found a tab character", "ada karakter TAB", "ganti TAB dengan spasi (2 spasi per tingkat)"),
    ("that cannot start any token", "nilai tidak boleh diawali @, ` atau %",
     "apit nilainya dengan tanda kutip, misalnya instagram: \"@akun_kelurahan\""),
    ("block sequence entries are not allowed", "tanda '-' di tempat yang tidak terduga",
     "jika nilainya memang '-', apit dengan tanda kutip; jika daftar, tulis di baris baru"),
    ("did not find expected key", "baris ini tidak berbentuk 'nama: nilai' atau indentasinya salah",
     "samakan indentasi dengan baris di atasnya dan periksa tanda kutip"),
    ("expected '-' indicator", "baris ini tidak berbentuk 'nama: nilai' atau indentasinya salah",
     "samakan indentasi dengan baris di atasnya dan periksa tanda kutip"),
    ("expected <block end>", "baris ini tidak berbentuk 'nama: nilai' atau indentasinya salah",
     "samakan indentasi dengan baris di atasnya dan periksa tanda kutip"),
    ("unknown escape character", "garis miring terbalik (\\) dalam teks bertanda kutip ganda",
     "pakai tanda kutip tunggal atau hapus garis miring terbalik"),
    ("hexdecimal number", "garis miring terbalik (\\) dalam teks bertanda kutip ganda",
     "pakai tanda kutip tunggal atau hapus garis miring terbalik"),
    ("hexadecimal numbers", "garis miring terbalik (\\) dalam teks bertanda kutip ganda",
     "pakai tanda kutip tunggal atau hapus garis miring terbalik"),
    ("expected ',' or ']'", "daftar [ ... ] tidak ditutup dengan benar", "periksa koma dan tanda ] di baris ini"),
    ("expected ',' or '}'", "isian { ... } tidak ditutup dengan benar", "periksa koma dan tanda } di baris ini"),
    ("block scalar", "nilai diawali > atau | (teks blok) tidak ditulis dengan benar",
     f"{_QUOTE_IT}, atau tulis teksnya di baris berikutnya dengan indentasi"),
    ("comment or line break", "nilai diawali > atau | (teks blok) tidak ditulis dengan benar",
     f"{_QUOTE_IT}, atau tulis teksnya di baris berikutnya dengan indentasi"),
    ("mapping values are not allowed", "ada titik dua (:) di tempat yang tidak terduga",
     "jika nilainya berisi ': ', apit dengan tanda kutip, misalnya alamat: \"Jl. Slamet: 5\""),
    ("could not find expected ':'", "baris ini tidak berbentuk 'nama: nilai'",
     "periksa titik dua dan indentasi baris ini"),
    ("found unexpected end of stream", "tanda kutip atau kurung tidak ditutup", "pastikan setiap \" dan [ ditutup"),
    ("quoted scalar", "tanda kutip tidak ditutup dengan benar", "pastikan setiap tanda kutip pembuka punya penutup"),
    ("node content", "nilai tidak lengkap", "periksa tanda kurung, koma dan tanda kutip di baris ini"),
    ("alias", "anchor/alias YAML (& dan *) tidak didukung", "tulis nilainya secara lengkap"),
    ("anchor", "anchor/alias YAML (& dan *) tidak didukung", "tulis nilainya secara lengkap"),
    ("tag", "tag YAML (nilai diawali '!') tidak diizinkan", f"hapus tandanya, atau {_QUOTE_IT}"),
    ("URI", "tag YAML (nilai diawali '!') tidak diizinkan", f"hapus tandanya, atau {_QUOTE_IT}"),
    ("document start", "isian sesudah baris '...' atau '%' tidak terbaca",
     f"hapus baris yang diawali '...' atau '%' di atasnya, atau {_QUOTE_IT}"),
    ("single document", "berkas berisi lebih dari satu dokumen YAML", "hapus baris '---' yang berlebih"),
    ("document", "berkas berisi lebih dari satu dokumen YAML", "hapus baris '---' atau '...' yang berlebih"),
    ("directive", "baris yang diawali % tidak diizinkan", f"{_QUOTE_IT}, atau hapus tanda % di awal baris"),
    ("character", "ada karakter kendali (tak terlihat) dalam teks",
     "hapus karakter itu; biasanya terbawa saat menyalin dari aplikasi lain"),
)
# What YAML's reader refuses, and what it counts as a line break (PyYAML's reader.py, YAML 1.1).
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_YAML_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_UNKNOWN = "YAML tidak valid", "periksa indentasi, titik dua dan tanda kutip di sekitar baris ini"


def _translate(error: yaml.YAMLError, text: str, path: str, offset: int) -> Problem:
    """Our Indonesian words for a parser error, at the line the parser points at."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = int(mark.line) + offset if mark is not None else offset
    curly = _curly_quote_line(text, line - offset)
    if curly is not None:
        return Problem(path, curly + offset, CURLY_QUOTE_MESSAGE, CURLY_QUOTE_HINT)
    refused = _NON_PRINTABLE.search(text) if isinstance(error, yaml.reader.ReaderError) else None
    if refused:  # the reader gives a position only, counted differently by libyaml and PyYAML
        line = len(_YAML_LINE_BREAK.findall(text, 0, refused.start())) + offset
    said = getattr(error, "context", None), getattr(error, "problem", None), getattr(error, "reason", None)
    words = " ".join(part for part in said if isinstance(part, str)) or str(error).split("\n")[0]
    message, hint = next(((m, h) for needle, m, h in _YAML_MESSAGES if needle in words), _UNKNOWN)
    return Problem(path, line, message, hint)


# -- curly quotes ----------------------------------------------------------------------------
#
# Word and phone keyboards turn straight quotes into curly ones (U+201C/D, U+2018/9), which YAML
# does not know as quotes. A value wholly wrapped in them (``alamat: “Jl. Slamet: 5”``) can only
# mean a quoted value, so it is read as one; a YAML error on a line holding them (or caused by
# one above) names them as the cause. Curly quotes inside text (``Kampung “batik” tertua``) are
# good typography and stay as written.

CURLY_QUOTES = "\u201c\u201d\u201e\u2018\u2019"
CURLY_QUOTE_MESSAGE = "tanda kutip miring (\u201c \u201d atau \u2018 \u2019) tidak berlaku sebagai tanda kutip YAML"
CURLY_QUOTE_HINT = ("ganti dengan tanda kutip biasa (\") di awal dan di akhir nilai, misalnya "
                    "alamat: \"Jl. Slamet: 5\"")
_KEY = r"[^\s#\"'{\[\-][^:#\n]*?:[ ]+"
_CURLY_VALUE = re.compile(
    rf"^(?P<lead>[ ]*(?:-[ ]+(?:{_KEY})?|{_KEY}))"  # indentation, then 'key: ', '- ' or '- key: '
    r"(?:[\u201c\u201d\u201e](?P<double>[^\u201c\u201d\u201e\n]*)[\u201c\u201d]"
    r"|\u2018(?P<single>[^\u2018\u2019\n]*)\u2019)"
    r"(?P<tail>[ \t]*(?:[ \t]#[^\n]*)?\r?)$",
    re.MULTILINE,
)
# A value opened with a straight quote and closed with a curly one: YAML reads on to the next line.
_MIXED_QUOTES = re.compile(r"(?::|^[ ]*-)[ ]+[\"'][^\"'\n]*[\u201c\u201d\u2018\u2019][ \t]*\r?$")


def _straight(match: re.Match[str]) -> str:
    """One line whose value is wrapped in curly quotes, with straight ones instead."""
    double = match.group("double")
    if double is not None:
        inner = '"' + double.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        inner = "'" + match.group("single").replace("'", "''") + "'"
    return match.group("lead") + inner + match.group("tail")


def straighten_quotes(text: str) -> str:
    """Replace curly quotes that wrap a whole value (``key: “...”``, ``- “...”``) by straight ones;
    line numbers stay the same."""
    if not any(quote in text for quote in CURLY_QUOTES):
        return text
    return _CURLY_VALUE.sub(_straight, text)


def _curly_quote_line(text: str, index: int) -> int | None:
    """The 0-based line that explains a YAML error on line ``index``: that line when it holds a
    curly quote, else the nearest line above that opens a value with a straight quote and ends with
    a curly one; otherwise None."""
    if not any(quote in text for quote in CURLY_QUOTES):
        return None
    lines = text.splitlines()
    if 0 <= index < len(lines) and any(quote in lines[index] for quote in CURLY_QUOTES):
        return index
    for above in range(min(index, len(lines)) - 1, -1, -1):  # the quote YAML is still looking to close
        if _MIXED_QUOTES.search(lines[above]):
            return above
    return None


def _tab_problems(text: str, path: str, offset: int) -> list[Problem]:
    problems: list[Problem] = []
    if "\t" not in text:
        return problems
    for number, line in enumerate(text.splitlines(), start=offset):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(Problem(path, number, "ada karakter TAB di awal baris",
                                    "ganti TAB dengan spasi (2 spasi per tingkat)"))
    return problems


def _may_be_deep(text: str) -> bool:
    """Cheap test: could this text nest deeper than MAX_DEPTH (flow brackets or indentation)?"""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    return any(len(line) - len(line.lstrip(" -")) > 2 * MAX_DEPTH for line in text.splitlines())


def _check_events(text: str, path: str, first_line: int, loader: type[yaml.SafeLoader] = _StrictLoader) -> None:
    """Refuse anchors, aliases and deep nesting by walking parser events (iteratively, so
    hostile input cannot exhaust the stack)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = (event.start_mark.line if event.start_mark else 0) + first_line
                raise ContentError([Problem(path, line, "anchor/alias YAML (& dan *) tidak didukung",
                                            "jika teksnya memang diawali & atau *, apit dengan tanda kutip")])
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = (event.start_mark.line if event.start_mark else 0) + first_line
                    message = f"struktur YAML terlalu dalam (lebih dari {MAX_DEPTH} tingkat)"
                    raise ContentError([Problem(path, line, message, "sederhanakan isian ini")])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        if loader is not yaml.SafeLoader and _LIBYAML_LIMIT in str(getattr(error, "problem", "")):
            # libyaml (PyYAML 6.0.4 and later) stops at 1,000 levels while reading ahead, before our
            # limit is reached; PyYAML's own, slower parser has no such limit and finds the line
            # our limit refuses, the same line as with earlier versions.
            _check_events(text, path, first_line, yaml.SafeLoader)
        raise ContentError([_translate(error, text, path, first_line)]) from None


def load_yaml(text: str, path: str, first_line: int = 1) -> Any:
    """Parse one YAML document strictly; raise ContentError with every problem found."""
    problems = _tab_problems(text, path, first_line)
    if problems:
        raise ContentError(problems)
    text = straighten_quotes(text)
    if _may_be_deep(text) or "&" in text or "*" in text:
        _check_events(text, path, first_line)
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        raise ContentError([_translate(error, text, path, first_line)]) from None
    except RecursionError:
        raise ContentError([Problem(path, first_line, "struktur YAML terlalu dalam",
                                    "sederhanakan isian ini")]) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    builder = _Builder(path, first_line)
    value = builder.build(node)
    if builder.problems:
        raise ContentError(builder.problems)
    return value


def load_mapping(text: str, path: str, first_line: int = 1) -> Mapping:
    """Parse YAML that must be a mapping of ``nama: nilai`` lines (an empty file is empty)."""
    value = load_yaml(text, path, first_line)
    if value is None:
        return Mapping(first_line)
    if not isinstance(value, Mapping):
        raise ContentError([Problem(path, first_line, "isi berkas harus berupa daftar 'nama: nilai'",
                                    "lihat contoh di docs/panduan-konten.md")])
    return value


def decode_text(data: bytes, path: str) -> str:
    """UTF-8 text without a byte order mark; text in another encoding is refused at its first bad line."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        start = error.start
        line_start = data.rfind(b"\n", 0, start) + 1
        before = " ".join(data[line_start:start].decode("utf-8", "replace").split()[-3:])
        char = data[start : start + 1].decode("cp1252", "replace")
        where = f"sesudah '{before}'" if before else "di awal baris"
        message = f"berkas bukan teks UTF-8: karakter '{char}' {where} tersimpan dengan pengodean lain"
        problem = Problem(path, data.count(b"\n", 0, start) + 1, message,
                          "simpan ulang berkas dengan pengodean UTF-8")
        raise ContentError([problem]) from None


def split_front_matter(text: str, path: str) -> FrontMatter:
    """Split ``---``-delimited YAML front matter from a Markdown body, keeping line numbers."""
    text = text.removeprefix("\ufeff")
    opening = _OPENING_LINE.match(text)
    if not opening:
        raise ContentError([Problem(path, 1, "berkas harus diawali baris '---' (front matter)",
                                    "tulis '---', isian seperti 'nama: ...', lalu '---' lagi")])
    closing = _CLOSING_LINE.search(text, opening.end())
    if not closing:
        raise ContentError([Problem(path, 1, "front matter tidak ditutup dengan baris '---'",
                                    "tambahkan baris '---' setelah isian terakhir")])
    header = text[opening.end() : closing.start()]
    data = load_mapping(header, path, first_line=2)
    return FrontMatter(data, text[closing.end() :], len(header.splitlines()) + 3)
