"""What changed since the last publish, and the publish action.

The changes come from two places: the audit log (studio saves after the newest ``terbit``
entry: who, what, when) and a fingerprint of every kelurahan folder taken at each publish, which
also catches files changed outside the studio (a text editor, git). Publishing is what Diskominfo
does at the command line, through the same Python entry points: the build into ``output/`` (a
kelurahan with errors keeps its last good output), then ``generator.publish.publish``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..build import BuildOptions, build
from ..buildstate import fingerprint
from ..content import list_kelurahan, read_sources
from ..errors import BuildLocked, ContentError, errors_in
from ..publish import PublishError, PublishOptions, publish
from .store import AuditEntry, Store

PUBLISH_EVENT = "terbit"
_CHANGES = ("simpan", "buat", "hapus", "pulihkan", "unggah")


@dataclass(frozen=True)
class PublishResult:
    """How a publish run ended, in lines for the admin."""

    ok: bool
    output: str


@dataclass(frozen=True)
class KelurahanChanges:
    """What changed in one kelurahan since the last publish."""

    slug: str
    entries: tuple[AuditEntry, ...]  # studio changes, newest first
    files_changed: bool  # its files differ from what was published (also by hand)
    never_published: bool


def changes_since_publish(store: Store) -> dict[str, list[AuditEntry]]:
    """Per kelurahan, the content changes made in the studio since the last publish (newest first)."""
    since = store.last_event(PUBLISH_EVENT)
    changes: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in store.audit(since_id=since, limit=10_000):
        if entry.aksi in _CHANGES and entry.kelurahan:
            changes[entry.kelurahan].append(entry)
    return dict(sorted(changes.items()))


def fingerprints(site: Path) -> dict[str, str]:
    """The fingerprint of every kelurahan folder as it is now."""
    return {slug: fingerprint(read_sources(site, slug)) for slug in list_kelurahan(site)}


def pending_changes(site: Path, store: Store) -> list[KelurahanChanges]:
    """Every kelurahan with something not yet published, by slug."""
    logged = changes_since_publish(store)
    published = store.published_fingerprints()
    result = []
    for slug, now in fingerprints(site).items():
        differs = published.get(slug) != now
        if differs or slug in logged:
            result.append(KelurahanChanges(slug, tuple(logged.get(slug, ())), differs, slug not in published))
    return result


def build_and_publish(site: Path, lock: threading.Lock) -> PublishResult:
    """``kelurahan build`` then ``kelurahan publish``, as Diskominfo runs them; never raises."""
    lines: list[str] = []
    try:
        with lock:
            # One process: a pool forked from a threaded server is not worth the risk; the build is incremental.
            report = build(BuildOptions(site, site / "output", jobs=1))
        for slug, problems in sorted(report.failed.items()):
            count = len(errors_in(problems))
            lines.append(f"{slug}: tidak dibangun ulang ({count} kesalahan); versi lama tetap terbit")
        if report.search and report.search.problem:
            lines.append(str(report.search.problem))
        published = publish(PublishOptions(site=site))
    except (ContentError, BuildLocked, PublishError) as error:
        found = error.problems if isinstance(error, ContentError) else ()
        lines += [str(p) for p in found] if found else [str(error)]
        return PublishResult(False, "\n".join(lines))
    except Exception as error:  # a library failure not foreseen: one line, the host stays whole
        lines.append(f"publish gagal ({type(error).__name__}: {error}); situs di host tetap utuh")
        return PublishResult(False, "\n".join(lines))
    lines += [f"Peringatan: {warning}" for warning in published.warnings]
    lines.append(published.summary())
    return PublishResult(True, "\n".join(lines))
