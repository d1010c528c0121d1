"""One configured Markdown converter plus an allowlist sanitizer: text in, safe HTML out.

The dialect is CommonMark with GitHub's tables and strikethrough, converted by pulldown-cmark
(Rust, the parser of rustdoc and mdBook) through ``pyromark``: about 10 µs per page where
Python-Markdown needs about 1 ms, which alone decides whether a full build can keep up with
Hugo (bench/README.md). Its parser is linear in the input (checked against pathological
inputs in tests/bahaya/markdown-patologis), so no text can make a page slow, and it keeps no
memory between calls (cmark-gfm's binding leaked ~50 KB per page). Raw HTML is passed through
to nh3, which keeps only the tags and attributes listed here.
"""

from __future__ import annotations

import functools
import re
from html import unescape

import nh3
import pyromark

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
})
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
MAX_NESTING = 100
# Block containers that can nest in themselves; items (li, dd, td...) live inside one of them.
_CONTAINER = re.compile(r"<(/?)(?:address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset"
                        r"|figure|footer|form|header|hgroup|main|menu|nav|ol|section|table|ul)\b", re.IGNORECASE)
OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
# pulldown-cmark aligns table cells with a style; the sanitizer keeps the plain attribute instead.
_ALIGN = tuple((f' style="text-align: {side}"', f' align="{side}"') for side in ("left", "center", "right"))
_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^[/#\\]")
_CURLY = "\u201c\u201d\u201e\u2018\u2019"
_CURLY_LINK = re.compile(
    rf"\]\([^()\n]*[{_CURLY}][^()\n]*\)"  # [teks](“alamat”) or [teks](alamat “judul”)
    rf"|\b(?:href|src)[ ]*=[ ]*[{_CURLY}][^>\n]*"  # <a href=“alamat”>
    rf"|^[ ]{{0,3}}\[[^\]\n]+\]:[^\n]*[{_CURLY}][^\n]*",  # [nama]: “alamat”
    re.MULTILINE | re.IGNORECASE,
)
# Embedded players and frames (a YouTube video, a Google map) the sanitizer drops: refused by name instead.
_EMBED_TAG = re.compile(r"<(?:iframe|video|audio|source|embed|object)\b", re.IGNORECASE)
_EMBED_SOURCE = re.compile(r"<(?:iframe|video|audio|source|embed|object)\b[^>]*?\s(?:src|data|poster)\s*=\s*"
                           r"[\"']?\s*((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^\"'\s>]+)", re.IGNORECASE)
_IMAGE_SOURCE = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')  # nh3 always writes attributes in double quotes


class MarkdownProblem(Exception):
    """A body that cannot be published; ``lines`` counts the lines before the one at fault."""

    def __init__(self, detail: str, lines: int = 0) -> None:
        super().__init__(detail)
        self.lines = lines


class ForeignImage(MarkdownProblem):
    """An image (or embedded video, map...) from another host; pages must load nothing from elsewhere."""


class TooDeep(MarkdownProblem):
    """Quotes, lists or HTML blocks nested deeper than ``MAX_NESTING``: the sanitizer's time
    grows with the square of the depth (1.9 s for 12,000 nested lists in 24 KB)."""


def to_html(text: str, link_prefix: str = "") -> str:
    """Staff Markdown → safe HTML; relative links are resolved against ``link_prefix``."""
    raw = pyromark.html(text, options=OPTIONS)
    if raw.count("<") - raw.count("</") > MAX_NESTING and _nesting(raw) > MAX_NESTING:
        raise TooDeep(f"lebih dari {MAX_NESTING} tingkat", _lines_before(text, _too_deep_at(text)))
    if _EMBED_TAG.search(raw) and (embedded := _EMBED_SOURCE.search(raw)):
        raise _foreign(text, unescape(embedded.group(1)))  # the sanitizer would drop it without a word
    if "<table>" in raw:
        for style, align in _ALIGN:
            raw = raw.replace(style, align)
    html = _cleaner(link_prefix).clean(raw)
    for source in _IMAGE_SOURCE.findall(html):
        if _ABSOLUTE.match(unescape(source)):
            raise _foreign(text, unescape(source))
    # nh3 emits attributes in random order when adding them, so add these ourselves.
    return html.replace("<img ", '<img loading="lazy" decoding="async" ')


def _foreign(text: str, url: str) -> ForeignImage:
    """The problem for ``url``, at the first line of ``text`` that names it."""
    found = text.find(url)
    if found < 0:  # written differently (entities, spaces): the line of the first absolute image
        found = _first_absolute_image(text)
    return ForeignImage(url, text.count("\n", 0, max(found, 0)))


def _first_absolute_image(text: str) -> int:
    for event, span in pyromark.events_with_range(text, options=OPTIONS):
        if isinstance(event, dict) and "Start" in event and isinstance(event["Start"], dict):
            image = event["Start"].get("Image")
            if isinstance(image, dict) and _ABSOLUTE.match(str(image.get("dest_url", ""))):
                return _char_offset(text, span["start"])
    return 0


def _too_deep_at(text: str) -> int:
    """Where (a character offset) quotes, lists and HTML blocks first nest deeper than MAX_NESTING."""
    depth = 0
    for event, span in pyromark.events_with_range(text, options=OPTIONS):
        if not isinstance(event, dict):
            continue
        kind, detail = next(iter(event.items()))
        if kind in ("Start", "End") and isinstance(detail, dict) and {"BlockQuote", "List"} & detail.keys():
            depth += 1 if kind == "Start" else -1
        elif kind in ("Html", "InlineHtml") and isinstance(detail, str):
            for tag in _CONTAINER.finditer(detail):
                depth += -1 if tag.group(1) else 1
                if depth > MAX_NESTING:
                    return _char_offset(text, span["start"]) + tag.start()
            continue
        if depth > MAX_NESTING:
            return _char_offset(text, span["start"])
    return 0


def _char_offset(text: str, byte_offset: int) -> int:
    """pulldown-cmark counts UTF-8 bytes; Python counts characters."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def _lines_before(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def curly_quoted_links(text: str) -> list[tuple[int, str]]:
    """Links and image addresses holding curly quotes (from Word or a phone keyboard), which
    break them: ``[teks](“https://...”)``, ``[teks](https://... “judul”)``, ``href=“...”``.
    Returns (lines before it, what was written) for each."""
    if not any(quote in text for quote in _CURLY) or not ("](" in text or "=" in text or "]:" in text):
        return []
    return [(text.count("\n", 0, match.start()), match.group(0).strip()[:80])
            for match in _CURLY_LINK.finditer(text)]


def _nesting(html: str) -> int:
    """How deep block containers nest in ``html`` (unclosed ones count as open)."""
    depth = deepest = 0
    for tag in _CONTAINER.finditer(html):
        depth += -1 if tag.group(1) else 1
        deepest = max(deepest, depth)
    return deepest


@functools.cache
def _cleaner(link_prefix: str) -> nh3.Cleaner:
    """The sanitizer for pages at one depth (built once: building it costs more than using it)."""

    def rebase(tag: str, attribute: str, value: str) -> str:
        if tag == "img" and attribute == "src" and value.startswith("/") and not value.startswith("//"):
            value = value.lstrip("/")  # "/media/x.jpg": staff mean their own media folder
        if attribute in ("href", "src") and value and not _ABSOLUTE.match(value):
            return link_prefix + value.removeprefix("./")
        return value

    return nh3.Cleaner(tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                       attribute_filter=rebase, url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer")
