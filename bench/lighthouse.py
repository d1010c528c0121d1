"""Lighthouse (mobile) scores of every page type of the sample, served from 127.0.0.1.

    npm install --prefix bench/out/node lighthouse          # once; or any lighthouse on PATH
    python3 bench/lighthouse.py                             # builds the sample, then scores it
    python3 bench/lighthouse.py --output OUT                # score an existing build instead

The build is served by nginx with the compression the README's nginx example turns on
(``GZIP_TYPES`` below), as a host set up by the README serves it; without nginx on the machine
(``apt-get install nginx-light``) by Python's ``http.server``, uncompressed, which the results'
heading then says. Uses Debian's chromium (``CHROME_PATH`` from ``shutil.which("chromium")``), Lighthouse's
default mobile emulation and throttling, and blocks the map tile server (the tests do the
same: no test depends on the network). Each page is scored ``--repeat`` times; the median of
each category is reported, as Markdown, printed and written to
``bench/results/<time>-lighthouse.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGE_TYPES = {
    "portal": "index.html",
    "kelurahan home": "kauman/index.html",
    "section list (map)": "kauman/umkm/index.html",
    "wisata": "kauman/wisata/{first}",
    "umkm": "kauman/umkm/{first}",
    "ikon": "kauman/ikon/{first}",
    "layanan": "kauman/layanan/{first}",
    "berita": "kauman/berita/{first}",
    "halaman": "kauman/halaman/{first}",
    "search": "cari/index.html?q=batik",
    "404": "404.html",
}


# The compression of the README's nginx example (``gzip on; gzip_types ...``).
GZIP_TYPES = "text/css application/javascript application/json application/geo+json image/svg+xml " \
             "application/xml application/atom+xml text/csv"
MIME_TYPES = "text/html html; text/css css; application/javascript js mjs; application/json json; " \
             "application/geo+json geojson; image/png png; image/jpeg jpg jpeg; image/webp webp; " \
             "image/svg+xml svg; application/xml xml; application/atom+xml atom; text/csv csv; " \
             "application/wasm wasm;"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path, plain: bool = False) -> Iterator[tuple[str, str]]:
    """(base URL, what serves it): nginx with the README's compression, else (or with
    ``plain``: a host that compresses nothing) http.server."""
    nginx = None if plain else shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx:
        with tempfile.TemporaryDirectory() as work, socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            probe.close()
            user = "user root root;" if os.geteuid() == 0 else ""
            config = Path(work) / "nginx.conf"
            config.write_text(f"""{user} daemon off; worker_processes 1; pid {work}/nginx.pid;
                error_log {work}/error.log; events {{ worker_connections 64; }}
                http {{ types {{ {MIME_TYPES} }} access_log off; client_body_temp_path {work}/body;
                  proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi;
                  scgi_temp_path {work}/scgi; gzip on; gzip_types {GZIP_TYPES};
                  server {{ listen 127.0.0.1:{port}; root {folder.resolve()}; index index.html; }} }}""")
            process = subprocess.Popen([nginx, "-c", str(config), "-p", work])
            try:
                _wait_for(port)
                yield f"http://127.0.0.1:{port}/", "nginx, gzip as in the README"
            finally:
                process.terminate()
                process.wait(timeout=10)
        return
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", "Python http.server, uncompressed"
    finally:
        server.shutdown()


def _wait_for(port: int) -> None:
    for _ in range(100):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise SystemExit(f"nginx did not start on port {port}")


def _lighthouse(explicit: str | None) -> str:
    for candidate in (explicit, shutil.which("lighthouse"), str(BENCH / "out/node/node_modules/.bin/lighthouse")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise SystemExit("lighthouse not found: npm install --prefix bench/out/node lighthouse (or --lighthouse PATH)")


def _resolve(output: Path, path: str) -> str:
    """Fill ``{first}``: the first entry of that section in the build."""
    if "{first}" not in path:
        return path
    folder = output / path.split("{first}")[0]
    first = sorted(p.name for p in folder.iterdir() if p.is_dir())[0]
    return path.replace("{first}", f"{first}/index.html")


def score(lighthouse: str, url: str) -> dict[str, float]:
    """One Lighthouse run: category -> score (0-100)."""
    chrome = shutil.which("chromium")
    if chrome is None:
        raise SystemExit("chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        command = [lighthouse, url, "--quiet", "--output=json", "--output-path=stdout",
                   f"--only-categories={','.join(CATEGORIES)}", "--blocked-url-patterns=*tile.openstreetmap.org*",
                   f"--chrome-flags=--headless --no-sandbox --disable-gpu --user-data-dir={profile}"]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": chrome},
                              timeout=300, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    return {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, help="an existing build to score (default: build the sample)")
    parser.add_argument("--lighthouse", help="path of the lighthouse program")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--uncompressed", action="store_true",
                        help="serve with Python's http.server, uncompressed (a host without gzip)")
    parser.add_argument("--only", help="comma-separated page types to score (default: all), e.g. portal,umkm")
    opts = parser.parse_args(argv)
    lighthouse = _lighthouse(opts.lighthouse)
    output = opts.output or BENCH / "out" / "lighthouse-sample"
    if opts.output is None:
        subprocess.run([sys.executable, "-c", "from generator.cli import main; main()", "--site", str(REPO), "build",
                        "--output", str(output)], check=True, capture_output=True)
    rows = []
    with served(output, opts.uncompressed) as (base, server):
        load_before = os.getloadavg()[0]
        for kind, path in PAGE_TYPES.items():
            if opts.only and kind not in opts.only.split(","):
                continue
            runs = [score(lighthouse, base + _resolve(output, path)) for _ in range(opts.repeat)]
            medians = {c: statistics.median(r[c] for r in runs) for c in CATEGORIES}
            rows.append(f"| {kind} | `{_resolve(output, path)}` | "
                        + " | ".join(f"{medians[c]:.0f}" for c in CATEGORIES) + " |")
            print(rows[-1], flush=True)
    load = f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, {os.cpu_count()} CPUs"
    header = [f"# Lighthouse, mobile ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, medians of {opts.repeat} runs, "
              f"tiles blocked; served by {server}; {load})", "",
              "| page type | page | " + " | ".join(CATEGORIES) + " |", "|---|---|" + "---|" * len(CATEGORIES)]
    text = "\n".join(header + rows) + "\n"
    print(text)
    (BENCH / "results" / f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M}-lighthouse.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
