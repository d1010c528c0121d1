"""Round trip: editing one field of every sample file changes only that field's lines.

Every file of the repository's sample site goes through the studio's edit pipeline (form values
from the file, one field changed, the new text built as a save builds it); the result must differ
only in that field's lines and read back, with the project's strict loader, to exactly the values
meant. One save of each kind also goes through a real server (``test_studio_editing.py``).
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any

from conftest import REPO

from generator.config import load_config
from generator.content import KELURAHAN_DIR, PROFILE_FILE
from generator.fields import location_reader
from generator.sections import SECTION_NAMES, section_by_name
from generator.studio.editing import build_edit, current_form, parse_values
from generator.studio.schema import FormField, entry_form, lookup, profile_form, yaml_value

NEW_TEXT = {
    "text": "Diubah lewat studio: \u201ckutip\u201d & <b>",
    "list": "Butir satu\nButir dua: dengan titik dua",
    "bool": "",  # flipped below
    "date": "2025-01-31",
    "tel": "0271-654321",
    "url": "https://contoh.example/diubah",
    "email": "ubah@contoh.example",
    "number": "12",
    "location": "-7.5700, 110.8200",
}


def _files() -> list[Path]:
    root = REPO / KELURAHAN_DIR
    return sorted([*root.glob(f"*/{PROFILE_FILE}"), *(p for s in SECTION_NAMES for p in root.glob(f"*/{s}/*.md"))])


def _fields(path: Path) -> tuple[FormField, ...]:
    config = load_config(REPO)
    if path.name == PROFILE_FILE:
        return profile_form(config)
    return entry_form(section_by_name(path.parent.name), config)


def _block(data: Any, name: str, last_line: int) -> range:
    """The lines (1-based, inclusive start, exclusive end) of a key and its value."""
    starts: list[int] = []

    def collect(mapping: Any) -> None:
        for key, value in mapping.items():
            starts.append(mapping.line_of(key))
            if hasattr(value, "line_of"):
                collect(value)

    collect(data)
    parent = lookup(data, name.rsplit(".", 1)[0]) if "." in name else data
    start = parent.line_of(name.split(".")[-1])
    return range(start, min([line for line in starts if line > start], default=last_line))


def test_editing_one_field_of_every_sample_file_changes_only_its_lines() -> None:
    files = _files()
    assert len(files) > 600
    config = load_config(REPO)
    for path in files:
        text = path.read_text(encoding="utf-8")
        markdown = path.suffix == ".md"
        fields = _fields(path)
        values, body = current_form(text, markdown, fields)
        present = [f for f in fields if values[f.name] and f.widget != "photo"]
        field = present[int(hashlib.sha256(str(path).encode()).hexdigest(), 16) % len(present)]
        new = NEW_TEXT[field.widget] or ("tidak" if values[field.name] == "ya" else "ya")
        location = location_reader(config.batas, config.daerah)
        edit = build_edit(text, markdown, fields, {**values, field.name: new}, body, location)
        where = path.relative_to(REPO).as_posix()
        before, after = text.splitlines(keepends=True), edit.text.splitlines(keepends=True)
        old_data = parse_values(text, markdown)
        body_start = len(text) - len(body) if markdown else len(text)
        last_header_line = text.count("\n", 0, body_start) - (1 if markdown else -1)
        allowed = _block(old_data, field.name, last_header_line + 1)
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag != "equal":
                touched = range(i1 + 1, max(i2, i1 + 1) + 1)
                assert all(line in allowed for line in touched if line <= i2 or tag == "insert"), \
                    f"{where}: editing {field.name} changed lines {i1 + 1}-{i2}:\n" + "".join(
                        difflib.unified_diff(before, after))
        # Reads back, with the strict loader, to exactly what was meant; everything else unchanged.
        new_data = parse_values(edit.text, markdown)
        meant = yaml_value(new, field.widget)
        got = lookup(new_data, field.name)
        assert got == meant, f"{where}: {field.name} reads back as {got!r}, meant {meant!r}"
        for other in fields:
            if other.name != field.name:
                assert lookup(new_data, other.name) == lookup(old_data, other.name), f"{where}: {other.name}"
        if markdown:
            assert edit.text.endswith(body)


def test_an_untouched_form_saves_the_file_byte_for_byte() -> None:
    config = load_config(REPO)
    for path in _files()[::7]:
        text = path.read_text(encoding="utf-8")
        markdown = path.suffix == ".md"
        values, body = current_form(text, markdown, _fields(path))
        location = location_reader(config.batas, config.daerah)
        assert build_edit(text, markdown, _fields(path), values, body, location).text == text
