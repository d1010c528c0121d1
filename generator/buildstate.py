"""The build state: what the last build made from which inputs (``.kelurahan/build/state.json``).

It stays small as the city grows, because the main process holds it whole while the pool
runs: per kelurahan a fingerprint of its folder, one 16-byte digest per page (all pages in
one base64 text), the portal's summary, and its city-map points as ready GeoJSON text.
A missing, corrupt or older state is no state: everything is built again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .assets import site_assets
from .config import CONFIG_FILE
from .content import Sources
from .output import build_dir
from .render import KelurahanSummary, template_files

MANIFEST_FILE = "state.json"
MANIFEST_FORMAT = 6
DIGEST_SIZE = 16


def global_hash(site: Path, boundaries: str | None = None) -> str:
    """Hash of everything that affects every page: config, boundaries, templates, assets, generator."""
    versions = ":".join(metadata.version(name) for name in ("folium", "branca", "jinja2", "pyromark", "nh3"))
    digest = hashlib.sha256(f"{__version__}:{MANIFEST_FORMAT}:{versions}".encode())
    digest.update((site / CONFIG_FILE).read_bytes())
    if boundaries:
        digest.update(b"\0batas\0" + (site / boundaries).read_bytes())
    for path in template_files(site):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for rel, source in site_assets():
        digest.update(rel.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def fingerprint(sources: Sources) -> str:
    """Hash of every file of one kelurahan folder."""
    digest = hashlib.sha256()
    for rel in sorted(sources.files):
        digest.update(rel.encode() + b"\0" + hashlib.sha256(sources.files[rel]).hexdigest().encode())
    return digest.hexdigest()


def page_digest(glob: str, path: str, extra: str, inputs: Iterable[str]) -> bytes:
    """The key of one page: its path and the hashes of everything it is made from."""
    return hashlib.sha256("\n".join([glob, path, extra, *inputs]).encode()).digest()[:DIGEST_SIZE]


def encode_pages(digests: Iterable[bytes]) -> str:
    """The page digests of one kelurahan as one text (sorted, so the same pages give the same text)."""
    return base64.b64encode(b"".join(sorted(digests))).decode("ascii")


def decode_pages(text: str) -> frozenset[bytes]:
    """The page digests stored by ``encode_pages``; ValueError when the text is not such a list."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError(str(error)) from None
    if len(raw) % DIGEST_SIZE:
        raise ValueError("page digests have the wrong length")
    return frozenset(raw[i:i + DIGEST_SIZE] for i in range(0, len(raw), DIGEST_SIZE))


@dataclass(frozen=True)
class KelurahanState:
    """What the build keeps about one published kelurahan."""

    summary: KelurahanSummary
    points: str
    fingerprint: str = ""
    pages: str = ""
    berat: str = ""

    def forgotten(self) -> KelurahanState:
        """The same published kelurahan, with nothing left to compare its inputs with."""
        return KelurahanState(self.summary, self.points, berat=self.berat)

    def to_json(self) -> dict[str, Any]:
        """This state as JSON-ready values."""
        return {"fingerprint": self.fingerprint, "pages": self.pages, "points": self.points,
                "summary": vars(self.summary), "berat": self.berat}


@dataclass
class BuildState:
    """The whole build state: the global hash it belongs to, the portal's keys and every
    published kelurahan."""

    global_hash: str
    portal: dict[str, str] = field(default_factory=dict)
    kelurahan: dict[str, KelurahanState] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """The state file's bytes (the same state always gives the same bytes)."""
        data = {"format": MANIFEST_FORMAT, "global": self.global_hash, "portal": self.portal,
                "kelurahan": {slug: state.to_json() for slug, state in self.kelurahan.items()}}
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def starting_state(output: Path, glob: str, clean: bool) -> BuildState:
    """The state to build on: the previous one, or (after a change of config, templates or
    generator, or with ``clean``) only what is published, with nothing to compare against."""
    previous = read_state(output)
    if previous is None:
        return BuildState(glob)
    if clean or previous.global_hash != glob:
        return BuildState(glob, kelurahan={slug: s.forgotten() for slug, s in previous.kelurahan.items()})
    return previous


def read_state(output: Path) -> BuildState | None:
    """The state of the last build into ``output``; None when it is missing, corrupt or older."""
    try:
        data = json.loads((build_dir(output) / MANIFEST_FILE).read_bytes())
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            return None
        kelurahan = _mapping(data, "kelurahan")
        return BuildState(_text(data, "global"), _texts(_mapping(data, "portal")),
                          {str(slug): _kelurahan_state(value) for slug, value in kelurahan.items()})
    except (OSError, ValueError, TypeError):
        return None


def _kelurahan_state(data: Any) -> KelurahanState:
    if not isinstance(data, dict):
        raise ValueError("kelurahan state is not an object")
    pages = _text(data, "pages")
    decode_pages(pages)
    berat = data.get("berat", "")  # image budget summary (images/budget.py); absent in older states
    return KelurahanState(_summary(_mapping(data, "summary")), _text(data, "points"), _text(data, "fingerprint"),
                          pages, berat if isinstance(berat, str) else "")


def _summary(data: dict[str, Any]) -> KelurahanSummary:
    summary = KelurahanSummary(**data)  # TypeError on missing or unknown keys
    summary = replace(summary, halaman=_rows(summary.halaman, 2), berita=_rows(summary.berita, 4))
    jumlah = summary.jumlah
    texts = (summary.slug, summary.nama, summary.kecamatan, summary.ringkasan, summary.kode_wilayah,
             summary.terbaru)
    if not all(isinstance(t, str) for t in texts) or not isinstance(summary.jumlah_titik, int) \
            or not isinstance(jumlah, dict) or not all(isinstance(v, int) for v in jumlah.values()):
        raise ValueError("kelurahan summary has values of the wrong type")
    return summary


def _rows(value: Any, width: int) -> Any:
    """A JSON list of lists of ``width`` texts, as tuples (the summary's page and news lists)."""
    if not isinstance(value, list | tuple) or not all(
            isinstance(row, list | tuple) and len(row) == width and all(isinstance(x, str) for x in row)
            for row in value):
        raise ValueError("kelurahan summary has a malformed list")
    return tuple(tuple(row) for row in value)


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{key} is not an object")
    return value


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a text")
    return value


def _texts(data: dict[str, Any]) -> dict[str, str]:
    return {str(key): _text(data, key) for key in data}
