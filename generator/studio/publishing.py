"""What changed since the last publish, and the publish action.

The changes come from the audit log (entries after the newest ``terbit`` entry). Publishing runs
``kelurahan publish`` as a separate process when this version has that command (issue #10 adds
it); the studio keeps no copy of its logic.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

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


def publish_available() -> bool:
    """True when this version of ``kelurahan`` has a ``publish`` command."""
    from ..cli import main

    return "publish" in main.commands


def run_publish_command(site: Path) -> PublishResult:
    """Adapter: run ``kelurahan --site SITE publish`` in its own process and report how it ended."""
    if not publish_available():
        return PublishResult(False, "perintah 'kelurahan publish' belum tersedia di versi ini; "
                                    "terbitkan dari komputer Diskominfo")
    command = [sys.executable, "-c", "from generator.cli import main; main()", "--site", str(site), "publish"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    return PublishResult(done.returncode == 0, (done.stdout + done.stderr).strip())
