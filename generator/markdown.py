"""One configured Markdown converter plus an allowlist sanitizer: text in, safe HTML out."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import markdown as md
import nh3

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
TIME_LIMIT_SECONDS = 2.0
_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^[/#\\]")


class ForeignImage(Exception):
    """A Markdown image points to another host; pages must load nothing from elsewhere."""


class MarkdownTimeout(Exception):
    """A Markdown text took longer than the per-page limit to convert."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (main thread only; elsewhere no limit applies)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise MarkdownTimeout(f"lebih dari {seconds:g} detik")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class MarkdownRenderer:
    """Converts staff Markdown to sanitized HTML; reuses one parser for speed."""

    def __init__(self, time_limit: float = TIME_LIMIT_SECONDS) -> None:
        self._md = md.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        self.time_limit = time_limit

    def render(self, text: str, link_prefix: str = "") -> str:
        """Markdown → safe HTML; relative links are resolved against the kelurahan folder."""
        self._md.reset()
        with time_limit(self.time_limit):
            raw = self._md.convert(text)

        foreign: list[str] = []

        def rebase(tag: str, attribute: str, value: str) -> str | None:
            if tag == "img" and attribute == "src" and value.startswith("/") and not value.startswith("//"):
                value = value.lstrip("/")  # "/media/x.jpg": staff mean their own media folder
            if tag == "img" and attribute == "src" and _ABSOLUTE.match(value):
                foreign.append(value)
                return None
            if attribute in ("href", "src") and value and not _ABSOLUTE.match(value):
                return link_prefix + value.removeprefix("./")
            return value

        html = nh3.clean(
            raw,
            tags=set(TAGS),
            attributes={k: set(v) for k, v in ATTRIBUTES.items()},
            attribute_filter=rebase,
            url_schemes=set(URL_SCHEMES),
            link_rel="noopener noreferrer",
        )
        if foreign:
            raise ForeignImage(foreign[0])
        # nh3 emits attributes in random order when adding them, so add these ourselves.
        return html.replace("<img ", '<img loading="lazy" decoding="async" ')
