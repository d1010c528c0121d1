"""Benchmark `kelurahan publish`: the first publish of the sample and a one-file republish, to a
local OpenSSH sshd (SFTP, release folders) and a local FTP server (pyftpdlib, in place), each
directly and through a proxy that adds 100 ms to every round trip (50 ms each way).

    python3 bench/publish.py                 # 3 runs per measurement (about 4 minutes here)
    python3 bench/publish.py --repeat 5 --targets sftp

The servers and the proxy are the ones the tests use (tests/servers.py), started on 127.0.0.1.
The site is a copy of the repository's sample (51 kelurahan + portal), built once. Each run of
(a) publishes into a fresh folder; each run of (b) appends one line to one kelurahan's
beranda.md, builds, and times only `kelurahan publish` (a subprocess, so connection set-up
and Python start-up are included). Results: medians, a Markdown table on stdout and in
bench/results/<time>-publish.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import servers  # noqa: E402  (the test servers, shared on purpose)

LATENCY = 0.05  # seconds each way: 100 ms per round trip
EDITED = ("kauman", "baluwarti", "kedung-lumbu", "keprabon", "laweyan", "pasar-kliwon", "sriwedari")


@dataclass
class Target:
    name: str
    url: str  # with {port} and {folder}
    port: int
    ftp: bool
    env: dict[str, str]


def kelurahan() -> str:
    return shutil.which("kelurahan") or str(Path(sys.executable).with_name("kelurahan"))


def run(site: Path, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([kelurahan(), "--site", str(site), *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kelurahan {' '.join(args)} failed:\n{done.stderr}")
    return seconds


def prepare_site(work: Path) -> Path:
    site = work / "situs"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    for name in ("config.yaml", "kelurahan", "templates", "NOTICE.md", "batas-kelurahan.geojson"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        elif source.is_file():
            shutil.copyfile(source, site / name)
    run(site, dict(os.environ), "build")
    return site


@contextlib.contextmanager
def targets(work: Path, wanted: list[str]) -> Iterator[list[Target]]:
    with contextlib.ExitStack() as stack:
        found = []
        if "sftp" in wanted:
            ssh = stack.enter_context(servers.sshd(work / "sshd"))
            env = {**os.environ, "HOME": str(ssh.home)}
            env.pop("SSH_AUTH_SOCK", None)
            found.append(Target("SFTP", f"sftp://{ssh.user}@127.0.0.1:{{port}}{work}/sftp/{{folder}}", ssh.port,
                                False, env))
        if "ftp" in wanted:
            ftp = stack.enter_context(servers.ftpd(work / "ftpd", work / "ftp"))
            env = {**os.environ, "KELURAHAN_FTP_PASSWORD": ftp.password}
            found.append(Target("FTP", f"ftp://{ftp.user}@127.0.0.1:{{port}}/{{folder}}", ftp.port, True, env))
        yield found


def measure(site: Path, target: Target, delay: float, repeat: int, work: Path) -> tuple[list[float], list[float]]:
    with servers.proxy(target.port, delay=delay, ftp=target.ftp) as relay:
        if target.name == "SFTP":
            known = Path(target.env["HOME"]) / ".ssh/known_hosts"
            line = known.read_text().splitlines()[0].split(" ", 1)[1]
            known.write_text(known.read_text() + f"[127.0.0.1]:{relay.port} {line}\n")
        first, again = [], []
        for number in range(repeat):
            folder = f"b{int(delay * 1000)}-{number}-{time.time_ns()}"
            url = target.url.format(port=relay.port, folder=folder)
            first.append(run(site, target.env, "publish", "--target", url))
            page = site / "kelurahan" / EDITED[number % len(EDITED)] / "beranda.md"
            page.write_text(page.read_text(encoding="utf-8") + f"\nUji terbit {number}.\n", encoding="utf-8")
            run(site, dict(os.environ), "build")
            again.append(run(site, target.env, "publish", "--target", url))
    return first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--targets", default="sftp,ftp")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out" / "publish")
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    site = prepare_site(work)
    files = sum(1 for p in (site / "output").rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in (site / "output").rglob("*") if p.is_file())
    rows = []
    with targets(work, args.targets.split(",")) as found:
        for target in found:
            for delay in (0.0, LATENCY):
                first, again = measure(site, target, delay, args.repeat, work)
                rows.append((target.name, f"{int(delay * 2000)} ms", statistics.median(first),
                             statistics.median(again), first, again))
                print(rows[-1][:4], flush=True)
    lines = [f"Sample: {files} files, {size / 1e6:.1f} MB; medians of {args.repeat} runs; "
             f"{os.cpu_count()} CPU; {dt.date.today()}", "",
             "| target | added round-trip latency | (a) first publish, s | (b) one-file republish, s "
             "| runs (a) | runs (b) |",
             "|---|---|---|---|---|---|"]
    for name, latency, first, again, all_first, all_again in rows:
        lines.append(f"| {name} | {latency} | {first:.2f} | {again:.2f} | "
                     f"{', '.join(f'{x:.2f}' for x in all_first)} | {', '.join(f'{x:.2f}' for x in all_again)} |")
    text = "\n".join(lines) + "\n"
    print(text)
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M}-publish.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
