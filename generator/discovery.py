"""How the sites are found: absolute URLs from ``base_url``, sitemap.xml, robots.txt, Atom feeds.

Pure text in, text out. Everything here needs ``base_url``: without it the build leaves these
files out (and says so once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SITEMAP_FILE = "sitemap.xml"
ROBOTS_FILE = "robots.txt"
FEED_FILE = "feed.xml"
TIMEZONE = "+07:00"  # WIB: news dates are local dates
NO_BASE_URL = ("config.yaml: base_url belum diisi, jadi sitemap.xml, robots.txt, umpan berita Atom, tautan kanonik "
               "dan alamat og:url tidak dibuat; isi base_url dengan alamat situs yang diterbitkan")


@dataclass(frozen=True)
class FeedEntry:
    """One news item in a feed (``path`` relative to the site root, ``html`` sanitized)."""

    judul: str
    tanggal: dt.date
    path: str
    ringkasan: str
    html: str = ""


def page_url(base_url: str, path: str) -> str:
    """The absolute, canonical address of an output file: ``a/b/index.html`` → ``<base>a/b/``."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def sitemap_xml(base_url: str, pages: Iterable[tuple[str, str]]) -> str:
    """A sitemap of ``(path, lastmod)`` pairs (lastmod ``YYYY-MM-DD`` or empty), sorted by path."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in sorted(pages):
        modified = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(page_url(base_url, path))}</loc>{modified}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(base_url: str) -> str:
    """Allow every crawler and point it to the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}{SITEMAP_FILE}\n"


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00{TIMEZONE}"


def atom_feed(base_url: str, feed_path: str, home_path: str, title: str, entries: Iterable[FeedEntry],
              language: str) -> str:
    """An Atom 1.0 feed; its ``updated`` is the newest entry's date (no wall clock)."""
    items = sorted(entries, key=lambda e: (e.tanggal, e.path), reverse=True)
    updated = _timestamp(items[0].tanggal) if items else "2000-01-01T00:00:00" + TIMEZONE
    feed_url, home_url = page_url(base_url, feed_path), page_url(base_url, home_path)
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(language)}>',
             f"<title>{escape(title)}</title>", f"<id>{escape(feed_url)}</id>",
             f'<link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
             f'<link rel="alternate" type="text/html" href={quoteattr(home_url)}/>',
             f"<updated>{updated}</updated>", f"<author><name>{escape(title)}</name></author>"]
    lines.extend(_atom_entry(base_url, item) for item in items)
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _atom_entry(base_url: str, item: FeedEntry) -> str:
    url = page_url(base_url, item.path)
    parts = [f"<entry><title>{escape(item.judul)}</title><id>{escape(url)}</id>",
             f'<link rel="alternate" type="text/html" href={quoteattr(url)}/>',
             f"<published>{_timestamp(item.tanggal)}</published><updated>{_timestamp(item.tanggal)}</updated>"]
    if item.ringkasan:
        parts.append(f"<summary>{escape(item.ringkasan)}</summary>")
    if item.html:  # relative links in the body resolve against the entry's own address
        parts.append(f'<content type="html" xml:base={quoteattr(url)}>{escape(item.html)}</content>')
    parts.append("</entry>")
    return "".join(parts)
