"""``kelurahan check``: validate every kelurahan as a build would, and write nothing.

Besides what reading a kelurahan checks (the content contract, the privacy gate, photos),
this converts every Markdown text (so a Markdown problem is found at its own line) and checks
every ``kode_wilayah`` against the national list of regions.
"""

from __future__ import annotations

import re
from pathlib import Path

from .config import load_config
from .content import PROFILE_FILE, Sources, list_kelurahan, parse_kelurahan, read_sources
from .errors import ContentError, Problem
from .models import Kelurahan
from .render import Renderer
from .wilayah.kode import Tercatat, check_codes


def check(site: Path, slugs: tuple[str, ...] = ()) -> dict[str, tuple[Problem, ...]]:
    """Validate content (Markdown conversion, codes against the national list too) without writing.

    Returns the problems of every kelurahan that has any: errors and warnings (``Problem.is_warning``)."""
    config = load_config(site)
    renderer = Renderer(site, config)
    found: dict[str, tuple[Problem, ...]] = {}
    coded: list[Tercatat] = []
    for slug in slugs or tuple(list_kelurahan(site)):
        sources = read_sources(site, slug)
        try:
            kel = parse_kelurahan(sources, config)
        except ContentError as error:
            found[slug] = error.problems
            continue
        texts = [(kel.beranda, f"kelurahan/{slug}/beranda.md", 1)]
        texts += [(entry.body, entry.source, entry.body_line) for entry in kel.entries]
        if problems := tuple(p for text in texts for p in _markdown_problems(renderer, *text)) + kel.warnings:
            found[slug] = tuple(sorted(problems))
        if kel.profil.kode_wilayah:
            coded.append(_recorded(sources, kel))
    for slug, wrong in check_codes(config, coded).items():
        found[slug] = tuple(sorted((*found.get(slug, ()), *wrong)))
    return found


def _recorded(sources: Sources, kel: Kelurahan) -> Tercatat:
    """Where a profile writes its ``kode_wilayah`` (the line, for the message)."""
    text = sources.files[PROFILE_FILE].decode("utf-8", "replace")
    match = re.search(r"^kode_wilayah\s*:", text, re.MULTILINE)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    return Tercatat(kel.slug, sources.where(PROFILE_FILE), line, kel.profil.nama, kel.profil.kecamatan,
                    kel.profil.kode_wilayah or "")


def _markdown_problems(renderer: Renderer, text: str, source: str, line: int) -> tuple[Problem, ...]:
    try:
        renderer.markdown_html(text, source, line)
    except ContentError as error:
        return error.problems
    return ()
