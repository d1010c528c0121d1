"""``kelurahan serve``: a live-reload preview that calls the same incremental build.

The preview is built into its own folder (never the published ``output/``). File events
(``watch.py``) report changes in ``kelurahan/``, ``templates/`` and ``config.yaml``; the server
rebuilds only the kelurahan whose files changed, in the same process with its templates
already compiled, and tells the browser to reload. While content has errors, every page shows them (file,
line, message) at the top instead of silently showing a stale page.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .build import BuildOptions, build
from .content import KELURAHAN_DIR
from .errors import BuildLocked, ContentError, Problem
from .watch import ContentWatch, affected_slugs, relevant

if TYPE_CHECKING:
    from tornado.ioloop import IOLoop

PREVIEW_DIR = ".pratinjau"
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
            report = build(BuildOptions(self.site, self.output, slugs=slugs, jobs=1, search=False))
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

    class QuietServer(Server):  # type: ignore[misc]
        """Prints nothing of its own: livereload and tornado log in English ("Serving on ..."),
        with wording and source lines that change between versions; serve says it in Indonesian."""

        def _setup_logging(self) -> None:
            for name in ("livereload", "tornado"):
                logger = logging.getLogger(name)
                logger.addHandler(logging.NullHandler())  # also keeps tornado from configuring logging
                logger.propagate = False

    return QuietServer(app=preview_app(state), watcher=NoPolling())
