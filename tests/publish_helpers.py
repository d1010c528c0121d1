"""Helpers shared by the publish tests: building, publishing, reading the summary, and checking
that what a host serves is whole (every page one version, every file it uses present)."""

from __future__ import annotations

import io
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from click.testing import CliRunner, Result
from conftest import assert_exit, parse_html, run_cli, tree_bytes
from PIL import Image

from generator.cli import main

PUBLISH_SUMMARY = re.compile(r"Terbit ke \S+: ([\d.]+) baru, ([\d.]+) diganti, ([\d.]+) dihapus, ([\d.]+) tetap; "
                             r"([\d.]+) berkas terkirim")


def build_site(site: Path) -> dict[str, bytes]:
    """Build into the site's output/ and return the output tree."""
    assert_exit(run_cli(site, "build", "--jobs", "1"), 0)
    return tree_bytes(site / "output")


def publish(site: Path, *args: object, code: int = 0, env: dict[str, str] | None = None) -> Result:
    """``kelurahan publish ARGS`` in-process, asserting the exit status and no traceback."""
    result = CliRunner().invoke(main, ["--site", str(site), "publish", *(str(a) for a in args)], env=env)
    assert_exit(result, code)
    return result


def publish_counts(result: Result) -> dict[str, int]:
    """baru, diganti, dihapus, tetap, terkirim from the summary line."""
    match = PUBLISH_SUMMARY.search(result.stderr)
    assert match, f"no publish summary in:\n{result.stderr}"
    keys = ("baru", "diganti", "dihapus", "tetap", "terkirim")
    return dict(zip(keys, (int(g.replace(".", "")) for g in match.groups()), strict=True))


def edit_beranda(site: Path, slug: str, line: str) -> None:
    path = site / f"kelurahan/{slug}/beranda.md"
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(before + f"\n{line}\n", encoding="utf-8")


def noise_png(width: int = 250, height: int = 200) -> bytes:
    """A PNG of random pixels (about 150 KB: does not compress), so transfers take many packets."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}


def whole(served: dict[str, bytes], versions: list[dict[str, bytes]]) -> list[str]:
    """Every served file is one of the versions' bytes for that path, and every relative URL of
    every served page names a served file (so no page misses an asset)."""
    problems = []
    for rel, data in sorted(served.items()):
        if not any(version.get(rel) == data for version in versions):
            problems.append(f"{rel}: neither the old nor the new version")
    for rel in sorted(r for r in served if r.endswith(".html")):
        page = parse_html(served[rel].decode("utf-8"))
        for _tag, _attribute, url in page.urls():
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("#"):
                continue
            target = urlsplit(urljoin(f"http://h/{rel}", url)).path.lstrip("/")
            target = target + "index.html" if target.endswith("/") or not target else target
            if target not in served:
                problems.append(f"{rel}: {url} is missing on the host")
    return problems


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def crawl(base: str, pages: list[str]) -> list[str]:
    """Fetch every page under ``base`` and every relative URL in it over HTTP; list failures."""
    problems, seen = [], set()
    for rel in pages:
        status, body = fetch(base + rel)
        if status != 200:
            problems.append(f"{rel}: HTTP {status}")
            continue
        for _tag, _attribute, url in parse_html(body.decode("utf-8")).urls():
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("#"):
                continue
            absolute = urljoin(base + rel, url).split("#")[0]
            if absolute in seen:
                continue
            seen.add(absolute)
            if not absolute.startswith(base):
                problems.append(f"{rel}: {url} leaves the sub-path")
            elif (code := fetch(absolute)[0]) != 200:
                problems.append(f"{rel}: {url} -> HTTP {code}")
    return problems
