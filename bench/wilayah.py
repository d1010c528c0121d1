"""Sites made by ``kelurahan init`` from the national list: init, check, cold and no-change builds.

    python3 bench/wilayah.py                               # 33.06 (469 desa/kelurahan), 35.71, 53.71
    python3 bench/wilayah.py --codes 33.06 --repeat 3 --timing-repeat 5

For each kota/kabupaten code: ``kelurahan init`` into a fresh folder (whole process, timed),
``kelurahan check`` (reads the list for the codes), cold builds into a fresh output folder
under ``_rusage.py`` with ``run.py``'s tree sampler (time and memory), and no-change rebuilds
(whole process). Also the cost of reading the packaged list in-process: the rows of one
city (early and last in the file) and the full scan a name lookup needs. Prints medians as
Markdown and writes ``results/<date>-wilayah.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402

MEMORY = ("tree_peak_pss_mb", "main_maxrss_mb", "worker_maxrss_mb")


def _timed(action: Callable[[], object], repeat: int) -> float:
    """CPU seconds of this process (not wall time: the host is shared), median of ``repeat``."""
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def load_costs(repeat: int) -> dict[str, float]:
    """CPU milliseconds to read parts of the packaged list, in this process (median of ``repeat``)."""
    from generator.wilayah.daftar import find_kabkota, read_level, read_rows

    return {
        "read rows of 11.01 (first city), ms": 1000 * _timed(lambda: read_rows(["11.01"]), repeat),
        "read rows of 35.71, ms": 1000 * _timed(lambda: read_rows(["35.71"]), repeat),
        "read rows of 96.03 (last city), ms": 1000 * _timed(lambda: read_rows(["96.03"]), repeat),
        "all 514 kabkota (name lookup), ms": 1000 * _timed(lambda: read_level("kabkota"), repeat),
        "find 'Kota Kediri' by name, ms": 1000 * _timed(lambda: find_kabkota("Kota Kediri"), repeat),
    }


def measure(code: str, opts: argparse.Namespace, runner: run.Runner) -> dict[str, Any]:
    """init, check, cold builds (memory) and no-change builds of one kota/kabupaten."""
    kelurahan = run.script("kelurahan")
    base = opts.work / "wilayah"
    site = base / f"situs-{code}"
    inits = []
    for _ in range(opts.timing_repeat):
        run.remove(site)
        inits.append(runner.run([kelurahan, "init", str(site), "--wilayah", code]))
    sites = len([p for p in (site / "kelurahan").iterdir() if p.is_dir()])
    checks = [runner.run([kelurahan, "--site", str(site), "check"]) for _ in range(opts.timing_repeat)]
    output = base / f"output-{code}"
    args = ["--site", str(site), "build", "--output", str(output), "--jobs", str(opts.jobs)]
    cold = []
    for i in range(opts.repeat):
        run.remove(output)
        cold.append(run.run_measured_cli(runner, args))
        opts.log(f"{code} cold #{i + 1}: {run.describe(cold[-1])}")
    nochange = [runner.run([kelurahan, *args]) for _ in range(opts.timing_repeat)]
    pages = run.count_html(output)
    run.remove(output)
    result: dict[str, Any] = {"code": code, "desa/kelurahan": sites, "HTML pages": pages}
    for label, runs in (("init", inits), ("check", checks), ("cold build", cold), ("no-change build", nochange)):
        result[f"{label} s"] = statistics.median(r.seconds for r in runs)
        ours = statistics.median(r.extra["cpu_s"] for r in runs)
        others = statistics.median(r.extra["foreign_cpu_s"] for r in runs)
        result[f"{label} CPU s (ours / others')"] = f"{ours:.2f} / {others:.2f}"
    for key in MEMORY:
        result[f"cold {key}"] = statistics.median(r.extra[key] for r in cold)
    result["runs (cold / others)"] = f"{len(cold)} / {len(nochange)}"
    return result


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| measure | " + " | ".join(str(r["code"]) for r in results) + " |", "|---|" + "---:|" * len(results)]
    for key in results[0]:
        if key != "code":
            cells = [f"{r[key]:.2f}" if isinstance(r[key], float) else str(r[key]) for r in results]
            rows.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", default="33.06,35.71,53.71",
                        help="kota/kabupaten codes, comma-separated ('' measures only the reading of the list)")
    parser.add_argument("--repeat", type=int, default=3, help="cold builds per code")
    parser.add_argument("--timing-repeat", type=int, default=5, help="init, check and no-change runs per code")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--idle-wait", type=float, default=30.0)
    parser.add_argument("--work", type=Path, default=BENCH / "out")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    opts = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    opts.log = log
    runner = run.Runner(opts.idle_wait, log)
    costs = load_costs(opts.timing_repeat)
    results = [measure(code.strip(), opts, runner) for code in opts.codes.split(",") if code.strip()]
    text = ((table(results) + "\n\n" if results else "")
            + "| reading the packaged list (in-process CPU time, median) | ms |\n|---|---:|\n"
            + "\n".join(f"| {k.removesuffix(', ms')} | {v:.1f} |" for k, v in costs.items()) + "\n")
    print(text)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    opts.results.mkdir(parents=True, exist_ok=True)
    git = subprocess.run(["git", "-C", str(BENCH.parent), "describe", "--always", "--dirty"],
                         capture_output=True, text=True, check=False).stdout.strip()
    meta = {"git": git, "jobs": opts.jobs, "cores": os.cpu_count(), "generator": run.generator_fingerprint()}
    (opts.results / f"{stamp}-wilayah.md").write_text(f"{json.dumps(meta)}\n\n{text}", encoding="utf-8")
    (opts.results / f"{stamp}-wilayah.json").write_text(
        json.dumps({"meta": meta, "results": results, "load_ms": costs}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
