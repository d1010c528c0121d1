"""The image budget: bytes a 360 px wide phone downloads for the first screen of each page.

Each kelurahan build keeps a small summary (``summarize``: the heaviest page of each page type
and the pages over budget) in the build state, so the report covers the whole city even when
only one kelurahan was rebuilt."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .plan import BUDGET_BYTES, PHONE_WIDTH

HEAVIEST = 3


def summarize(weights: Iterable[tuple[str, str, int]]) -> str:
    """(page type, page path, bytes) of one kelurahan → its budget summary as JSON text."""
    kinds: dict[str, list[Any]] = {}
    over: list[list[Any]] = []
    for kind, page, size in sorted(weights):
        if kind not in kinds or size > kinds[kind][0]:
            kinds[kind] = [size, page]
        if size > BUDGET_BYTES:
            over.append([page, size])
    return json.dumps({"jenis": kinds, "lebih": over}, sort_keys=True, separators=(",", ":"))


def _read(text: str) -> tuple[dict[str, list[Any]], list[list[Any]]]:
    try:
        data = json.loads(text)
        return dict(data["jenis"]), list(data["lebih"])
    except (ValueError, KeyError, TypeError):
        return {}, []


def _kb(size: int) -> str:
    return f"{round(size / 1024)} KB"


def report(summaries: Iterable[str]) -> tuple[list[str], list[str]]:
    """The report's lines about images (weights per page type, heaviest pages) and its warnings."""
    kinds: dict[str, list[Any]] = {}
    over: list[list[Any]] = []
    for text in summaries:
        theirs, their_over = _read(text)
        for kind, (size, page) in theirs.items():
            if kind not in kinds or size > kinds[kind][0]:
                kinds[kind] = [size, page]
        over.extend(their_over)
    if not kinds:
        return [], []
    per_kind = ", ".join(f"{kind} {_kb(size)}" for kind, (size, _page) in sorted(kinds.items()))
    heaviest = sorted(((size, page) for size, page in kinds.values() if size), reverse=True)[:HEAVIEST]
    lines = [f"Gambar layar pertama di ponsel {PHONE_WIDTH} px (batas {_kb(BUDGET_BYTES)}), terberat per jenis "
             f"halaman: {per_kind}."]
    if heaviest:
        lines.append("Halaman terberat: " + ", ".join(f"{page} ({_kb(size)})" for size, page in heaviest) + ".")
    warnings = [f"Peringatan: {page}: gambar layar pertama {_kb(size)}, melebihi batas {_kb(BUDGET_BYTES)}; "
                "pakai foto lain atau potong fotonya" for page, size in sorted(over)]
    return lines, warnings
