"""``kelurahan init``: read the list (and a boundary file), plan the site, write it in one move.

Everything is read and checked before anything is written; the folder is filled under a
temporary name next to it and renamed at the end, so a refused or interrupted ``init`` leaves
nothing behind, and an existing folder is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batas import parse_batas
from ..errors import ContentError, FieldError, os_reason
from .daftar import NOTICE_FILE, find_kabkota, read_rows
from .rencana import BOUNDARY_FILE, UNITS, Rencana, plan


class InitRefused(Exception):
    """``init`` cannot go ahead; ``option`` names the option at fault."""

    def __init__(self, option: str, message: str, hint: str = "") -> None:
        super().__init__(f"{message}; {hint}" if hint else message)
        self.option = option


@dataclass(frozen=True)
class Batas:
    """A boundary file to copy into the new site."""

    data: bytes
    notice: str
    features: int
    matched: int


def _notice_intro(rencana_kota: str) -> str:
    return f"""\
# Pemberitahuan sumber data dan lisensi (NOTICE)

Situs {rencana_kota} ini dibuat dengan `kelurahan init` dari daftar wilayah yang ikut dalam paket
generator. Nama, kode Kemendagri, kode pos dan titik tengah di `config.yaml` serta
`kelurahan/*/profil.yaml` berasal dari data di bawah; pemberitahuan ini harus ikut ke mana pun
datanya dibawa. Titik kantor bertanda `lokasi_perkiraan: true` hanyalah titik tengah wilayah.

"""


def _boundary_notice(source: dict[str, Any], catatan: str) -> str:
    lines = ["", "", f"## Batas wilayah (`{BOUNDARY_FILE}`)", ""]
    for key, label in (("repo", "Sumber"), ("path", "Berkas"), ("commit", "Commit"), ("dasar_hukum", "Dasar hukum"),
                       ("lisensi", "Lisensi"), ("copyright", "Hak cipta"), ("transformasi", "Pengolahan")):
        if isinstance(source.get(key), str):
            lines.append(f"- {label}: {source[key]}")
    if catatan:
        lines += ["", catatan]
    if isinstance(source.get("lisensi_teks"), str):
        lines += ["", "```", source["lisensi_teks"].strip(), "```"]
    return "\n".join(lines) + "\n"


def read_batas(path: Path, unit_codes: set[str], kota: str) -> Batas:
    """Read and check a boundary GeoJSON: a FeatureCollection with features of this city's codes."""
    try:
        data = path.read_bytes()
        collection = json.loads(data)
    except OSError as error:
        raise InitRefused("--batas", f"{path}: berkas tidak bisa dibaca ({os_reason(error)})") from None
    except (ValueError, UnicodeDecodeError):
        raise InitRefused("--batas", f"{path}: bukan berkas GeoJSON yang sah",
                          "pakai berkas .geojson berisi FeatureCollection") from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        raise InitRefused("--batas", f"{path}: bukan GeoJSON FeatureCollection",
                          "pakai berkas .geojson berisi FeatureCollection")
    try:  # the same reader the build uses, so init never writes a file every later command refuses
        codes = [w.kode for w in parse_batas(data.decode("utf-8"), str(path))]
    except ContentError as error:
        problem = error.problems[0]
        raise InitRefused("--batas", f"{path}: {problem.message}", problem.hint) from None
    matched = sum(1 for c in codes if c in unit_codes)
    if not matched:
        raise InitRefused("--batas", f"{path}: tidak ada fitur dengan kode {kota}",
                          "properties.kode setiap fitur harus kode_wilayah desa/kelurahannya; periksa berkasnya")
    source = collection.get("sumber") if isinstance(collection.get("sumber"), dict) else {}
    catatan = str(collection.get("catatan") or "")
    if not source:
        notice = _boundary_notice({}, f"Berkas batas tidak menyebut sumbernya ({path.name}); lengkapi sumber "
                                      "dan lisensinya di sini sebelum diterbitkan.")
    else:
        notice = _boundary_notice(source, catatan)
    return Batas(data, notice, len(codes), matched)


def prepare(folder: Path, wilayah: str, kecamatan: tuple[str, ...], batas: Path | None) -> tuple[Rencana, Batas | None]:
    """Read and check everything ``init`` needs; raise InitRefused before anything is written."""
    if folder.exists() or folder.is_symlink():
        raise InitRefused("FOLDER", f"folder {folder} sudah ada; init tidak pernah menimpa folder",
                          "pilih nama folder baru, misalnya kelurahan init kediri --wilayah 35.71")
    try:
        kota = find_kabkota(wilayah)
    except FieldError as error:
        raise InitRefused("--wilayah", error.message, error.hint) from None
    rows = read_rows([kota.kode])
    boundary = None
    if batas is not None:
        boundary = read_batas(batas, {r.kode for r in rows if r.tingkat in UNITS}, f"{kota.nama} ({kota.kode})")
    notice = _notice_intro(kota.nama) + NOTICE_FILE.read_text(encoding="utf-8")
    notice += boundary.notice if boundary else ""
    try:
        rencana = plan(kota, rows, kecamatan, BOUNDARY_FILE if boundary else None, notice)
    except FieldError as error:
        raise InitRefused("--kecamatan", error.message, error.hint) from None
    return rencana, boundary


def write(folder: Path, rencana: Rencana, batas: Batas | None) -> None:
    """Write the planned site under a temporary name, then rename it to ``folder``."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = folder.parent / f".{folder.name}.init-{os.getpid()}"
    try:
        for rel, text in rencana.files.items():
            path = temporary / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if batas is not None:
            (temporary / BOUNDARY_FILE).write_bytes(batas.data)
        if folder.exists():
            raise InitRefused("FOLDER", f"folder {folder} dibuat oleh proses lain selama init", "jalankan lagi")
        temporary.rename(folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
