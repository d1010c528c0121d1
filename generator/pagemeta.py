"""What a page says about itself in ``<head>``: canonical address, Open Graph type, JSON-LD,
its feed, and what the search index and the sitemap learn about it.

Pure: config, models and the page's path in, template context out. Absolute addresses come
from ``base_url``; without it they are None and the templates leave them out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from . import jsonld
from .config import SiteConfig
from .discovery import FEED_FILE, page_url
from .i18n import Messages
from .models import Berita, Entry, Kelurahan, Layanan
from .sections import Section


def absolute(config: SiteConfig, path: str) -> str | None:
    """The page's canonical address, or None without ``base_url``."""
    return page_url(config.base_url, path) if config.base_url else None


def feed_path(kel: Kelurahan) -> str:
    """Where a kelurahan's Atom feed goes (relative to the site root)."""
    return f"{kel.slug}/{FEED_FILE}"


def has_feed(config: SiteConfig, kel: Kelurahan) -> bool:
    """A kelurahan has a feed when it has news and the site has a ``base_url``."""
    return bool(config.base_url and kel.section("berita"))


def _script(*items: dict[str, Any] | None) -> Markup | None:
    data = jsonld.graph(*items)
    return Markup(jsonld.script_text(data)) if data else None


def _common(config: SiteConfig, kel: Kelurahan, path: str, root: str) -> dict[str, Any]:
    return {"jalur": path, "kanonik": absolute(config, path), "og_type": "website",
            "umpan": root + feed_path(kel) if has_feed(config, kel) else None}


def _trail(config: SiteConfig, t: Messages, kel: Kelurahan, wilayah: str,
           steps: list[tuple[str, str]]) -> dict[str, Any] | None:
    if not config.base_url:
        return None
    home = (t("wilayah.nama", wilayah=wilayah, nama=kel.profil.nama), f"{kel.slug}/index.html")
    return jsonld.breadcrumbs([(name, page_url(config.base_url, path)) for name, path in [home, *steps]])


def home(config: SiteConfig, t: Messages, kel: Kelurahan, root: str, wilayah: str) -> dict[str, Any]:
    """Head context of a kelurahan home: the office as a ``GovernmentOffice`` (``wilayah``: the
    region word, "Kelurahan" or "Desa")."""
    path = f"{kel.slug}/index.html"
    name = t("kantor", wilayah=wilayah, nama=kel.profil.nama)
    context = _common(config, kel, path, root)
    context["jsonld"] = _script(jsonld.office(kel, name, config.nama, context["kanonik"]))
    return context


def section(config: SiteConfig, t: Messages, kel: Kelurahan, part: Section, root: str,
            wilayah: str) -> dict[str, Any]:
    """Head context of a section list: its breadcrumbs."""
    path = f"{kel.slug}/{part.name}/index.html"
    context = _common(config, kel, path, root)
    context["jsonld"] = _script(_trail(config, t, kel, wilayah, [(t(f"bagian.{part.name}"), path)]))
    return context


def entry(config: SiteConfig, t: Messages, kel: Kelurahan, item: Entry, root: str, wilayah: str) -> dict[str, Any]:
    """Head context of an entry page: its schema.org type and breadcrumbs."""
    path = f"{kel.slug}/{item.url}index.html"
    context = _common(config, kel, path, root)
    publisher = t("wilayah.nama", wilayah=wilayah, nama=kel.profil.nama)
    steps = [(t(f"bagian.{item.section}"), f"{kel.slug}/{item.section}/index.html"), (item.judul, path)]
    context["jsonld"] = _script(jsonld.entry_data(item, kel, config.nama, publisher, context["kanonik"]),
                                _trail(config, t, kel, wilayah, steps))
    context["og_type"] = "article" if isinstance(item, Berita) else "website"
    context["ajukan_wa"] = whatsapp_request(t, kel, item, wilayah)
    return context


def whatsapp_request(t: Messages, kel: Kelurahan, item: Entry, wilayah: str) -> str | None:
    """A ``wa.me`` link to the office with a message naming the service and its requirements
    (None when the office has no WhatsApp number or the page is not a service)."""
    base = kel.profil.kontak.whatsapp_url
    if not base or not isinstance(item, Layanan):
        return None
    office = t("kantor", wilayah=wilayah, nama=kel.profil.nama)
    lines = [t("layanan.wa.pesan", layanan=item.judul, kantor=office)]
    if item.persyaratan:
        lines += ["", t("layanan.wa.persyaratan"), *(f"- {' '.join(p.split())}" for p in item.persyaratan)]
    return f"{base}?text={quote(chr(10).join(lines), safe='')}"
