"""Benchmark `kelurahan build` and `kelurahan serve` against Hugo on synthetic cities.

    python3 bench/run.py                      # N = 51, 200, 1000 (about 20 minutes here)
    python3 bench/run.py --sizes 51 --repeat 3 --edits 5  # a quick look
    python3 bench/run.py --sizes 51 --only serve          # only (g), serve latency

For each N it (re)uses a seeded synthetic city (bench/synth.py, cached in bench/out/) and
measures, with time.perf_counter around each subprocess call:

(a) cold full build: `kelurahan --site S build --clean --output O --jobs J` into a fresh O
    (paired with `hugo --quiet -s H -d O2` into a fresh O2, alternating which runs first),
    and a second variant with O already present (still `--clean`);
(b) no-change rebuild (whole process); (c) one-file edit (one umkm body) then build;
(d) peak memory: GNU time's "Maximum resident set size" of every timed run (the largest
    single process of the tree), plus, on the `--clean` variant, bench/_rusage.py (main
    process vs. largest pool worker via getrusage) and a /proc sampler summing RSS and PSS
    of all processes of the tree every 50 ms;
(e) Hugo on the same Markdown corpus, paired with (a), ratio ours/hugo per pair;
(f) pages per second (output pages / median cold build) and pps(N_max)/pps(N_min);
(g) `kelurahan serve`: time from an (atomic) save of one umkm file to the livereload
    `reload` message on ws://127.0.0.1:P/livereload (tornado's websocket client).

Results: a Markdown table on stdout and bench/results/<date>-<sizes>.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

DEFAULT_SIZES = (51, 200, 1000)
DEFAULT_REPEAT = "51=5,200=3,1000=3"
# Cold builds at N=1000 take ~4.5 min (ours) + ~2 min (Hugo) each: one per variant by default
# keeps the default run under 25 minutes. `--cold-repeat 1000=3` gives the full picture.
DEFAULT_COLD_REPEAT = "1000=1"
PAGES_RE = re.compile(r"([\d.]+) halaman")
SERVE_RE = re.compile(r"Pratinjau diperbarui \(([^)]*)\): [^,]*, (\d+) ms")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- small helpers ---------------------------------------------------------------------------


def parse_repeat(text: str, base: dict[int, int] | None = None) -> dict[int, int]:
    """``"5"`` (every size) or ``"51=5,200=3"`` (per size; others keep ``base``)."""
    result = dict(base or {})
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" in part:
            size, count = part.split("=", 1)
            result[int(size)] = int(count)
        else:
            result[0] = int(part)
    return result


def repeat_for(table: dict[int, int], size: int, default: int = 3) -> int:
    return table.get(size, table.get(0, default))


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def script(name: str) -> str:
    """The console script installed for this interpreter, else the one on PATH.

    Version managers put wrapper scripts on PATH (pyenv's shims cost ~0.1 s per start), which
    is not part of the generator, so the script next to ``sys.executable`` comes first."""
    beside = Path(sys.executable).parent / name
    return str(beside) if os.access(beside, os.X_OK) else which(name)


def which(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found on PATH")
    return path


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def generator_fingerprint() -> str:
    """Hash of the installed generator's source and templates (git may show it as dirty)."""
    import hashlib

    import generator

    root = Path(generator.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def machine() -> dict[str, Any]:
    mem_kb = 0
    with open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    hugo = subprocess.run([which("hugo"), "version"], capture_output=True, text=True, check=False)
    git = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    from generator import __version__

    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "hugo": hugo.stdout.strip(),
        "kelurahan": __version__,
        "git": git.stdout.strip() or "unknown",
    }


# -- running and measuring -------------------------------------------------------------------


def cpu_busy_seconds() -> float:
    """CPU-seconds spent busy (not idle/iowait) by the whole machine since boot, all cores."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def own_cpu_seconds() -> float:
    """CPU-seconds of this process (e.g. the memory sampler) and its waited-for children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def wait_for_idle(max_wait: float, threshold: float = 0.2) -> float:
    """Wait (at most ``max_wait`` s) until other load is below ``threshold`` cores; return the
    load of the last 1-second window (this machine may be shared with other work)."""
    deadline = time.monotonic() + max_wait
    while True:
        before, started = cpu_busy_seconds(), time.monotonic()
        time.sleep(1.0)
        load = (cpu_busy_seconds() - before) / (time.monotonic() - started)
        if load < threshold or time.monotonic() >= deadline:
            return load


@dataclass
class Run:
    """One timed subprocess."""

    seconds: float
    code: int
    maxrss_mb: float | None = None
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Runner:
    """Runs commands under GNU time (or the Python fallback) and times them."""

    def __init__(self, idle_wait: float = 0.0, log: Any = None) -> None:
        self.idle_wait = idle_wait
        self.log = log or (lambda message: None)
        self.gnu_time = shutil.which("time")
        if self.gnu_time:
            probe = subprocess.run(
                [self.gnu_time, "-V"], capture_output=True, text=True, check=False
            )
            if "GNU" not in probe.stdout + probe.stderr:
                self.gnu_time = None

    def settle(self) -> float:
        """Before a timed run: wait for the machine to be quiet (see --idle-wait)."""
        if self.idle_wait <= 0:
            return 0.0
        load = wait_for_idle(self.idle_wait)
        if load >= 0.2:
            self.log(f"  machine still busy ({load:.2f} cores used by others); running anyway")
        return load

    def run(self, command: list[str], check: bool = True) -> Run:
        self.settle()
        busy, ours = cpu_busy_seconds(), own_cpu_seconds()
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "rusage"
            if self.gnu_time:
                full = [self.gnu_time, "-v", "-o", str(report), *command]
            else:
                full = [
                    sys.executable,
                    str(BENCH / "_rusage.py"),
                    str(report),
                    "--exec",
                    "--",
                    *command,
                ]
            started = time.perf_counter()
            proc = subprocess.run(
                full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
            )
            seconds = time.perf_counter() - started
            ours = own_cpu_seconds() - ours
            foreign = cpu_busy_seconds() - busy - ours
            text = report.read_text(encoding="utf-8") if report.exists() else ""
        if self.gnu_time:
            match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
            rss = int(match.group(1)) / 1024 if match else None
            stderr = proc.stderr.split("\tCommand being timed:")[0]
        else:
            rss = json.loads(text)["children_maxrss_kb"] / 1024 if text else None
            stderr = proc.stderr
        if check and proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(command)}\n{stderr[-3000:]}")
        return Run(
            seconds,
            proc.returncode,
            rss,
            stderr,
            {"cpu_s": ours, "foreign_cpu_s": max(foreign, 0.0)},
        )


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (scanning /proc; no CONFIG_PROC_CHILDREN needed)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(parents.get(pid, []))
    return found


class TreeSampler(threading.Thread):
    """Samples the summed RSS (every 50 ms) and PSS (every 250 ms) of a process tree."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.max_procs = self.samples = 0

    def run(self) -> None:
        tick = 0
        while not self.stop.is_set():
            pids = _descendants(self.pid)
            rss = pss = 0
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                        rss += int(handle.read().split()[1]) * PAGE_SIZE
                    if tick % 5 == 0:
                        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                            pss += next(
                                int(ln.split()[1]) * 1024 for ln in handle if ln.startswith("Pss:")
                            )
                except (OSError, StopIteration, ValueError):
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            if tick % 5 == 0:
                self.peak_pss = max(self.peak_pss, pss)
            self.max_procs = max(self.max_procs, len(pids))
            self.samples += 1
            tick += 1
            self.stop.wait(self.interval)


def run_measured_cli(runner: Runner, args: list[str]) -> Run:
    """Our CLI in-process under bench/_rusage.py, with the tree sampler running."""
    runner.settle()
    busy, ours = cpu_busy_seconds(), own_cpu_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rusage.json"
        command = [sys.executable, str(BENCH / "_rusage.py"), str(report), "--", *args]
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _out, err = proc.communicate()
        seconds = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        ours = own_cpu_seconds() - ours
        foreign = cpu_busy_seconds() - busy - ours
        data = json.loads(report.read_text(encoding="utf-8"))
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}\n{err[-3000:]}")
    extra = {
        "main_maxrss_mb": data["self_maxrss_kb"] / 1024,
        "worker_maxrss_mb": data["children_maxrss_kb"] / 1024,
        "tree_peak_rss_mb": sampler.peak_rss / 2**20,
        "tree_peak_pss_mb": sampler.peak_pss / 2**20,
        "tree_max_procs": sampler.max_procs,
        "samples": sampler.samples,
        "cpu_s": ours,
        "foreign_cpu_s": max(foreign, 0.0),
    }
    rss = max(extra["main_maxrss_mb"], extra["worker_maxrss_mb"])
    return Run(seconds, proc.returncode, rss, err, extra)


def edit_file(site: Path, rel: str, original: str, counter: int) -> None:
    """Change one entry's body, saved atomically (temp file outside the watched folders)."""
    text = original.rstrip("\n") + (
        f"\n\nPembaruan ke-{counter}: pengurus menambahkan catatan tentang jam buka "
        f"dan produk baru ({'ramai' if counter % 2 else 'sepi'} pembeli).\n"
    )
    temp = site / ".bench-edit.tmp"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, site / rel)


def describe(run: Run) -> str:
    rss = f"{run.maxrss_mb:.0f} MB" if run.maxrss_mb is not None else "? MB"
    return (
        f"{run.seconds:.2f} s, {rss}, CPU {run.extra.get('cpu_s', 0):.1f} s, "
        f"others' CPU {run.extra.get('foreign_cpu_s', 0):.1f} s"
    )


def count_html(folder: Path) -> int:
    return sum(1 for _d, _s, files in os.walk(folder) for f in files if f.endswith(".html"))


# -- serve latency ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _reload_latencies(
    port: int,
    site: Path,
    rel: str,
    original: str,
    edits: int,
    proc: subprocess.Popen[str],
    timeout: float,
    settle: Any,
) -> list[float]:
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{port}/livereload"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"kelurahan serve exited with {proc.returncode}")
        try:
            conn = await websocket_connect(url, connect_timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("kelurahan serve did not start in time") from None
            await asyncio.sleep(0.2)
    conn.write_message(
        json.dumps(
            {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        )
    )
    hello = await asyncio.wait_for(conn.read_message(), 10)
    if not hello or json.loads(hello).get("command") != "hello":
        raise SystemExit(f"unexpected livereload handshake: {hello!r}")
    # livereload only adds a client to its reload list after an "info" message with a url
    conn.write_message(
        json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": {}})
    )
    await asyncio.sleep(0.5)
    latencies = []
    for counter in range(1, edits + 1):
        settle()
        edit_file(site, rel, original, counter)
        started = time.perf_counter()
        while True:
            message = await asyncio.wait_for(conn.read_message(), 60)
            if message is None:
                raise SystemExit("livereload connection closed")
            if json.loads(message).get("command") == "reload":
                break
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.4)
    conn.close()
    return latencies


def serve_latency(
    kelurahan: str, site: Path, rel: str, original: str, edits: int, settle: Any
) -> dict[str, Any]:
    """Start `kelurahan serve`, save one file ``edits`` times, time save → reload message."""
    port = free_port()
    remove(site / ".pratinjau")
    lines: list[str] = []
    proc = subprocess.Popen(
        [kelurahan, "--site", str(site), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def collect() -> None:
        assert proc.stderr is not None
        lines.extend(iter(proc.stderr.readline, ""))

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    started = time.perf_counter()
    try:
        latencies = asyncio.run(
            _reload_latencies(port, site, rel, original, edits, proc, 3600, settle)
        )
    finally:
        (site / rel).write_text(original, encoding="utf-8")
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        reader.join(5)
        remove(site / ".pratinjau")
    rebuilds = [int(m.group(2)) / 1000 for ln in lines if (m := SERVE_RE.search(ln))]
    return {
        "latencies": latencies,
        "median": median(latencies),
        "min": min(latencies),
        "max": max(latencies),
        "initial_build_s": rebuilds[0] if rebuilds else None,
        "rebuild_reported_median": median(rebuilds[1:]),
        "startup_to_last_reload_s": time.perf_counter() - started,
    }


# -- one size --------------------------------------------------------------------------------


def bench_serve(
    n: int, kelurahan: str, site: Path, info: dict[str, Any], opts: argparse.Namespace, runner: Runner
) -> dict[str, Any]:
    """(g): serve latency on the city of size ``n``, logged."""
    serve = serve_latency(
        kelurahan, site, info["edit_target"], info["edit_original"], opts.edits, runner.settle
    )
    own = (serve["rebuild_reported_median"] or 0) * 1000
    opts.log(
        f"N={n} serve save→reload: median {serve['median'] * 1000:.0f} ms "
        f"({serve['min'] * 1000:.0f}-{serve['max'] * 1000:.0f}), "
        f"serve's own rebuild log: median {own:.0f} ms"
    )
    return serve


def bench_size(n: int, opts: argparse.Namespace, runner: Runner) -> dict[str, Any]:
    kelurahan, hugo = script("kelurahan"), which("hugo")
    repeat = repeat_for(opts.repeat, n)
    cold_repeat = repeat_for(opts.cold_repeat, n, repeat)
    city, info = synth.ensure_city(n, opts.seed, opts.work)
    site, hugo_site = city / "site", city / "hugo"
    outs = opts.work / "runs" / f"n{n}"
    remove(outs)
    outs.mkdir(parents=True)
    result: dict[str, Any] = {
        "n": n,
        "pages": info["output_pages"],
        "jobs": opts.jobs,
        "repeat": repeat,
        "cold_repeat": cold_repeat,
        "markdown_pages": info["markdown_pages"],
        "mean_words": info["mean_words"],
    }

    def ours(output: Path, *extra: str) -> list[str]:
        return [
            kelurahan,
            "--site",
            str(site),
            "build",
            *extra,
            "--output",
            str(output),
            "--jobs",
            str(opts.jobs),
        ]

    def hugo_cmd(output: Path) -> list[str]:
        return [hugo, "--quiet", "-s", str(hugo_site), "-d", str(output)]

    log = opts.log
    if opts.only == "serve":
        if opts.edits > 0:
            result["serve"] = bench_serve(n, kelurahan, site, info, opts, runner)
        return result
    # (a) + (e): cold, fresh output folders, paired and alternating
    cold, cold_hugo, ratios = [], [], []
    for i in range(cold_repeat):
        ours_out, hugo_out = outs / f"ours-{i}", outs / f"hugo-{i}"
        order = ("ours", "hugo") if i % 2 == 0 else ("hugo", "ours")
        pair: dict[str, Run] = {}
        for which_one in order:
            if which_one == "ours":
                pair["ours"] = runner.run(ours(ours_out, "--clean"))
            else:
                pair["hugo"] = runner.run(hugo_cmd(hugo_out))
        if i == 0:
            result["html_files"] = {"ours": count_html(ours_out), "hugo": count_html(hugo_out)}
            match = PAGES_RE.search(pair["ours"].stderr)
            result["pages_reported"] = int(match.group(1).replace(".", "")) if match else None
        cold.append(pair["ours"])
        cold_hugo.append(pair["hugo"])
        ratios.append(pair["ours"].seconds / pair["hugo"].seconds)
        log(
            f"N={n} cold #{i + 1}: ours {describe(pair['ours'])}; hugo {describe(pair['hugo'])}; "
            f"ratio {ratios[-1]:.2f}"
        )
        remove(hugo_out)
        if i < cold_repeat - 1:
            remove(ours_out)
    keep = outs / f"ours-{cold_repeat - 1}"
    # (a, second variant) + (d): output present, --clean, with the memory probes
    clean = []
    for i in range(cold_repeat):
        clean.append(run_measured_cli(runner, ours(keep, "--clean")[1:]))
        log(
            f"N={n} clean (output present) #{i + 1}: {describe(clean[-1])}; "
            + ", ".join(f"{k} {v:.0f}" for k, v in clean[-1].extra.items() if "cpu" not in k)
        )
    # (b) no-change rebuilds
    nochange = []
    for i in range(repeat):
        nochange.append(runner.run(ours(keep)))
        log(f"N={n} no-change #{i + 1}: {describe(nochange[-1])}")
    # (c) one-file edits
    edits = []
    target, original = info["edit_target"], info["edit_original"]
    try:
        for i in range(repeat):
            edit_file(site, target, original, i + 1)
            edits.append(runner.run(ours(keep)))
            log(f"N={n} one-file edit #{i + 1}: {describe(edits[-1])}")
    finally:
        (site / target).write_text(original, encoding="utf-8")
    remove(outs)
    # (g) serve
    if n in opts.serve_sizes and opts.edits > 0:
        result["serve"] = bench_serve(n, kelurahan, site, info, opts, runner)

    def summary(runs: list[Run]) -> dict[str, Any]:
        foreign = [r.extra.get("foreign_cpu_s", 0.0) for r in runs]
        return {
            "seconds": [r.seconds for r in runs],
            "median": median([r.seconds for r in runs]),
            "maxrss_mb": [r.maxrss_mb for r in runs],
            "maxrss_mb_max": max((r.maxrss_mb or 0) for r in runs) if runs else None,
            "cpu_s": [r.extra.get("cpu_s") for r in runs],
            "foreign_cpu_s": foreign,
            "foreign_cpu_s_max": max(foreign, default=0.0),
        }

    result["cold"] = summary(cold)
    result["cold_hugo"] = summary(cold_hugo)
    result["cold_ratio"] = {"values": ratios, "median": median(ratios)}
    result["clean_present"] = summary(clean)
    for key in (
        "main_maxrss_mb",
        "worker_maxrss_mb",
        "tree_peak_rss_mb",
        "tree_peak_pss_mb",
        "tree_max_procs",
    ):
        result["clean_present"][key] = max(r.extra[key] for r in clean)
    result["nochange"] = summary(nochange)
    result["edit"] = summary(edits)
    cold_all = [r.seconds for r in cold + clean]
    result["pps"] = info["output_pages"] / result["cold"]["median"]
    result["pps_all_cold"] = info["output_pages"] / statistics.median(cold_all)
    result["pps_hugo"] = info["output_pages"] / result["cold_hugo"]["median"]
    result["peak_rss_mb"] = max(
        result["cold"]["maxrss_mb_max"],
        result["clean_present"]["maxrss_mb_max"],
        result["nochange"]["maxrss_mb_max"],
        result["edit"]["maxrss_mb_max"],
    )
    return result


# -- report ------------------------------------------------------------------------------------

TARGETS = (
    ("cold_ratio", "cold full build ≤ Hugo (median paired ratio ≤ 1.0)", 51),
    ("nochange", "no-change rebuild < 1 s", 51),
    ("edit", "one-file edit < 1 s (whole process)", 51),
    ("serve", "save-to-reload < 200 ms (serve)", 51),
    ("memory51", "peak memory < 200 MB", 51),
    ("memory1000", "peak memory < 200 MB", 1000),
    ("pps", "pps(1000) within 20 % of pps(51)", 1000),
)


def verdicts(results: dict[int, dict[str, Any]]) -> list[tuple[str, str, str]]:
    rows = []

    def fmt(ok: bool | None) -> str:
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")

    r51, r1000 = results.get(51), results.get(1000)
    if any("cold" not in r for r in results.values()):  # --only serve
        if r51 and "serve" in r51:
            rows.append(
                (
                    TARGETS[3][1] + " (N=51)",
                    f"{r51['serve']['median'] * 1000:.0f} ms",
                    fmt(r51["serve"]["median"] < 0.2),
                )
            )
        return rows
    if r51:
        ratio = r51["cold_ratio"]["median"]
        rows.append((TARGETS[0][1], f"{ratio:.2f}", fmt(ratio <= 1.0)))
        rows.append(
            (
                TARGETS[1][1] + " (N=51)",
                f"{r51['nochange']['median']:.2f} s",
                fmt(r51["nochange"]["median"] < 1.0),
            )
        )
        rows.append(
            (
                TARGETS[2][1] + " (N=51)",
                f"{r51['edit']['median']:.2f} s",
                fmt(r51["edit"]["median"] < 1.0),
            )
        )
        if "serve" in r51:
            rows.append(
                (
                    TARGETS[3][1] + " (N=51)",
                    f"{r51['serve']['median'] * 1000:.0f} ms",
                    fmt(r51["serve"]["median"] < 0.2),
                )
            )
    for label, res in (("51", r51), ("1000", r1000)):
        if res:
            peak = res["peak_rss_mb"]
            tree = res["clean_present"]["tree_peak_pss_mb"]
            rows.append(
                (
                    f"peak memory < 200 MB (N={label}): largest process / whole tree PSS",
                    f"{peak:.0f} MB / {tree:.0f} MB",
                    f"{fmt(peak < 200)} / {fmt(tree < 200)}",
                )
            )
    if r51 and r1000:
        ratio = r1000["pps"] / r51["pps"]
        rows.append((TARGETS[6][1], f"{ratio:.2f}", fmt(ratio >= 0.8)))
    return rows


def cpu_ratios(result: dict[str, Any]) -> list[float]:
    pairs = zip(result["cold"]["cpu_s"], result["cold_hugo"]["cpu_s"], strict=True)
    return [ours / hugo for ours, hugo in pairs]


def markdown(meta: dict[str, Any], results: dict[int, dict[str, Any]]) -> str:
    sizes = sorted(results)
    head = "| measure | " + " | ".join(f"N={n}" for n in sizes) + " |"
    rows = [head, "|---|" + "---:|" * len(sizes)]

    def row(label: str, fn: Any) -> None:
        cells = []
        for n in sizes:
            try:
                cells.append(fn(results[n]))
            except (KeyError, TypeError):
                cells.append("-")
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    row("output pages (ours = Hugo)", lambda r: f"{r['pages']:,}")
    row("repeats: cold / other", lambda r: f"{r['cold_repeat']} / {r['repeat']}")
    row("(a) cold build, fresh output: ours, median s", lambda r: f"{r['cold']['median']:.2f}")
    row("(e) cold build, fresh output: Hugo, median s", lambda r: f"{r['cold_hugo']['median']:.2f}")
    row("(e) ratio ours/Hugo, median of pairs", lambda r: f"{r['cold_ratio']['median']:.2f}")
    row(
        "(e) CPU time (user+sys, all processes), cold: ours / Hugo, median s",
        lambda r: f"{median(r['cold']['cpu_s']):.1f} / {median(r['cold_hugo']['cpu_s']):.1f}",
    )
    row(
        "(e) CPU-time ratio ours/Hugo, median of pairs",
        lambda r: f"{median(cpu_ratios(r)):.2f}",
    )
    row(
        "(a) cold build, output present, `--clean`: median s",
        lambda r: f"{r['clean_present']['median']:.2f}",
    )
    row("(b) no-change rebuild, median s", lambda r: f"{r['nochange']['median']:.2f}")
    row("(c) one-file edit + build, median s", lambda r: f"{r['edit']['median']:.2f}")
    row("(f) pages/s ours (cold, fresh)", lambda r: f"{r['pps']:.0f}")
    row("(f) pages/s Hugo", lambda r: f"{r['pps_hugo']:.0f}")
    row("(d) max RSS, largest single process, ours (MB)", lambda r: f"{r['peak_rss_mb']:.0f}")
    row(
        "(d) max RSS main process / largest worker (MB)",
        lambda r: (
            f"{r['clean_present']['main_maxrss_mb']:.0f} / "
            f"{r['clean_present']['worker_maxrss_mb']:.0f}"
        ),
    )
    row(
        "(d) whole tree peak, sum of RSS / sum of PSS (MB)",
        lambda r: (
            f"{r['clean_present']['tree_peak_rss_mb']:.0f} / "
            f"{r['clean_present']['tree_peak_pss_mb']:.0f}"
        ),
    )
    row("(d) max RSS Hugo (MB)", lambda r: f"{r['cold_hugo']['maxrss_mb_max']:.0f}")
    row(
        "(g) serve save→reload, median ms (min-max)",
        lambda r: (
            f"{r['serve']['median'] * 1000:.0f} ({r['serve']['min'] * 1000:.0f}-"
            f"{r['serve']['max'] * 1000:.0f})"
        ),
    )
    row(
        "noise: others' CPU during a cold build, max core-s (ours / Hugo)",
        lambda r: (
            f"{r['cold']['foreign_cpu_s_max']:.1f} / {r['cold_hugo']['foreign_cpu_s_max']:.1f}"
        ),
    )
    row(
        "(g) serve's own rebuild log, median ms",
        lambda r: f"{r['serve']['rebuild_reported_median'] * 1000:.0f}",
    )
    lines = [
        f"# kelurahan benchmark {meta['date']}",
        "",
        f"Machine: {meta['machine']['cores']} cores ({meta['machine']['cpu']}), "
        f"{meta['machine']['ram_gib']} GiB RAM, Python {meta['machine']['python']}, "
        f"{meta['machine']['hugo'].split(' BuildDate')[0]}; kelurahan "
        f"{meta['machine']['kelurahan']} at {meta['machine']['git']} (generator files "
        f"{meta['generator_sha256']}); `--jobs {meta['jobs']}`; "
        f"seed {meta['seed']}; total {meta['total_minutes']:.1f} min.",
        "",
        *rows,
        "",
    ]
    lo, hi = sizes[0], sizes[-1]
    if lo != hi and "pps" in results[lo] and "pps" in results[hi]:
        lines += [f"pps(N={hi}) / pps(N={lo}) = {results[hi]['pps'] / results[lo]['pps']:.2f}", ""]
    checks = verdicts(results)
    if checks:
        lines += ["| target | measured | verdict |", "|---|---:|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in checks]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=list(DEFAULT_SIZES),
        help="comma-separated N (default 51,200,1000)",
    )
    parser.add_argument(
        "--repeat",
        default=DEFAULT_REPEAT,
        help=f"runs per measurement: R or N=R,... (default {DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--cold-repeat",
        default=DEFAULT_COLD_REPEAT,
        help="override for the cold builds, same syntax (default "
        f"{DEFAULT_COLD_REPEAT}; other sizes use --repeat)",
    )
    parser.add_argument("--edits", type=int, default=10, help="serve edits (0 skips serve)")
    parser.add_argument(
        "--serve-sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[51],
        help="sizes at which to measure serve (default 51)",
    )
    parser.add_argument(
        "--only",
        choices=("serve",),
        help="only measure (g) serve latency, at every size of --sizes",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=60.0,
        help="before each timed run, wait up to this many seconds for other "
        "load on the machine to drop below 0.2 cores (0 = never wait)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work",
        type=Path,
        default=BENCH / "out",
        help="synthetic cities and build outputs (default bench/out)",
    )
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="JSON",
        help="only print the Markdown report of an earlier run's JSON file",
    )
    opts = parser.parse_args(argv)
    if opts.report:
        saved = json.loads(opts.report.read_text(encoding="utf-8"))
        print(markdown(saved["meta"], {int(k): v for k, v in saved["results"].items()}))
        return 0
    opts.repeat = parse_repeat(opts.repeat)
    opts.cold_repeat = parse_repeat(opts.cold_repeat)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    opts.log = log
    runner = Runner(opts.idle_wait, log)
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "jobs": opts.jobs,
        "seed": opts.seed,
        "sizes": opts.sizes,
        "gnu_time": bool(runner.gnu_time),
        "generator_sha256": generator_fingerprint(),
        "loadavg_start": os.getloadavg(),
    }
    log(f"machine: {meta['machine']}")
    results: dict[int, dict[str, Any]] = {}
    for n in opts.sizes:
        results[n] = bench_size(n, opts, runner)
    meta["total_minutes"] = (time.perf_counter() - started) / 60
    after = generator_fingerprint()
    if after != meta["generator_sha256"]:
        meta["warning"] = "the generator's files changed during the run; results mix versions"
        log(meta["warning"])
    text = markdown(meta, results)
    print(text)
    opts.results.mkdir(parents=True, exist_ok=True)
    stem = dt.datetime.now().strftime("%Y%m%d-%H%M") + "-n" + "-".join(map(str, opts.sizes))
    (opts.results / f"{stem}.md").write_text(text, encoding="utf-8")
    (opts.results / f"{stem}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=1, default=str), encoding="utf-8"
    )
    log(f"written: {opts.results / stem}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
