"""Where does a cold build spend its time? cProfile of one in-process build, jobs=1.

    python3 bench/profiling.py                 # N=51, seed 1, top 25, cold build
    python3 bench/profiling.py -n 200 --top 40
    python3 bench/profiling.py --mode nochange  # or: --mode edit (one umkm body changed)

Runs ``generator.build.build(BuildOptions(site, fresh_output, jobs=1, clean=True))`` under
cProfile on the synthetic city (bench/synth.py, cached in bench/out/) and prints the top
functions by cumulative and by own (total) time, then own time grouped by area (Markdown,
nh3, Jinja, YAML, privacy gate, hashing, file system, ...). cProfile adds overhead to every
Python call, so pure-Python parts look somewhat more expensive than they are; the wall time
without the profiler is printed too. The raw profile is saved as bench/out/profile-N.prof.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

AREAS = (  # (label, substrings of "file:function"), first match wins
    ("Markdown (pulldown-cmark via pyromark)", ("pyromark",)),
    ("nh3 sanitizer", ("nh3", "clean' of 'builtins", "Cleaner")),
    ("Jinja templates", ("/jinja2/", "<template>", "templates/", ".html")),
    ("YAML parsing", ("/yaml/", "_yaml", "yamlio.py")),
    ("privacy gate", ("privacy.py",)),
    ("hashing", ("_hashlib", "hashlib", "build.py:_sha")),
    ("regex engine", ("'_sre", "re.Pattern", "/re/")),
    ("folium/branca (maps)", ("/folium/", "/branca/")),
    ("JSON", ("/json/", "_json")),
    (
        "file system (open/read/write/stat/link/rename)",
        (
            "pathlib",
            "posix",
            "shutil",
            "io.open",
            "_io.",
            "builtins.open",
            "'open'",
            "os.py",
            "genericpath",
            "'read'",
            "'write'",
            "method 'read",
            "method 'write",
        ),
    ),
    ("generator (other)", ("/generator/",)),
)


def area_of(key: tuple[str, int, str]) -> str:
    filename, _line, function = key
    text = f"{filename}:{function}"
    for label, needles in AREAS:
        if any(needle in text for needle in needles):
            return label
    return "other (stdlib, dataclasses, GC, ...)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kelurahan", "-n", type=int, default=51)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--work", type=Path, default=BENCH / "out")
    parser.add_argument(
        "--mode",
        choices=("cold", "nochange", "edit", "serve"),
        default="cold",
        help="cold: --clean into a fresh folder; nochange/edit: rebuild after a "
        "cold build (edit: one umkm body changed first); serve: like edit but only that "
        "kelurahan, as `kelurahan serve` rebuilds (templates already compiled)",
    )
    parser.add_argument(
        "--callers",
        default="read_sources",
        help="also print the callers of functions matching this (default "
        "read_sources); empty to skip",
    )
    opts = parser.parse_args(argv)

    from generator.build import BuildOptions, build

    city, info = synth.ensure_city(opts.kelurahan, opts.seed, opts.work)
    site, output = city / "site", opts.work / f"profile-out-{opts.kelurahan}"
    target = site / info["edit_target"]
    cold = opts.mode == "cold"

    def prepare(counter: int) -> None:
        shutil.rmtree(output, ignore_errors=True)
        if not cold:
            build(BuildOptions(site, output, jobs=os.cpu_count() or 1, clean=True))
        if opts.mode in ("edit", "serve"):
            target.write_text(info["edit_original"] + f"\nPembaruan ke-{counter}.\n", "utf-8")

    slugs = (info["edit_target"].split("/")[1],) if opts.mode == "serve" else ()
    # serve keeps its compiled templates between rebuilds; the unprofiled run warms them up
    try:
        prepare(1)
        started = time.perf_counter()
        build(BuildOptions(site, output, slugs=slugs, jobs=1, clean=cold))
        plain = time.perf_counter() - started
        prepare(2)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        report = build(BuildOptions(site, output, slugs=slugs, jobs=1, clean=cold))
        profiler.disable()
        profiled = time.perf_counter() - started
    finally:
        target.write_text(info["edit_original"], encoding="utf-8")
        shutil.rmtree(output, ignore_errors=True)
    profiler.dump_stats(str(opts.work / f"profile-{opts.mode}-{opts.kelurahan}.prof"))

    print(
        f"# {opts.mode} build, N={opts.kelurahan}, {report.pages} pages "
        f"({report.rendered} rendered, {report.written} written), jobs=1"
    )
    print(
        f"wall time without profiler {plain:.2f} s ({report.pages / plain:.0f} pages/s), "
        f"with cProfile {profiled:.2f} s\n"
    )
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(order).print_stats(opts.top)
        text = stream.getvalue()
        print(f"## top {opts.top} by {order}\n")
        print(text[text.index("   ncalls") :].rstrip() + "\n")

    if opts.callers:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().print_callers(opts.callers)
        text = stream.getvalue()
        print(f"## callers of {opts.callers}\n")
        print(text[text.index("Function ") :].rstrip() + "\n")

    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    areas: dict[str, float] = {}
    for key, entry in raw.items():
        areas[area_of(key)] = areas.get(area_of(key), 0.0) + entry[2]
    print("## own time by area (share of profiled time)\n")
    print("| area | seconds | share |\n|---|---:|---:|")
    for label, seconds in sorted(areas.items(), key=lambda item: -item[1]):
        print(f"| {label} | {seconds:.2f} | {seconds / total:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
