"""Turning a submitted form into a file's new text, and verifying it reads back as meant.

Pure apart from nothing: the caller hands in the current text and gets the new text; the checks
and the write happen in the view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ContentError, FieldError
from ..fields import Reader
from ..yamlio import Mapping as YamlMapping
from ..yamlio import load_mapping, split_front_matter
from .schema import FormField, changed_values, clean_text, form_values, lookup
from .yamledit import apply_changes, body_of, split_document


@dataclass(frozen=True)
class Edit:
    """The new text of a file and the values its changed keys must read back as."""

    text: str
    changes: dict[str, Any]


def parse_values(text: str, markdown: bool) -> YamlMapping:
    """The values of a file as ``check`` reads them (empty when the file cannot be read)."""
    try:
        return split_front_matter(text, "").data if markdown else load_mapping(text, "")
    except ContentError:
        return YamlMapping(1)


def current_form(text: str, markdown: bool, fields: Sequence[FormField]) -> tuple[dict[str, str], str]:
    """The form's texts and body for a file as it is now."""
    values = form_values(parse_values(text, markdown), fields)
    return values, body_of(split_document(text, markdown)) if markdown else ""


def normalize_body(body: str) -> str:
    """A submitted Markdown body with Unix line ends and one final newline."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return text + "\n" if text.strip() else ""


def build_edit(text: str, markdown: bool, fields: Sequence[FormField], submitted: Mapping[str, str],
               body: str, location: Reader) -> Edit:
    """The new text of a file after the form was submitted; untouched keys keep their exact lines."""
    before, old_body = current_form(text, markdown, fields)
    broken = bool(text.strip()) and not parse_values(text, markdown)
    if broken:  # a file that cannot be read keeps nothing but what the form says
        before, text = {}, ""
    changes = changed_values(before, submitted, fields)
    for name, value in changes.items():
        if isinstance(value, str) and _widget(fields, name) == "location":
            changes[name] = _as_point(value, location)
    document = split_document(text, markdown)
    header = apply_changes(document.header, changes, [f.name for f in fields])
    if not markdown:
        return Edit(header, changes)
    new_body = normalize_body(body)
    keep = new_body == normalize_body(old_body)
    return Edit(document.text(header, old_body if keep else new_body), changes)


def _widget(fields: Sequence[FormField], name: str) -> str:
    return next(f.widget for f in fields if f.name == name)


def _as_point(value: str, location: Reader) -> Any:
    """A pasted map link becomes ``{lat, lon}``; what the reader refuses is kept for the checks to report."""
    try:
        point = location(value)
    except FieldError:
        return value
    return {"lat": round(point.lat, 6), "lon": round(point.lon, 6)}


def _same(read: Any, meant: Any) -> bool:
    if meant is None:
        return read is None
    if isinstance(meant, dict):
        return isinstance(read, Mapping) and all(_same(read.get(k), v) for k, v in meant.items()) \
            and set(read) == set(meant)
    if isinstance(meant, list):
        return isinstance(read, list) and len(read) == len(meant) and all(map(_same, read, meant))
    if isinstance(meant, bool) or isinstance(read, bool):
        return read is meant
    if isinstance(meant, str):
        return isinstance(read, str) and read == meant
    return isinstance(read, int | float) and float(read) == float(meant)


def reads_back(edit: Edit, markdown: bool) -> list[str]:
    """Keys whose value in the new text is not the value meant (empty when all is well)."""
    data = parse_values(edit.text, markdown)
    return [name for name, value in edit.changes.items()
            if not (isinstance(value, str) and not clean_text(value)) and not _same(lookup(data, name), value)]
