"""What a kelurahan holds, per section: each item with what is missing, still ``contoh`` or broken."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import SiteConfig
from ..content import PROFILE_FILE, parse_kelurahan, read_sources
from ..errors import ContentError, Problem
from ..sections import SECTIONS, Section
from ..yamlio import Mapping, load_mapping, split_front_matter
from .schema import FormField, entry_form, lookup, profile_form

# Keys that may stay empty without anything being "missing".
_OPTIONAL = frozenset({"contoh", "sumber", "lokasi_perkiraan", "nib", "tiket", "instagram", "email", "situs",
                       "telepon", "whatsapp", "facebook", "youtube", "kode_wilayah", "kode_pos", "luas_km2",
                       "penduduk", "media_sosial"})


@dataclass(frozen=True)
class ItemSummary:
    """One file as the kelurahan page lists it."""

    name: str
    title: str
    contoh: bool
    missing: tuple[str, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class SectionSummary:
    """One section and its items."""

    section: Section
    items: tuple[ItemSummary, ...]


def _missing(data: Mapping, fields: tuple[FormField, ...]) -> tuple[str, ...]:
    return tuple(f.label for f in fields
                 if lookup(data, f.name) in (None, "", []) and f.name.split(".")[-1] not in _OPTIONAL
                 and (f.widget != "location" or f.required))  # a tradition may have no place


def _summary(name: str, text: str | None, fields: tuple[FormField, ...], title_key: str, where: str,
             problems: list[Problem]) -> ItemSummary:
    mine = tuple(f"baris {text}" for p in problems if p.path == where
                 for text in [str(p).removeprefix(f"{where}:")])
    try:
        raw = text or ""
        data = load_mapping(raw, where) if where.endswith(".yaml") else split_front_matter(raw, where).data
    except ContentError:
        return ItemSummary(name, name, False, (), mine)
    title = data.get(title_key)
    return ItemSummary(name, str(title) if isinstance(title, str) and title.strip() else name,
                       data.get("contoh") is True, _missing(data, fields), mine)


def kelurahan_problems(site: Path, config: SiteConfig, slug: str) -> list[Problem]:
    """Every problem ``check`` finds in one kelurahan (Markdown aside)."""
    try:
        parse_kelurahan(read_sources(site, slug), config)
    except ContentError as error:
        return list(error.problems)
    return []


def inventory(site: Path, config: SiteConfig, slug: str) -> tuple[ItemSummary, list[SectionSummary]]:
    """The profile and every section of a kelurahan, with the state of each item."""
    sources = read_sources(site, slug)
    problems = kelurahan_problems(site, config, slug)

    def text(rel: str) -> str | None:
        return sources.files[rel].decode("utf-8", "replace") if rel in sources.files else None

    profile = _summary("profil", text(PROFILE_FILE), profile_form(config), "nama",
                       sources.where(PROFILE_FILE), problems)
    sections = []
    for section in SECTIONS:
        fields = entry_form(section, config)
        names = sorted(rel.split("/")[1][:-3] for rel in sources.files
                       if rel.startswith(section.name + "/") and rel.endswith(".md") and rel.count("/") == 1)
        items = tuple(_summary(name, text(f"{section.name}/{name}.md"), fields, section.title_key,
                               sources.where(f"{section.name}/{name}.md"), problems) for name in names)
        sections.append(SectionSummary(section, items))
    return profile, sections
