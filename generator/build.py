"""The build: read everything, decide what is stale, render it, and write it atomically.

The phases: load config → read and fingerprint every kelurahan → build the stale ones (in a
process pool) → portal → build state. Writing goes through ``output.py``.
"""

from __future__ import annotations

import concurrent.futures
import gc
import hashlib
import multiprocessing
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import portal
from .buildstate import (
    MANIFEST_FILE,
    BuildState,
    KelurahanState,
    decode_pages,
    encode_pages,
    fingerprint,
    global_hash,
    page_digest,
    starting_state,
)
from .config import SiteConfig, load_config
from .content import list_kelurahan, parse_kelurahan, read_sources
from .discovery import NO_BASE_URL as NO_BASE_URL_DISCOVERY
from .errors import ContentError, Problem, os_reason
from .images import budget
from .images.cache import ImageCache
from .images.pages import Made, card_pages, media_pages, media_records
from .images.pixels import PhotoError
from .maps import features_json
from .media import MediaError
from .output import (
    DIR_MODE,
    STAGING_DIR,
    build_dir,
    move_old_state,
    output_lock,
    recover,
    remove_gone,
    unfinished_mark,
    write_if_changed,
    write_kelurahan,
)
from .render import Page, Renderer, city_points, summarize
from .search import Refresh, plan_parts, refresh

Progress = Callable[[str, bool], None]
SEARCH_WORK_DIR = "pagefind-baru"  # in the build folder; removed when the index parts are swapped in
NO_BASE_URL = ("Catatan: config.yaml: kartu berbagi (gambar pratinjau WhatsApp/Facebook, og:image) butuh base_url, "
               "alamat tempat situs diterbitkan; tanpa itu halaman dibangun tanpa kartu berbagi")


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    site: Path
    output: Path
    slugs: tuple[str, ...] = ()
    jobs: int = 1
    clean: bool = False
    search: bool = True


@dataclass(frozen=True)
class KelurahanResult:
    """The outcome of building one kelurahan."""

    slug: str
    problems: tuple[Problem, ...] = ()
    state: KelurahanState | None = None
    rendered: int = 0
    written: int = 0
    warnings: tuple[Problem, ...] = ()
    images_made: int = 0
    images_reused: int = 0

    @property
    def ok(self) -> bool:
        """True when the kelurahan had no errors (it may have warnings)."""
        return not self.problems


@dataclass
class BuildReport:
    """What a build did, for the summary line."""

    sites: int = 0
    pages: int = 0  # HTML pages of every site and the portal
    rendered: int = 0  # of those, rendered by this build
    written: int = 0  # files written (pages, photos, data, scripts)
    failed: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    warnings: dict[str, tuple[Problem, ...]] = field(default_factory=dict)
    seconds: float = 0.0
    search: Refresh | None = None  # None: built without the search index
    notes: list[str] = field(default_factory=list)
    images_made: int = 0
    images_reused: int = 0
    cache_pruned: tuple[int, int] = (0, 0)  # (entries, bytes) of the image cache no page uses any more
    images: list[str] = field(default_factory=list)
    image_warnings: list[str] = field(default_factory=list)

    def count(self, rendered: int, written: int) -> None:
        """Add pages rendered and files written."""
        self.rendered += rendered
        self.written += written

    def add(self, result: KelurahanResult, state: BuildState) -> None:
        """Count one kelurahan's result; a good one's state replaces its previous state."""
        self.count(result.rendered, result.written)
        self.images_made += result.images_made
        self.images_reused += result.images_reused
        if result.state is not None:
            state.kelurahan[result.slug] = result.state
        else:
            self.failed[result.slug] = result.problems
        if result.warnings:
            self.warnings[result.slug] = result.warnings

    def close(self, config: SiteConfig, published: list[KelurahanState], state: BuildState) -> None:
        """The totals and the notes that need the whole build."""
        if not config.base_url:
            self.notes.append(NO_BASE_URL_DISCOVERY)
            self.image_warnings.append(NO_BASE_URL)
        self.images, warnings = budget.report([k.berat for k in published])
        self.image_warnings[:0] = warnings
        self.sites = len(published) + 1
        self.pages = sum(len(k.summary.halaman) for k in state.kelurahan.values()) + len(portal.HTML_PAGES)

    @property
    def ok(self) -> bool:
        """No kelurahan failed and the search index, if built, is whole."""
        return not self.failed and not (self.search and self.search.problem)


@dataclass(frozen=True)
class _Work:
    """Everything a worker process needs to build kelurahan (picklable)."""

    site: Path
    output: Path
    config: SiteConfig
    global_hash: str
    cache: ImageCache


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


def build_kelurahan(work: _Work, renderer: Renderer, task: _Task) -> KelurahanResult:
    """Read, parse, render what is stale, and stage + promote one kelurahan."""
    sources = read_sources(work.site, task.slug)
    slug, finger, before = task.slug, fingerprint(sources), decode_pages(task.before)
    made = Made()
    try:
        kel = parse_kelurahan(sources, work.config)
        images, bad_images = media_records(work.cache, sources, kel.media, made)
        if bad_images:
            return KelurahanResult(slug, tuple(bad_images))
        pages = [*renderer.kelurahan_pages(kel, images), *media_pages(work.cache, sources, images),
                 *card_pages(work.cache, renderer, kel, images, made)]
    except ContentError as error:
        return KelurahanResult(slug, error.problems)
    except OSError as error:
        return KelurahanResult(slug, (_cache_problem(work.cache, error),))
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
        except OSError as error:
            problems.append(_cache_problem(work.cache, error))
    if problems:
        return KelurahanResult(slug, tuple(problems))
    fresh = [rel for rel, data in outputs.items() if data is not None]
    try:
        written = write_kelurahan(work.output, slug, outputs, stale=bool(fresh) or before != set(keys.values()))
    except OSError as error:
        shutil.rmtree(build_dir(work.output) / STAGING_DIR / "baru" / slug, ignore_errors=True)
        return KelurahanResult(slug, (_write_problem(work.output / slug, error),))
    weights = budget.summarize((p.kind, p.page, p.weight(images)) for p in renderer.page_photos(kel))
    points = features_json(city_points(kel, work.config.istilah))
    state = KelurahanState(summarize(kel, pages), points, finger, encode_pages(keys.values()), weights)
    rendered = sum(1 for rel in fresh if rel.endswith(".html"))  # the summary counts HTML pages
    return KelurahanResult(slug, (), state, rendered, written, kel.warnings, made.made, made.reused)


def _cache_problem(cache: ImageCache, error: OSError) -> Problem:
    return Problem(str(cache.root), 1, f"gagal memakai cache gambar ({os_reason(error)})",
                   "periksa ruang disk dan izin folder .kelurahan/ di folder situs, lalu jalankan build lagi")


def _write_problem(where: Path, error: OSError) -> Problem:
    return Problem(str(where), 1, f"gagal menulis hasil ({os_reason(error)}); hasil lama tetap utuh",
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
    if isinstance(error, PhotoError):
        return [Problem(page.inputs[0], 1, str(error), error.hint)]
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


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the selected kelurahan (all by default) and the city portal.

    Compiled templates are kept per global hash (``render.compiled_environment``), so repeated
    builds in one process (``serve``) do not compile them again."""
    started, wall_start = time.perf_counter(), time.time()
    config = load_config(options.site)
    output = options.output
    with output_lock(output), unfinished_mark(output):
        os.chmod(output, DIR_MODE)
        move_old_state(output, MANIFEST_FILE)
        recover(output)
        glob = global_hash(options.site, config.batas_kelurahan)
        # A failing kelurahan keeps its previous state, so it stays on the portal.
        state = starting_state(output, glob, options.clean)
        work = _Work(options.site, output, config, glob, ImageCache.of_site(options.site))
        report = BuildReport()
        existing = list_kelurahan(options.site)
        maps = portal.map_pages(config, glob)

        def write_maps() -> None:  # folium runs here while the workers build the kelurahan
            report.count(*portal.write_pages(output, maps, state.portal))

        for result in _run(work, _tasks(options, state, existing), options.jobs, progress, write_maps):
            report.add(result, state)
        if not options.slugs:
            remove_gone(output, state.kelurahan, set(existing))
        published = [state.kelurahan[s] for s in existing if s in state.kelurahan]
        parts = plan_parts(glob, ((k.summary.kecamatan, slug, k.pages) for slug, k in state.kelurahan.items()))
        keys = _write_city(work, published, [part.name for part in parts], state.portal, report)
        keys.update({page.path: page.extra for page in maps})
        if options.clean and not options.slugs and not report.failed:  # every entry in use was touched
            report.cache_pruned = work.cache.prune(wall_start)
        shutil.rmtree(build_dir(output) / STAGING_DIR, ignore_errors=True)
        if options.search:
            report.search = refresh(output, build_dir(output) / SEARCH_WORK_DIR, parts, state.portal, options.jobs)
            keys.update(report.search.current)
        state.portal = keys
        write_if_changed(build_dir(output) / MANIFEST_FILE, state.to_bytes())
        report.close(config, published, state)
    report.seconds = time.perf_counter() - started
    return report


def _tasks(options: BuildOptions, state: BuildState, existing: list[str]) -> list[_Task]:
    """The selected kelurahan whose sources changed since their last good build."""
    known = state.kelurahan
    return [_Task(slug, known[slug].pages if slug in known else "") for slug in list(options.slugs) or existing
            if not _up_to_date(options.site, options.output, known.get(slug), slug)]


def _write_city(work: _Work, published: list[KelurahanState], search_parts: list[str], before: dict[str, str],
                report: BuildReport) -> dict[str, str]:
    """Write the city-level pages that changed; returns their keys for the build state."""
    made = Made()
    pages = portal.city_pages(work.site, work.config, work.global_hash, work.cache, published, search_parts, made)
    report.count(*portal.write_city(work.output, pages, before))
    report.images_made += made.made
    report.images_reused += made.reused
    return {page.path: page.extra for page in pages}


def _up_to_date(site: Path, output: Path, previous: KelurahanState | None, slug: str) -> bool:
    if not previous or not previous.fingerprint or not (output / slug).is_dir():
        return False  # nothing to compare with: skip reading the sources twice
    sources = read_sources(site, slug)
    return not sources.problems and previous.fingerprint == fingerprint(sources)
