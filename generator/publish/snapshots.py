"""Local copies of what was published, so ``--rollback`` works where the host has no release
folders (FTP). Each is a tree of hard links to the built files in the site's hidden
``.kelurahan/terbit/<target>/`` folder, so a snapshot costs almost no disk."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

from ..output import HIDDEN_DIR
from .plan import Entry, Tampering, TargetState, encode_state

SNAPSHOT_DIR = "rilis"
FINDINGS_FILE = "periksa.json"


def target_dir(site: Path, url: str) -> Path:
    """The private folder of one target (named by a hash of its URL)."""
    return site / HIDDEN_DIR / "terbit" / hashlib.sha256(url.encode()).hexdigest()[:16]


def snapshots(site: Path, url: str) -> list[Path]:
    """The kept snapshots of a target, oldest first."""
    root = target_dir(site, url) / SNAPSHOT_DIR
    found = sorted(p for p in root.iterdir() if p.is_dir() and p.name[:6].isdigit()) if root.is_dir() else []
    return [p for p in found if not p.name.endswith(".baru")]


def take(site: Path, url: str, files: Mapping[str, Entry], sources: Mapping[str, Path], keep: int) -> None:
    """Hard-link what the target now holds into a new snapshot; drop the oldest beyond ``keep``.

    Files the build no longer has (kelurahan not named this time) come from the previous one.
    Snapshots are numbered in order (``000007-<UTC time>``)."""
    previous = snapshots(site, url)
    listing = encode_state(TargetState(dict(files)))
    if previous and _listing(previous[-1]) == listing:
        return  # the host holds what the newest snapshot holds (a repair, a republish)
    number = int(previous[-1].name.split("-")[0]) + 1 if previous else 1
    name = f"{number:06d}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    root = target_dir(site, url) / SNAPSHOT_DIR / name
    temp = root.with_name(name + ".baru")
    shutil.rmtree(temp, ignore_errors=True)
    for rel in files:
        source = sources.get(rel) or (previous[-1] / rel if previous else None)
        if source is None or not source.is_file():
            continue
        path = temp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)
    temp.mkdir(parents=True, exist_ok=True)
    (temp.parent / f"{name}.json").write_bytes(listing)
    os.replace(temp, root)
    for old in snapshots(site, url)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
        old.with_name(f"{old.name}.json").unlink(missing_ok=True)


def _listing(snapshot: Path) -> bytes | None:
    try:
        return snapshot.with_name(f"{snapshot.name}.json").read_bytes()
    except OSError:
        return None


def drop_latest(site: Path, url: str) -> None:
    """Forget the newest snapshot (after rolling back from it)."""
    kept = snapshots(site, url)
    if kept:
        shutil.rmtree(kept[-1], ignore_errors=True)
        kept[-1].with_name(f"{kept[-1].name}.json").unlink(missing_ok=True)


def save_findings(site: Path, url: str, found: Tampering) -> None:
    """Remember what ``--periksa`` found, so the next publish repairs it."""
    path = target_dir(site, url) / FINDINGS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"diubah": list(found.changed), "ditambahkan": list(found.added), "hilang": list(found.removed)}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def load_findings(site: Path, url: str) -> Tampering:
    """What the last ``--periksa`` found on this target (nothing when it found nothing)."""
    try:
        data = json.loads((target_dir(site, url) / FINDINGS_FILE).read_text(encoding="utf-8"))
        return Tampering(tuple(data["diubah"]), tuple(data["ditambahkan"]), tuple(data["hilang"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Tampering()


def clear_findings(site: Path, url: str) -> None:
    """The host was repaired: forget the findings."""
    (target_dir(site, url) / FINDINGS_FILE).unlink(missing_ok=True)
