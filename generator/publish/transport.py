"""The one small protocol every target speaks, the target URL, and the publish errors.

Paths are relative to the target's folder, with ``/`` separators. Every transfer goes to a
temporary name first and is renamed into place, so a reader sees the old file or the new one.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from ..errors import os_reason

META_DIR = ".kelurahan-terbit"
TEMP_SUFFIX = ".terbit-tmp"

Done = Callable[[str, int], None]


class PublishError(Exception):
    """A publish failure that prints itself as ``where: message; hint`` in Indonesian."""

    def __init__(self, where: str, message: str, hint: str = "") -> None:
        self.where, self.message, self.hint = where, message, hint
        super().__init__(f"{where}: {message}; {hint}" if hint else f"{where}: {message}")


@dataclass(frozen=True)
class Target:
    """A parsed target URL (never holding a password)."""

    url: str
    scheme: str
    user: str
    host: str
    port: int | None
    path: str

    def where(self, rel: str = "") -> str:
        """The remote path ``rel`` as messages name it."""
        base = self.url.rstrip("/")
        return f"{base}/{rel}" if rel else base


def parse_target(url: str) -> Target:
    """Split a target URL; a password in it is refused (it would end up in logs)."""
    parts = urlsplit(url)
    if parts.scheme not in ("file", "sftp", "ftp", "ftps"):
        raise PublishError(url, "jenis tujuan tidak dikenal",
                           "pakai file:///folder, sftp://user@host/folder, ftp://user@host/folder atau ftps://...")
    if parts.password is not None:
        raise PublishError(parts.scheme + "://" + (parts.hostname or ""), "sandi tidak boleh ditulis di URL tujuan",
                           "hapus sandinya; isi variabel lingkungan KELURAHAN_FTP_PASSWORD atau ~/.netrc")
    if parts.scheme != "file" and not parts.hostname:
        raise PublishError(url, "nama host tidak ada di URL tujuan", "tulis misalnya sftp://user@host/folder")
    path = unquote(parts.path) or "/"
    if parts.scheme == "file" and (not os.path.isabs(path) or parts.netloc not in ("", "localhost")):
        # file://srv/www would silently mean the folder /www on a host named srv
        raise PublishError(url, "folder tujuan harus berupa path lengkap",
                           "tulis misalnya file:///srv/www/kelurahan (tiga garis miring)")
    try:
        port = parts.port
    except ValueError:
        raise PublishError(url, "nomor port tidak valid", "tulis misalnya sftp://user@host:2222/folder") from None
    return Target(url, parts.scheme, unquote(parts.username or ""), parts.hostname or "", port, path)


class Transport(Protocol):
    """What the runner needs from a target (local folder, SFTP, FTP/FTPS)."""

    target: Target

    def read(self, rel: str) -> bytes | None:
        """A small file's bytes, or None when it does not exist."""

    def write(self, rel: str, data: bytes) -> None:
        """Write a small file atomically (temp name, then rename)."""

    def create(self, rel: str, data: bytes) -> bool:
        """Create a file only if it does not exist yet (the lock); False when it exists."""

    def upload(self, files: Sequence[tuple[str, Path]], done: Done) -> dict[str, PublishError]:
        """Send local files (in parallel) to their paths, each under a temp name then renamed;
        ``done(path, size)`` after each confirmed one. Returns the failures by path."""

    def remove(self, rels: Sequence[str]) -> None:
        """Delete files (missing ones are fine)."""

    def remove_tree(self, rel: str, known: Sequence[str] = ()) -> None:
        """Delete a folder and everything in it (``known``: the files it should hold, relative
        to it, which spares a listing where the transport can use them)."""

    def listdir(self, rel: str) -> list[str]:
        """Names in a folder (empty when it does not exist)."""

    def files(self, rel: str) -> dict[str, str]:
        """Every file below ``rel``: path relative to it -> SHA-256 (reads them: the tamper check)."""

    def can_link(self) -> bool:
        """Does the target keep symlinks and hard links (release folders)?"""

    def link(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Hard-link each existing file to a new path (unchanged files of a new release)."""

    def switch(self, rel: str, points_to: str) -> None:
        """Point the symlink ``rel`` at ``points_to`` in one atomic step."""

    def readlink(self, rel: str) -> str | None:
        """Where the symlink ``rel`` points, or None when there is none."""

    def close(self) -> None:
        """Disconnect."""


def unreachable(target: Target, error: BaseException) -> PublishError:
    """The host did not answer: the reason in Indonesian, not the socket library's English."""
    if isinstance(error, TimeoutError):
        reason = "waktu habis"
    elif isinstance(error, socket.gaierror):
        reason = "nama host tidak dikenal"
    elif isinstance(error, OSError):
        reason = os_reason(error)
    else:
        reason = str(error) or type(error).__name__
    return PublishError(target.where(), f"host tidak bisa dihubungi ({reason})",
                        "periksa nama host, port dan jaringan lalu jalankan lagi")


def os_error(target: Target, rel: str, error: OSError) -> PublishError:
    """An OSError (local folder or a transfer) as a message naming the remote path."""
    where = target.where(rel)
    code = error.errno
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PublishError(where, "izin ditolak: folder tujuan tidak bisa ditulis",
                            "periksa pemilik dan izin folder di host (chmod/chown) lalu jalankan lagi")
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return PublishError(where, "disk host penuh", "kosongkan ruang di host lalu jalankan lagi; "
                            "situs lama tetap utuh")
    return PublishError(where, f"gagal menulis ({os_reason(error)})",
                        "periksa host dan jalankan lagi; berkas yang belum terkirim dikirim ulang")
