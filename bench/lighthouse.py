"""Lighthouse (mobile) scores of every page type of the sample, served from 127.0.0.1.

    npm install --prefix bench/out/node lighthouse          # once; or any lighthouse on PATH
    python3 bench/lighthouse.py                             # builds the sample, then scores it
    python3 bench/lighthouse.py --output OUT                # score an existing build instead

Uses Debian's chromium (``CHROME_PATH`` from ``shutil.which("chromium")``), Lighthouse's
default mobile emulation and throttling, and blocks the map tile server (the tests do the
same: no test depends on the network). Each page is scored ``--repeat`` times; the median of
each category is reported, as Markdown, printed and written to
``bench/results/<time>-lighthouse.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


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
    opts = parser.parse_args(argv)
    lighthouse = _lighthouse(opts.lighthouse)
    output = opts.output or BENCH / "out" / "lighthouse-sample"
    if opts.output is None:
        subprocess.run([sys.executable, "-c", "from generator.cli import main; main()", "--site", str(REPO), "build",
                        "--output", str(output)], check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    try:
        for kind, path in PAGE_TYPES.items():
            runs = [score(lighthouse, base + _resolve(output, path)) for _ in range(opts.repeat)]
            medians = {c: statistics.median(r[c] for r in runs) for c in CATEGORIES}
            rows.append(f"| {kind} | `{_resolve(output, path)}` | "
                        + " | ".join(f"{medians[c]:.0f}" for c in CATEGORIES) + " |")
            print(rows[-1], flush=True)
    finally:
        server.shutdown()
    header = [f"# Lighthouse, mobile ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, medians of {opts.repeat} runs, "
              "tiles blocked)", "", "| page type | page | " + " | ".join(CATEGORIES) + " |",
              "|---|---|" + "---|" * len(CATEGORIES)]
    text = "\n".join(header + rows) + "\n"
    print(text)
    (BENCH / "results" / f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M}-lighthouse.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
