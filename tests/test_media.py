"""Tests for lossless metadata stripping of published images."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageOps, ImageSequence
from PIL.PngImagePlugin import PngInfo

from generator.media import IMAGE_SUFFIXES, MediaError, strip_metadata

SECRET = "KameraRahasia-Pak-Budi"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">XmpRahasia</x:xmpmeta>'
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _photo(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    """Build a deterministic test picture with gradients in every channel."""
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = red.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return Image.merge("RGB", (red, green, blue)).convert(mode)


def _exif(orientation: int | None = None) -> Image.Exif:
    """Build EXIF with camera make, owner and a GPS position in Surakarta."""
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    exif[0x013B] = "Budi Santoso"  # Artist
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "S"
    gps[2] = (7.0, 34.0, 28.2)
    gps[3] = "E"
    gps[4] = (110.0, 49.0, 34.3)
    return exif


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    """Encode an image with Pillow."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _open(data: bytes) -> Image.Image:
    """Decode image bytes fully."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _assert_no_location(data: bytes) -> None:
    """Assert that decoded EXIF holds no GPS and no personal tags."""
    exif = _open(data).getexif()
    assert exif.get_ifd(GPS_IFD) == {}
    assert GPS_IFD not in exif
    assert 0x010F not in exif
    assert 0x013B not in exif
    assert SECRET.encode() not in data
    assert b"Budi Santoso" not in data


def _jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """List (marker, payload) of the JPEG header segments up to the first SOS."""
    segments: list[tuple[int, bytes]] = []
    pos = 2
    while True:
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        segments.append((marker, data[pos + 4 : pos + 2 + length]))
        if marker == 0xDA:
            return segments
        pos += 2 + length


def _png_chunk_types(data: bytes) -> list[bytes]:
    """List the chunk types of a PNG."""
    types: list[bytes] = []
    pos = 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        types.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return types


def _png_chunk(chunk_type: bytes, payload: bytes) -> bytes:
    """Serialise a PNG chunk."""
    crc = zlib.crc32(chunk_type + payload)
    return struct.pack(">I", len(payload)) + chunk_type + payload + struct.pack(">I", crc)


def _riff_chunks(data: bytes) -> list[bytes]:
    """List the top-level chunk FourCCs of a WebP."""
    fourccs: list[bytes] = []
    pos = 12
    while pos < len(data):
        length = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        fourccs.append(data[pos : pos + 4])
        pos += 8 + length + (length & 1)
    return fourccs


def _srgb_profile() -> bytes:
    """Return the bytes of an sRGB ICC profile."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# --- JPEG --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"progressive": True},
        {"restart_marker_blocks": 2},
        {"quality": 95, "subsampling": 0},
    ],
    ids=["baseline", "progressive", "restart-markers", "no-subsampling"],
)
def test_jpeg_exif_gps_xmp_and_comment_are_removed(params: dict[str, object]) -> None:
    original = _save(_photo(), "JPEG", exif=_exif(), xmp=XMP, comment=b"KomentarRahasia", **params)
    assert _open(original).getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS
    assert b"Exif" in original and b"XmpRahasia" in original

    stripped = strip_metadata(original, ".jpg")

    _assert_no_location(stripped)
    assert len(_open(stripped).getexif()) == 0
    for needle in (b"Exif", b"XmpRahasia", b"KomentarRahasia", b"http://ns.adobe.com"):
        assert needle not in stripped
    assert _open(stripped).tobytes() == _open(original).tobytes()
    markers = [marker for marker, _ in _jpeg_segments(stripped)]
    assert not {0xE1, 0xED, 0xFE} & set(markers)


def test_jpeg_entropy_data_and_tables_are_copied_verbatim() -> None:
    original = _save(_photo(), "JPEG", exif=_exif(), progressive=True)
    stripped = strip_metadata(original, ".jpeg")
    first_scan = original.index(b"\xff\xda")
    kept = [(m, p) for m, p in _jpeg_segments(original) if m not in (0xE1, 0xFE)]
    assert _jpeg_segments(stripped) == kept
    assert stripped.endswith(original[first_scan:])


def test_jpeg_keeps_jfif_icc_profile_and_adobe_segments() -> None:
    icc = _srgb_profile()
    rgb = strip_metadata(_save(_photo(), "JPEG", exif=_exif(), icc_profile=icc), ".jpg")
    assert _open(rgb).info.get("icc_profile") == icc
    assert _jpeg_segments(rgb)[0][1].startswith(b"JFIF\x00")

    cmyk_original = _save(_photo("CMYK"), "JPEG", exif=_exif())
    cmyk = strip_metadata(cmyk_original, ".jpg")
    assert any(m == 0xEE and p.startswith(b"Adobe") for m, p in _jpeg_segments(cmyk))
    assert _open(cmyk).mode == "CMYK"
    assert _open(cmyk).tobytes() == _open(cmyk_original).tobytes()


def _insert_after_soi(jpeg: bytes, *segments: tuple[int, bytes]) -> bytes:
    """Insert raw APPn/COM segments right after the SOI marker."""
    raw = b"".join(
        bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
        for marker, payload in segments
    )
    return jpeg[:2] + raw + jpeg[2:]


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
def test_jpeg_drops_iptc_mpf_and_unknown_app_segments() -> None:
    original = _insert_after_soi(
        _save(_photo(), "JPEG"),
        (0xED, b"Photoshop 3.0\x008BIM\x04\x04IptcRahasia"),
        (0xE2, b"MPF\x00MpfRahasia"),
        (0xE3, b"Meta\x00AppRahasia"),
        (0xEC, b"Ducky\x00DuckyRahasia"),
        (0xE0, b"JFXX\x00ThumbRahasia"),
    )
    stripped = strip_metadata(original, ".jpg")
    assert b"Rahasia" not in stripped
    assert _open(stripped).tobytes() == _open(original).tobytes()


def test_jpeg_drops_data_appended_after_end_of_image() -> None:
    appended = _save(_photo(size=(8, 8)), "JPEG", exif=_exif())
    original = _save(_photo(), "JPEG") + appended + b"SEFT-trailer-GpsRahasia"
    stripped = strip_metadata(original, ".jpg")
    assert stripped.endswith(b"\xff\xd9")
    assert b"GpsRahasia" not in stripped
    assert SECRET.encode() not in stripped
    assert _open(stripped).size == (64, 48)


def test_jpeg_keeps_only_orientation_so_photos_stay_upright() -> None:
    original = _save(_photo(), "JPEG", exif=_exif(orientation=6))
    stripped = strip_metadata(original, ".jpg")
    _assert_no_location(stripped)
    assert dict(_open(stripped).getexif()) == {ORIENTATION: 6}
    upright = ImageOps.exif_transpose(_open(stripped))
    assert upright.size == (48, 64)
    assert upright.tobytes() == ImageOps.exif_transpose(_open(original)).tobytes()


def test_jpeg_default_orientation_is_not_kept() -> None:
    stripped = strip_metadata(_save(_photo(), "JPEG", exif=_exif(orientation=1)), ".jpg")
    assert b"Exif" not in stripped
    assert len(_open(stripped).getexif()) == 0


# --- PNG ---------------------------------------------------------------------------------------


def _png_with_metadata(image: Image.Image, **params: object) -> bytes:
    """Encode a PNG carrying tEXt, zTXt, iTXt, tIME and eXIf chunks."""
    info = PngInfo()
    info.add_text("Author", "TeksRahasia")
    info.add_text("Comment", "ZtxtRahasia", zip=True)
    info.add_itxt("Description", "ItxtRahasia", lang="id")
    info.add(b"tIME", struct.pack(">HBBBBB", 2024, 5, 17, 9, 30, 0))
    info.add(b"prVt", b"PrivateRahasia")
    return _save(image, "PNG", pnginfo=info, exif=_exif(), dpi=(72, 72), **params)


def test_png_text_time_and_exif_chunks_are_removed() -> None:
    original = _png_with_metadata(_photo())
    before = _png_chunk_types(original)
    assert {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf", b"prVt"} <= set(before)
    assert _open(original).getexif().get_ifd(GPS_IFD)

    stripped = strip_metadata(original, ".png")

    assert _png_chunk_types(stripped) == [
        t for t in before if t not in {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf", b"prVt"}
    ]
    assert b"pHYs" in _png_chunk_types(stripped)
    _assert_no_location(stripped)
    assert len(_open(stripped).getexif()) == 0
    assert getattr(_open(stripped), "text", {}) == {}
    for needle in (b"TeksRahasia", b"ItxtRahasia", b"PrivateRahasia", b"eXIf", b"tIME"):
        assert needle not in stripped
    assert _open(stripped).tobytes() == _open(original).tobytes()


def test_png_keeps_palette_transparency_and_icc_profile() -> None:
    icc = _srgb_profile()
    palette = _photo().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    original = _png_with_metadata(palette, transparency=3)
    stripped = strip_metadata(original, ".png")
    decoded = _open(stripped)
    assert decoded.mode == "P"
    assert decoded.info.get("transparency") == 3
    assert decoded.tobytes() == _open(original).tobytes()
    assert decoded.getpalette() == _open(original).getpalette()

    with_icc = strip_metadata(_png_with_metadata(_photo(), icc_profile=icc), ".png")
    assert _open(with_icc).info.get("icc_profile") == icc


def test_png_keeps_only_orientation_from_exif() -> None:
    original = _save(_photo(), "PNG", exif=_exif(orientation=8))
    stripped = strip_metadata(original, ".png")
    _assert_no_location(stripped)
    assert dict(_open(stripped).getexif()) == {ORIENTATION: 8}


def test_png_animation_frames_are_kept() -> None:
    frames = [_photo(), _photo().transpose(Image.Transpose.ROTATE_180)]
    original = _save(
        frames[0], "PNG", save_all=True, append_images=frames[1:], duration=200, exif=_exif()
    )
    stripped = strip_metadata(original, ".png")
    before = [frame.copy().tobytes() for frame in ImageSequence.Iterator(_open(original))]
    after = [frame.copy().tobytes() for frame in ImageSequence.Iterator(_open(stripped))]
    assert len(after) == 2
    assert after == before
    _assert_no_location(stripped)


def test_png_drops_data_after_iend() -> None:
    original = _save(_photo(), "PNG") + b"ZipRahasia"
    assert b"ZipRahasia" not in strip_metadata(original, ".png")


def test_png_with_bad_crc_is_rejected() -> None:
    original = bytearray(_png_with_metadata(_photo()))
    original[original.index(b"IDAT") + 8] ^= 0xFF
    with pytest.raises(MediaError, match="CRC"):
        strip_metadata(bytes(original), ".png")


def test_png_must_start_with_ihdr() -> None:
    png = _save(_photo(), "PNG")
    text = _png_chunk(b"tEXt", b"a\x00b")
    with pytest.raises(MediaError, match="IHDR"):
        strip_metadata(png[:8] + text + png[8:], ".png")


# --- WebP --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lossless", [False, True], ids=["lossy", "lossless"])
def test_webp_exif_and_xmp_chunks_are_removed(lossless: bool) -> None:
    original = _save(_photo(), "WEBP", exif=_exif(), xmp=XMP, lossless=lossless, quality=90)
    assert {b"EXIF", b"XMP "} <= set(_riff_chunks(original))
    assert _open(original).getexif().get_ifd(GPS_IFD)

    stripped = strip_metadata(original, ".webp")

    assert not {b"EXIF", b"XMP "} & set(_riff_chunks(stripped))
    assert struct.unpack("<I", stripped[4:8])[0] == len(stripped) - 8
    flags = stripped[stripped.index(b"VP8X") + 8]
    assert flags & 0x08 == 0 and flags & 0x04 == 0
    _assert_no_location(stripped)
    assert len(_open(stripped).getexif()) == 0
    assert b"Exif" not in stripped and b"XmpRahasia" not in stripped
    assert _open(stripped).tobytes() == _open(original).tobytes()


def test_webp_with_alpha_and_icc_keeps_its_flags() -> None:
    icc = _srgb_profile()
    translucent = _photo("RGBA")
    translucent.putalpha(Image.linear_gradient("L").resize(translucent.size))
    original = _save(translucent, "WEBP", exif=_exif(), icc_profile=icc, lossless=True)
    stripped = strip_metadata(original, ".webp")
    flags = stripped[stripped.index(b"VP8X") + 8]
    assert flags & 0x20 and flags & 0x10  # ICC and alpha stay flagged
    assert _open(stripped).info.get("icc_profile") == icc
    assert _open(stripped).tobytes() == _open(original).tobytes()


def test_webp_keeps_only_orientation_from_exif() -> None:
    original = _save(_photo(), "WEBP", exif=_exif(orientation=3))
    stripped = strip_metadata(original, ".webp")
    _assert_no_location(stripped)
    assert dict(_open(stripped).getexif()) == {ORIENTATION: 3}
    assert stripped[stripped.index(b"VP8X") + 8] & 0x08


def test_simple_webp_without_metadata_is_unchanged() -> None:
    original = _save(_photo(), "WEBP", quality=80)
    assert _riff_chunks(original) == [b"VP8 "]
    assert strip_metadata(original, ".webp") == original


# --- GIF ---------------------------------------------------------------------------------------


def test_plain_gif_is_returned_unchanged() -> None:
    original = _save(_photo().convert("P"), "GIF")
    assert strip_metadata(original, ".gif") == original


def test_gif_comment_and_xmp_extensions_are_removed_but_looping_kept() -> None:
    frames = [_photo().convert("P"), _photo().transpose(Image.Transpose.ROTATE_90).convert("P")]
    animated = _save(
        frames[0], "GIF", save_all=True, append_images=frames[1:], loop=0, comment=b"GifRahasia"
    )
    xmp = b"\x21\xff\x0bXMP DataXMP" + bytes([10]) + b"XmpRahasia" + b"\x00"
    original = animated[:-1] + xmp + animated[-1:]
    assert b"NETSCAPE2.0" in original

    stripped = strip_metadata(original, ".gif")

    assert b"GifRahasia" not in stripped and b"XmpRahasia" not in stripped
    assert b"NETSCAPE2.0" in stripped
    assert _open(stripped).info.get("loop") == 0
    before = [f.copy().convert("RGB").tobytes() for f in ImageSequence.Iterator(_open(original))]
    after = [f.copy().convert("RGB").tobytes() for f in ImageSequence.Iterator(_open(stripped))]
    assert len(after) == 2
    assert after == before


# --- errors, determinism -----------------------------------------------------------------------


def _samples() -> dict[str, bytes]:
    """Return one metadata-laden sample per supported format."""
    return {
        ".jpg": _save(_photo(), "JPEG", exif=_exif(), progressive=True),
        ".png": _png_with_metadata(_photo()),
        ".webp": _save(_photo(), "WEBP", exif=_exif(), xmp=XMP),
        ".gif": _save(_photo().convert("P"), "GIF", comment=b"GifRahasia"),
    }


SAMPLES = _samples()


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
def test_stripping_is_deterministic_and_idempotent(suffix: str) -> None:
    once = strip_metadata(SAMPLES[suffix], suffix)
    assert once != SAMPLES[suffix]
    assert strip_metadata(SAMPLES[suffix], suffix) == once
    assert strip_metadata(once, suffix) == once


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
def test_every_truncation_is_rejected(suffix: str) -> None:
    data = SAMPLES[suffix]
    for length in range(len(data)):
        with pytest.raises(MediaError):
            strip_metadata(data[:length], suffix)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"bukan gambar sama sekali",
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\x04\x00\x00\x00WEBP",
        b"GIF89a",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"BM" + bytes(60),
    ],
)
def test_garbage_is_rejected_with_indonesian_message(data: bytes) -> None:
    with pytest.raises(MediaError) as error:
        strip_metadata(data, ".jpg")
    assert "berkas" in str(error.value)
    assert isinstance(error.value, ValueError)


def test_generic_error_names_the_supported_formats() -> None:
    with pytest.raises(MediaError, match="berkas gambar rusak atau bukan JPEG/PNG/WebP/GIF"):
        strip_metadata(b"\x00" * 32, ".png")


@pytest.mark.parametrize("suffix", [".svg", ".bmp", ".tiff", ".heic", ""])
def test_unsupported_suffix_is_rejected(suffix: str) -> None:
    with pytest.raises(MediaError, match="tidak didukung"):
        strip_metadata(SAMPLES[".png"], suffix)


def test_suffix_is_case_insensitive_and_content_decides_the_format() -> None:
    assert strip_metadata(SAMPLES[".jpg"], ".JPG") == strip_metadata(SAMPLES[".jpg"], ".jpg")
    assert strip_metadata(SAMPLES[".jpg"], "jpeg") == strip_metadata(SAMPLES[".jpg"], ".jpg")
    # A PNG saved with a .jpg name is still stripped as PNG.
    assert strip_metadata(SAMPLES[".png"], ".jpg") == strip_metadata(SAMPLES[".png"], ".png")


def test_image_suffixes() -> None:
    assert frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"}) == IMAGE_SUFFIXES


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_corrupted_images_fail_only_with_media_error(
    suffix: str, edits: list[tuple[int, int]]
) -> None:
    data = bytearray(SAMPLES[suffix])
    for position, value in edits:
        data[position % len(data)] = value
    try:
        result = strip_metadata(bytes(data), suffix)
    except MediaError:
        return
    assert strip_metadata(result, suffix) == result


@given(st.binary(max_size=200), st.sampled_from(sorted(IMAGE_SUFFIXES)))
def test_random_bytes_fail_only_with_media_error(data: bytes, suffix: str) -> None:
    with contextlib.suppress(MediaError):
        strip_metadata(data, suffix)
