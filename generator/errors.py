"""Errors that print themselves as ``path:line: message`` in Indonesian.

A ``Problem`` is an error (the kelurahan is not built, the exit status is 1) or a warning
(printed as ``path:line: peringatan: message``, nothing else changes): the one channel for
everything ``check``, ``build``, ``serve`` and the editor tell staff about their files.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass

from .privacy import mask_identity_numbers

ERROR = "kesalahan"
WARNING = "peringatan"
# The operating system's reasons, which it gives in English, in the words of our messages.
_OS_REASONS = {
    errno.ENOENT: "berkas atau folder tidak ada",
    errno.EACCES: "izin ditolak",
    errno.EPERM: "izin ditolak",
    errno.EROFS: "sistem berkas hanya bisa dibaca",
    errno.ENOSPC: "disk penuh",
    errno.EDQUOT: "kuota disk habis",
    errno.EISDIR: "itu folder, bukan berkas",
    errno.ENOTDIR: "bagian jalurnya bukan folder",
    errno.EEXIST: "sudah ada berkas atau folder dengan nama itu",
    errno.ENOTEMPTY: "folder tidak kosong",
    errno.ENAMETOOLONG: "nama terlalu panjang",
    errno.EMFILE: "terlalu banyak berkas terbuka",
    errno.EIO: "galat baca/tulis pada disk",
    errno.EADDRINUSE: "port sudah dipakai program lain",
    errno.EADDRNOTAVAIL: "alamat itu tidak ada di mesin ini",
    errno.ECONNREFUSED: "koneksi ditolak",
    errno.ETIMEDOUT: "waktu habis",
}


def os_reason(error: OSError) -> str:
    """Why an operating-system call failed, in Indonesian where the reason is a common one."""
    if error.errno in _OS_REASONS:
        return _OS_REASONS[error.errno]
    return error.strerror or str(error) or type(error).__name__


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in a content or config file (an error unless ``severity`` is WARNING)."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: str = ERROR

    @property
    def is_warning(self) -> bool:
        """True for a warning: reported, but it neither stops a build nor changes the exit status."""
        return self.severity == WARNING

    def __str__(self) -> str:
        label = f"{WARNING}: " if self.is_warning else ""
        text = f"{self.path}:{self.line}: {label}{self.message}"
        # Messages quote what staff wrote; a pasted NIK must never be printed in full.
        return mask_identity_numbers(f"{text}; {self.hint}" if self.hint else text)


def warning(path: str, line: int, message: str, hint: str = "") -> Problem:
    """A problem that is only a warning."""
    return Problem(path, line, message, hint, WARNING)


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that are errors (not warnings)."""
    return [p for p in problems if not p.is_warning]


class ContentError(Exception):
    """A file (or several) could not be read; carries every problem found (warnings too)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class FieldError(ValueError):
    """A single value is wrong; the caller knows the file and line."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BuildLocked(Exception):
    """Another build is already writing to the same output folder."""
