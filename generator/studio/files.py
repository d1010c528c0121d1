"""The content files as the studio touches them: confined paths, versions, atomic saves, the bin.

Permissions are decided on the resolved path: whatever a URL says, the file must resolve inside
``kelurahan/<slug>/`` of a kelurahan the actor may edit, and no link is followed.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..content import KELURAHAN_DIR, MEDIA_DIR, PROFILE_FILE, SLUG_PATTERN, list_kelurahan
from ..sections import SECTION_NAMES

BIN_DIR = ".kelurahan/sampah"
LOCK_FILE = ".kelurahan/studio.lock"


class NotAllowed(Exception):
    """The path is not a content file of a kelurahan the actor may edit (shown as 404)."""


class Conflict(Exception):
    """The file changed since the form was opened."""

    def __init__(self, current: str) -> None:
        super().__init__("berkas berubah")
        self.current = current


@dataclass(frozen=True)
class ContentFile:
    """A content file inside one kelurahan folder (it may not exist yet)."""

    site: Path
    slug: str
    rel: str  # relative to the kelurahan folder, e.g. "umkm/warung.md"

    @property
    def path(self) -> Path:
        """The file on disk."""
        return self.site / KELURAHAN_DIR / self.slug / self.rel

    @property
    def where(self) -> str:
        """The path as staff and ``check`` see it."""
        return f"{KELURAHAN_DIR}/{self.slug}/{self.rel}"


def kelurahan_root(site: Path, slug: str) -> Path:
    """The real folder of a kelurahan; refuses unknown names, links and anything outside ``kelurahan/``."""
    if not SLUG_PATTERN.fullmatch(slug) or slug not in list_kelurahan(site):
        raise NotAllowed(slug)
    base = (site / KELURAHAN_DIR).resolve()
    folder = site / KELURAHAN_DIR / slug
    if folder.is_symlink() or folder.resolve().parent != base:
        raise NotAllowed(slug)
    return folder.resolve()


def content_file(site: Path, slug: str, section: str, name: str) -> ContentFile:
    """An item file ``<section>/<name>.md`` (or ``profil.yaml``), checked to stay in its folder."""
    if section == "profil":
        rel = PROFILE_FILE
    elif section in SECTION_NAMES and SLUG_PATTERN.fullmatch(name):
        rel = f"{section}/{name}.md"
    else:
        raise NotAllowed(f"{section}/{name}")
    return _confined(site, slug, rel)


def media_file(site: Path, slug: str, name: str) -> ContentFile:
    """A file in a kelurahan's ``media/`` folder."""
    if "/" in name or "\\" in name or name.startswith(".") or not name:
        raise NotAllowed(name)
    return _confined(site, slug, f"{MEDIA_DIR}/{name}")


def _confined(site: Path, slug: str, rel: str) -> ContentFile:
    root = kelurahan_root(site, slug)
    item = ContentFile(site, slug, rel)
    resolved = item.path.resolve()
    if not resolved.is_relative_to(root) or resolved.relative_to(root).as_posix() != rel:
        raise NotAllowed(rel)  # a link somewhere on the way
    if item.path.is_symlink() or (item.path.exists() and not item.path.is_file()):
        raise NotAllowed(rel)
    return item


def slug_of_path(site: Path, path: Path) -> str:
    """The kelurahan a resolved path belongs to, or "" when it is outside every kelurahan folder."""
    base = (site / KELURAHAN_DIR).resolve()
    resolved = path.resolve()
    if not resolved.is_relative_to(base) or resolved == base:
        return ""
    return resolved.relative_to(base).parts[0]


def version_of(data: bytes | None) -> str:
    """A short fingerprint of a file's bytes ("" when it does not exist)."""
    return "" if data is None else hashlib.sha256(data).hexdigest()[:32]


def read_bytes(item: ContentFile) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return item.path.read_bytes()
    except FileNotFoundError:
        return None


@contextmanager
def site_lock(site: Path) -> Iterator[None]:
    """One writer at a time across threads and processes (compare-and-save must not interleave)."""
    path = site / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a hidden temporary file in the same folder, then rename: old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def save(item: ContentFile, data: bytes, expected_version: str) -> None:
    """Save unless the file changed since ``expected_version`` was read (then raise Conflict)."""
    current = read_bytes(item)
    if version_of(current) != expected_version:
        raise Conflict((current or b"").decode("utf-8", errors="replace"))
    write_atomic(item.path, data)


def new_name(site: Path, slug: str, section: str, base: str) -> str:
    """A free file name in a section for an item titled ``base`` (already a slug)."""
    folder = site / KELURAHAN_DIR / slug / section
    name, number = base, 2
    while (folder / f"{name}.md").exists() or (folder / f"{name}.md").is_symlink():
        name, number = f"{base}-{number}", number + 1
    return name


@dataclass(frozen=True)
class BinItem:
    """A deleted file waiting in the bin."""

    slug: str
    key: str  # file name inside the kelurahan's bin folder
    rel: str  # where it came from

    @property
    def deleted_at(self) -> str:
        """When it was deleted, as written in its name."""
        stamp = self.key.split("~")[0]
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}"


def move_to_bin(site: Path, item: ContentFile) -> BinItem:
    """Move a file into ``.kelurahan/sampah/<slug>/`` under a name that says when and from where."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    key = f"{stamp}~{item.rel.replace('/', '~')}"
    target = site / BIN_DIR / item.slug / key
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(item.path, target)
    return BinItem(item.slug, key, item.rel)


def bin_items(site: Path, slug: str) -> list[BinItem]:
    """The bin of one kelurahan, newest first."""
    folder = site / BIN_DIR / slug
    if not folder.is_dir():
        return []
    keys = sorted((p.name for p in folder.iterdir() if p.is_file() and "~" in p.name), reverse=True)
    return [BinItem(slug, key, "/".join(key.split("~")[1:])) for key in keys]


def restore(site: Path, slug: str, key: str) -> ContentFile:
    """Put a file back where it was; refuses when a file of that name exists again."""
    match = [b for b in bin_items(site, slug) if b.key == key]
    if not match:
        raise NotAllowed(key)
    section, _, filename = match[0].rel.partition("/")
    item = content_file(site, slug, section, filename.removesuffix(".md")) if filename else \
        content_file(site, slug, "profil", "")
    if item.path.exists():
        raise FileExistsError(item.where)
    os.replace(site / BIN_DIR / slug / key, item.path)
    return item
