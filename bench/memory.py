"""Peak memory of cold builds, and the no-change / one-file edit times, without Hugo or serve.

    python3 bench/memory.py                                  # N=51 (3 runs) and N=1000 (2 runs)
    python3 bench/memory.py --sizes 51 --repeat 5 --timing-repeat 5

A quicker subset of ``run.py`` (same synthetic cities, same probes): for each N, cold builds
(`kelurahan --site S build --clean --output O --jobs J`) into a fresh folder and into the
folder the previous run left, each under ``_rusage.py`` with ``run.py``'s tree sampler (main
process and largest worker max RSS, whole-tree peak RSS and PSS sums); then no-change and
one-file edit rebuilds, timed whole process under GNU time. Prints medians as Markdown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402
import synth  # noqa: E402

KEYS = ("tree_peak_pss_mb", "tree_peak_rss_mb", "main_maxrss_mb", "worker_maxrss_mb")


def measure(n: int, opts: argparse.Namespace, runner: run.Runner) -> dict[str, Any]:
    """Cold builds with the memory probes, then timed no-change and edit rebuilds."""
    city, info = synth.ensure_city(n, opts.seed, opts.work)
    site, output = city / "site", opts.work / "runs" / f"memory-n{n}"
    run.remove(output)
    args = ["--site", str(site), "build", "--clean", "--output", str(output), "--jobs", str(opts.jobs)]
    cold: dict[str, list[run.Run]] = {"fresh": [], "present": []}
    for i in range(opts.repeat.get(n, opts.repeat.get(0, 2))):
        for variant in ("fresh", "present"):
            if variant == "fresh":
                run.remove(output)
            cold[variant].append(run.run_measured_cli(runner, args))
            opts.log(f"N={n} cold ({variant}) #{i + 1}: {run.describe(cold[variant][-1])}; "
                     + ", ".join(f"{k} {cold[variant][-1].extra[k]:.0f}" for k in KEYS))
    kelurahan = [run.which("kelurahan"), *args[:3], "--output", str(output), "--jobs", str(opts.jobs)]
    nochange, edits = [], []
    for _ in range(opts.timing_repeat):
        nochange.append(runner.run(kelurahan))
    target, original = info["edit_target"], info["edit_original"]
    try:
        for i in range(opts.timing_repeat):
            run.edit_file(site, target, original, i + 1)
            edits.append(runner.run(kelurahan))
    finally:
        (site / target).write_text(original, encoding="utf-8")
    run.remove(output)
    result: dict[str, Any] = {"n": n, "runs": len(cold["fresh"])}
    for variant, runs in cold.items():
        for key in KEYS:
            result[f"{variant} {key}"] = statistics.median(r.extra[key] for r in runs)
        result[f"{variant} seconds"] = statistics.median(r.seconds for r in runs)
    result["no-change s"] = statistics.median(r.seconds for r in nochange)
    result["edit s"] = statistics.median(r.seconds for r in edits)
    result["no-change / edit runs"] = len(nochange)
    return result


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| measure | " + " | ".join(f"N={r['n']}" for r in results) + " |",
            "|---|" + "---:|" * len(results)]
    for key in results[0]:
        if key != "n":
            cells = [f"{r[key]:.2f}" if isinstance(r[key], float) else str(r[key]) for r in results]
            rows.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[51, 1000])
    parser.add_argument("--repeat", default="51=3,1000=2", help="cold runs per variant: R or N=R,...")
    parser.add_argument("--timing-repeat", type=int, default=5, help="no-change and edit runs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--idle-wait", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=BENCH / "out")
    opts = parser.parse_args(argv)
    opts.repeat = run.parse_repeat(opts.repeat)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    opts.log = log
    runner = run.Runner(opts.idle_wait, log)
    import generator

    log(f"generator: {Path(generator.__file__).parent}")
    print(table([measure(n, opts, runner) for n in opts.sizes]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
