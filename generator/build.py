"""The build: read everything, decide what is stale, render it, and write it atomically.

The phases: load config → read and fingerprint every kelurahan → build the stale ones (in a
process pool) → portal → build state. Writing goes through ``output.py``.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .assets import site_assets
from .config import CONFIG_FILE, SiteConfig, load_config
from .content import Sources, list_kelurahan, parse_kelurahan, read_sources
from .errors import ContentError, Problem
from .maps import CITY_DATA_FILE, MapMaker, city_data_script
from .media import MediaError, strip_metadata
from .output import (
    DIR_MODE,
    STAGING_DIR,
    output_lock,
    readable_dirs,
    recover,
    remove_gone,
    write_if_changed,
    write_kelurahan,
)
from .render import KelurahanSummary, Page, Renderer, summarize, template_files

MANIFEST_FILE = ".kelurahan-build.json"
MANIFEST_FORMAT = 2

Progress = Callable[[str, bool], None]


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    site: Path
    output: Path
    slugs: tuple[str, ...] = ()
    jobs: int = 1
    clean: bool = False


class RendererCache:
    """One Renderer kept warm across builds of a long-running process (``serve``).

    Compiled templates stay valid while the global hash (config, templates, assets,
    generator) is unchanged; a new hash makes a new Renderer."""

    def __init__(self) -> None:
        self._key = ""
        self._renderer: Renderer | None = None

    def get(self, key: str, make: Callable[[], Renderer]) -> Renderer:
        """The kept Renderer if ``key`` is unchanged, otherwise a new one from ``make``."""
        if self._renderer is None or key != self._key:
            self._key, self._renderer = key, make()
        return self._renderer


@dataclass(frozen=True)
class KelurahanResult:
    """The outcome of building one kelurahan."""

    slug: str
    problems: tuple[Problem, ...] = ()
    fingerprint: str = ""
    pages: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] | None = None
    rendered: int = 0
    written: int = 0

    @property
    def ok(self) -> bool:
        """True when the kelurahan had no problems."""
        return not self.problems


@dataclass
class BuildReport:
    """What a build did, for the summary line."""

    sites: int = 0
    pages: int = 0
    rendered: int = 0
    written: int = 0
    failed: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Work:
    """Everything a worker process needs to build kelurahan (picklable)."""

    site: Path
    output: Path
    config: SiteConfig
    global_hash: str
    maps: MapMaker


@dataclass(frozen=True)
class _Task:
    """One kelurahan to build, with the page keys of its previous build."""

    slug: str
    before: dict[str, str]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def global_hash(site: Path) -> str:
    """Hash of everything that affects every page: config, templates, assets, generator."""
    versions = ":".join(metadata.version(name) for name in ("folium", "branca", "jinja2", "markdown", "nh3"))
    digest = hashlib.sha256(f"{__version__}:{MANIFEST_FORMAT}:{versions}".encode())
    digest.update((site / CONFIG_FILE).read_bytes())
    for path in template_files(site):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for rel, source in site_assets():
        digest.update(rel.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def fingerprint(sources: Sources) -> str:
    """Hash of every file of one kelurahan folder."""
    digest = hashlib.sha256()
    for rel in sorted(sources.files):
        digest.update(rel.encode() + b"\0" + _sha(sources.files[rel]).encode())
    return digest.hexdigest()


def _page_key(work: _Work, page: Page, hashes: dict[str, str]) -> str:
    parts = [work.global_hash, page.path, page.extra, *(hashes.get(i, "-") for i in page.inputs)]
    return _sha("\n".join(parts).encode())


def _read_manifest(output: Path) -> dict[str, Any]:
    try:
        data = json.loads((output / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else {}


# -- one kelurahan -----------------------------------------------------------------------


def _media_pages(sources: Sources, media: tuple[str, ...]) -> list[Page]:
    return [Page(f"{sources.slug}/{rel}", (f"kelurahan/{sources.slug}/{rel}",),
                 _stripper(sources.files[rel], rel)) for rel in media]


def _stripper(data: bytes, rel: str) -> Callable[[], bytes]:
    return lambda: strip_metadata(data, Path(rel).suffix.lower())


def build_kelurahan(work: _Work, renderer: Renderer, task: _Task) -> KelurahanResult:
    """Read, parse, render what is stale, and stage + promote one kelurahan."""
    sources = read_sources(work.site, task.slug)
    slug, finger, before = task.slug, fingerprint(sources), task.before
    try:
        kel = parse_kelurahan(sources, work.config)
        pages = renderer.kelurahan_pages(kel) + _media_pages(sources, kel.media)
    except ContentError as error:
        return KelurahanResult(slug, error.problems, finger)
    if bad := _check_paths(slug, pages):
        return KelurahanResult(slug, tuple(bad), finger)
    hashes = {f"kelurahan/{slug}/{rel}": _sha(data) for rel, data in sources.files.items()}
    keys = {page.path: _page_key(work, page, hashes) for page in pages}
    current = work.output / slug
    outputs: dict[str, bytes | None] = {}
    problems: list[Problem] = []
    for page in pages:
        rel = page.path.removeprefix(f"{slug}/")
        if before.get(page.path) == keys[page.path] and (current / rel).is_file():
            outputs[rel] = None
            continue
        try:
            outputs[rel] = page.render()
        except (ContentError, MediaError) as error:
            problems.extend(_located(error, page))
    if problems:
        return KelurahanResult(slug, tuple(problems), finger)
    rendered = sum(1 for v in outputs.values() if v is not None)
    try:
        written = write_kelurahan(work.output, slug, outputs, stale=rendered > 0 or set(before) != set(keys))
    except OSError as error:
        shutil.rmtree(work.output / STAGING_DIR / "baru" / slug, ignore_errors=True)
        return KelurahanResult(slug, (_write_problem(work.output / slug, error),), finger)
    return KelurahanResult(slug, (), finger, keys, asdict(summarize(kel)), rendered, written)


def _write_problem(where: Path, error: OSError) -> Problem:
    return Problem(str(where), 1, f"gagal menulis hasil ({error.strerror or error}); hasil lama tetap utuh",
                   "periksa ruang disk dan izin folder output, lalu jalankan build lagi")


def _check_paths(slug: str, pages: list[Page]) -> list[Problem]:
    """Every page of a kelurahan must land inside its own folder, each path only once."""
    problems, seen = [], set()
    for page in pages:
        parts = page.path.split("/")
        if parts[0] != slug or any(p in ("", ".", "..") for p in parts) or page.path in seen:
            problems.append(Problem(page.inputs[0] if page.inputs else slug, 1,
                                    f"halaman '{page.path}' tidak boleh ditulis di sini", "ganti nama berkasnya"))
        seen.add(page.path)
    return problems


def _located(error: Exception, page: Page) -> list[Problem]:
    if isinstance(error, ContentError):
        return list(error.problems)
    return [Problem(page.inputs[0], 1, str(error), "simpan ulang gambar sebagai JPG atau PNG")]


def _build_chunk(work: _Work, chunk: list[_Task]) -> list[KelurahanResult]:
    renderer = Renderer(work.site, work.config, work.maps)
    return [build_kelurahan(work, renderer, task) for task in chunk]


def _run(work: _Work, tasks: list[_Task], jobs: int, progress: Progress | None,
         renderer: Callable[[], Renderer]) -> list[KelurahanResult]:
    results: list[KelurahanResult] = []

    def done(batch: list[KelurahanResult]) -> None:
        results.extend(batch)
        for result in batch:
            if progress:
                progress(result.slug, result.ok)

    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            done([build_kelurahan(work, renderer(), task)])
        return results
    chunks = [tasks[i::jobs * 4] for i in range(min(len(tasks), jobs * 4))]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for future in concurrent.futures.as_completed(pool.submit(_build_chunk, work, c) for c in chunks):
            done(future.result())
    return results


# -- the whole site ----------------------------------------------------------------------


def _portal_pages(glob: str, summaries: list[KelurahanSummary], render_portal: Callable[[], bytes]) -> list[Page]:
    """The portal page (needs names and counts) and the city map data (needs the points)."""
    listing = json.dumps([{**asdict(s), "titik": len(s.titik)} for s in summaries], sort_keys=True)
    points = json.dumps([s.titik for s in summaries], sort_keys=True)
    return [
        Page("index.html", (), render_portal, _sha((glob + listing).encode())),
        Page(CITY_DATA_FILE, (), lambda: city_data_script([p for s in summaries for p in s.points()]).encode(),
             _sha((glob + points).encode())),
    ]


def _write_portal(output: Path, pages: list[Page], before: dict[str, str]) -> tuple[int, int]:
    """Render and write the portal files whose key changed, and any missing asset.

    Assets are part of the global hash: when they change, ``before`` is empty and all are
    compared and rewritten where they differ."""
    rendered = written = 0
    for page in pages:
        if before.get(page.path) != page.extra or not (output / page.path).is_file():
            rendered += 1
            written += write_if_changed(output / page.path, page.render())
    for rel, source in site_assets():
        if not before or not (output / rel).is_file():
            written += write_if_changed(output / rel, source.read_bytes())
    for folder in {rel.split("/")[0] for rel in [*(p.path for p in pages), *dict(site_assets())] if "/" in rel}:
        readable_dirs(output / folder)
    return rendered, written


def build(options: BuildOptions, progress: Progress | None = None,
          renderers: RendererCache | None = None) -> BuildReport:
    """Build the selected kelurahan (all by default) and the city portal.

    ``renderers`` keeps compiled templates between builds of one process (``serve``)."""
    started = time.perf_counter()
    config = load_config(options.site)
    output = options.output
    with output_lock(output):
        os.chmod(output, DIR_MODE)
        recover(output)
        glob = global_hash(options.site)
        manifest = _read_manifest(output)
        kelurahan: dict[str, Any] = dict(manifest.get("kelurahan", {}))
        if options.clean or manifest.get("global") != glob:
            # Keep what is published (a kelurahan that fails now stays on the portal), forget the rest.
            kelurahan = {slug: {"fingerprint": "", "pages": {}, "summary": v["summary"]}
                         for slug, v in kelurahan.items()}
            manifest = {}
        existing = list_kelurahan(options.site)
        selected = list(options.slugs) or existing
        tasks = [_Task(slug, kelurahan.get(slug, {}).get("pages", {})) for slug in selected
                 if not _up_to_date(options.site, output, kelurahan.get(slug), slug)]
        maps = MapMaker(config, manifest.get("peta"))  # folium output depends on config only
        if tasks:
            maps.point_map()
        work = _Work(options.site, output, config, glob, maps)
        cache = renderers or RendererCache()

        def renderer() -> Renderer:
            return cache.get(glob, lambda: Renderer(options.site, config, maps))

        report = BuildReport()
        for result in _run(work, tasks, options.jobs, progress, renderer):
            report.rendered += result.rendered
            report.written += result.written
            if result.ok:
                kelurahan[result.slug] = {"fingerprint": result.fingerprint, "pages": result.pages,
                                          "summary": result.summary}
            else:
                report.failed[result.slug] = result.problems
        if not options.slugs:
            remove_gone(output, kelurahan, set(existing))
        summaries = [KelurahanSummary(**kelurahan[s]["summary"]) for s in existing if s in kelurahan]
        pages = _portal_pages(glob, summaries, lambda: renderer().portal_page(summaries))
        rendered, written = _write_portal(output, pages, manifest.get("portal", {}))
        report.rendered += rendered
        report.written += written
        portal = {p.path: p.extra for p in pages}
        write_if_changed(output / MANIFEST_FILE, json.dumps(
            {"format": MANIFEST_FORMAT, "global": glob, "portal": portal, "kelurahan": kelurahan,
             "peta": maps.export()},
            sort_keys=True, separators=(",", ":")).encode())
        shutil.rmtree(output / STAGING_DIR, ignore_errors=True)
        report.sites = len(summaries) + 1
        report.pages = sum(len(v["pages"]) for v in kelurahan.values()) + 1
    report.seconds = time.perf_counter() - started
    return report


def _up_to_date(site: Path, output: Path, previous: dict[str, Any] | None, slug: str) -> bool:
    if not previous or not previous.get("fingerprint") or not (output / slug).is_dir():
        return False  # nothing to compare with: skip reading the sources twice
    sources = read_sources(site, slug)
    return not sources.problems and previous["fingerprint"] == fingerprint(sources)


def check(site: Path, slugs: tuple[str, ...] = ()) -> dict[str, tuple[Problem, ...]]:
    """Validate content (including Markdown conversion) without writing anything."""
    config = load_config(site)
    renderer = Renderer(site, config)
    failed: dict[str, tuple[Problem, ...]] = {}
    for slug in slugs or tuple(list_kelurahan(site)):
        try:
            kel = parse_kelurahan(read_sources(site, slug), config)
            renderer.markdown_html(kel.beranda, f"kelurahan/{slug}/beranda.md", 1)
            for entry in kel.entries:
                renderer.markdown_html(entry.body, entry.source, entry.body_line)
        except ContentError as error:
            failed[slug] = error.problems
    return failed
