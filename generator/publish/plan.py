"""The publish plan: what the build made and what the target holds in, ordered steps out.

Pure: no IO. The target's manifest (path, size, SHA-256 of every published file) is the
source of truth, so a one-file change needs no listing of the host. Steps are ordered so that
no page is ever served without what it uses: new and changed assets, data and media first,
then kelurahan pages, then the portal, deletions last.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

MANIFEST_FORMAT = 1
DELETE_LIMIT = 30


@dataclass(frozen=True, order=True)
class Entry:
    """One published file: its size and SHA-256."""

    size: int
    sha256: str


Manifest = Mapping[str, Entry]


class Action(StrEnum):
    """What happens to one file; the values are what the dry run prints."""

    SEND = "kirim"
    REPLACE = "ganti"
    DELETE = "hapus"
    KEEP = "tetap"


class Phase(IntEnum):
    """The order of a publish: whatever a page uses goes before the page."""

    FILES = 0  # assets, data, media: anything that is not a page
    PAGES = 1  # kelurahan pages
    PORTAL = 2  # the city portal (top-level pages)
    DELETE = 3


@dataclass(frozen=True)
class Step:
    """One file to send, replace or delete."""

    action: Action
    path: str
    entry: Entry | None
    phase: Phase


@dataclass(frozen=True)
class Plan:
    """The ordered steps, the files left as they are, and the manifest once all is done."""

    steps: tuple[Step, ...]
    kept: tuple[str, ...]
    result: dict[str, Entry] = field(default_factory=dict)

    def of(self, *actions: Action) -> list[Step]:
        """The steps with one of these actions, in order."""
        return [step for step in self.steps if step.action in actions]

    @property
    def transfers(self) -> list[Step]:
        """Files that travel (new and changed), in publish order."""
        return self.of(Action.SEND, Action.REPLACE)

    @property
    def bytes(self) -> int:
        """Bytes that travel."""
        return sum(step.entry.size for step in self.transfers if step.entry)

    def count(self, action: Action) -> int:
        """How many files get this action."""
        return len(self.kept) if action is Action.KEEP else len(self.of(action))


def phase_of(path: str) -> Phase:
    """Pages (``.html``) at the top are the portal, deeper ones kelurahan pages; all else first."""
    if not path.endswith(".html"):
        return Phase.FILES
    return Phase.PORTAL if "/" not in path else Phase.PAGES


def _in_scope(path: str, selected: frozenset[str], shared: frozenset[str]) -> bool:
    """With SLUGs named, only their folders and the shared files (top-level files, assets, data)."""
    if not selected or "/" not in path:
        return True
    top = path.split("/", 1)[0]
    return top in selected or top in shared


def make_plan(local: Manifest, remote: Manifest, selected: Iterable[str] = (),
              shared: Iterable[str] = ()) -> Plan:
    """Compare the build (``local``) with what the target holds (``remote``)."""
    chosen, common = frozenset(selected), frozenset(shared)
    steps: list[Step] = []
    kept: list[str] = []
    result = {path: entry for path, entry in remote.items() if not _in_scope(path, chosen, common)}
    for path in sorted(p for p in local if _in_scope(p, chosen, common)):
        entry = local[path]
        result[path] = entry
        if remote.get(path) == entry:
            kept.append(path)
        else:
            action = Action.REPLACE if path in remote else Action.SEND
            steps.append(Step(action, path, entry, phase_of(path)))
    for path in sorted(p for p in remote if p not in local and _in_scope(p, chosen, common)):
        steps.append(Step(Action.DELETE, path, None, Phase.DELETE))
    steps.sort(key=lambda step: (step.phase, step.path))
    return Plan(tuple(steps), tuple(kept), dict(sorted(result.items())))


def whole_kelurahan_deleted(plan: Plan, shared: Iterable[str] = ()) -> list[str]:
    """Top-level folders (kelurahan) of which every file would be deleted."""
    common = frozenset(shared)
    gone = {step.path.split("/", 1)[0] for step in plan.of(Action.DELETE) if "/" in step.path}
    left = {path.split("/", 1)[0] for path in plan.result if "/" in path}
    return sorted(top for top in gone - left if top not in common)


def delete_refusal(plan: Plan, limit: int = DELETE_LIMIT, shared: Iterable[str] = ()) -> str | None:
    """Why the plan deletes too much (more than ``limit`` files, or a whole kelurahan), or None."""
    whole = whole_kelurahan_deleted(plan, shared)
    if whole:
        return f"rencana ini menghapus seluruh kelurahan {', '.join(whole)} dari host"
    deletes = plan.count(Action.DELETE)
    if deletes > limit:
        return f"rencana ini menghapus {deletes} berkas dari host (batas {limit})"
    return None


def describe(plan: Plan, first: int = 5) -> list[str]:
    """The plan as the dry run prints it: counts per action and the first paths of each."""
    lines = []
    for action in (Action.SEND, Action.REPLACE, Action.DELETE):
        paths = [step.path for step in plan.of(action)]
        lines.append(f"{action.value}: {len(paths)} berkas")
        lines += [f"  {path}" for path in paths[:first]]
        if len(paths) > first:
            lines.append(f"  ... dan {len(paths) - first} lagi")
    lines.append(f"tetap: {plan.count(Action.KEEP)} berkas")
    return lines


# -- the manifest on the target ----------------------------------------------------------


@dataclass(frozen=True)
class TargetState:
    """What the target holds: the published files, and with release folders the current
    release and the older ones that ``--rollback`` can return to (oldest first)."""

    files: dict[str, Entry] = field(default_factory=dict)
    release: str | None = None
    history: tuple[str, ...] = ()


def encode_state(state: TargetState) -> bytes:
    """The manifest file's bytes (sorted, stable)."""
    data = {"format": MANIFEST_FORMAT, "release": state.release, "history": list(state.history),
            "files": {path: [e.size, e.sha256] for path, e in sorted(state.files.items())}}
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def decode_state(raw: bytes) -> TargetState:
    """Read a manifest; ValueError when it is not one this version wrote."""
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ValueError("unknown manifest format")
    files, release, history = data.get("files"), data.get("release"), data.get("history")
    if not isinstance(files, dict) or not isinstance(history, list) or not isinstance(release, str | None):
        raise ValueError("manifest has values of the wrong type")
    entries = {}
    for path, value in files.items():
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)
                and isinstance(value[1], str) and _safe_path(path)):
            raise ValueError(f"bad manifest entry {path!r}")
        entries[path] = Entry(value[0], value[1])
    if not all(isinstance(item, str) and _safe_path(item) for item in history):
        raise ValueError("bad release history")
    return TargetState(entries, release, tuple(history))


def _safe_path(path: str) -> bool:
    """A relative path with no empty, ``.`` or ``..`` parts (a manifest must not point outside)."""
    return bool(path) and all(part not in ("", ".", "..") for part in path.split("/"))


# -- the tamper check --------------------------------------------------------------------


@dataclass(frozen=True)
class Tampering:
    """What differs on the host from what was published."""

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def compare(published: Manifest, found: Mapping[str, str]) -> Tampering:
    """Compare the manifest with the files found on the host (path -> SHA-256)."""
    return Tampering(
        changed=tuple(sorted(p for p in found if p in published and published[p].sha256 != found[p])),
        added=tuple(sorted(p for p in found if p not in published)),
        removed=tuple(sorted(p for p in published if p not in found)),
    )


def forget(state: TargetState, paths: Iterable[str]) -> TargetState:
    """The state without these files, so the next plan sends them again (repairing the host)."""
    drop = set(paths)
    files = {path: entry for path, entry in state.files.items() if path not in drop}
    return TargetState(files, state.release, state.history)
