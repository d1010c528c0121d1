"""The pure part of the photo pipeline: settings, published file names, ``<picture>`` markup
and what a phone downloads for the first screen. No Pillow and no IO here."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape, unescape
from typing import Any
from urllib.parse import unquote

# Changing any setting below changes every cache key (``SETTINGS``), so old variants are not reused.
WIDTHS = (480, 960, 1600)
WEBP_QUALITY = 75
JPEG_QUALITY = 80
CARD_WIDTH, CARD_HEIGHT = 1200, 630
CARD_QUALITY = 82
CARD_MAX_BYTES = 300 * 1024
MAX_PIXELS = 120_000_000
MAX_BYTES = 25 * 1024 * 1024
SETTINGS = f"gambar-2:{WIDTHS}:{WEBP_QUALITY}:{JPEG_QUALITY}:{CARD_WIDTH}x{CARD_HEIGHT}:{CARD_QUALITY}"

# The main column is 60rem wide with 1rem padding on each side (assets/situs.css).
SIZES = "(min-width: 60rem) 58rem, calc(100vw - 2rem)"
PHONE_WIDTH = 360
PHONE_SLOT = PHONE_WIDTH - 32
BUDGET_BYTES = 150 * 1024

# The sanitizer's images (markdown.to_html writes these two attributes first, then nh3's in double quotes).
_MARKDOWN_IMAGE = re.compile(r'<img loading="lazy" decoding="async" ([^>]*)>')
_ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')

WEBP = "image/webp"
MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": WEBP, "gif": "image/gif"}


@dataclass(frozen=True)
class Variant:
    """One published encoding of a photo: ``name`` is its file name in the cache (``480.webp``)."""

    name: str
    width: int
    height: int
    size: int

    @property
    def mime(self) -> str:
        """The MIME type from the file name."""
        return MIME[self.name.rsplit(".", 1)[1]]


@dataclass(frozen=True)
class ImageInfo:
    """What the pages need to know about one media file, and which cached files are published.

    ``original`` is the cached file published under the staff's own file name (the largest
    variant in the file's own format, or the stripped original for GIFs and animations);
    ``card`` the 1200x630 share card made from it, if it is a photo."""

    key: str
    width: int
    height: int
    variants: tuple[Variant, ...]
    original: str
    card: str | None = None

    def to_json(self) -> str:
        """This record as JSON text (stored next to the cached files)."""
        data = {"key": self.key, "width": self.width, "height": self.height, "original": self.original,
                "card": self.card, "variants": [[v.name, v.width, v.height, v.size] for v in self.variants]}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ImageInfo:
        """The record written by ``to_json``; ValueError/TypeError/KeyError when it is not one."""
        data: dict[str, Any] = json.loads(text)
        variants = tuple(Variant(str(n), int(w), int(h), int(s)) for n, w, h, s in data["variants"])
        card = data["card"]
        return cls(str(data["key"]), int(data["width"]), int(data["height"]), variants, str(data["original"]),
                   None if card is None else str(card))

    def webp(self) -> tuple[Variant, ...]:
        """The WebP variants, narrowest first."""
        return tuple(v for v in self.variants if v.mime == WEBP)

    def fallback(self) -> tuple[Variant, ...]:
        """The JPEG (or PNG) variants for browsers without WebP, narrowest first."""
        return tuple(v for v in self.variants if v.mime != WEBP)


def variant_widths(width: int) -> tuple[int, ...]:
    """The widths to publish for a photo ``width`` pixels wide: never wider than the photo."""
    widest = min(width, WIDTHS[-1])
    return (*(w for w in WIDTHS if w < widest), widest)


def scaled_height(width: int, height: int, new_width: int) -> int:
    """The height that keeps the aspect ratio at ``new_width`` (at least one pixel)."""
    return max(1, round(height * new_width / width))


def published_name(rel: str, cached: str) -> str:
    """Where a cached file of ``media/foto.jpg`` is published: ``media/foto.480.webp``."""
    return f"{posixpath.splitext(rel)[0]}.{cached}"


def published_files(rel: str, info: ImageInfo) -> list[tuple[str, str]]:
    """(published path, cached file name) of everything made from one media file."""
    files = [(rel, info.original)]
    files += [(published_name(rel, v.name), v.name) for v in info.variants]
    if info.card:
        files.append((published_name(rel, info.card), info.card))
    return files


def _srcset(rel: str, prefix: str, variants: tuple[Variant, ...]) -> str:
    return ", ".join(f"{prefix}{published_name(rel, v.name)} {v.width}w" for v in variants)


def picture(rel: str, info: ImageInfo, prefix: str, alt: str, css_class: str = "", eager: bool = False,
            title: str = "") -> str:
    """``<picture>`` with WebP and JPEG/PNG sources, explicit size, lazy unless ``eager``."""
    loading = 'fetchpriority="high"' if eager else 'loading="lazy"'
    attrs = f' class="{escape(css_class)}"' if css_class else ""
    attrs += f' title="{escape(title)}"' if title else ""
    fallback, webp = info.fallback(), info.webp()
    if not fallback:
        return (f'<img{attrs} src="{escape(prefix + rel)}" width="{info.width}" height="{info.height}" '
                f'alt="{escape(alt)}" {loading} decoding="async">')
    middle = next((v for v in fallback if v.width >= WIDTHS[1]), fallback[-1])
    return (f'<picture><source type="{WEBP}" srcset="{escape(_srcset(rel, prefix, webp))}" sizes="{SIZES}">'
            f'<img{attrs} src="{escape(prefix + published_name(rel, middle.name))}" '
            f'srcset="{escape(_srcset(rel, prefix, fallback))}" sizes="{SIZES}" '
            f'width="{info.width}" height="{info.height}" alt="{escape(alt)}" {loading} decoding="async"></picture>')


def phone_bytes(info: ImageInfo) -> int:
    """Bytes a 360 px wide phone downloads for this image: the narrowest WebP that fills the column."""
    candidates = info.webp() or info.fallback()
    if not candidates:
        return info.variants[0].size if info.variants else 0
    chosen = next((v for v in candidates if v.width >= PHONE_SLOT), candidates[-1])
    return chosen.size


def card_path(page_path: str) -> str:
    """Where the generated share card of a page goes: ``kauman/index.html`` → ``kauman/kartu/index.jpg``."""
    slug, _, rest = page_path.partition("/")
    stem = rest.removesuffix("index.html").strip("/").replace("/", "-") or "index"
    return f"{slug}/kartu/{stem}.jpg"


def with_pictures(html: str, prefix: str, images: Mapping[str, ImageInfo]) -> str:
    """Replace the ``<img>`` of sanitized Markdown that show a known media file by ``<picture>``."""

    def swap(match: re.Match[str]) -> str:
        attrs = dict(_ATTRIBUTE.findall(match.group(1)))
        source = unquote(unescape(attrs.get("src", "")))
        rel = posixpath.normpath(source.removeprefix(prefix)) if source.startswith(prefix) else ""
        info = images.get(rel)
        if info is None:
            return match.group(0)
        return picture(rel, info, prefix, unescape(attrs.get("alt", "")), title=unescape(attrs.get("title", "")))

    return _MARKDOWN_IMAGE.sub(swap, html)
