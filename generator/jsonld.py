"""schema.org structured data (JSON-LD) for the pages, and its safe embedding in ``<script>``.

Pure: models and absolute URLs in, dictionaries out. Staff text is untrusted, so the script
text escapes every character that could end the element or start markup (``<``, ``>``, ``&``)
and the two line separators JavaScript treats as line ends.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .models import Berita, Entry, Kelurahan, Location, Umkm, Wisata

CONTEXT = "https://schema.org"
_DAYS = {"senin": "Mo", "selasa": "Tu", "rabu": "We", "kamis": "Th", "jumat": "Fr", "jum'at": "Fr",
         "sabtu": "Sa", "minggu": "Su", "ahad": "Su"}
_DAY = "|".join(re.escape(d) for d in _DAYS)
_DASH = "[-\u2013]"  # hyphen or en dash
_HOURS = re.compile(
    rf"^(?P<from>{_DAY})(?:\s*{_DASH}\s*(?P<to>{_DAY}))?\s+(?P<h1>\d{{1,2}})[.:](?P<m1>\d{{2}})\s*{_DASH}\s*"
    r"(?P<h2>\d{1,2})[.:](?P<m2>\d{2})$")
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_text(data: dict[str, Any]) -> str:
    """JSON for inside ``<script type="application/ld+json">``: nothing in it can close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _ESCAPES[m.group()], text)


def graph(*items: dict[str, Any] | None) -> dict[str, Any] | None:
    """The page's structured data as one ``@graph`` (None when there is nothing to say)."""
    present = [item for item in items if item]
    return {"@context": CONTEXT, "@graph": present} if present else None


def opening_hours(text: str | None) -> list[str]:
    """``Senin-Kamis 07.30-15.00, Jumat 07.30-11.30`` (hyphens or en dashes) →
    ``["Mo-Th 07:30-15:00", "Fr 07:30-11:30"]``;
    empty when any part cannot be read (no guessing)."""
    if not text:
        return []
    result = []
    for part in re.split(r"[,;]", text):
        match = _HOURS.match(part.strip().lower())
        if not match:
            return []
        days = _DAYS[match["from"]] + (f"-{_DAYS[match['to']]}" if match["to"] else "")
        result.append(f"{days} {int(match['h1']):02d}:{match['m1']}-{int(match['h2']):02d}:{match['m2']}")
    return result


def _geo(lokasi: Location) -> dict[str, Any]:
    return {"@type": "GeoCoordinates", "latitude": round(lokasi.lat, 6), "longitude": round(lokasi.lon, 6)}


def _address(street: str | None, kel: Kelurahan, city: str) -> dict[str, Any]:
    address: dict[str, Any] = {"@type": "PostalAddress", "addressLocality": f"{kel.profil.nama}, {city}",
                               "addressRegion": kel.profil.kecamatan.nama, "addressCountry": "ID"}
    if street:
        address["streetAddress"] = street
    if kel.profil.kode_pos:
        address["postalCode"] = kel.profil.kode_pos
    return address


def _short(text: str | None, limit: int = 300) -> str | None:
    """A description of at most ``limit`` characters, cut at a word."""
    if not text or len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _with(data: dict[str, Any], **optional: Any) -> dict[str, Any]:
    data.update({key: value for key, value in optional.items() if value})
    return data


def office(kel: Kelurahan, name: str, city: str, url: str | None) -> dict[str, Any]:
    """The kelurahan office as a ``GovernmentOffice``."""
    profil = kel.profil
    data = {"@type": "GovernmentOffice", "name": name, "address": _address(profil.alamat, kel, city),
            "geo": _geo(profil.lokasi), "hasMap": profil.lokasi.directions_url}
    return _with(data, url=url, telephone=profil.kontak.telepon, email=profil.kontak.email,
                 openingHours=opening_hours(profil.jam_layanan), description=_short(profil.ringkasan))


def attraction(entry: Wisata, kel: Kelurahan, city: str, url: str | None) -> dict[str, Any]:
    """A wisata entry as a ``TouristAttraction``."""
    data: dict[str, Any] = {"@type": "TouristAttraction", "name": entry.judul,
                            "address": _address(entry.alamat, kel, city)}
    if entry.lokasi:
        data |= {"geo": _geo(entry.lokasi), "hasMap": entry.lokasi.directions_url}
    return _with(data, url=url, description=_short(entry.ringkasan), openingHours=opening_hours(entry.jam_buka))


def business(entry: Umkm, kel: Kelurahan, city: str, url: str | None) -> dict[str, Any]:
    """A UMKM entry as a ``LocalBusiness``."""
    data: dict[str, Any] = {"@type": "LocalBusiness", "name": entry.judul,
                            "address": _address(entry.alamat, kel, city)}
    if entry.lokasi:
        data |= {"geo": _geo(entry.lokasi), "hasMap": entry.lokasi.directions_url}
    contact = entry.kontak
    return _with(data, url=url, description=_short(entry.ringkasan), telephone=contact.telepon or contact.whatsapp,
                 email=contact.email, sameAs=contact.instagram_url)


def article(entry: Berita, publisher: str, url: str | None) -> dict[str, Any]:
    """A berita entry as a ``NewsArticle`` published by the kelurahan."""
    organization = {"@type": "GovernmentOrganization", "name": publisher}
    data = {"@type": "NewsArticle", "headline": entry.judul[:110], "datePublished": entry.tanggal.isoformat(),
            "author": organization, "publisher": organization}
    return _with(data, url=url, mainEntityOfPage=url, description=_short(entry.ringkasan))


def breadcrumbs(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """A ``BreadcrumbList`` of ``(name, absolute url)`` from the top down."""
    items = [{"@type": "ListItem", "position": i, "name": name, "item": url}
             for i, (name, url) in enumerate(trail, start=1)]
    return {"@type": "BreadcrumbList", "itemListElement": items}


def entry_data(entry: Entry, kel: Kelurahan, city: str, publisher: str, url: str | None) -> dict[str, Any] | None:
    """The structured data of an entry page, by its kind (None for kinds schema.org does not fit)."""
    if isinstance(entry, Wisata):
        return attraction(entry, kel, city, url)
    if isinstance(entry, Umkm):
        return business(entry, kel, city, url)
    if isinstance(entry, Berita):
        return article(entry, publisher, url)
    return None
