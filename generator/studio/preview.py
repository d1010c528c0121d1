"""The preview: the same build as ``kelurahan build``, into the preview folder that ``serve`` uses."""

from __future__ import annotations

import threading
from pathlib import Path

from ..build import BuildOptions, build
from ..errors import BuildLocked, ContentError, Problem
from ..server import PREVIEW_DIR


def preview_folder(site: Path) -> Path:
    """Where previews are built (never ``output/``)."""
    return site / PREVIEW_DIR


def rebuild_preview(site: Path, lock: threading.Lock, slug: str) -> list[Problem]:
    """Build one kelurahan (and the portal) into the preview folder; the problems that stopped it."""
    with lock:
        try:
            report = build(BuildOptions(site, preview_folder(site), slugs=(slug,), jobs=1))
        except ContentError as error:
            return list(error.problems)
        except BuildLocked as error:
            return [Problem(PREVIEW_DIR, 1, str(error))]
    return [p for problems in report.failed.values() for p in problems]
