"""The Pillow work for one photo: check it, turn it upright, publish it in a few widths as
WebP and JPEG (PNG for graphics with transparency) and make its 1200x630 share card.

Nothing that Pillow reads from the file is written back: every variant is encoded from pixels
alone, with an empty ``info``, so EXIF (GPS, camera, owner), XMP and comments never reach them.
"""

from __future__ import annotations

import io
import math
import posixpath
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from ..media import IMAGE_SUFFIXES, MediaError, strip_metadata
from . import plan

SAVE_AS_JPEG = ("buka fotonya di galeri ponsel lalu bagikan/simpan sebagai JPG (atau kirim lewat WhatsApp "
                "dan simpan hasilnya), lalu taruh berkas .jpg itu di folder media/")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, Image.DecompressionBombError)
_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "MPO": "jpg"}


class PhotoError(MediaError):
    """A media file that cannot be published, with what to do about it (Indonesian)."""

    def __init__(self, message: str, hint: str = SAVE_AS_JPEG) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Made:
    """A processed photo: its record and the files to cache (name → bytes)."""

    info: plan.ImageInfo
    files: dict[str, bytes]


def _is_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _open(data: bytes) -> Image.Image:
    """Open (headers only) and refuse what is not a supported, reasonably sized image."""
    if _is_heif(data):
        raise _heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _too_many_pixels(None) from None
    except _DECODE_ERRORS:
        raise PhotoError("berkas gambar rusak atau bukan JPEG/PNG/WebP/GIF") from None
    if image.format not in _FORMATS:
        raise PhotoError(f"format gambar {image.format} tidak didukung (yang didukung: JPEG, PNG, WebP, GIF)")
    if image.width * image.height > plan.MAX_PIXELS:
        raise _too_many_pixels(image.size)
    return image


def _heif() -> PhotoError:
    return PhotoError("foto berformat HEIC/HEIF/AVIF (format kamera iPhone dan sebagian ponsel) tidak bisa dipakai "
                      "di situs", "di iPhone pilih Pengaturan > Kamera > Format > Paling Kompatibel untuk foto "
                      "berikutnya; untuk foto ini: " + SAVE_AS_JPEG)


def _too_many_pixels(size: tuple[int, int] | None) -> PhotoError:
    limit = plan.MAX_PIXELS // 1_000_000
    shown = f"{size[0]} x {size[1]} piksel, " if size else ""
    return PhotoError(f"gambar terlalu besar ({shown}batas {limit} juta piksel)",
                      "perkecil gambarnya dulu (misalnya lebar 4000 piksel); foto kamera ponsel biasa tidak "
                      "sebesar ini, jadi berkas ini mungkin rusak atau sengaja dibuat berbahaya")


def probe(data: bytes, suffix: str) -> None:
    """Check that ``data`` can be published (cheap: headers and structure, no decoding)."""
    if suffix.lower() in (".heic", ".heif", ".avif"):
        raise _heif()
    if suffix.lower() not in IMAGE_SUFFIXES and not _is_heif(data):
        raise PhotoError(f"jenis berkas '{suffix}' tidak didukung (yang didukung: JPG, PNG, WebP, GIF)",
                         "folder media/ hanya untuk gambar; dokumen (PDF, Word) dan video tidak bisa dimuat, "
                         "tautkan saja dari situs resminya; gambar lain simpan ulang sebagai JPG")
    _open(data)
    strip_metadata(data, suffix)  # the structure check of media.py (truncated files, bad chunks)


def _animated(image: Image.Image) -> bool:
    return bool(getattr(image, "is_animated", False))


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode in ("P", "L", "RGB") and "transparency" in image.info)


def _upright(image: Image.Image) -> Image.Image:
    """Decode (JPEGs at a reduced scale when that still covers the widest variant) and apply
    the EXIF orientation, so a photo taken upright is published upright."""
    orientation = image.getexif().get(0x0112, 1)
    width = image.height if orientation in (5, 6, 7, 8) else image.width
    if image.format in ("JPEG", "MPO") and width > plan.WIDTHS[-1]:
        factor = plan.WIDTHS[-1] / width
        image.draft("RGB", (math.ceil(image.width * factor), math.ceil(image.height * factor)))
    try:
        upright = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:  # an unreadable EXIF block: keep the pixels as they are
        image.load()
        upright = image
    return upright


def _encode(image: Image.Image, fmt: str, quality: int = 0, progressive: bool = True) -> bytes:
    """Encode pixels only (no EXIF, XMP, ICC or comments: ``info`` is emptied first)."""
    image.info = {}
    buffer = io.BytesIO()
    if fmt == "webp":
        image.save(buffer, "WEBP", quality=quality, method=4)
    elif fmt == "jpg":
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=progressive)
    else:
        image.save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()


def _variants(image: Image.Image, formats: tuple[str, ...]) -> tuple[list[plan.Variant], dict[str, bytes]]:
    variants, files = [], {}
    for width in reversed(plan.variant_widths(image.width)):
        height = plan.scaled_height(image.width, image.height, width)
        if (width, height) != image.size:
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in formats:
            name = f"{width}.{fmt}"
            files[name] = _encode(image.copy(), fmt, plan.WEBP_QUALITY if fmt == "webp" else plan.JPEG_QUALITY)
            variants.append(plan.Variant(name, width, height, len(files[name])))
    variants.sort(key=lambda v: (v.width, v.name))
    return variants, files


def photo_card(image: Image.Image) -> bytes:
    """The 1200x630 share card of a photo: centre crop, JPEG under WhatsApp's 300 KB."""
    card = ImageOps.fit(image.convert("RGB"), (plan.CARD_WIDTH, plan.CARD_HEIGHT), Image.Resampling.LANCZOS)
    return card_jpeg(card)


def card_jpeg(card: Image.Image) -> bytes:
    """Encode a card as JPEG (baseline: shown whole, at half the cost), lowering the quality
    until it fits ``CARD_MAX_BYTES``."""
    quality = plan.CARD_QUALITY
    while True:
        data = _encode(card.copy(), "jpg", quality, progressive=False)
        if len(data) <= plan.CARD_MAX_BYTES or quality <= 30:
            return data
        quality -= 10


def make(data: bytes, suffix: str, key: str) -> Made:
    """Every published file of one media file, and its record."""
    try:
        image = _open(data)
        if _animated(image) or image.format == "GIF":
            name = f"asli.{_FORMATS[image.format or 'GIF']}"
            return Made(plan.ImageInfo(key, image.width, image.height, (), name), {name: strip_metadata(data, suffix)})
        own = _FORMATS[image.format or "JPEG"]
        upright = _upright(image)
        alpha = _has_alpha(upright)
        upright = upright.convert("RGBA" if alpha else "RGB")
        variants, files = _variants(upright, ("webp", "png") if alpha else ("webp", "jpg"))
    except _DECODE_ERRORS:
        raise PhotoError("berkas gambar rusak (gagal dibaca sampai selesai)") from None
    largest = variants[-1]
    original = next((v.name for v in reversed(variants) if v.name.endswith("." + own)), None)
    if original is None:  # a PNG photo without transparency: keep a PNG under its own name
        original = f"asli.{own}"
        files[original] = _encode(upright.resize((largest.width, largest.height), Image.Resampling.LANCZOS), own)
    files["kartu.jpg"] = photo_card(upright)
    info = plan.ImageInfo(key, largest.width, largest.height, tuple(variants), original, "kartu.jpg")
    return Made(info, files)


def suffix_of(rel: str) -> str:
    """The lower-case suffix of a media path."""
    return posixpath.splitext(rel)[1].lower()
