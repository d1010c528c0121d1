"""Pagefind's index made byte-identical from build to build.

Pagefind (1.3 and later) writes its pages, words and fragments in a fixed order, but the
filter files list their values in hash-map order, the metadata file lists the filters in
hash-map order, and both are named by a hash of those bytes. So two builds of the same pages
give different ``filter/*.pf_filter``, ``pagefind.*.pf_meta`` and ``pagefind-entry.json``
files, which breaks the promise that the same input gives the same output (and makes
``publish`` upload them again). ``settle`` rewrites those files in sorted order and names
them by a hash of the sorted bytes; what they say is unchanged.

The files are gzip-compressed CBOR after the signature ``pagefind_dcd``. When a file does not
have the shape this module knows (a future Pagefind), ``settle`` leaves the index as Pagefind
wrote it: it still works, only not byte-identically (the tests, run with the newest Pagefind
too, say so).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"
FILTER_DIR = "filter"


class UnknownShape(Exception):
    """A file of the index is not laid out as this module expects."""


def settle(index: Path) -> bool:
    """Rewrite the unordered files of one Pagefind index folder; False when left as it was."""
    try:
        plan = _plan(index)
    except (OSError, ValueError, KeyError, TypeError, UnknownShape, cbor2.CBORDecodeError):
        return False
    for path, data in plan.write.items():
        path.write_bytes(data)
    for path in plan.remove:
        path.unlink()
    return True


class _Plan:
    """Files to write (path -> bytes) and files to remove, worked out before touching any."""

    def __init__(self) -> None:
        self.write: dict[Path, bytes] = {}
        self.remove: list[Path] = []


def _plan(index: Path) -> _Plan:
    plan = _Plan()
    entry = json.loads((index / ENTRY_FILE).read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        old_meta = index / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(old_meta)
        if not (isinstance(meta, list) and len(meta) > 3 and isinstance(meta[3], list)):
            raise UnknownShape(old_meta.name)
        prefix = _prefix(language["hash"])
        filters = []
        for name, file_hash in meta[3]:
            old = index / FILTER_DIR / f"{file_hash}.pf_filter"
            data = cbor2.dumps(_sorted_filter(_read(old)))
            new_hash = prefix + _digest(data, 7)
            plan.write[index / FILTER_DIR / f"{new_hash}.pf_filter"] = _compress(data)
            if new_hash != file_hash:
                plan.remove.append(old)
            filters.append([name, new_hash])
        meta[3] = sorted(filters)
        data = cbor2.dumps(meta)
        language["hash"] = prefix + _digest(data, 10)
        plan.write[index / f"pagefind.{language['hash']}.pf_meta"] = _compress(data)
        if old_meta.name != f"pagefind.{language['hash']}.pf_meta":
            plan.remove.append(old_meta)
    text = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    plan.write[index / ENTRY_FILE] = text.encode("utf-8")
    return plan


def _sorted_filter(content: Any) -> list[Any]:
    """``[filter name, [[value, [page numbers]], ...]]`` with the values in order."""
    if not (isinstance(content, list) and len(content) == 2 and isinstance(content[1], list)):
        raise UnknownShape("filter")
    return [content[0], sorted(content[1], key=lambda item: str(item[0]))]


def _prefix(language_hash: str) -> str:
    """``id_`` of ``id_3f2a…``: Pagefind names files by language, then hash."""
    return language_hash.rsplit("_", 1)[0] + "_" if "_" in language_hash else ""


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise UnknownShape(path.name)
    return cbor2.loads(raw[len(SIGNATURE):])


def _compress(cbor: bytes) -> bytes:
    return gzip.compress(SIGNATURE + cbor, compresslevel=9, mtime=0)


def _digest(data: bytes, length: int) -> str:
    """Names come from the uncompressed bytes, so they do not depend on the zlib version."""
    return hashlib.sha256(data).hexdigest()[:length]
