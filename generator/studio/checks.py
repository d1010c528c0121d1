"""The checks of ``kelurahan check``, run on a file before it is saved.

The candidate file (and an uploaded photo) is laid over the kelurahan's current files and parsed by
the same code as ``check``; only the problems of that file count, so a broken neighbour never blocks
a save. Each problem is placed next to the field on its line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..config import SiteConfig
from ..content import Sources, parse_kelurahan, read_sources
from ..errors import ContentError, Problem, errors_in
from ..render import Renderer
from ..yamlio import Mapping as YamlMapping
from ..yamlio import load_mapping, split_front_matter
from .schema import BODY

_REQUIRED = re.compile(r"isian '([^']+)' wajib diisi")


@dataclass
class Verdict:
    """Problems of one candidate file: per field (dotted key or ``isi``) and for the whole file.

    Warnings are shown the same way but do not stop a save."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the file may be saved."""
        return not self.fields and not self.general


def _key_lines(data: YamlMapping, prefix: str = "") -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    for key, value in data.items():
        lines.append((data.line_of(key), prefix + key))
        if isinstance(value, YamlMapping):
            lines += _key_lines(value, f"{prefix}{key}.")
    return sorted(lines)


def _layout(text: str, where: str, markdown: bool) -> tuple[list[tuple[int, str]], int]:
    """Line of every key, and the first line of the body (0 for YAML files)."""
    try:
        if markdown:
            front = split_front_matter(text, where)
            return _key_lines(front.data), front.body_line
        return _key_lines(load_mapping(text, where)), 0
    except ContentError:
        return [], 0


def _field_of(problem: Problem, lines: list[tuple[int, str]], body_line: int) -> str:
    required = _REQUIRED.match(problem.message)
    if required:
        return required.group(1)
    if body_line and problem.line >= body_line:
        return BODY
    exact = [name for line, name in lines if line == problem.line]
    return min(exact, key=lambda name: name.count(".")) if exact else ""  # {lat, lon} on one line: lokasi


def place_problems(problems: list[Problem], text: str, where: str, markdown: bool,
                   fields: Collection[str]) -> Verdict:
    """Sort problems by the form field they are about (their words unchanged); others concern the file."""
    lines, body_line = _layout(text, where, markdown)
    verdict = Verdict()
    for problem in problems:
        name = _field_of(problem, lines, body_line)
        message = f"{problem.message}; {problem.hint}" if problem.hint else problem.message
        if problem.is_warning:
            verdict.warnings.setdefault(name if name in fields or name == BODY else "", []).append(message)
        elif name in fields or name == BODY:
            verdict.fields.setdefault(name, []).append(message)
        else:
            verdict.general.append(str(problem))
    return verdict


def check_candidate(site: Path, config: SiteConfig, slug: str, rel: str, text: str, fields: Collection[str],
                    extra: Mapping[str, bytes] | None = None) -> Verdict:
    """Problems ``check`` would report for ``rel`` if it held ``text`` (plus ``extra`` files)."""
    current = read_sources(site, slug)
    files = {**current.files, rel: text.encode("utf-8"), **(extra or {})}
    candidate = Sources(slug, files, tuple(p for p in current.problems if p.path != current.where(rel)))
    where = candidate.where(rel)
    markdown = rel.endswith(".md")
    problems: list[Problem] = []
    try:
        problems = [p for p in parse_kelurahan(candidate, config).warnings if p.path == where]
    except ContentError as error:
        problems = [p for p in error.problems if p.path == where]
    if markdown and not errors_in(problems):
        front = split_front_matter(text, where)
        try:
            Renderer(site, config).markdown_html(front.body, where, front.body_line)
        except ContentError as error:
            problems += error.problems
    return place_problems(problems, text, where, markdown, fields)
