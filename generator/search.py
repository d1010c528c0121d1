"""The static search index: Pagefind (from PyPI, ``pagefind[bin]``) run over the built output.

Pagefind reads only what the pages mark with ``data-pagefind-body`` (page content, not menus
or footers) and stems each page in the language of its ``<html lang>``, so Indonesian word
forms find each other. The index is split into one part per kecamatan
(``output/pagefind/<kecamatan>/``): an edit re-indexes only the kecamatan of the kelurahan
that changed, and the search page merges the parts in the browser (Pagefind's
``mergeIndex``). The files Pagefind writes in hash-map order are put in order
(``searchorder.py``), so the same pages give the same bytes. Each part is written beside the
output first and swapped in with renames, so a failed or interrupted run leaves the previous
part whole.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, os_reason
from .output import DIR_MODE, FILE_MODE
from .searchorder import settle

INDEX_DIR = "pagefind"
ENTRY_FILE = "pagefind.js"
TIMEOUT_SECONDS = 600
# Pagefind also writes its ready-made interfaces; the search page has its own, so they go.
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


@dataclass(frozen=True)
class Part:
    """One part of the index: the kelurahan of one kecamatan, and a key of their pages."""

    name: str
    slugs: tuple[str, ...]
    key: str

    @property
    def state_key(self) -> str:
        """Where the build state keeps this part's key (among the portal keys)."""
        return f"{INDEX_DIR}/{self.name}/"


def plan_parts(glob: str, members: Iterable[tuple[str, str, str]]) -> list[Part]:
    """Parts from ``(kecamatan, slug, page digests)`` of every published kelurahan."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for kecamatan, slug, pages in members:
        groups.setdefault(kecamatan, []).append((slug, pages))
    parts = []
    for name in sorted(groups):
        digest = hashlib.sha256(glob.encode())
        for slug, pages in sorted(groups[name]):
            digest.update(f"\0{slug}\0{pages}".encode())
        parts.append(Part(name, tuple(sorted(s for s, _ in groups[name])), digest.hexdigest()))
    return parts


def is_current(output: Path, part: Part, previous: str | None) -> bool:
    """The published part was made from the same pages."""
    return previous == part.key and (output / INDEX_DIR / part.name / ENTRY_FILE).is_file()


def remove_other_parts(output: Path, parts: list[Part]) -> None:
    """Delete parts (and anything else in ``pagefind/``) that no published kecamatan needs."""
    folder = output / INDEX_DIR
    if not folder.is_dir():
        return
    keep = {part.name for part in parts}
    for path in folder.iterdir():
        if path.name not in keep:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _executable() -> str:
    from pagefind_bin import get_executable  # imported here: only a build that indexes needs it

    return str(get_executable())


@dataclass(frozen=True)
class Refresh:
    """What one update of the index did."""

    current: dict[str, str] = field(default_factory=dict)  # state key -> key of every part now up to date
    rebuilt: int = 0  # parts re-indexed (or tried)
    parts: int = 0
    seconds: float | None = None  # None: no part needed re-indexing
    problem: Problem | None = None  # Pagefind failed; the parts it did not finish keep their previous version


def refresh(output: Path, work: Path, parts: list[Part], before: Mapping[str, str], jobs: int) -> Refresh:
    """Bring ``output/pagefind/`` in line with ``parts``: drop the parts of kecamatan that are
    gone and re-index those whose pages changed (``before``: the state keys of the last build)."""
    remove_other_parts(output, parts)
    stale = [part for part in parts if not is_current(output, part, before.get(part.state_key))]
    current = {part.state_key: part.key for part in parts if part not in stale}
    if not stale:
        return Refresh(current, 0, len(parts))
    started = time.perf_counter()
    problem = None
    try:
        update_parts(output, work, stale, jobs)
        current.update({part.state_key: part.key for part in stale})
    except SearchFailed as error:
        problem = error.problem(output)
    except OSError as error:
        problem = Problem(str(output / INDEX_DIR), 1, f"indeks pencarian gagal dibuat ({os_reason(error)}); "
                          "indeks lama tetap dipakai",
                          "periksa ruang disk dan izin folder output dan .kelurahan/, lalu jalankan build lagi")
    return Refresh(current, len(stale), len(parts), time.perf_counter() - started, problem)


def update_parts(output: Path, work: Path, parts: list[Part], jobs: int) -> None:
    """Index ``parts`` (``jobs`` Pagefind processes at once) and swap each one in.

    Raises ``SearchFailed`` (an Indonesian message) when Pagefind cannot run; parts already
    swapped in stay, the others keep their previous version."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for fresh, part in zip(pool.map(lambda p: _index(output, work, p), parts), parts, strict=True):
                _swap(output, work, fresh, part)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _index(output: Path, work: Path, part: Part) -> Path:
    fresh = work / part.name
    pattern = "{" + ",".join(part.slugs) + "}/**/*.html" if len(part.slugs) > 1 else f"{part.slugs[0]}/**/*.html"
    command = [_executable(), "--site", str(output), "--glob", pattern, "--output-path", str(fresh),
               "--keep-index-url", "--silent"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
    except (OSError, ImportError, subprocess.SubprocessError) as error:
        raise SearchFailed(_reason(error)) from None
    for name in UNUSED_FILES:
        (fresh / name).unlink(missing_ok=True)
    settle(fresh)
    _make_readable(fresh)
    return fresh


def _swap(output: Path, work: Path, fresh: Path, part: Part) -> None:
    target = output / INDEX_DIR / part.name
    target.parent.mkdir(exist_ok=True)
    os.chmod(target.parent, DIR_MODE)
    if target.exists():
        target.rename(work / f"{part.name}-lama")
    fresh.rename(target)


def _make_readable(folder: Path) -> None:
    """Pagefind creates files with the process umask; the web server must read them all."""
    os.chmod(folder, DIR_MODE)
    for path in folder.rglob("*"):
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


def _reason(error: BaseException) -> str:
    """Why Pagefind failed, in Indonesian (Pagefind's own last line when it says why)."""
    if isinstance(error, subprocess.CalledProcessError):
        lines = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"kode keluar {error.returncode}"
    if isinstance(error, subprocess.TimeoutExpired):
        return f"waktu habis setelah {TIMEOUT_SECONDS} detik"
    if isinstance(error, ImportError):
        return "paket pagefind[bin] tidak terpasang"
    if isinstance(error, OSError):
        return os_reason(error)
    return type(error).__name__


class SearchFailed(Exception):
    """Pagefind could not build the index; the previous index stays."""

    def problem(self, output: Path) -> Problem:
        """The failure as a located message with a hint."""
        return Problem(str(output / INDEX_DIR), 1, f"indeks pencarian gagal dibuat ({self}); indeks lama tetap dipakai",
                       "pasang ulang paket pagefind[bin] (pip install 'pagefind[bin]') lalu jalankan build lagi")
