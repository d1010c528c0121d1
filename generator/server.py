"""``kelurahan serve``: a live-reload preview that calls the same incremental build.

The preview is built into its own folder (never the published ``output/``). File events from
the operating system (watchfiles' Rust backend: inotify, FSEvents or ReadDirectoryChangesW)
report changes in ``kelurahan/``, ``templates/`` and ``config.yaml``; the server rebuilds only
the kelurahan whose files changed, in the same process with its templates already compiled,
and tells the browser to reload. While content has errors, every page shows them (file,
line, message) at the top instead of silently showing a stale page.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .build import BuildOptions, RendererCache, build
from .config import CONFIG_FILE
from .content import KELURAHAN_DIR, list_kelurahan
from .errors import BuildLocked, ContentError, Problem

if TYPE_CHECKING:
    from tornado.ioloop import IOLoop
    from watchfiles._rust_notify import RustNotify

PREVIEW_DIR = ".pratinjau"
TEMPLATES_DIR = "templates"
WATCHED = (KELURAHAN_DIR, TEMPLATES_DIR, CONFIG_FILE)
WATCH_STEP_MS = 20  # a burst of events (an editor's atomic save) is over after this much quiet...
WATCH_DEBOUNCE_MS = 500  # ...or after this long at most
WATCH_TIMEOUT_MS = 5000
POLL_DELAY_MS = 300  # only when the system has no file events (see _open_notify)
# Hidden files (the build skips them too), backups (x~), Emacs autosaves (#x#), Vim's write
# test (4913) and JetBrains' safe-write copies: they never trigger a rebuild by themselves.
EDITOR_JUNK = re.compile(r"^\.|~$|^#.*#$|^4913$|___jb_(?:tmp|old)___$")
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Deliver = Callable[[set[str]], None]


@dataclass
class PreviewState:
    """The preview's current problems, shown on every page until they are fixed."""

    site: Path
    output: Path
    problems: list[Problem] = field(default_factory=list)
    renderers: RendererCache = field(default_factory=RendererCache)

    def rebuild(self, slugs: tuple[str, ...] = ()) -> None:
        """Build (only ``slugs`` if given) into the preview folder and remember the problems."""
        started = time.perf_counter()
        try:
            report = build(BuildOptions(self.site, self.output, slugs=slugs, jobs=1), renderers=self.renderers)
        except ContentError as error:
            self.problems = list(error.problems)
        except BuildLocked as error:
            self.problems = [Problem(str(self.output), 1, str(error))]
        else:
            kept = [p for p in self.problems if slugs and _slug_of(p) not in slugs and _slug_of(p)]
            self.problems = kept + [p for ps in report.failed.values() for p in ps]
        took = (time.perf_counter() - started) * 1000
        status = f"{len(self.problems)} masalah" if self.problems else "tanpa masalah"
        click.echo(f"Pratinjau diperbarui ({', '.join(slugs) or 'semua'}): {status}, {took:.0f} ms", err=True)
        for problem in self.problems:
            click.echo(f"  {problem}", err=True)


def _slug_of(problem: Problem) -> str:
    parts = problem.path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == KELURAHAN_DIR else ""


def _relative(site: Path, path: str) -> tuple[str, ...]:
    return Path(os.path.relpath(path, site)).parts


def relevant(site: Path, path: str) -> bool:
    """A change the preview must act on: under a watched name, and not an editor's temp or swap file."""
    parts = _relative(site, path)
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


def _force_polling() -> bool:
    """``WATCHFILES_FORCE_POLLING`` (as in watchfiles itself) asks for polling, e.g. on network drives."""
    value = os.environ.get("WATCHFILES_FORCE_POLLING", "")
    return bool(value) and value.lower() not in {"false", "disable", "disabled"}


def _open_notify(paths: list[Path], recursive: bool) -> RustNotify:
    """Watches on ``paths``, in place when this returns; polling when the system refuses file events."""
    from watchfiles._rust_notify import RustNotify

    names = [str(path) for path in paths]
    try:
        return RustNotify(names, False, _force_polling(), POLL_DELAY_MS, recursive, True)
    except FileNotFoundError:
        raise
    except (OSError, RuntimeError) as error:  # e.g. the system's limit of watched folders
        click.echo(f"Pemantauan berkas oleh sistem tidak tersedia ({error}); berkas diperiksa berkala.", err=True)
        return RustNotify(names, False, True, POLL_DELAY_MS, recursive, True)


class FileEvents:
    """File events of some paths, read by a daemon thread that hands the changed paths to ``deliver``."""

    def __init__(self, paths: list[Path], recursive: bool, deliver: Deliver) -> None:
        self._stop = threading.Event()
        notify = _open_notify(paths, recursive)
        threading.Thread(target=self._pump, args=(notify, deliver), name="pratinjau-pantau", daemon=True).start()

    def _pump(self, notify: RustNotify, deliver: Deliver) -> None:
        try:
            with notify:
                while (found := notify.watch(WATCH_DEBOUNCE_MS, WATCH_STEP_MS, WATCH_TIMEOUT_MS, self._stop)) != "stop":
                    if isinstance(found, set):
                        deliver({path for _kind, path in found})
        except Exception as error:  # a watcher thread must say why it stopped
            click.echo(f"Pemantauan berkas berhenti ({error}); jalankan ulang kelurahan serve.", err=True)

    def stop(self) -> None:
        """Stop watching (within one step)."""
        self._stop.set()


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
        except FileNotFoundError:  # a folder vanished meanwhile; the site watch reports that too
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


class Rebuilder:
    """Gathers changes from the watch threads; on the server's loop, rebuilds once per burst, then reloads."""

    def __init__(self, state: PreviewState, loop: IOLoop, reload: Callable[[], None]) -> None:
        self.state = state
        self.loop = loop
        self.reload = reload
        self.pending: set[str] = set()
        self.watch = ContentWatch(state.site, self.changed)

    def changed(self, paths: set[str]) -> None:
        """Called from a watch thread: hand what matters to the loop."""
        if fresh := {path for path in paths if relevant(self.state.site, path)}:
            self.loop.add_callback(self._collect, fresh)

    def _collect(self, paths: set[str]) -> None:
        if not self.pending:
            self.loop.add_callback(self._flush)
        self.pending |= paths

    def _flush(self) -> None:
        # Changes that arrive during the rebuild collect in a new set and get a rebuild of their own.
        changed, self.pending = sorted(self.pending), set()
        if self.watch.structural(changed):
            self.watch.restart()
        self.state.rebuild(affected_slugs(self.state.site, changed) or ())
        self.reload()


def error_panel(problems: list[Problem]) -> bytes:
    """The banner that lists content problems at the top of every preview page."""
    lines = "\n".join(html.escape(str(p)) for p in problems)
    return (f'<div class="galat" role="alert" id="pratinjau-galat"><strong>Konten berisi '
            f'{len(problems)} masalah; halaman ini belum diperbarui.</strong><pre>{lines}</pre></div>').encode()


def preview_app(state: PreviewState) -> Callable[[dict[str, Any], StartResponse], list[bytes]]:
    """A small WSGI app serving the preview folder, with the error banner when needed."""
    root = state.output.resolve()

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        path = (root / environ.get("PATH_INFO", "/").lstrip("/")).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_relative_to(root) or not path.is_file() or path.name.startswith("."):
            body = b"<!doctype html><html lang=\"id\"><head><title>Tidak ditemukan</title></head><body>" \
                   b"<p>Halaman tidak ditemukan.</p></body></html>"
            start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
            return [_with_errors(body, state.problems)]
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = _with_errors(body, state.problems)
        headers = [("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind),
                   ("Cache-Control", "no-store")]
        start_response("200 OK", headers)
        return [body]

    return app


def _with_errors(body: bytes, problems: list[Problem]) -> bytes:
    if not problems:
        return body
    marker = b'<main id="isi"'
    panel = error_panel(problems)
    if marker in body:
        return body.replace(marker, panel + b"\n" + marker, 1)
    return body.replace(b"<body>", b"<body>" + panel, 1)


def serve(site: Path, host: str, port: int) -> None:
    """Build the preview, then serve it with live reload until interrupted."""
    from livereload.handlers import LiveReloadHandler
    from tornado.ioloop import IOLoop

    site = site.resolve()
    state = PreviewState(site, site / PREVIEW_DIR)
    # Watch first: a file saved during the first build is rebuilt as soon as the server runs.
    rebuilder = Rebuilder(state, IOLoop.current(), lambda: LiveReloadHandler.reload_waiters(path="*"))
    try:
        state.rebuild()
        server = _livereload_server(state)
        click.echo(f"Pratinjau di http://{host}:{port}/ (Ctrl-C untuk berhenti). Folder: {state.output}", err=True)
        server.serve(host=host, port=port, debug=False, restart_delay=0)
    finally:
        rebuilder.watch.stop()


def _livereload_server(state: PreviewState) -> Any:
    from livereload import Server
    from livereload.watcher import Watcher

    class NoPolling(Watcher):  # type: ignore[misc]
        """livereload's own polling stays off: the Rebuilder reloads the browser after each rebuild."""

        def start(self, callback: Callable[[], None]) -> bool:
            return True

        def examine(self) -> tuple[None, None]:
            return None, None

    return Server(app=preview_app(state), watcher=NoPolling())
