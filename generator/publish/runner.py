"""Runs a publish: checks the build, locks the target, plans, transfers in order, keeps the
manifest true, switches releases, rolls back and checks the host for tampering.

Two layouts on the target. With release folders (a local folder, OpenSSH over SFTP: both keep
symlinks and hard links) every publish makes ``rilis/<id>/`` (unchanged files hard-linked from
the current release) and then points the ``current`` symlink at it in one step. Otherwise (FTP)
files are replaced in place in plan order: what pages use first, deletions last.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config
from ..content import RESERVED_SLUGS, list_kelurahan
from ..i18n import format_number
from ..output import output_lock, unfinished
from . import snapshots
from .lock import target_lock
from .plan import (
    DELETE_LIMIT,
    Action,
    Entry,
    Phase,
    Plan,
    Tampering,
    TargetState,
    compare,
    decode_state,
    delete_refusal,
    describe,
    encode_state,
    forget,
    make_plan,
)
from .transport import META_DIR, PublishError, Target, Transport, parse_target

MANIFEST = f"{META_DIR}/manifest.json"
RELEASE_MANIFESTS = f"{META_DIR}/rilis"
RELEASES = "rilis"
CURRENT = "current"

Progress = Callable[[int, int, int, int], None]
"""Called after each file: files done, files to send, bytes done, bytes to send."""


@dataclass(frozen=True)
class PublishOptions:
    """What to publish where, and how (the flags of ``kelurahan publish``)."""

    site: Path
    output: Path | None = None
    target: str | None = None
    slugs: tuple[str, ...] = ()
    dry_run: bool = False
    rollback: bool = False
    periksa: bool = False
    allow_delete: bool = False
    delete_limit: int = DELETE_LIMIT


@dataclass
class PublishReport:
    """What a publish did (or, for a dry run, would do)."""

    target: str
    releases: bool = False
    plan: Plan | None = None
    sent: int = 0
    bytes: int = 0
    deleted: int = 0
    release: str | None = None
    tampering: Tampering | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> list[str]:
        """The plan as the dry run prints it."""
        return describe(self.plan) if self.plan else []

    def summary(self) -> str:
        """The closing line, as the CLI and the studio print it."""
        counts = ""
        if self.plan is not None:
            counts = (f"{format_number(self.plan.count(Action.SEND))} baru, "
                      f"{format_number(self.plan.count(Action.REPLACE))} diganti, "
                      f"{format_number(self.plan.count(Action.DELETE))} dihapus, "
                      f"{format_number(self.plan.count(Action.KEEP))} tetap; ")
        release = f", rilis {self.release}" if self.release else ""
        return (f"Terbit ke {self.target}: {counts}{format_number(self.sent)} berkas terkirim "
                f"({format_number(round(self.bytes / 1024))} KB){release}, {format_number(self.seconds, 1)} detik.")


def publish(options: PublishOptions, progress: Progress | None = None) -> PublishReport:
    """Publish the last build (or roll back, or check the host) to the configured target.

    The one entry point for the CLI and the editor; raises ``PublishError`` (which prints
    itself in Indonesian) on any failure, after which the host serves a whole site."""
    started = time.perf_counter()
    config = load_config(options.site)
    url = options.target or config.terbit_tujuan
    if not url:
        raise PublishError("config.yaml", "tujuan terbit belum diatur",
                           "tulis 'terbit: {tujuan: sftp://user@host/folder}' di config.yaml atau pakai --target URL")
    target = parse_target(url)
    report = PublishReport(target.url)
    output = options.output or options.site / "output"
    if options.rollback or options.periksa:
        _with_target(target, lambda t: _rollback(options, t, report, config.terbit_rilis, progress)
                     if options.rollback else _check(options, t, report), lock=not options.periksa)
    else:
        with output_lock(output, reading=True):
            local, sources = _read_build(options, output)
            _with_target(target, lambda t: _publish(options, t, report, local, sources, config.terbit_rilis,
                                                    progress), lock=not options.dry_run)
    report.seconds = time.perf_counter() - started
    return report


def open_transport(target: Target) -> Transport:
    """Connect to a target by the scheme of its URL."""
    if target.scheme == "file":
        from .local import LocalTransport
        return LocalTransport(target)
    if target.scheme == "sftp":
        from .sftp import SftpTransport
        return SftpTransport(target)
    from .ftp import FtpTransport
    return FtpTransport(target)


def _with_target(target: Target, work: Callable[[Transport], None], lock: bool) -> None:
    transport = open_transport(target)
    try:
        if lock:
            with target_lock(transport, lambda: open_transport(target)):
                work(transport)
        else:
            work(transport)
    finally:
        transport.close()


# -- the build -------------------------------------------------------------------------


def _read_build(options: PublishOptions, output: Path) -> tuple[dict[str, Entry], dict[str, Path]]:
    """Check that the output is a finished, whole build, then hash every file in it."""
    if not (output / "index.html").is_file():
        raise PublishError(str(output), "belum ada hasil build (portal index.html tidak ada)",
                           "jalankan kelurahan build dulu")
    if unfinished(output):
        raise PublishError(str(output), "build terakhir tidak selesai (terhenti di tengah jalan)",
                           "jalankan kelurahan build lagi sampai selesai, lalu terbitkan")
    wanted = options.slugs or tuple(list_kelurahan(options.site))
    missing = [slug for slug in wanted if not (output / slug / "index.html").is_file()]
    if missing:
        raise PublishError(str(output / missing[0]), f"kelurahan {', '.join(missing)} ada di konten tetapi tidak "
                           "ada di hasil build", "perbaiki kesalahannya (kelurahan check), build lagi, atau sebut "
                           "SLUG kelurahan yang mau diterbitkan saja")
    return local_manifest(output)


def local_manifest(root: Path) -> tuple[dict[str, Entry], dict[str, Path]]:
    """Size and SHA-256 of every file below ``root`` (sorted), and where each one is."""
    entries: dict[str, Entry] = {}
    sources: dict[str, Path] = {}
    for directory, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(names):
            path = Path(directory, name)
            if name.startswith(".") or not path.is_file() or path.is_symlink():
                continue
            rel = path.relative_to(root).as_posix()
            data = path.read_bytes()
            entries[rel], sources[rel] = Entry(len(data), hashlib.sha256(data).hexdigest()), path
    return entries, sources


# -- the target ------------------------------------------------------------------------


def _read_state(transport: Transport) -> TargetState:
    raw = transport.read(MANIFEST)
    if raw is None:
        return TargetState()
    return _live(transport, _decode(transport, MANIFEST, raw))


def _decode(transport: Transport, rel: str, raw: bytes) -> TargetState:
    """A manifest read from the host; a damaged one is named with its own path."""
    try:
        return decode_state(raw)
    except ValueError:  # UnicodeDecodeError and JSON errors are ValueErrors
        where = transport.target.where(rel)
        raise PublishError(where, "manifest di host rusak atau diubah orang lain",
                           f"jalankan kelurahan publish --periksa; untuk mengirim ulang semuanya, hapus {where}",
                           ) from None


def _live(transport: Transport, state: TargetState) -> TargetState:
    """With release folders, the release ``current`` really points at. A publish cut off after
    its switch but before it saved the manifest leaves a newer, complete release live (its own
    manifest is written before the switch): adopt it, so it is neither removed nor ignored."""
    if state.release is None:
        return state
    link = transport.readlink(CURRENT) or ""
    live = link.removeprefix(f"{RELEASES}/")
    if not live or live == state.release or "/" in live:
        return state
    raw = transport.read(f"{RELEASE_MANIFESTS}/{live}.json")
    if raw is None:
        return state
    return TargetState(_decode(transport, f"{RELEASE_MANIFESTS}/{live}.json", raw).files, live,
                       (*state.history, state.release))


def _save(transport: Transport, state: TargetState) -> None:
    transport.write(MANIFEST, encode_state(state))


def _publish(options: PublishOptions, transport: Transport, report: PublishReport, local: dict[str, Entry],
             sources: dict[str, Path], keep: int, progress: Progress | None) -> None:
    state = _read_state(transport)
    findings = snapshots.load_findings(options.site, transport.target.url)
    if findings:
        report.warnings += tamper_lines(findings)
        state = forget(state, findings.changed + findings.removed)  # sent again: the host is repaired
    report.releases = state.release is not None or (not state.files and _links(options, transport))
    plan = make_plan(local, state.files, options.slugs, RESERVED_SLUGS)
    report.plan = plan
    refusal = delete_refusal(plan, options.delete_limit, RESERVED_SLUGS)
    if refusal and not options.allow_delete and not options.dry_run:
        raise PublishError(transport.target.where(), f"{refusal}; tidak ada yang diubah",
                           "periksa hasil build (kelurahan publish --dry-run); jika memang benar, ulangi dengan "
                           "--izinkan-hapus")
    if refusal:
        report.warnings.append(refusal)
    if options.dry_run:
        return
    if not plan.steps and not findings and (state.files or not local):
        if state.release is not None:
            _save(transport, state)  # records a release adopted after a cut (see _live)
        return  # nothing to do: the host already holds this build
    if report.releases:
        _run_release(transport, plan, state, sources, keep, report, progress)
    else:
        _run_in_place(transport, plan, state, sources, report, progress)
        snapshots.take(options.site, transport.target.url, plan.result, sources, keep)
    if findings:
        snapshots.clear_findings(options.site, transport.target.url)


def _links(options: PublishOptions, transport: Transport) -> bool:
    """Can a new target take release folders? (The dry run writes no probe: it assumes so where
    the kind of target usually can.)"""
    if options.dry_run:
        return transport.target.scheme in ("file", "sftp")
    return transport.can_link()


def _counter(plan: Plan, report: PublishReport, progress: Progress | None,
             record: Callable[[str], None]) -> Callable[[str, int], None]:
    total_files, total_bytes = len(plan.transfers), plan.bytes

    def done(rel: str, size: int) -> None:
        record(rel)
        report.sent += 1
        report.bytes += size
        if progress:
            progress(report.sent, total_files, report.bytes, total_bytes)
    return done


def _failed(failures: Mapping[str, PublishError], confirmed: int) -> PublishError:
    first = failures[sorted(failures)[0]]
    more = f" (dan {len(failures) - 1} berkas lain)" if len(failures) > 1 else ""
    return PublishError(first.where, f"{first.message}{more}; {confirmed} berkas sudah terkirim dan dicatat",
                        first.hint)


def _run_in_place(transport: Transport, plan: Plan, state: TargetState, sources: Mapping[str, Path],
                  report: PublishReport, progress: Progress | None) -> None:
    """Replace files where they are, in plan order; the manifest records only confirmed ones."""
    files = dict(state.files)
    done = _counter(plan, report, progress, lambda rel: files.__setitem__(rel, plan.result[rel]))
    for phase in (Phase.FILES, Phase.PAGES, Phase.PORTAL):
        batch = [(s.path, sources[s.path]) for s in plan.transfers if s.phase is phase]
        failures = transport.upload(batch, done) if batch else {}
        if failures:
            with suppress(PublishError):  # the connection may be gone; the next run sends these again
                _save(transport, TargetState(files))
            raise _failed(failures, report.sent)
    _save(transport, TargetState(files))
    deletes = [step.path for step in plan.of(Action.DELETE)]
    if deletes:
        transport.remove(deletes)
        for rel in deletes:
            files.pop(rel, None)
        report.deleted = len(deletes)
        _save(transport, TargetState(files))


def _release_id(taken: tuple[str | None, ...]) -> str:
    base = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def _run_release(transport: Transport, plan: Plan, state: TargetState, sources: Mapping[str, Path], keep: int,
                 report: PublishReport, progress: Progress | None) -> None:
    """Make a new release folder (hard links + new files), then switch ``current`` to it."""
    present = set(transport.listdir(RELEASES))
    known = {state.release, *state.history}
    for leftover in sorted(present - known):  # half-made by an interrupted publish
        transport.remove_tree(f"{RELEASES}/{leftover}")
    name = _release_id(tuple(present | known))
    base = f"{RELEASES}/{name}"
    moving = {step.path for step in plan.transfers}
    if state.release:
        transport.link([(f"{RELEASES}/{state.release}/{rel}", f"{base}/{rel}")
                        for rel in plan.result if rel not in moving])
    done = _counter(plan, report, progress, lambda rel: None)
    failures = transport.upload([(f"{base}/{s.path}", sources[s.path]) for s in plan.transfers],
                                lambda rel, size: done(rel.removeprefix(base + "/"), size))
    if failures:
        raise _failed({rel.removeprefix(base + "/"): error for rel, error in failures.items()}, report.sent)
    transport.write(f"{RELEASE_MANIFESTS}/{name}.json", encode_state(TargetState(plan.result, name)))
    transport.switch(CURRENT, base)
    history = (*state.history, state.release) if state.release else state.history
    history = history[len(history) - (keep - 1):] if len(history) > keep - 1 else history
    _save(transport, TargetState(plan.result, name, tuple(h for h in history if h)))
    report.release = name
    report.deleted = plan.count(Action.DELETE)
    for old in sorted(str(r) for r in (present & known) - {name, *history}):
        _remove_release(transport, old)


def _remove_release(transport: Transport, name: str) -> None:
    """Delete an old release: its files are known from its manifest, so no listing is needed
    (the transport lists only if something else was put there)."""
    raw = transport.read(f"{RELEASE_MANIFESTS}/{name}.json")
    try:
        files = sorted(decode_state(raw).files) if raw else []
    except ValueError:
        files = []
    transport.remove_tree(f"{RELEASES}/{name}", files)
    transport.remove([f"{RELEASE_MANIFESTS}/{name}.json"])


# -- rollback and the tamper check -----------------------------------------------------


def _rollback(options: PublishOptions, transport: Transport, report: PublishReport, keep: int,
              progress: Progress | None) -> None:
    state = _read_state(transport)
    report.releases = state.release is not None
    if state.release is not None:
        if not state.history:
            raise PublishError(transport.target.where(CURRENT), "tidak ada rilis sebelumnya untuk dikembalikan",
                               "rollback hanya bisa setelah paling sedikit dua kali publish")
        previous = state.history[-1]
        raw = transport.read(f"{RELEASE_MANIFESTS}/{previous}.json")
        if raw is None:
            raise PublishError(transport.target.where(f"{RELEASES}/{previous}"), "manifest rilis sebelumnya hilang",
                               "terbitkan ulang dengan kelurahan publish")
        files = _decode(transport, f"{RELEASE_MANIFESTS}/{previous}.json", raw).files
        transport.switch(CURRENT, f"{RELEASES}/{previous}")
        _save(transport, TargetState(files, previous, state.history[:-1]))
        report.release = previous
        return
    kept = snapshots.snapshots(options.site, transport.target.url)
    if len(kept) < 2:
        raise PublishError(transport.target.where(), "tidak ada salinan rilis sebelumnya di komputer ini",
                           "rollback hanya bisa setelah paling sedikit dua kali publish dari folder situs ini")
    local, sources = local_manifest(kept[-2])
    plan = make_plan(local, state.files)
    report.plan = plan
    _run_in_place(transport, plan, state, sources, report, progress)
    snapshots.drop_latest(options.site, transport.target.url)
    report.release = kept[-2].name


def _check(options: PublishOptions, transport: Transport, report: PublishReport) -> None:
    state = _read_state(transport)
    report.releases = state.release is not None
    if state.release is not None:
        found = transport.files(f"{RELEASES}/{state.release}")
    else:
        found = {rel: sha for rel, sha in transport.files("").items()
                 if not rel.startswith(META_DIR + "/")}
    report.tampering = compare(state.files, found)
    if report.tampering:
        snapshots.save_findings(options.site, transport.target.url, report.tampering)
    else:
        snapshots.clear_findings(options.site, transport.target.url)


def tamper_lines(found: Tampering) -> list[str]:
    """What ``--periksa`` found, one line per file."""
    return ([f"diubah di host: {p}" for p in found.changed] + [f"ditambahkan di host: {p}" for p in found.added]
            + [f"hilang dari host: {p}" for p in found.removed])

