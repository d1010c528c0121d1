"""The image cache in ``.kelurahan/cache/gambar/``: processed photos and share cards, keyed by
the image's bytes (or the card's text), the settings and the encoder versions.

It lives outside ``output/``, so ``--clean``, ``serve`` (``.pratinjau/``) and every kelurahan
share it. Entries are written to a temporary folder and renamed into place, so a worker that
is stopped halfway, or two workers making the same photo, never leave half an entry.

Every use of an entry touches its folder. A full ``build --clean`` reads every kelurahan, so
afterwards the entries it did not touch belong to no page any more: ``prune`` removes them
(as Hugo's ``--gc`` does for its resource cache).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import __version__ as pillow_version
from PIL import features

from . import plan
from .cards import CardText, draw_card
from .pixels import make

CACHE_DIR = Path(".kelurahan") / "cache" / "gambar"
INFO_FILE = "info.json"
CARD_FILE = "kartu.jpg"


@functools.cache
def _encoders() -> str:
    return f"{pillow_version}:{features.version('webp')}:{features.version('jpg')}:{features.version('freetype2')}"


def photo_key(data: bytes) -> str:
    """The cache key of one media file's bytes."""
    digest = hashlib.sha256(f"{plan.SETTINGS}\0{_encoders()}\0".encode())
    digest.update(data)  # not prefix + data: a photo may be 25 MB
    return digest.hexdigest()


def card_key(text: CardText) -> str:
    """The cache key of one generated card."""
    return hashlib.sha256(f"{text.key_text()}\0{_encoders()}".encode()).hexdigest()


@dataclass(frozen=True)
class ImageCache:
    """The cache folder of one site."""

    root: Path

    @classmethod
    def of_site(cls, site: Path) -> ImageCache:
        """The cache of the site in ``site``."""
        return cls(site / CACHE_DIR)

    def folder(self, key: str) -> Path:
        """Where the entry ``key`` is kept."""
        return self.root / key[:2] / key

    def read(self, key: str, name: str) -> bytes:
        """One cached file."""
        return (self.folder(key) / name).read_bytes()

    def photo(self, data: bytes, suffix: str) -> tuple[plan.ImageInfo, bool]:
        """The record of a media file, made (and stored) if it is not cached; True when made."""
        key = photo_key(data)
        try:
            info = plan.ImageInfo.from_json((self.folder(key) / INFO_FILE).read_text(encoding="utf-8"))
            if all((self.folder(key) / name).is_file() for _path, name in plan.published_files("", info)):
                os.utime(self.folder(key))
                return info, False
        except (OSError, ValueError, TypeError, KeyError):
            pass
        made = make(data, suffix, key)
        self._store(key, {**made.files, INFO_FILE: made.info.to_json().encode()})
        return made.info, True

    def card(self, text: CardText) -> tuple[bytes, bool]:
        """The generated card for ``text`` (made and stored if it is not cached); True when made."""
        key = card_key(text)
        try:
            data = self.read(key, CARD_FILE)
            os.utime(self.folder(key))
            return data, False
        except OSError:
            pass
        data = draw_card(text)
        self._store(key, {CARD_FILE: data})
        return data, True

    def _store(self, key: str, files: dict[str, bytes]) -> None:
        final = self.folder(key)
        temporary = final.parent / f".{key}.{os.getpid()}"
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        for name, data in files.items():
            (temporary / name).write_bytes(data)
        try:
            temporary.rename(final)
            return
        except OSError:
            pass
        if all((final / name).is_file() for name in files):  # another worker stored it meanwhile: same bytes
            shutil.rmtree(temporary, ignore_errors=True)
            return
        shutil.rmtree(final, ignore_errors=True)  # an incomplete entry
        temporary.rename(final)

    def prune(self, used_since: float) -> tuple[int, int]:
        """Remove the entries not used since ``used_since`` (a time from ``time.time()``);
        returns (entries, bytes) removed."""
        removed = size = 0
        for group in sorted(self.root.iterdir()) if self.root.is_dir() else ():
            for entry in sorted(group.iterdir()) if group.is_dir() else ():
                try:
                    if entry.stat().st_mtime >= used_since:
                        continue
                    size += sum(f.stat().st_size for f in entry.iterdir())
                except OSError:
                    continue
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed, size
