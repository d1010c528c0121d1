"""Photos through the CLI: phone-size JPEGs made here (large, rotated by EXIF, with GPS) are
published in every width as WebP and JPEG, upright and without metadata, referenced by srcset;
the cache makes rebuilds re-encode nothing; oversized, pixel-bomb and HEIC files get one
message each; every page has a share card; in Chromium at 360x740 a page loads the small
variant without layout shift."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import Result, build, html_pages, parse_html, problem_lines, run_cli, summary, tree_bytes
from PIL import Image

BASE_URL = "https://kelurahan.surakarta.go.id/"
SECRET = "KameraRahasia-Pak-Budi"
GPS_IFD = 0x8825
RED = (230, 20, 20)
PHONE = (4000, 3000)
MADE = re.compile(r"Gambar dan kartu berbagi: (\d+) dibuat, (\d+) diambil dari cache")


def phone_jpeg(size: tuple[int, int] = PHONE, orientation: int = 6, seed: int = 40) -> bytes:
    """A phone-camera-like JPEG: noisy gradients, a red block in the stored top-left corner,
    an EXIF orientation, a camera owner and a GPS position."""
    width, height = size
    gradient = Image.merge("RGB", (Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size),
                                   Image.linear_gradient("L").rotate(90).resize(size)))
    image = Image.blend(gradient, Image.effect_noise(size, seed).convert("RGB"), 0.3)
    image.paste(RED, (0, 0, width // 8, height // 8))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = SECRET
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "S", 2: (7.0, 34.0, 28.2), 3: "E", 4: (110.0, 49.0, 34.3)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def portrait() -> bytes:
    """4000x3000 stored, EXIF orientation 6: shown as a 3000x4000 portrait."""
    return phone_jpeg()


@pytest.fixture(scope="module")
def landscape() -> bytes:
    return phone_jpeg((3000, 2000), orientation=1, seed=25)


def _site_with_photos(make_site: Callable[..., Path], portrait: bytes, landscape: bytes,
                      **extra: str | bytes | None) -> Path:
    return make_site({
        "kelurahan/mawar/media/kantor-hp.jpg": portrait,
        "kelurahan/mawar/media/pasar.jpg": landscape,
        "kelurahan/mawar/profil.yaml": _profile_with("media/kantor-hp.jpg"),
        "kelurahan/mawar/halaman/sejarah.md": dedent("""\
            ---
            judul: Sejarah Kelurahan Mawar
            ---
            Cerita pasar lama.

            ![Pasar lama](media/pasar.jpg "Pasar tahun 1980")
            """),
        **extra,
    })


def _profile_with(foto: str, nama: str = "Mawar", kecamatan: str = "laweyan",
                  lokasi: str = "-7.5660, 110.7900") -> str:
    return f'nama: {nama}\nkecamatan: {kecamatan}\nlokasi: "{lokasi}"\nfoto: {foto}\n'


def _made(result: Result) -> tuple[int, int]:
    match = MADE.search(result.stderr)
    assert match, result.stderr
    return int(match.group(1)), int(match.group(2))


def _open(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def _assert_clean(path: Path) -> None:
    """No EXIF at all (so no GPS, camera or owner), no XMP, nothing of the secret in the bytes."""
    data = path.read_bytes()
    image = _open(path)
    assert dict(image.getexif()) == {}, path
    assert "xmp" not in image.info and "XML:com.adobe.xmp" not in image.info, path
    assert SECRET.encode() not in data and b"Exif" not in data, path


@pytest.fixture
def photo_site(make_site: Callable[..., Path], portrait: bytes, landscape: bytes) -> Path:
    return _site_with_photos(make_site, portrait, landscape)


def test_phone_photos_are_published_in_every_width_upright_and_without_metadata(photo_site: Path,
                                                                                   tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(photo_site, output)
    media = output / "mawar" / "media"
    for width in (480, 960, 1600):
        height = round(4000 * width / 3000)
        for fmt, pil in (("webp", "WEBP"), ("jpg", "JPEG")):
            image = _open(media / f"kantor-hp.{width}.{fmt}")
            assert (image.format, image.size) == (pil, (width, height))
            # Stored top-left is shown top-right after orientation 6: the photo is upright.
            assert _is_red(image.getpixel((width - 5, 5))) and not _is_red(image.getpixel((5, 5)))
            _assert_clean(media / f"kantor-hp.{width}.{fmt}")
        assert _open(media / f"pasar.{width}.webp").size == (width, round(2000 * width / 3000))
    original = _open(media / "kantor-hp.jpg")
    assert (original.format, original.size) == ("JPEG", (1600, 2133))
    for path in media.iterdir():
        _assert_clean(path)


def _is_red(pixel: Any) -> bool:
    red, green, blue = pixel[:3]
    return bool(red > 180 and green < 90 and blue < 90)


def _srcset(value: str) -> list[tuple[str, int]]:
    return [(url, int(w.removesuffix("w"))) for url, w in (part.split() for part in value.split(","))]


def test_pages_reference_every_variant_with_its_true_size(photo_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(photo_site, output)
    home = output / "mawar" / "index.html"
    page = parse_html(home)
    (source,) = page.find("source", type="image/webp")
    images = [e for e in page.find("img") if e.attrs.get("class") == "foto"]
    assert len(images) == 1
    img = images[0].attrs
    assert (img["width"], img["height"]) == ("1600", "2133")
    assert img.get("fetchpriority") == "high" and "loading" not in img  # the first large image: eager
    for srcset, fmt in ((source.attrs["srcset"], "WEBP"), (img["srcset"], "JPEG")):
        listed = _srcset(srcset)
        assert [w for _url, w in listed] == [480, 960, 1600]
        for url, width in listed:
            image = _open(home.parent / url)
            assert (image.format, image.width) == (fmt, width)
    # The Markdown image of an item page became a lazy <picture> too, title and alt kept.
    entry = parse_html(output / "mawar" / "halaman" / "sejarah" / "index.html")
    (webp,) = entry.find("source", type="image/webp")
    (img_md,) = [e.attrs for e in entry.find("img") if "pasar" in e.attrs.get("src", "")]
    assert (img_md["width"], img_md["height"], img_md["loading"]) == ("1600", "1067", "lazy")
    assert (img_md["alt"], img_md["title"]) == ("Pasar lama", "Pasar tahun 1980")
    assert [w for _u, w in _srcset(webp.attrs["srcset"])] == [480, 960, 1600]


def test_rebuilds_reuse_the_cache_and_give_the_same_bytes(photo_site: Path, tmp_path: Path) -> None:
    first = build(photo_site, tmp_path / "a")
    made, _reused = _made(first)
    assert made >= 2  # both photos (plus the generated share cards)
    again = build(photo_site, tmp_path / "a", "--clean")
    assert _made(again) == (0, made)
    elsewhere = build(photo_site, tmp_path / "b")  # a fresh output folder: still nothing re-encoded
    assert _made(elsewhere)[0] == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")
    cache = photo_site / ".kelurahan" / "cache" / "gambar"
    assert any(cache.rglob("1600.webp"))
    assert not any((tmp_path / "a").rglob(".kelurahan")), "the cache must stay out of the output"
    shutil.rmtree(cache)
    cold = build(photo_site, tmp_path / "c")  # made again from scratch: the same bytes
    assert _made(cold)[0] == made
    assert tree_bytes(tmp_path / "c") == tree_bytes(tmp_path / "a")


def test_a_photo_size_missing_from_the_output_is_written_when_its_kelurahan_is_built(photo_site: Path,
                                                                                      tmp_path: Path) -> None:
    """The summary counts HTML pages, but every missing file of a kelurahan that is built is
    written again, photo sizes too."""
    output = tmp_path / "out"
    build(photo_site, output)
    variant = output / "mawar" / "media" / "kantor-hp.480.webp"
    original = variant.read_bytes()
    variant.unlink()
    (photo_site / "kelurahan/mawar/beranda.md").write_text("Selamat datang di Mawar.\n", encoding="utf-8")
    again = summary(build(photo_site, output))
    assert variant.read_bytes() == original
    assert again["ditulis"] == again["dirender"] + 1, again  # the pages that show beranda.md, and the photo size


def _cache_entries(site: Path) -> set[str]:
    return {p.name for p in (site / ".kelurahan" / "cache" / "gambar").glob("*/*")}


def test_a_clean_build_removes_cache_entries_no_page_uses(photo_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(photo_site, output)
    before = _cache_entries(photo_site)
    pasar = photo_site / "kelurahan/mawar/media/pasar.jpg"
    pasar.write_bytes(phone_jpeg((1200, 900), orientation=1, seed=7))  # the old photo's entry is now unused
    incremental = build(photo_site, output)
    assert "Cache gambar:" not in incremental.stderr
    grown = _cache_entries(photo_site)
    assert before < grown, "an incremental build keeps every entry"
    clean = build(photo_site, output, "--clean")
    pruned = re.search(r"Cache gambar: (\d+) foto dan kartu yang tidak dipakai lagi dihapus \(\d+,\d MB\)\.",
                       clean.stderr)
    assert pruned, clean.stderr
    after = _cache_entries(photo_site)
    assert after < grown and int(pruned.group(1)) == len(grown - after)
    assert (grown - before) <= after, "what this content uses stays"
    build(photo_site, tmp_path / "fresh")
    assert tree_bytes(output) == tree_bytes(tmp_path / "fresh")
    again = build(photo_site, output, "--clean")
    assert "Cache gambar:" not in again.stderr and _made(again)[0] == 0  # nothing used was removed


def test_graphics_with_transparency_stay_png_and_gifs_are_published_as_they_are(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    logo = Image.new("RGBA", (700, 300), (0, 0, 0, 0))
    logo.paste((20, 90, 200, 255), (100, 50, 600, 250))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")
    gif = io.BytesIO()
    Image.new("P", (40, 30), 3).save(gif, "GIF")
    site = make_site({"kelurahan/mawar/media/logo.png": buffer.getvalue(),
                      "kelurahan/mawar/media/ikon.gif": gif.getvalue(),
                      "kelurahan/mawar/halaman/sejarah.md": "---\njudul: Sejarah\nfoto: media/ikon.gif\n---\n"
                                                             "![Logo](media/logo.png)\n"})
    output = tmp_path / "out"
    build(site, output)
    media = output / "mawar" / "media"
    assert sorted(p.name for p in media.glob("logo.*")) == [
        "logo.480.png", "logo.480.webp", "logo.700.png", "logo.700.webp", "logo.kartu.jpg", "logo.png"]
    assert _open(media / "logo.480.png").mode == "RGBA" and _open(media / "logo.700.webp").mode == "RGBA"
    assert _open(media / "logo.480.png").getpixel((0, 0))[3] == 0  # still transparent
    assert sorted(p.name for p in media.glob("ikon.*")) == ["ikon.gif"]
    page = parse_html(output / "mawar" / "halaman" / "sejarah" / "index.html")
    (gif_img,) = [e.attrs for e in page.find("img") if e.attrs.get("class") == "foto"]
    assert (gif_img["src"], gif_img["width"], gif_img["height"]) == ("../../media/ikon.gif", "40", "30")
    (logo_img,) = [e.attrs for e in page.find("img") if "logo" in e.attrs.get("src", "")]
    assert [w for _u, w in _srcset(logo_img["srcset"])] == [480, 700] and logo_img["src"].endswith(".png")


def test_the_cache_is_shared_by_every_kelurahan(make_site: Callable[..., Path], portrait: bytes,
                                                  landscape: bytes, tmp_path: Path) -> None:
    site = _site_with_photos(make_site, portrait, landscape)
    build(site, tmp_path / "out", "mawar")
    (site / "kelurahan" / "melati" / "media").mkdir()
    (site / "kelurahan" / "melati" / "media" / "tugu.jpg").write_bytes(portrait)
    (site / "kelurahan" / "melati" / "profil.yaml").write_text(
        _profile_with("media/tugu.jpg", "Melati", "jebres", "-7.5550, 110.8500"), encoding="utf-8")
    result = build(site, tmp_path / "out", "melati")
    melati_pages = len(list((tmp_path / "out" / "melati").rglob("index.html")))
    # Only melati's generated cards are new; its photo (the same bytes as mawar's) came from the cache.
    assert _made(result)[0] == melati_pages - 1
    assert (tmp_path / "out" / "melati" / "media" / "tugu.480.webp").read_bytes() == \
        (tmp_path / "out" / "mawar" / "media" / "kantor-hp.480.webp").read_bytes()


def _one_problem_each(result: Result, expected: dict[str, str]) -> None:
    lines = problem_lines(result)
    assert len(lines) == len(expected), result.stderr
    for path, fragment in expected.items():
        matching = [line for line in lines if line.startswith(path + ":1: ")]
        assert len(matching) == 1 and fragment in matching[0], (path, lines)
    assert "tidak ditemukan" not in result.stderr


def _pixel_bomb() -> bytes:
    """A 12000x12000 PNG (144 million pixels) of a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")
    return buffer.getvalue()


def test_30mb_file_and_pixel_bomb_are_refused_with_one_message_each(make_site: Callable[..., Path],
                                                                     tmp_path: Path) -> None:
    big = phone_jpeg((800, 600))
    site = make_site({
        "kelurahan/mawar/media/besar.jpg": big + b"\0" * (30 * 1024 * 1024 - len(big)),
        "kelurahan/mawar/media/bom.png": _pixel_bomb(),
        "kelurahan/mawar/profil.yaml": _profile_with("media/besar.jpg"),
        "kelurahan/mawar/halaman/sejarah.md": "---\njudul: Sejarah\nfoto: media/bom.png\n---\n![x](media/bom.png)\n",
    })
    expected = {"kelurahan/mawar/media/besar.jpg": "berkas terlalu besar (30 MB, batas 25 MB)",
                "kelurahan/mawar/media/bom.png": "gambar terlalu besar (12000 x 12000 piksel, batas 120 juta piksel)"}
    _one_problem_each(run_cli(site, "check"), expected)
    result = build(site, tmp_path / "out", code=1)
    _one_problem_each(result, expected)
    assert (tmp_path / "out" / "melati" / "index.html").is_file()  # the others are still built


def test_photos_named_alike_but_for_their_kind_get_one_message_in_check_and_build(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    """kantor.png and kantor.jpg would both give kantor.480.jpg, ...: named once, where it is."""
    site = make_site({"kelurahan/mawar/media/kantor.jpg": phone_jpeg((800, 600))})
    expected = {"kelurahan/mawar/media/kantor.png": "foto 'kantor.png' bernama sama dengan 'kantor.jpg' (hanya "
                                                    "beda jenis berkas); ukuran-ukuran fotonya akan saling menimpa; "
                                                    "ganti nama salah satunya, misalnya kantor-2.png"}
    checked = run_cli(site, "check")
    assert checked.exit_code == 1
    _one_problem_each(checked, expected)
    result = build(site, tmp_path / "out", code=1)
    _one_problem_each(result, expected)
    assert (tmp_path / "out" / "melati" / "index.html").is_file()  # the others are still built


def test_heic_photo_gets_one_message_saying_how_to_save_as_jpeg(make_site: Callable[..., Path],
                                                                 tmp_path: Path) -> None:
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(200)
    site = make_site({"kelurahan/mawar/media/kantor.heic": heic,
                      "kelurahan/mawar/media/salah-nama.jpg": heic,
                      "kelurahan/mawar/profil.yaml": _profile_with("media/kantor.heic")})
    result = build(site, tmp_path / "out", code=1)
    _one_problem_each(result, {"kelurahan/mawar/media/kantor.heic": "HEIC",
                               "kelurahan/mawar/media/salah-nama.jpg": "HEIC"})
    assert all("JPG" in line for line in problem_lines(result))


def test_every_page_has_a_share_card_of_1200x630_under_300kb(photo_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(photo_site, output)
    pages = html_pages(output)
    assert len(pages) > 10
    cards = set()
    for path in pages:
        page = parse_html(path)
        metas = {e.attrs["property"]: e.attrs["content"] for e in page.find("meta") if "property" in e.attrs}
        url = metas["og:image"]
        assert url.startswith(BASE_URL), (path, url)
        assert (metas["og:image:width"], metas["og:image:height"], metas["og:image:type"]) == \
            ("1200", "630", "image/jpeg")
        assert [e.attrs["content"] for e in page.find("meta", name="twitter:card")] == ["summary_large_image"]
        card = output / url.removeprefix(BASE_URL)
        cards.add(card)
        assert card.stat().st_size < 300 * 1024, card
        image = _open(card)
        assert (image.format, image.size) == ("JPEG", (1200, 630)), card
        _assert_clean(card)
    home = parse_html(output / "mawar" / "index.html")
    (og,) = [e.attrs["content"] for e in home.find("meta") if e.attrs.get("property") == "og:image"]
    assert og == BASE_URL + "mawar/media/kantor-hp.kartu.jpg"  # made from the page's photo
    assert len(cards) > 10


def test_without_base_url_the_build_says_once_that_share_cards_need_it(make_site: Callable[..., Path],
                                                                         tmp_path: Path) -> None:
    site = make_site()
    config = site / "config.yaml"
    config.write_text(re.sub(r"(?m)^base_url:.*\n", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    result = build(site, tmp_path / "out")
    assert result.stderr.count("butuh base_url") == 1
    for path in html_pages(tmp_path / "out"):
        assert "og:image" not in path.read_text(encoding="utf-8")


def test_the_build_report_gives_the_first_screen_weight_per_page_type(photo_site: Path, tmp_path: Path) -> None:
    result = build(photo_site, tmp_path / "out")
    line = next(line for line in result.stderr.splitlines() if line.startswith("Gambar layar pertama"))
    weights = dict(re.findall(r"(\w+) (\d+) KB", line.split(":", 1)[1]))
    served = (tmp_path / "out" / "mawar" / "media" / "kantor-hp.480.webp").stat().st_size
    assert int(weights["beranda"]) == round(served / 1024)
    assert "Halaman terberat: mawar/index.html" in result.stderr
    assert "melebihi batas" not in result.stderr


def test_the_sample_stays_within_the_image_budget(sample_build: tuple[Path, Result]) -> None:
    output, result = sample_build
    assert "Gambar layar pertama di ponsel 360 px (batas 150 KB)" in result.stderr
    assert "melebihi batas" not in result.stderr
    assert list(output.rglob("*.480.webp")), "the sample shows photos"


# -- in the browser ---------------------------------------------------------------------------

CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) { if (!entry.hadRecentInput) window.__cls += entry.value; }
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    context.add_init_script(CLS_OBSERVER)
    try:
        yield context
    finally:
        context.close()


def test_a_phone_loads_the_small_variant_without_layout_shift(photo_site: Path, tmp_path: Path, phone: Any,
                                                                serve_dir: Callable[[Path], str]) -> None:
    output = tmp_path / "out"
    build(photo_site, output)
    base = serve_dir(output)
    loaded: list[str] = []
    foreign: list[str] = []

    def route(request: Any) -> None:
        if urlsplit(request.request.url).hostname == "127.0.0.1":
            request.continue_()
        else:
            foreign.append(request.request.url)
            request.abort()

    page = phone.new_page()
    page.route("**/*", route)
    page.on("response", lambda response: loaded.append(response.url.removeprefix(base)))
    for path in ("mawar/index.html", "mawar/halaman/sejarah/index.html"):
        loaded.clear()
        page.goto(base + path, wait_until="load")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(600)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        photos = sorted(url for url in loaded if "/media/" in url)
        expected = {"mawar/index.html": ["mawar/media/kantor-hp.480.webp"],
                    "mawar/halaman/sejarah/index.html": ["mawar/media/pasar.480.webp"]}[path]
        assert photos == expected, loaded
        assert page.evaluate("window.__cls") == 0, path
        shown = page.evaluate("[...document.images].filter(i => i.src.includes('/media/'))"
                              ".map(i => [i.currentSrc, i.clientWidth])")
        assert shown and all(src.endswith(".480.webp") and 0 < width <= 328 for src, width in shown), shown
        card = page.evaluate("document.querySelector('meta[property=\"og:image\"]').content")
        response = page.request.get(base + card.removeprefix(BASE_URL))
        assert response.ok, card
        image = Image.open(io.BytesIO(response.body()))
        assert (image.format, image.size) == ("JPEG", (1200, 630))
    assert all("tile" in url for url in foreign), foreign
