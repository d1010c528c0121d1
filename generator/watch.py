"""What ``serve`` watches, and what a change means: file events of the site's content.

File events come from the operating system through watchfiles' Rust backend (inotify,
FSEvents or ReadDirectoryChangesW), so a save is seen within milliseconds however large the
site is. Where the system has none (some network or WSL drives, or its limit of watched
folders is reached) a ``Poller`` compares ``stat`` results instead.
"""

from __future__ import annotations

import os
import platform
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import click

from .config import CONFIG_FILE
from .content import KELURAHAN_DIR, list_kelurahan

TEMPLATES_DIR = "templates"
WATCHED = (KELURAHAN_DIR, TEMPLATES_DIR, CONFIG_FILE)
STEP_MS = 20  # a burst of events (an editor's atomic save) is over after this much quiet...
DEBOUNCE_MS = 500  # ...or after this long at most
TIMEOUT_MS = 5000
POLL_SECONDS = 0.3  # the Poller's shortest pause between two scans
MODIFIED = 2  # watchfiles' Change.modified
# Hidden files (the build skips them too), backups (x~), Emacs autosaves (#x#), Vim's write
# test (4913) and JetBrains' safe-write copies never trigger a rebuild by themselves.
EDITOR_JUNK = re.compile(r"^\.|~$|^#.*#$|^4913$|___jb_(?:tmp|old)___$")
Deliver = Callable[[set[str]], None]


def _relative(site: Path, path: str) -> tuple[str, ...]:
    return Path(os.path.relpath(path, site)).parts


def relevant(site: Path, path: str) -> bool:
    """A change the preview must act on: under a watched name, and not an editor's temp or swap file."""
    parts = _relative(site, path)
    if len(parts) == 1 and parts[0].endswith(".geojson"):  # kelurahan boundaries (peta.batas_kelurahan)
        return True
    return bool(parts) and parts[0] in WATCHED and not any(EDITOR_JUNK.search(part) for part in parts[1:])


def affected_slugs(site: Path, changed: Iterable[str]) -> tuple[str, ...] | None:
    """Kelurahan touched by the changed paths, or None when everything must be rebuilt."""
    slugs: set[str] = set()
    existing = set(list_kelurahan(site))
    for path in changed:
        parts = _relative(site, path)
        if len(parts) < 2 or parts[0] != KELURAHAN_DIR or parts[1] not in existing:
            return None
        slugs.add(parts[1])
    return tuple(sorted(slugs))


class EventSource(Protocol):
    """What ``FileEvents`` reads: watchfiles' ``RustNotify``, or a ``Poller``."""

    def watch(self, debounce_ms: int, step_ms: int, timeout_ms: int,
              stop_event: threading.Event) -> set[tuple[int, str]] | str: ...

    def close(self) -> None: ...


class Poller:
    """Stand-in for file events: scans the paths and reports what was added, removed or changed."""

    def __init__(self, paths: list[Path], recursive: bool) -> None:
        self.paths = [str(path) for path in paths]
        self.recursive = recursive
        self.pause = POLL_SECONDS
        self.seen = self._scan()

    def watch(self, debounce_ms: int, step_ms: int, timeout_ms: int,
              stop_event: threading.Event) -> set[tuple[int, str]] | str:
        """Changed paths, or "stop" once ``stop_event`` is set, or "timeout"."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not stop_event.wait(self.pause):
            started = time.monotonic()
            now = self._scan()
            # On a large site a scan is slow: keep scanning to about a fifth of one core.
            self.pause = max(POLL_SECONDS, 4 * (time.monotonic() - started))
            changed = {path for path in now.keys() | self.seen.keys() if now.get(path) != self.seen.get(path)}
            self.seen = now
            if changed:
                return {(MODIFIED, path) for path in changed}
            if time.monotonic() > deadline:
                return "timeout"
        return "stop"

    def close(self) -> None:
        """Nothing to release."""

    def _scan(self) -> dict[str, tuple[int, int, int]]:
        # Folders count by identity only: their own mtime changes with every file saved in them.
        found: dict[str, tuple[int, int, int]] = {}
        folders = list(self.paths)
        while folders:
            try:
                entries = list(os.scandir(folders.pop()))
            except OSError:
                continue
            for entry in entries:
                try:
                    stat = entry.stat(follow_symlinks=False)
                    folder = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                found[entry.path] = (0, 0, stat.st_ino) if folder else (stat.st_mtime_ns, stat.st_size, stat.st_ino)
                if folder and self.recursive:
                    folders.append(entry.path)
        return found


def _force_polling() -> bool:
    """Like watchfiles: ``WATCHFILES_FORCE_POLLING`` decides, else poll on WSL (Windows drives send no events)."""
    value = os.environ.get("WATCHFILES_FORCE_POLLING", "")
    if value:
        return value.lower() not in {"false", "disable", "disabled"}
    system = platform.uname()
    return system.system == "Linux" and "microsoft-standard" in system.release.lower()


def _open_source(paths: list[Path], recursive: bool) -> EventSource:
    """File events of ``paths``, registered when this returns; a Poller where the system has none."""
    if _force_polling():
        return Poller(paths, recursive)
    from watchfiles._rust_notify import RustNotify

    try:
        return RustNotify([str(path) for path in paths], False, False, 0, recursive, True)
    except FileNotFoundError:
        raise
    except (OSError, RuntimeError) as error:  # e.g. the system's limit of watched folders
        click.echo(f"Pemantauan berkas oleh sistem tidak tersedia ({error}); berkas diperiksa berkala.", err=True)
        return Poller(paths, recursive)


class FileEvents:
    """File events of some paths, read by a daemon thread that hands the changed paths to ``deliver``."""

    def __init__(self, paths: list[Path], recursive: bool, deliver: Deliver) -> None:
        self._stop = threading.Event()
        source = _open_source(paths, recursive)
        self._thread = threading.Thread(target=self._pump, args=(source, deliver), name="pratinjau-pantau",
                                        daemon=True)
        self._thread.start()

    def _pump(self, source: EventSource, deliver: Deliver) -> None:
        try:
            while (found := source.watch(DEBOUNCE_MS, STEP_MS, TIMEOUT_MS, self._stop)) != "stop":
                if isinstance(found, set):
                    deliver({path for _kind, path in found})
        except Exception as error:  # a watching thread must say why it stopped
            click.echo(f"Pemantauan berkas berhenti ({error}); jalankan ulang kelurahan serve.", err=True)
        finally:
            source.close()

    def stop(self) -> None:
        """Stop watching and wait for the thread (one step): a thread still inside watchfiles'
        Rust code when Python exits is torn down by the C library, which prints "FATAL: exception
        not rethrown" and aborts."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


class ContentWatch:
    """Watches ``kelurahan/`` and ``templates/`` recursively, and the site folder itself.

    The site folder's own watch sees ``config.yaml`` (also when an editor replaces it) and the
    two content folders appearing, disappearing or being replaced; then ``restart`` watches
    the folders that exist now."""

    def __init__(self, site: Path, deliver: Deliver) -> None:
        self.site = site
        self.deliver = deliver
        self.top = FileEvents([site], False, deliver)
        self.content: FileEvents | None = None
        self.restart()

    def restart(self) -> None:
        """Watch the content folders that exist now; the new watches are in place before the old stop."""
        old = self.content
        roots = [self.site / name for name in (KELURAHAN_DIR, TEMPLATES_DIR) if (self.site / name).is_dir()]
        try:
            self.content = FileEvents(roots, True, self.deliver) if roots else None
        except FileNotFoundError:  # a folder vanished meanwhile; the site's own watch reports that too
            self.content = None
        if old:
            old.stop()

    def structural(self, changed: Iterable[str]) -> bool:
        """True when ``kelurahan/`` or ``templates/`` itself was created, removed or replaced."""
        return any(_relative(self.site, path) in ((KELURAHAN_DIR,), (TEMPLATES_DIR,)) for path in changed)

    def stop(self) -> None:
        """Stop every watch."""
        self.top.stop()
        if self.content:
            self.content.stop()
