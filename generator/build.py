"""The build: read everything, decide what is stale, render it, and write it atomically.

The phases: load config → read and fingerprint every kelurahan → build the stale ones (in a
process pool) → portal → build state. Writing goes through ``output.py``.
"""

from __future__ import annotations

import concurrent.futures
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import opendata
from .assets import site_assets
from .buildstate import (
    MANIFEST_FILE,
    KelurahanState,
    decode_pages,
    encode_pages,
    fingerprint,
    global_hash,
    page_digest,
    starting_state,
)
from .config import SiteConfig, load_config
from .content import PROFILE_FILE, Sources, list_kelurahan, parse_kelurahan, read_sources
from .errors import ContentError, Problem
from .maps import CITY_DATA_FILE, MAP_KINDS, MapKind, boundary_features, city_data_script, features_json, map_script
from .media import MediaError, strip_metadata
from .models import Kelurahan
from .output import (
    DIR_MODE,
    STAGING_DIR,
    build_dir,
    move_old_state,
    output_lock,
    readable_dirs,
    recover,
    remove_gone,
    remove_unlisted,
    unfinished_mark,
    write_if_changed,
    write_kelurahan,
)
from .render import KelurahanSummary, Page, Renderer, city_points, summarize
from .wilayah.kode import Tercatat, check_codes

Progress = Callable[[str, bool], None]


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    site: Path
    output: Path
    slugs: tuple[str, ...] = ()
    jobs: int = 1
    clean: bool = False


@dataclass(frozen=True)
class KelurahanResult:
    """The outcome of building one kelurahan."""

    slug: str
    problems: tuple[Problem, ...] = ()
    state: KelurahanState | None = None
    rendered: int = 0
    written: int = 0
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the kelurahan had no errors (it may have warnings)."""
        return not self.problems


@dataclass
class BuildReport:
    """What a build did, for the summary line."""

    sites: int = 0
    pages: int = 0
    rendered: int = 0
    written: int = 0
    failed: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    warnings: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    seconds: float = 0.0

    def count(self, rendered: int, written: int) -> None:
        """Add pages rendered and files written."""
        self.rendered += rendered
        self.written += written


@dataclass(frozen=True)
class _Work:
    """Everything a worker process needs to build kelurahan (picklable)."""

    site: Path
    output: Path
    config: SiteConfig
    global_hash: str


@dataclass(frozen=True)
class _Task:
    """One kelurahan to build, with the page digests of its previous build (``encode_pages``)."""

    slug: str
    before: str = ""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _page_key(work: _Work, page: Page, hashes: dict[str, str]) -> bytes:
    return page_digest(work.global_hash, page.path, page.extra, (hashes.get(i, "-") for i in page.inputs))


# -- one kelurahan -----------------------------------------------------------------------


def _media_pages(sources: Sources, media: tuple[str, ...]) -> list[Page]:
    return [Page(f"{sources.slug}/{rel}", (f"kelurahan/{sources.slug}/{rel}",),
                 _stripper(sources.files[rel], rel)) for rel in media]


def _stripper(data: bytes, rel: str) -> Callable[[], bytes]:
    return lambda: strip_metadata(data, Path(rel).suffix.lower())


def build_kelurahan(work: _Work, renderer: Renderer, task: _Task) -> KelurahanResult:
    """Read, parse, render what is stale, and stage + promote one kelurahan."""
    sources = read_sources(work.site, task.slug)
    slug, finger, before = task.slug, fingerprint(sources), decode_pages(task.before)
    try:
        kel = parse_kelurahan(sources, work.config)
        pages = renderer.kelurahan_pages(kel) + _media_pages(sources, kel.media)
    except ContentError as error:
        return KelurahanResult(slug, error.problems)
    if bad := _check_paths(slug, pages):
        return KelurahanResult(slug, tuple(bad))
    hashes = {f"kelurahan/{slug}/{rel}": _sha(data) for rel, data in sources.files.items()}
    keys = {page.path: _page_key(work, page, hashes) for page in pages}
    current = work.output / slug
    outputs: dict[str, bytes | None] = {}
    problems: list[Problem] = []
    for page in pages:
        rel = page.path.removeprefix(f"{slug}/")
        if keys[page.path] in before and (current / rel).is_file():
            outputs[rel] = None
            continue
        try:
            outputs[rel] = page.render()
        except (ContentError, MediaError) as error:
            problems.extend(_located(error, page))
    if problems:
        return KelurahanResult(slug, tuple(problems))
    rendered = sum(1 for v in outputs.values() if v is not None)
    try:
        written = write_kelurahan(work.output, slug, outputs, stale=rendered > 0 or before != set(keys.values()))
    except OSError as error:
        shutil.rmtree(build_dir(work.output) / STAGING_DIR / "baru" / slug, ignore_errors=True)
        return KelurahanResult(slug, (_write_problem(work.output / slug, error),))
    points = features_json(city_points(kel, work.config.istilah))
    state = KelurahanState(summarize(kel), points, finger, encode_pages(keys.values()))
    return KelurahanResult(slug, (), state, rendered, written, kel.warnings)


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


def _build_in_worker(work: _Work, task: _Task) -> KelurahanResult:
    """Build one kelurahan (the Renderer's compiled templates are shared, see ``compiled_environment``)."""
    return build_kelurahan(work, Renderer(work.site, work.config, work.global_hash), task)


def _run(work: _Work, tasks: list[_Task], jobs: int, progress: Progress | None,
         meanwhile: Callable[[], None]) -> list[KelurahanResult]:
    """Build the tasks (in a pool of ``jobs`` processes) and run ``meanwhile`` in this one."""
    results: list[KelurahanResult] = []

    def done(result: KelurahanResult) -> None:
        results.append(result)
        if progress:
            progress(result.slug, result.ok)

    if jobs <= 1 or len(tasks) <= 1:
        meanwhile()
        for task in tasks:
            done(_build_in_worker(work, task))
        return results
    Renderer(work.site, work.config, work.global_hash)  # templates compiled once, before the workers fork
    context = multiprocessing.get_context("fork")
    with _shared_with_workers(), concurrent.futures.ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_leave_interrupts_to_main) as pool:
        try:
            futures = [pool.submit(_build_in_worker, work, t) for t in tasks]
            meanwhile()
            for future in concurrent.futures.as_completed(futures):
                done(future.result())
        except BaseException:  # Ctrl-C or an error: drop what has not started, let the rest finish whole
            pool.shutdown(cancel_futures=True)
            raise
    return results


def _leave_interrupts_to_main() -> None:
    """Workers ignore Ctrl-C: the main process stops the pool, so no kelurahan is cut in half
    and an idle worker never dies with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _shared_with_workers() -> Iterator[None]:
    """Keep what forked workers inherit out of their garbage collections (``gc.freeze``), so
    the memory pages they share with the main process stay shared instead of being copied."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# -- the whole site ----------------------------------------------------------------------


def _portal_pages(glob: str, published: list[KelurahanState], render_portal: Callable[[], bytes],
                  config: SiteConfig) -> list[Page]:
    """The portal page (needs names and counts) and the city map data (needs the points)."""
    listing = json.dumps([vars(k.summary) for k in published], sort_keys=True)
    points = hashlib.sha256(glob.encode())
    for kelurahan in published:
        points.update(b"\0" + kelurahan.points.encode())
    return [
        Page("index.html", (), render_portal, _sha((glob + listing).encode())),
        Page(CITY_DATA_FILE, (), lambda: city_data_script((k.points for k in published),
                                                          boundary_features(config.wilayah)).encode(),
             points.hexdigest()),
    ]


def _open_data_pages(config: SiteConfig, glob: str, published: list[KelurahanState],
                     render_page: Callable[[list[tuple[KelurahanSummary, str]]], bytes]) -> list[Page]:
    """GeoJSON, CSV, the catalogue and the open-data page, all keyed on the portal's data."""
    items = [opendata.Published(k.summary, k.points) for k in published]
    digest = hashlib.sha256(glob.encode())
    for k in published:
        digest.update(b"\0" + json.dumps(vars(k.summary), sort_keys=True).encode() + b"\0" + k.points.encode())
    key = digest.hexdigest()
    made = functools.cache(lambda: opendata.files(config, items))
    paths = [*(i.stem() + suffix for i in items for suffix in (".geojson", ".csv")),
             opendata.CITY_STEM + ".geojson", opendata.CITY_STEM + ".csv", opendata.CATALOGUE]
    pages = [Page(path, (), _picker(made, path), key) for path in paths]
    return [*pages, Page(opendata.PAGE, (), lambda: render_page(opendata.listing(items)), key)]


def _picker(made: Callable[[], dict[str, bytes]], path: str) -> Callable[[], bytes]:
    return lambda: made()[path]


def _map_pages(config: SiteConfig, glob: str) -> list[Page]:
    """The folium-made map scripts: they depend on the config only (part of the global hash)."""
    return [Page(kind.script, (), _map_renderer(config, kind), _sha(f"{glob}\0{kind.script}".encode()))
            for kind in MAP_KINDS]


def _map_renderer(config: SiteConfig, kind: MapKind) -> Callable[[], bytes]:
    return lambda: map_script(config, kind).encode()


def _write_portal(output: Path, pages: list[Page], before: dict[str, str]) -> tuple[int, int]:
    """Render and write the portal files whose key changed (pages, rendered, and files written)."""
    rendered = written = 0
    for page in pages:
        if before.get(page.path) != page.extra or not (output / page.path).is_file():
            rendered += 1
            written += write_if_changed(output / page.path, page.render())
    for folder in {page.path.split("/")[0] for page in pages if "/" in page.path}:
        readable_dirs(output / folder)
    return rendered, written


def _write_assets(output: Path, before: dict[str, str]) -> int:
    """Write any missing asset. Assets are part of the global hash: when they change,
    ``before`` is empty and all are compared and rewritten where they differ."""
    written = 0
    for rel, source in site_assets():
        if not before or not (output / rel).is_file():
            written += write_if_changed(output / rel, source.read_bytes())
    for folder in {rel.split("/")[0] for rel, _source in site_assets()}:
        readable_dirs(output / folder)
    return written


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the selected kelurahan (all by default) and the city portal.

    Compiled templates are kept per global hash (``render.compiled_environment``), so repeated
    builds in one process (``serve``) do not compile them again."""
    started = time.perf_counter()
    config = load_config(options.site)
    output = options.output
    with output_lock(output), unfinished_mark(output):
        os.chmod(output, DIR_MODE)
        move_old_state(output, MANIFEST_FILE)
        recover(output)
        glob = global_hash(options.site, config.batas_kelurahan)
        # A failing kelurahan keeps its previous state, so it stays on the portal.
        state = starting_state(output, glob, options.clean)
        existing = list_kelurahan(options.site)
        selected = list(options.slugs) or existing
        known = state.kelurahan
        tasks = [_Task(slug, known[slug].pages if slug in known else "") for slug in selected
                 if not _up_to_date(options.site, output, known.get(slug), slug)]
        work = _Work(options.site, output, config, glob)
        report = BuildReport()
        maps = _map_pages(config, glob)

        def write_maps() -> None:  # folium runs here while the workers build the kelurahan
            report.count(*_write_portal(output, maps, state.portal))

        for result in _run(work, tasks, options.jobs, progress, write_maps):
            report.count(result.rendered, result.written)
            if result.state is not None:
                state.kelurahan[result.slug] = result.state
            else:
                report.failed[result.slug] = result.problems
            if result.warnings:
                report.warnings[result.slug] = result.warnings
        if not options.slugs:
            remove_gone(output, state.kelurahan, set(existing))
        published = [state.kelurahan[s] for s in existing if s in state.kelurahan]
        summaries = [k.summary for k in published]

        def render_portal() -> bytes:
            return Renderer(options.site, config, glob).portal_page(summaries)

        def render_open_data(listing: list[tuple[KelurahanSummary, str]]) -> bytes:
            return Renderer(options.site, config, glob).open_data_page(listing, opendata.COLUMNS)

        pages = _portal_pages(glob, published, render_portal, config)
        pages += _open_data_pages(config, glob, published, render_open_data)
        report.count(*_write_portal(output, pages, state.portal))
        remove_unlisted(output / opendata.DATA_DIR / "kelurahan", {p.path.rsplit("/", 1)[-1] for p in pages})
        report.count(0, _write_assets(output, state.portal))
        state.portal = {p.path: p.extra for p in [*maps, *pages]}
        write_if_changed(build_dir(output) / MANIFEST_FILE, state.to_bytes())
        shutil.rmtree(build_dir(output) / STAGING_DIR, ignore_errors=True)
        report.sites = len(summaries) + 1
        report.pages = sum(k.page_count for k in state.kelurahan.values()) + 1
    report.seconds = time.perf_counter() - started
    return report


def _up_to_date(site: Path, output: Path, previous: KelurahanState | None, slug: str) -> bool:
    if not previous or not previous.fingerprint or not (output / slug).is_dir():
        return False  # nothing to compare with: skip reading the sources twice
    sources = read_sources(site, slug)
    return not sources.problems and previous.fingerprint == fingerprint(sources)


def check(site: Path, slugs: tuple[str, ...] = ()) -> dict[str, tuple[Problem, ...]]:
    """Validate content (Markdown conversion, codes against the national list too) without writing.

    Returns the problems of every kelurahan that has any: errors and warnings (``Problem.is_warning``)."""
    config = load_config(site)
    renderer = Renderer(site, config)
    found: dict[str, tuple[Problem, ...]] = {}
    coded: list[Tercatat] = []
    for slug in slugs or tuple(list_kelurahan(site)):
        sources = read_sources(site, slug)
        try:
            kel = parse_kelurahan(sources, config)
        except ContentError as error:
            found[slug] = error.problems
            continue
        texts = [(kel.beranda, f"kelurahan/{slug}/beranda.md", 1)]
        texts += [(entry.body, entry.source, entry.body_line) for entry in kel.entries]
        if problems := tuple(p for text in texts for p in _markdown_problems(renderer, *text)) + kel.warnings:
            found[slug] = tuple(sorted(problems))
        if kel.profil.kode_wilayah:
            coded.append(_recorded(sources, kel))
    for slug, wrong in check_codes(config, coded).items():
        found[slug] = tuple(sorted((*found.get(slug, ()), *wrong)))
    return found


def _recorded(sources: Sources, kel: Kelurahan) -> Tercatat:
    """Where a profile writes its ``kode_wilayah`` (the line, for the message)."""
    text = sources.files[PROFILE_FILE].decode("utf-8", "replace")
    match = re.search(r"^kode_wilayah\s*:", text, re.MULTILINE)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    return Tercatat(kel.slug, sources.where(PROFILE_FILE), line, kel.profil.nama, kel.profil.kecamatan,
                    kel.profil.kode_wilayah or "")


def _markdown_problems(renderer: Renderer, text: str, source: str, line: int) -> tuple[Problem, ...]:
    try:
        renderer.markdown_html(text, source, line)
    except ContentError as error:
        return error.problems
    return ()
