"""What changed since the last publish, and the publish action.

The changes come from two places: the audit log (studio saves after the newest ``terbit``
entry: who, what, when) and a fingerprint of every kelurahan folder taken at each publish, which
also catches files changed outside the studio (a text editor, git). Publishing is
what Diskominfo does at the command line: ``kelurahan build`` (a kelurahan with errors keeps its
last good output), then ``kelurahan publish``, each in its own process; the studio keeps no copy
of their logic. Without a ``publish`` command (older versions) the action says so.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..buildstate import fingerprint
from ..content import list_kelurahan, read_sources
from .store import AuditEntry, Store

PUBLISH_EVENT = "terbit"
_CHANGES = ("simpan", "buat", "hapus", "pulihkan", "unggah")


@dataclass(frozen=True)
class PublishResult:
    """How a publish run ended: exit code and what it printed."""

    ok: bool
    output: str


def changes_since_publish(store: Store) -> dict[str, list[AuditEntry]]:
    """Per kelurahan, the content changes made in the studio since the last publish (newest first)."""
    since = store.last_event(PUBLISH_EVENT)
    changes: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in store.audit(since_id=since, limit=10_000):
        if entry.aksi in _CHANGES and entry.kelurahan:
            changes[entry.kelurahan].append(entry)
    return dict(sorted(changes.items()))


@dataclass(frozen=True)
class KelurahanChanges:
    """What changed in one kelurahan since the last publish."""

    slug: str
    entries: tuple[AuditEntry, ...]  # studio changes, newest first
    files_changed: bool  # its files differ from what was published (also by hand)
    never_published: bool


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


def publish_available() -> bool:
    """True when this version of ``kelurahan`` has a ``publish`` command."""
    from ..cli import main

    return "publish" in main.commands


def run_publish_command(site: Path) -> PublishResult:
    """Adapter: ``kelurahan build`` then ``kelurahan publish``, each in its own process; how it ended.

    The build's exit status does not stop the publish: a kelurahan with errors keeps its last good
    output and the others go out, as when Diskominfo runs the two commands by hand."""
    if not publish_available():
        return PublishResult(False, "perintah 'kelurahan publish' belum tersedia di versi ini; "
                                    "terbitkan dari komputer Diskominfo")
    output = []
    for step in ("build", "publish"):
        command = [sys.executable, "-c", "from generator.cli import main; main()", "--site", str(site), step]
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
        output.append(f"$ kelurahan {step}\n{(done.stdout + done.stderr).strip()}")
        if step == "publish" and done.returncode != 0:
            return PublishResult(False, "\n".join(output))
    return PublishResult(True, "\n".join(output))
