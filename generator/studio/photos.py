"""Uploaded photos: decoded, turned upright, stripped of metadata, resized and encoded again.

What a phone sends is never stored as sent. The build's photo pipeline makes the sizes a page needs;
this keeps the stored original sane (at most MAX_SIDE pixels on its longest side).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD = 12 * 1024 * 1024
MAX_SIDE = 2400
MAX_PIXELS = 50_000_000
_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# Markers of another kind of file hidden in an image (HTML, scripts, archives): such a polyglot is refused.
# (Short binary signatures such as a ZIP's local header would turn up by chance in big photos; a ZIP is
# recognized by its end record instead.)
_FOREIGN = re.compile(rb"<\s*(?:script|html|svg|iframe|body|!doctype|\?php)|%PDF-", re.IGNORECASE)


_TOO_MANY_PIXELS = "ukuran gambar terlalu besar (lebih dari 50 juta piksel); kirim foto biasa dari kamera ponsel"


class PhotoError(ValueError):
    """An upload that is not a usable photo; the message is for staff."""


def _decode(data: bytes) -> Image.Image:
    if len(data) > MAX_UPLOAD:
        megabytes = len(data) // (1024 * 1024)
        raise PhotoError(f"foto terlalu besar ({megabytes} MB, batas {MAX_UPLOAD // (1024 * 1024)} MB)")
    if _FOREIGN.search(data) or zipfile.is_zipfile(io.BytesIO(data)):
        raise PhotoError("berkas ini bukan foto biasa (berisi kode atau berkas lain); ambil ulang fotonya")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _FORMATS:
                raise PhotoError(f"jenis gambar {image.format} tidak didukung; kirim JPG, PNG atau WebP")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(_TOO_MANY_PIXELS)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(_TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, PhotoError):
            raise
        raise PhotoError("berkas ini tidak bisa dibaca sebagai foto; kirim JPG, PNG atau WebP "
                         "(HEIC dari iPhone: ubah dulu ke JPG)") from None
    return image


def normalize_photo(data: bytes) -> tuple[bytes, str]:
    """A clean re-encoding of an uploaded photo and its suffix (".jpg" or ".png")."""
    image = _decode(data)
    image = ImageOps.exif_transpose(image) or image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if has_alpha:
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), ".png"
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), ".jpg"
