"""``kelurahan poster``: A6/A4 posters (SVG, PDF) whose QR codes decode to the item's page URL."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import yaml
import zxingcpp
from conftest import REPO, TINY_FILES, assert_exit, run_cli, tree_bytes
from PIL import Image

BASE = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))["base_url"]
ITEMS = sorted(rel for rel in TINY_FILES if re.fullmatch(r"kelurahan/[a-z-]+/(umkm|wisata)/[a-z0-9-]+\.md", rel))
PAPER_MM = {"a6": (105, 148), "a4": (210, 297)}


def _expected(rel: str) -> tuple[str, str]:
    """(poster stem under output/poster/, the page URL) of one tiny-site item."""
    _, slug, section, name = rel.removesuffix(".md").split("/")
    return f"{slug}/{section}-{name}", f"{BASE}{slug}/{section}/{name}/"


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    from conftest import write_site

    root = tmp_path_factory.mktemp("poster")
    site = write_site(root / "situs")
    output = root / "out"
    result = run_cli(site, "poster", "--output", output)
    assert_exit(result, 0)
    return site, output, result.output


def test_every_umkm_and_wisata_gets_four_files(posters: tuple[Path, Path, str]) -> None:
    _, output, log = posters
    assert ITEMS
    made = sorted(p.relative_to(output / "poster").as_posix() for p in (output / "poster").rglob("*.*"))
    wanted = sorted(f"{_expected(rel)[0]}-{paper}.{kind}" for rel in ITEMS for paper in PAPER_MM
                    for kind in ("svg", "pdf"))
    assert made == wanted
    assert f"Selesai: {len(ITEMS)} poster" in log


@pytest.mark.parametrize("paper", sorted(PAPER_MM))
def test_pdf_posters_decode_to_the_page_url(posters: tuple[Path, Path, str], paper: str) -> None:
    _, output, _ = posters
    for rel in ITEMS:
        stem, url = _expected(rel)
        document = pypdfium2.PdfDocument(output / "poster" / f"{stem}-{paper}.pdf")
        page = document[0]
        width_mm, height_mm = (round(v / 72 * 25.4) for v in page.get_size())
        assert (width_mm, height_mm) == PAPER_MM[paper]
        text = page.get_textpage().get_text_range()
        assert url.split("://", 1)[1] in text, text
        assert "Kota Surakarta" in text
        image = page.render(scale=2).to_pil()
        assert _decode(image) == [url], rel
        document.close()


def test_svg_posters_decode_in_a_browser(posters: tuple[Path, Path, str], browser: Any,
                                         serve_dir: Callable[[Path], str]) -> None:
    _, output, _ = posters
    base = serve_dir(output / "poster")
    page = browser.new_page(viewport={"width": 800, "height": 1131})
    try:
        for rel in ITEMS:
            stem, url = _expected(rel)
            svg = (output / "poster" / f"{stem}-a6.svg").read_text(encoding="utf-8")
            nama = re.search(r"^\s*nama: (.+)$", TINY_FILES[rel], re.M)
            assert nama is not None and nama.group(1).strip().strip('"') in svg
            assert url.split("://", 1)[1] in svg
            page.set_content(f'<body style="margin:0"><img id="poster" src="{base}{stem}-a6.svg" width="800"></body>',
                             wait_until="load")
            shot = Image.open(io.BytesIO(page.locator("#poster").screenshot()))
            assert _decode(shot) == [url], rel
    finally:
        page.close()


def test_posters_are_deterministic(posters: tuple[Path, Path, str], tmp_path: Path) -> None:
    site, output, _ = posters
    again = tmp_path / "out"
    assert_exit(run_cli(site, "poster", "--output", again), 0)
    assert tree_bytes(again / "poster") == tree_bytes(output / "poster")
    second = run_cli(site, "poster", "--output", again)
    assert "(0 berkas ditulis)" in second.output


def test_posters_for_one_kelurahan_only(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site()
    assert_exit(run_cli(site, "poster", "melati", "--output", tmp_path), 0)
    assert [p.name for p in (tmp_path / "poster").iterdir()] == ["melati"]


def test_posters_need_base_url(make_site: Callable[..., Path], tmp_path: Path) -> None:
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    site = make_site({"config.yaml": re.sub(r"^base_url:.*$", "", config, flags=re.M)})
    result = run_cli(site, "poster", "--output", tmp_path)
    assert_exit(result, 1)
    assert "config.yaml:1: base_url belum diisi: poster butuh alamat situs untuk kode QR" in result.output
    assert not (tmp_path / "poster").exists()
