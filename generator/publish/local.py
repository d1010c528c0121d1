"""A folder on this machine (``file:///srv/www/kelurahan``): copies, renames and symlinks."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from .transport import TEMP_SUFFIX, Done, PublishError, Target, os_error

FILE_MODE = 0o644
DIR_MODE = 0o755


class LocalTransport:
    """Publishes into a local folder (which may be a mounted network share)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.root = Path(target.path)

    def _path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> bytes | None:
        try:
            return self._path(rel).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise os_error(self.target, rel, error) from None

    def _put(self, rel: str, data: bytes | None, source: Path | None = None) -> None:
        path = self._path(rel)
        temp = path.with_name(path.name + TEMP_SUFFIX)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            if source is not None:
                shutil.copyfile(source, temp)
            else:
                temp.write_bytes(data or b"")
            os.chmod(temp, FILE_MODE)
            os.replace(temp, path)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise os_error(self.target, rel, error) from None

    def write(self, rel: str, data: bytes) -> None:
        self._put(rel, data)

    def create(self, rel: str, data: bytes) -> bool:
        path = self._path(rel)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            with open(path, "xb") as handle:
                handle.write(data)
        except FileExistsError:
            return False
        except OSError as error:
            raise os_error(self.target, rel, error) from None
        return True

    def upload(self, files: Sequence[tuple[str, Path]], done: Done) -> dict[str, PublishError]:
        for rel, source in files:
            try:
                self._put(rel, None, source)
            except PublishError as error:
                return {rel: error}  # a local failure (disk full, permission) will not go away by itself
            done(rel, source.stat().st_size)
        return {}

    def remove(self, rels: Sequence[str]) -> None:
        for rel in rels:
            try:
                self._path(rel).unlink(missing_ok=True)
            except OSError as error:
                raise os_error(self.target, rel, error) from None
        for folder in sorted({str(Path(rel).parent) for rel in rels}, key=len, reverse=True):
            _remove_empty(self.root, folder)

    def remove_tree(self, rel: str, known: Sequence[str] = ()) -> None:
        try:
            shutil.rmtree(self._path(rel))
        except FileNotFoundError:
            pass
        except OSError as error:
            raise os_error(self.target, rel, error) from None

    def listdir(self, rel: str) -> list[str]:
        try:
            return sorted(os.listdir(self._path(rel)))
        except FileNotFoundError:
            return []

    def files(self, rel: str) -> dict[str, str]:
        base = self._path(rel)
        found = {}
        for directory, _names, names in os.walk(base):
            for name in names:
                path = Path(directory, name)
                found[path.relative_to(base).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        return found

    def can_link(self) -> bool:
        probe = self._path("uji-tautan" + TEMP_SUFFIX)
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            probe.unlink(missing_ok=True)
            os.symlink("tujuan", probe)
            probe.unlink()
        except OSError:
            return False
        return True

    def link(self, pairs: Sequence[tuple[str, str]]) -> None:
        made: set[Path] = set()
        for old, new in pairs:
            path = self._path(new)
            try:
                if path.parent not in made:
                    path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
                    made.add(path.parent)
                os.link(self._path(old), path)
            except OSError as error:
                raise os_error(self.target, new, error) from None

    def switch(self, rel: str, points_to: str) -> None:
        path = self._path(rel)
        temp = path.with_name(path.name + TEMP_SUFFIX)
        try:
            temp.unlink(missing_ok=True)
            os.symlink(points_to, temp)
            os.replace(temp, path)
        except OSError as error:
            raise os_error(self.target, rel, error) from None

    def readlink(self, rel: str) -> str | None:
        try:
            return os.readlink(self._path(rel))
        except OSError:
            return None

    def close(self) -> None:
        return None


def _remove_empty(root: Path, folder: str) -> None:
    """Remove a folder left empty by deletes, and its empty parents below the root."""
    path = root / folder
    while path != root and path.is_relative_to(root):
        try:
            path.rmdir()
        except OSError:
            return
        path = path.parent
