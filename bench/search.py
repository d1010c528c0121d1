"""What the search index (Pagefind) costs in a build: cold, after no change, after a one-file edit.

    python3 bench/search.py                      # N=51 and N=200, 3 runs each
    python3 bench/search.py --sizes 51 --repeat 5

For each N the synthetic city of ``synth.py`` is built with the real CLI in a subprocess
(``kelurahan --site S build --output O``). Cold: a fresh output folder. No change: the same
build again (the index must not be rebuilt). Edit: one entry changed (as ``run.py`` does),
so one page changes and the whole index is rebuilt. The index time is what the build itself
reports (``Indeks pencarian: dibuat ulang dalam X detik``); the build time is wall clock of
the whole process. Prints medians and the index's share of the build as Markdown and writes
them to ``bench/results/<time>-search.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402
import synth  # noqa: E402

INDEX_LINE = re.compile(r"Indeks pencarian: dibuat ulang dalam (\d+),(\d) detik")


def build(site: Path, output: Path, jobs: int) -> tuple[float, float | None]:
    """(whole build seconds, index seconds or None when the index was not rebuilt)."""
    command = [sys.executable, "-c", "from generator.cli import main; main()", "--site", str(site), "build",
               "--output", str(output), "--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stderr}")
    for line in done.stderr.splitlines():
        if "indeks pencarian gagal" in line:
            print(f"warning: {line}", file=sys.stderr)
    match = INDEX_LINE.search(done.stderr)
    return seconds, (int(match.group(1)) + int(match.group(2)) / 10 if match else None)


def measure(n: int, opts: argparse.Namespace) -> dict[str, list[tuple[float, float | None]]]:
    """Cold, no-change and edit builds of the N city, ``opts.repeat`` times each."""
    city, info = synth.ensure_city(n, opts.seed, opts.work)
    site, output = city / "site", opts.work / "runs" / f"search-n{n}"
    runs: dict[str, list[tuple[float, float | None]]] = {"cold": [], "nochange": [], "edit": []}
    for i in range(opts.repeat):
        shutil.rmtree(output, ignore_errors=True)
        runs["cold"].append(build(site, output, opts.jobs))
        runs["nochange"].append(build(site, output, opts.jobs))
        run.edit_file(site, info["edit_target"], info["edit_original"], i + 1)
        runs["edit"].append(build(site, output, opts.jobs))
    target = site / info["edit_target"]
    target.write_text(info["edit_original"], encoding="utf-8")
    pages = run.count_html(output)
    runs["pages"] = [(float(pages), None)]
    return runs


def report(results: dict[int, dict[str, list[tuple[float, float | None]]]], opts: argparse.Namespace) -> str:
    """Medians as a Markdown table."""
    lines = [f"# Search index cost ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, jobs={opts.jobs}, "
             f"{opts.repeat} runs, medians)", "",
             "| N | pages | build | whole build s | index s | index share |", "|---|---|---|---|---|---|"]
    for n, runs in results.items():
        pages = int(runs["pages"][0][0])
        for kind in ("cold", "nochange", "edit"):
            whole = statistics.median(s for s, _ in runs[kind])
            index_times = [i for _, i in runs[kind] if i is not None]
            if index_times:
                index = statistics.median(index_times)
                share = f"{index / whole:.0%}"
                shown = f"{index:.1f}"
            else:
                shown, share = "not rebuilt", "0%"
            lines.append(f"| {n} | {pages} | {kind} | {whole:.2f} | {shown} | {share} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="51,200", help="comma-separated numbers of kelurahan")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=BENCH / "out")
    opts = parser.parse_args(argv)
    results = {n: measure(n, opts) for n in (int(s) for s in opts.sizes.split(","))}
    text = report(results, opts)
    print(text)
    out = BENCH / "results" / f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M}-search.md"
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
