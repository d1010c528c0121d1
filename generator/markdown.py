"""One configured Markdown converter plus an allowlist sanitizer: text in, safe HTML out.

The dialect is GitHub Flavored Markdown (CommonMark plus tables, strikethrough and bare-link
autolinks), converted by cmark-gfm, GitHub's C implementation (``cmarkgfm``): about 0.07 ms per
page where Python-Markdown needs about 1 ms, which alone decides whether a full build can keep
up with Hugo (bench/README.md). Its parser is linear in the input (cmark's design goal, checked
against pathological inputs in tests/bahaya/markdown-patologis), so no text can make a page
slow. Raw HTML is passed through to nh3, which keeps only the tags and attributes listed here.
"""

from __future__ import annotations

import functools
import re
from html import unescape

import nh3
from cmarkgfm import cmark

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
EXTENSIONS = ("table", "strikethrough", "autolink")
OPTIONS = cmark.Options.CMARK_OPT_UNSAFE  # raw HTML goes on to the sanitizer, not dropped silently
_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^[/#\\]")
_IMAGE_SOURCE = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')  # nh3 always writes attributes in double quotes


class ForeignImage(Exception):
    """A Markdown image points to another host; pages must load nothing from elsewhere."""


def to_html(text: str, link_prefix: str = "") -> str:
    """Staff Markdown → safe HTML; relative links are resolved against ``link_prefix``."""
    raw = cmark.markdown_to_html_with_extensions(text, OPTIONS, EXTENSIONS)
    html = _cleaner(link_prefix).clean(raw)
    for source in _IMAGE_SOURCE.findall(html):
        if _ABSOLUTE.match(unescape(source)):
            raise ForeignImage(unescape(source))
    # nh3 emits attributes in random order when adding them, so add these ourselves.
    return html.replace("<img ", '<img loading="lazy" decoding="async" ')


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
