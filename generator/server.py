"""``kelurahan serve``: a live-reload preview that calls the same incremental build.

The preview is built into its own folder (never the published ``output/``). A watcher
polls ``kelurahan/``, ``templates/`` and ``config.yaml``, rebuilds only the kelurahan whose
files changed, and tells the browser to reload. While content has errors, every page shows
them (file, line, message) at the top instead of silently showing a stale page.
"""

from __future__ import annotations

import html
import mimetypes
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from .build import BuildOptions, build
from .config import CONFIG_FILE
from .content import KELURAHAN_DIR, list_kelurahan
from .errors import BuildLocked, ContentError, Problem

PREVIEW_DIR = ".pratinjau"
WATCHED = (KELURAHAN_DIR, "templates", CONFIG_FILE)
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class PreviewState:
    """The preview's current problems, shown on every page until they are fixed."""

    site: Path
    output: Path
    problems: list[Problem] = field(default_factory=list)

    def rebuild(self, slugs: tuple[str, ...] = ()) -> None:
        """Build (only ``slugs`` if given) into the preview folder and remember the problems."""
        started = time.perf_counter()
        try:
            report = build(BuildOptions(self.site, self.output, slugs=slugs, jobs=1))
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


def affected_slugs(site: Path, changed: Iterable[str]) -> tuple[str, ...] | None:
    """Kelurahan touched by the changed paths, or None when everything must be rebuilt."""
    slugs: set[str] = set()
    existing = set(list_kelurahan(site))
    for path in changed:
        parts = Path(path).resolve().relative_to(site.resolve()).parts
        if len(parts) < 2 or parts[0] != KELURAHAN_DIR or parts[1] not in existing:
            return None
        slugs.add(parts[1])
    return tuple(sorted(slugs))


class Snapshot:
    """Modification times of every watched file; ``changes()`` lists what differs since last call."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.seen = self._scan()

    def _scan(self) -> dict[str, tuple[float, int]]:
        found: dict[str, tuple[float, int]] = {}
        for name in WATCHED:
            root = self.site / name
            for path in [root] if root.is_file() else _walk(root):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found[str(path)] = (stat.st_mtime, stat.st_size)
        return found

    def changes(self) -> list[str]:
        """Paths added, removed or modified since the previous call."""
        now = self._scan()
        changed = [p for p in now.keys() | self.seen.keys() if now.get(p) != self.seen.get(p)]
        self.seen = now
        return sorted(changed)


def _walk(root: Path) -> Iterator[Path]:
    for directory, _dirs, files in os.walk(root):
        for name in files:
            yield Path(directory) / name


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


def serve(site: Path, host: str, port: int, interval: float = 0.1) -> None:
    """Build the preview, then serve it with live reload until interrupted."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado import ioloop

    state = PreviewState(site, site / PREVIEW_DIR)
    state.rebuild()
    snapshot = Snapshot(site)

    class ContentWatcher(Watcher):  # type: ignore[misc]
        """Polls the content itself and reloads the browser right after each rebuild."""

        next_scan = 0.0

        def start(self, callback: Callable[[], None]) -> bool:
            ioloop.PeriodicCallback(self.poll, interval * 1000).start()
            return True

        def examine(self) -> tuple[None, None]:
            return None, None

        def poll(self) -> None:
            started = time.perf_counter()
            if started < self.next_scan:
                return
            changed = snapshot.changes()
            # On a large site a scan is slow: keep polling to about a fifth of one core.
            self.next_scan = started + 4 * (time.perf_counter() - started)
            if changed:
                slugs = affected_slugs(site, changed)
                state.rebuild(slugs or ())
                LiveReloadHandler.reload_waiters(path="*")

    server = Server(app=preview_app(state), watcher=ContentWatcher())
    click.echo(f"Pratinjau di http://{host}:{port}/ (Ctrl-C untuk berhenti). Folder: {state.output}", err=True)
    server.serve(host=host, port=port, debug=False, restart_delay=0)
