"""The build: read everything, decide what is stale, render it, and write it atomically.

This is the only module that writes to the output folder. Each kelurahan is staged in a
hidden folder (unchanged files are hard links, so staging is cheap) and swapped into place
with renames, so a crash or Ctrl-C leaves every kelurahan either as before or as new.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .assets import site_assets
from .config import CONFIG_FILE, SiteConfig, load_config
from .content import Sources, list_kelurahan, parse_kelurahan, read_sources
from .errors import BuildLocked, ContentError, Problem
from .maps import CITY_DATA_FILE, MapMaker, city_data_script
from .media import MediaError, strip_metadata
from .render import KelurahanSummary, Page, Renderer, summarize, template_files

MANIFEST_FILE = ".kelurahan-build.json"
STAGING_DIR = ".kelurahan-staging"
LOCK_FILE = ".kelurahan.lock"
MANIFEST_FORMAT = 2
FILE_MODE = 0o644
DIR_MODE = 0o755

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
    digest = hashlib.sha256(f"{__version__}:{MANIFEST_FORMAT}".encode())
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


# -- writing -------------------------------------------------------------------------------


def write_file(path: Path, data: bytes) -> None:
    """Write bytes atomically (temp file + rename) with readable permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(temp, "wb") as handle:
        handle.write(data)
    os.chmod(temp, FILE_MODE)
    os.replace(temp, path)


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    write_file(path, data)
    return True


def _stage_file(stage: Path, current: Path, rel: str, data: bytes | None) -> bool:
    """Put one file in the staging folder: a hard link when unchanged, else new bytes."""
    target, old = stage / rel, current / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if old.is_file() and (data is None or old.read_bytes() == data):
        try:
            os.link(old, target)
        except OSError:
            shutil.copyfile(old, target)
            os.chmod(target, FILE_MODE)
        return False
    if data is None:
        raise FileNotFoundError(old)
    write_file(target, data)
    return True


def readable_dirs(root: Path) -> None:
    """Give every folder below ``root`` (and itself) mode 755, whatever the umask."""
    os.chmod(root, DIR_MODE)
    for directory, names, _files in os.walk(root):
        for name in names:
            os.chmod(os.path.join(directory, name), DIR_MODE)


def _promote(output: Path, slug: str, stage: Path) -> None:
    """Swap a staged kelurahan folder into place; the old one is removed afterwards."""
    current = output / slug
    old = output / STAGING_DIR / "lama" / slug
    old.parent.mkdir(parents=True, exist_ok=True)
    if current.exists():
        os.rename(current, old)
    os.rename(stage, current)
    shutil.rmtree(old, ignore_errors=True)


def recover(output: Path) -> None:
    """Undo a build that stopped half-way: restore swapped-out folders, drop staging."""
    staging = output / STAGING_DIR
    old_root = staging / "lama"
    if old_root.is_dir():
        for old in old_root.iterdir():
            if not (output / old.name).exists():
                os.rename(old, output / old.name)
    shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Refuse to run two builds into the same output folder at once."""
    import fcntl

    output.mkdir(parents=True, exist_ok=True)
    with open(output / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"{output}: build lain sedang berjalan ke folder ini; tunggu sampai selesai") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
        written = _write_kelurahan(work.output, slug, outputs, stale=rendered > 0 or set(before) != set(keys))
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


def _write_kelurahan(output: Path, slug: str, outputs: dict[str, bytes | None], stale: bool) -> int:
    if not stale:
        return 0
    stage = output / STAGING_DIR / "baru" / slug
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True, mode=DIR_MODE)
    written = sum(_stage_file(stage, output / slug, rel, data) for rel, data in sorted(outputs.items()))
    readable_dirs(stage)
    _promote(output, slug, stage)
    return written


def _build_chunk(work: _Work, chunk: list[_Task]) -> list[KelurahanResult]:
    renderer = Renderer(work.site, work.config, work.maps)
    return [build_kelurahan(work, renderer, task) for task in chunk]


def _run(work: _Work, tasks: list[_Task], jobs: int, progress: Progress | None) -> list[KelurahanResult]:
    results: list[KelurahanResult] = []

    def done(batch: list[KelurahanResult]) -> None:
        results.extend(batch)
        for result in batch:
            if progress:
                progress(result.slug, result.ok)

    if jobs <= 1 or len(tasks) <= 1:
        renderer = Renderer(work.site, work.config, work.maps)
        for task in tasks:
            done([build_kelurahan(work, renderer, task)])
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
            written += _write_if_changed(output / page.path, page.render())
    for rel, source in site_assets():
        if not before or not (output / rel).is_file():
            written += _write_if_changed(output / rel, source.read_bytes())
    for folder in {rel.split("/")[0] for rel in [*(p.path for p in pages), *dict(site_assets())] if "/" in rel}:
        readable_dirs(output / folder)
    return rendered, written


def _remove_gone(output: Path, manifest: dict[str, Any], existing: set[str]) -> None:
    for slug in sorted(set(manifest) - existing):
        stage_old = output / STAGING_DIR / "lama" / slug
        if (output / slug).is_dir():
            stage_old.parent.mkdir(parents=True, exist_ok=True)
            os.rename(output / slug, stage_old)
            shutil.rmtree(stage_old)
        del manifest[slug]


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the selected kelurahan (all by default) and the city portal."""
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
                 if not _up_to_date(output, kelurahan.get(slug), read_sources(options.site, slug))]
        maps = MapMaker(config)
        if tasks:
            maps.point_map()
        work = _Work(options.site, output, config, glob, maps)
        report = BuildReport()
        for result in _run(work, tasks, options.jobs, progress):
            report.rendered += result.rendered
            report.written += result.written
            if result.ok:
                kelurahan[result.slug] = {"fingerprint": result.fingerprint, "pages": result.pages,
                                          "summary": result.summary}
            else:
                report.failed[result.slug] = result.problems
        if not options.slugs:
            _remove_gone(output, kelurahan, set(existing))
        summaries = [KelurahanSummary(**kelurahan[s]["summary"]) for s in existing if s in kelurahan]
        pages = _portal_pages(glob, summaries, lambda: Renderer(options.site, config, maps).portal_page(summaries))
        rendered, written = _write_portal(output, pages, manifest.get("portal", {}))
        report.rendered += rendered
        report.written += written
        portal = {p.path: p.extra for p in pages}
        _write_if_changed(output / MANIFEST_FILE, json.dumps(
            {"format": MANIFEST_FORMAT, "global": glob, "portal": portal, "kelurahan": kelurahan},
            sort_keys=True, separators=(",", ":")).encode())
        shutil.rmtree(output / STAGING_DIR, ignore_errors=True)
        report.sites = len(summaries) + 1
        report.pages = sum(len(v["pages"]) for v in kelurahan.values()) + 1
    report.seconds = time.perf_counter() - started
    return report


def _up_to_date(output: Path, previous: dict[str, Any] | None, sources: Sources) -> bool:
    return (previous is not None and not sources.problems
            and previous.get("fingerprint") == fingerprint(sources) and (output / sources.slug).is_dir())


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
