"""Errors that print themselves as ``path:line: message`` in Indonesian."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .privacy import mask_identity_numbers


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in a content or config file."""

    path: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        # Messages quote what staff wrote; a pasted NIK must never be printed in full.
        return mask_identity_numbers(f"{text}; {self.hint}" if self.hint else text)


class ContentError(Exception):
    """A file (or several) could not be read; carries every problem found."""

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
