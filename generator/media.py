"""Strip metadata (EXIF/GPS, XMP, IPTC, comments) from published images without re-encoding."""

from __future__ import annotations

import zlib
from typing import Literal

IMAGE_SUFFIXES: frozenset[str] = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})

_GENERIC_ERROR = "berkas gambar rusak atau bukan JPEG/PNG/WebP/GIF"

_EXIF_HEADER = b"Exif\x00\x00"
_ORIENTATION_TAG = 0x0112
_TIFF_SHORT = 3
_ROTATED = range(2, 9)

_JPEG_SOI = b"\xff\xd8"
_JPEG_EOI = 0xD9
_JPEG_SOS = 0xDA
_JPEG_COM = 0xFE
_JPEG_TEM = 0x01
_JPEG_RST = range(0xD0, 0xD8)
_JPEG_APP = range(0xE0, 0xF0)
_JPEG_APP1 = 0xE1
# APPn segments that affect decoding or colour and carry no personal data, keyed by marker.
_JPEG_KEPT_APP: dict[int, bytes] = {
    0xE0: b"JFIF\x00",
    0xE2: b"ICC_PROFILE\x00",
    0xEE: b"Adobe",
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT_CHUNKS: frozenset[bytes] = frozenset(
    {
        b"IHDR", b"PLTE", b"IDAT", b"IEND",
        b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD",
        # Colour signalling of PNG 3rd edition (no personal data).
        b"cICP", b"mDCV", b"cLLI",
        # APNG animation: frames are image data, not metadata.
        b"acTL", b"fcTL", b"fdAT",
    }
)  # fmt: skip

_WEBP_KEPT_CHUNKS: frozenset[bytes] = frozenset(
    {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
)
_WEBP_EXIF_FLAG = 0x08
_WEBP_XMP_FLAG = 0x04

_GIF_SIGNATURES = (b"GIF87a", b"GIF89a")
_GIF_EXTENSION = 0x21
_GIF_IMAGE = 0x2C
_GIF_TRAILER = 0x3B
_GIF_APPLICATION = 0xFF
_GIF_COMMENT = 0xFE
# Application extensions that only control animation looping/buffering.
_GIF_KEPT_APPLICATIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


class MediaError(ValueError):
    """Raised when image data is damaged or of an unsupported type (message in Indonesian)."""


def _exif_orientation(tiff: bytes) -> int | None:
    """Read the Orientation tag from IFD0 of a TIFF/EXIF block; None when absent or unreadable."""
    if tiff.startswith(_EXIF_HEADER):
        tiff = tiff[len(_EXIF_HEADER) :]
    order = tiff[:2]
    if order not in (b"II", b"MM") or len(tiff) < 8:
        return None
    byteorder: Literal["little", "big"] = "little" if order == b"II" else "big"
    ifd = int.from_bytes(tiff[4:8], byteorder)
    if ifd + 2 > len(tiff):
        return None
    count = int.from_bytes(tiff[ifd : ifd + 2], byteorder)
    for entry in range(ifd + 2, min(ifd + 2 + 12 * count, len(tiff) - 11), 12):
        tag = int.from_bytes(tiff[entry : entry + 2], byteorder)
        kind = int.from_bytes(tiff[entry + 2 : entry + 4], byteorder)
        if tag == _ORIENTATION_TAG and kind == _TIFF_SHORT:
            return int.from_bytes(tiff[entry + 8 : entry + 10], byteorder)
    return None


def _orientation_only_exif(tiff: bytes) -> bytes | None:
    """Return a TIFF block holding only a non-default Orientation, so photos stay upright."""
    orientation = _exif_orientation(tiff)
    if orientation is None or orientation not in _ROTATED:
        return None
    entry = (
        _ORIENTATION_TAG.to_bytes(2, "big")
        + _TIFF_SHORT.to_bytes(2, "big")
        + (1).to_bytes(4, "big")
        + orientation.to_bytes(2, "big")
        + bytes(2)
    )
    return b"MM\x00\x2a" + (8).to_bytes(4, "big") + (1).to_bytes(2, "big") + entry + bytes(4)


def _jpeg_error(detail: str) -> MediaError:
    """Build the error for a damaged JPEG."""
    return MediaError(f"berkas JPEG rusak: {detail}")


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    """Tell whether a JPEG marker segment is kept (tables, frame/scan headers, JFIF, ICC, Adobe)."""
    if marker == _JPEG_COM:
        return False
    if marker in _JPEG_APP:
        prefix = _JPEG_KEPT_APP.get(marker)
        return prefix is not None and payload.startswith(prefix)
    return True


def _jpeg_entropy_end(data: bytes, pos: int) -> int:
    """Return the offset of the first marker after entropy-coded data starting at pos."""
    while True:
        index = data.find(b"\xff", pos)
        if index < 0 or index + 1 >= len(data):
            raise _jpeg_error("data gambar terpotong (penanda akhir EOI tidak ditemukan)")
        following = data[index + 1]
        if following == 0x00 or following in _JPEG_RST:
            pos = index + 2
        else:
            return index


def _strip_jpeg(data: bytes) -> bytes:
    """Drop APPn (bar JFIF/ICC/Adobe/orientation), COM and trailing data after EOI from a JPEG."""
    out = [_JPEG_SOI]
    pos = len(_JPEG_SOI)
    size = len(data)
    seen_scan = False
    kept_orientation = False
    while True:
        if pos >= size:
            raise _jpeg_error("berkas terpotong sebelum penanda akhir EOI")
        if data[pos] != 0xFF:
            raise _jpeg_error(f"penanda segmen tidak valid pada posisi {pos}")
        while pos + 1 < size and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if pos + 1 >= size:
            raise _jpeg_error("berkas terpotong di tengah penanda segmen")
        marker = data[pos + 1]
        if marker == _JPEG_EOI:
            if not seen_scan:
                raise _jpeg_error("tidak ada data gambar (segmen SOS) sebelum EOI")
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker == _JPEG_TEM or marker in _JPEG_RST:
            out.append(data[pos : pos + 2])
            pos += 2
            continue
        if marker in (0x00, 0xD8):
            raise _jpeg_error(f"penanda tak terduga 0xFF{marker:02X} pada posisi {pos}")
        if pos + 4 > size:
            raise _jpeg_error("berkas terpotong di tengah penanda segmen")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > size:
            raise _jpeg_error(f"panjang segmen 0xFF{marker:02X} tidak valid (berkas terpotong?)")
        payload = data[pos + 4 : end]
        if _keep_jpeg_segment(marker, payload):
            out.append(data[pos:end])
        elif marker == _JPEG_APP1 and payload.startswith(_EXIF_HEADER) and not kept_orientation:
            upright = _orientation_only_exif(payload)
            if upright is not None:
                segment = _EXIF_HEADER + upright
                out.append(b"\xff\xe1" + (len(segment) + 2).to_bytes(2, "big") + segment)
                kept_orientation = True
        pos = end
        if marker == _JPEG_SOS:
            seen_scan = True
            scan_end = _jpeg_entropy_end(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end


def _png_chunk(chunk_type: bytes, payload: bytes) -> bytes:
    """Serialise one PNG chunk with its length and CRC."""
    crc = zlib.crc32(chunk_type + payload)
    return len(payload).to_bytes(4, "big") + chunk_type + payload + crc.to_bytes(4, "big")


def _strip_png(data: bytes) -> bytes:
    """Keep critical, colour and animation PNG chunks; drop text, eXIf (bar orientation), tIME."""
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    size = len(data)
    first = True
    while True:
        if pos + 8 > size:
            raise MediaError("berkas PNG rusak: terpotong sebelum chunk IEND")
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > size:
            raise MediaError("berkas PNG rusak: chunk terpotong")
        if not chunk_type.isalpha() or not chunk_type.isascii():
            raise MediaError(f"berkas PNG rusak: jenis chunk tidak valid pada posisi {pos}")
        if first and chunk_type != b"IHDR":
            raise MediaError("berkas PNG rusak: chunk pertama bukan IHDR")
        first = False
        crc = int.from_bytes(data[end - 4 : end], "big")
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            name = chunk_type.decode("ascii")
            raise MediaError(f"berkas PNG rusak: CRC chunk {name} tidak cocok")
        if chunk_type in _PNG_KEPT_CHUNKS:
            out.append(data[pos:end])
        elif chunk_type == b"eXIf":
            upright = _orientation_only_exif(data[pos + 8 : end - 4])
            if upright is not None:
                out.append(_png_chunk(b"eXIf", upright))
        pos = end
        if chunk_type == b"IEND":
            return b"".join(out)


def _riff_chunk(fourcc: bytes, payload: bytes) -> bytes:
    """Serialise one RIFF chunk with its size and padding byte."""
    padding = b"\x00" if len(payload) & 1 else b""
    return fourcc + len(payload).to_bytes(4, "little") + payload + padding


def _strip_webp(data: bytes) -> bytes:
    """Drop EXIF, XMP and unknown chunks from a WebP and fix the RIFF size and VP8X flags."""
    if len(data) < 12:
        raise MediaError("berkas WebP rusak: terlalu pendek")
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if riff_end > len(data) or riff_end < 12:
        raise MediaError("berkas WebP rusak: ukuran RIFF melebihi isi berkas (terpotong?)")
    chunks: list[bytes] = []
    upright: bytes | None = None
    pos = 12
    while pos < riff_end:
        if pos + 8 > riff_end:
            raise MediaError("berkas WebP rusak: header chunk terpotong")
        fourcc = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + 8 + length + (length & 1)
        if end > riff_end:
            raise MediaError("berkas WebP rusak: chunk terpotong")
        if fourcc == b"VP8X" and length < 1:
            raise MediaError("berkas WebP rusak: chunk VP8X terlalu pendek")
        if fourcc in _WEBP_KEPT_CHUNKS:
            chunks.append(data[pos:end])
        elif fourcc == b"EXIF" and upright is None:
            upright = _orientation_only_exif(data[pos + 8 : pos + 8 + length])
        pos = end
    if not chunks:
        raise MediaError("berkas WebP rusak: tidak ada data gambar")
    vp8x = next((index for index, chunk in enumerate(chunks) if chunk.startswith(b"VP8X")), None)
    if vp8x is not None:
        chunk = chunks[vp8x]
        flags = chunk[8] & ~(_WEBP_EXIF_FLAG | _WEBP_XMP_FLAG) & 0xFF
        if upright is not None:
            flags |= _WEBP_EXIF_FLAG
            chunks.append(_riff_chunk(b"EXIF", upright))
        chunks[vp8x] = chunk[:8] + bytes([flags]) + chunk[9:]
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _gif_sub_blocks_end(data: bytes, pos: int) -> int:
    """Return the offset just after a chain of GIF data sub-blocks starting at pos."""
    size = len(data)
    while True:
        if pos >= size:
            raise MediaError("berkas GIF rusak: blok data terpotong")
        block = data[pos]
        pos += 1 + block
        if block == 0:
            return pos


def _keep_gif_extension(data: bytes, pos: int) -> bool:
    """Tell whether the GIF extension at pos is kept (not a comment, XMP or other application)."""
    label = data[pos + 1]
    if label == _GIF_COMMENT:
        return False
    if label == _GIF_APPLICATION:
        identifier = data[pos + 3 : pos + 14]
        return data[pos + 2] == 11 and identifier in _GIF_KEPT_APPLICATIONS
    return True


def _strip_gif(data: bytes) -> bytes:
    """Drop comment and non-animation application extensions (e.g. XMP) from a GIF."""
    size = len(data)
    if size < 13:
        raise MediaError("berkas GIF rusak: terlalu pendek")
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 0x07)) if flags & 0x80 else 0)
    out = [data[:pos]]
    while True:
        if pos >= size:
            raise MediaError("berkas GIF rusak: terpotong sebelum penutup (trailer)")
        introducer = data[pos]
        if introducer == _GIF_TRAILER:
            out.append(data[pos : pos + 1])
            return b"".join(out)
        if introducer == _GIF_EXTENSION:
            if pos + 2 > size:
                raise MediaError("berkas GIF rusak: ekstensi terpotong")
            end = _gif_sub_blocks_end(data, pos + 2)
            if _keep_gif_extension(data, pos):
                out.append(data[pos:end])
        elif introducer == _GIF_IMAGE:
            if pos + 10 > size:
                raise MediaError("berkas GIF rusak: deskriptor gambar terpotong")
            local = data[pos + 9]
            table = 3 * (2 << (local & 0x07)) if local & 0x80 else 0
            end = _gif_sub_blocks_end(data, pos + 10 + table + 1)
            out.append(data[pos:end])
        else:
            raise MediaError(f"berkas GIF rusak: blok tidak dikenal pada posisi {pos}")
        pos = end


def _normalize_suffix(suffix: str) -> str:
    """Lower-case a file suffix and make sure it starts with a dot."""
    lowered = suffix.lower()
    return lowered if lowered.startswith(".") else "." + lowered


def strip_metadata(data: bytes, suffix: str) -> bytes:
    """Return the image without metadata, keeping the compressed pixel data byte-for-byte."""
    if _normalize_suffix(suffix) not in IMAGE_SUFFIXES:
        supported = ", ".join(sorted(IMAGE_SUFFIXES))
        raise MediaError(f"jenis berkas '{suffix}' tidak didukung (yang didukung: {supported})")
    if data.startswith(_JPEG_SOI + b"\xff"):
        return _strip_jpeg(data)
    if data.startswith(_PNG_SIGNATURE):
        return _strip_png(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _strip_webp(data)
    if data.startswith(_GIF_SIGNATURES):
        return _strip_gif(data)
    raise MediaError(_GENERIC_ERROR)
