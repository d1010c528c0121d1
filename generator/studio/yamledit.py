"""Pure: apply changed values to a YAML mapping or a Markdown file's front matter, keeping the rest.

ruamel.yaml's round-trip mode keeps key order, comments, quoting and flow style of what a person
wrote; only the keys that changed are touched, and new keys go where the contract puts them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..yamlio import _implicit_tag

_OPENING = re.compile(r"\ufeff?---[ \t]*\r?\n")
_CLOSING = re.compile(r"^---[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Document:
    """A file cut into the YAML to edit and the text around it (empty for ``.yaml`` files)."""

    before: str
    header: str
    after: str

    def text(self, header: str | None = None, body: str | None = None) -> str:
        """The whole file with a new header and/or body."""
        head = self.header if header is None else header
        if body is None:
            return self.before + head + self.after
        closing = _CLOSING.match(self.after)
        fence = closing.group(0) if closing else "---\n"
        return self.before + head + fence + body


def split_document(text: str, markdown: bool) -> Document:
    """Cut a file into front matter and body; a file without valid front matter gets a new one."""
    if not markdown:
        return Document("", text, "")
    opening = _OPENING.match(text)
    closing = _CLOSING.search(text, opening.end()) if opening else None
    if not opening or not closing:
        return Document("---\n", "", "---\n" + text)
    return Document(text[: opening.end()], text[opening.end() : closing.start()], text[closing.start() :])


def body_of(document: Document) -> str:
    """The Markdown after the closing ``---`` line."""
    closing = _CLOSING.match(document.after)
    return document.after[closing.end() :] if closing else document.after


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _node(value: Any) -> Any:
    """A value as ruamel should write it; text the strict loader would read otherwise is quoted."""
    if isinstance(value, str):
        return DoubleQuotedScalarString(value) if _implicit_tag(value) != _STR_TAG else value
    if isinstance(value, list):
        seq = CommentedSeq(_node(item) for item in value)
        return seq
    if isinstance(value, dict):
        mapping = CommentedMap((key, _node(item)) for key, item in value.items())
        if set(value) == {"lat", "lon"}:
            mapping.fa.set_flow_style()
        return mapping
    return value


def _position(mapping: CommentedMap, key: str, order: Sequence[str]) -> int:
    """Where a new key goes: after its nearest predecessor in the contract, else before its successor."""
    keys = list(mapping)
    at = order.index(key) if key in order else len(order)
    for name in reversed(order[:at]):
        if name in mapping:
            return keys.index(name) + 1
    later = [keys.index(name) for name in order[at + 1 :] if name in mapping]
    return min(later, default=len(keys))


def _set(mapping: CommentedMap, path: list[str], value: Any, order: Sequence[str], prefix: str = "") -> None:
    key = path[0]
    if len(path) > 1:
        child = mapping.get(key)
        if not isinstance(child, CommentedMap):
            if value is None:
                return
            child = CommentedMap()
            _place(mapping, key, child, order, prefix)
        _set(child, path[1:], value, order, f"{prefix}{key}.")
        if not child:
            del mapping[key]
        return
    if value is None:
        mapping.pop(key, None)
    elif key in mapping:
        mapping[key] = _node(value)
    else:
        _place(mapping, key, _node(value), order, prefix)


def _place(mapping: CommentedMap, key: str, value: Any, order: Sequence[str], prefix: str) -> None:
    local = [name.removeprefix(prefix) for name in order if name.startswith(prefix)]
    local = [name.split(".")[0] for name in local]
    mapping.insert(_position(mapping, key, list(dict.fromkeys(local))), key, value)


def apply_changes(header: str, changes: Mapping[str, Any], order: Sequence[str]) -> str:
    """The YAML ``header`` with each dotted key set to its value (None removes it)."""
    if not changes:
        return header
    yaml = _yaml()
    data = yaml.load(header) if header.strip() else None
    if not isinstance(data, CommentedMap):
        data = CommentedMap()
    for dotted, value in changes.items():
        _set(data, dotted.split("."), value, order)
    if not data:
        return ""
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
