"""The static search index: Pagefind (from PyPI, ``pagefind[bin]``) run over the built output.

Pagefind reads only what the pages mark with ``data-pagefind-body`` (page content, not menus
or footers) and stems each page in the language of its ``<html lang>``, so Indonesian word
forms find each other. The bundle is written next to the output first and swapped in with
renames, so a failed or interrupted run leaves the previous index whole. The build calls it
only when some page changed (``index_key``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from .errors import Problem
from .output import DIR_MODE, FILE_MODE

INDEX_DIR = "pagefind"
ENTRY_FILE = "pagefind.js"
STATE_KEY = "pagefind/"  # the index's key in the build state's portal keys
TIMEOUT_SECONDS = 600


def index_key(glob: str, page_keys: Iterable[str]) -> str:
    """A key that changes whenever any indexed page may have changed."""
    digest = hashlib.sha256(glob.encode())
    for key in page_keys:
        digest.update(b"\0" + key.encode())
    return digest.hexdigest()


def is_current(output: Path, key: str, previous: str | None) -> bool:
    """The published index was made from the same pages."""
    return previous == key and (output / INDEX_DIR / ENTRY_FILE).is_file()


def _executable() -> str:
    from pagefind_bin import get_executable  # imported here: only a build that indexes needs it

    return str(get_executable())


def update_index(output: Path, work: Path) -> float:
    """Index ``output`` into ``work/pagefind`` and swap it in; returns the seconds it took.

    Raises ``SearchFailed`` (a located, Indonesian message) when Pagefind cannot run."""
    started = time.perf_counter()
    fresh, old = work / INDEX_DIR, work / f"{INDEX_DIR}-lama"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        command = [_executable(), "--site", str(output), "--output-path", str(fresh), "--keep-index-url", "--silent"]
        subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
    except (OSError, ImportError, subprocess.SubprocessError) as error:
        shutil.rmtree(work, ignore_errors=True)
        raise SearchFailed(_reason(error)) from None
    _make_readable(fresh)
    target = output / INDEX_DIR
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(work, ignore_errors=True)
    return time.perf_counter() - started


def _make_readable(folder: Path) -> None:
    """Pagefind creates files with the process umask; the web server must read them all."""
    os.chmod(folder, DIR_MODE)
    for path in folder.rglob("*"):
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


def _reason(error: BaseException) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        lines = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"kode keluar {error.returncode}"
    return str(error) or type(error).__name__


class SearchFailed(Exception):
    """Pagefind could not build the index; the previous index stays."""

    def problem(self) -> Problem:
        """The failure as a located message with a hint."""
        return Problem("output/pagefind", 1, f"indeks pencarian gagal dibuat ({self}); indeks lama tetap dipakai",
                       "pasang ulang paket pagefind[bin] (pip install 'pagefind[bin]') lalu jalankan build lagi")
