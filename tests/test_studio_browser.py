"""The studio in a real browser (Debian's chromium through Playwright) at phone size, 360x740."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import REPO, build, png_bytes
from studio_helpers import FIRST_PASSWORD, PASSWORD, add_account, running_studio

PHONE = {"width": 360, "height": 740}


def guide_quote(start: str) -> str:
    """The line of the staff guide's studio chapter that starts with ``start``."""
    guide = (REPO / "docs/panduan-konten.md").read_text(encoding="utf-8")
    chapter = guide[guide.index("## 16. Mengubah isi lewat Studio"):]
    return next(line for line in chapter.splitlines() if line.startswith(start))


def wait_for_image(page: Any) -> None:
    """Wait until the page's photo has loaded (polled: the studio's CSP forbids evaluating strings)."""
    for _ in range(100):
        if page.evaluate("document.querySelector('img.foto').complete"):
            return
        page.wait_for_timeout(100)


def test_an_officer_adds_a_umkm_with_photo_and_map_pin_from_a_phone(
        browser: Any, make_site: Callable[..., Path], serve_dir: Callable[[Path], str], tmp_path: Path) -> None:
    site = make_site()
    add_account(site, "editor-mawar", "--kelurahan", "mawar")
    photo = tmp_path / "dawet.png"
    photo.write_bytes(png_bytes((64, 48), (20, 160, 90)))
    with running_studio(site) as studio:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        # No network but the studio: map tiles from the tile server are refused, as offline.
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        csp_errors: list[str] = []
        page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

        page.goto(f"{studio.url}/")
        page.get_by_label("Nama akun").fill("editor-mawar")
        page.get_by_label("Kata sandi").fill(FIRST_PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.get_by_label("Kata sandi sekarang").fill(FIRST_PASSWORD)
        page.get_by_label("Kata sandi baru", exact=True).fill(PASSWORD)
        page.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
        page.get_by_role("button", name="Simpan kata sandi").click()
        page.wait_for_url(f"{studio.url}/k/mawar")

        page.get_by_role("link", name="+ Tambah UMKM").click()
        page.get_by_label("Nama (wajib)").fill("Es Dawet Bu Tini")
        page.get_by_label("Produk").fill("Es dawet\nEs campur")
        page.locator("#f-kontak-whatsapp").fill("nomor saya")  # a mistake to be caught
        page.locator("#foto-galeri").set_input_files(str(photo))
        page.locator("#f-foto-pratinjau").wait_for(state="visible")  # the chosen photo shows before upload
        map_box = page.locator("#f-lokasi-peta.leaflet-container")
        map_box.wait_for(state="visible")
        map_box.scroll_into_view_if_needed()
        map_box.click(position={"x": 150, "y": 120})
        pin = page.locator("#f-lokasi").input_value()
        assert re.fullmatch(r"-7\.\d{6}, 110\.\d{6}", pin), pin
        assert page.locator(".peta-pilih .leaflet-marker-icon").count() == 1
        page.get_by_role("button", name="Simpan").click()

        message = page.locator("#f-kontak-whatsapp-galat")
        assert message.is_visible()
        assert message.inner_text().strip() == guide_quote("whatsapp: ")  # the staff guide quotes it exactly
        assert not (site / "kelurahan/mawar/umkm/es-dawet-bu-tini.md").exists()
        assert page.locator("#f-lokasi").input_value() == pin  # nothing typed is lost
        page.locator("#f-kontak-whatsapp").fill("0812-7777-8888")
        page.get_by_role("button", name="Simpan").click()
        page.locator("#tersimpan").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        saved = (site / "kelurahan/mawar/umkm/es-dawet-bu-tini.md").read_text()
        assert "nama: Es Dawet Bu Tini" in saved and re.search(r"foto: media/es-dawet-bu-tini-[0-9a-f]{8}\.jpg", saved)
        page.get_by_role("link", name="Lihat pratinjau halamannya").first.click()
        assert page.locator("h1").inner_text() == "Es Dawet Bu Tini"
        page.locator("img.foto").scroll_into_view_if_needed()
        wait_for_image(page)
        assert page.evaluate("document.querySelector('img.foto').naturalWidth") > 0
        assert "es-dawet-bu-tini" in page.evaluate("document.querySelector('img.foto').currentSrc")
        assert "Es dawet" in page.locator("main").inner_text()
        assert not csp_errors, csp_errors
        context.close()

    output = tmp_path / "out"
    build(site, output)
    base = serve_dir(output)
    context = browser.new_context(viewport=PHONE)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{base}mawar/umkm/")
    page.get_by_role("link", name="Es Dawet Bu Tini").first.click()
    assert page.locator("h1").inner_text() == "Es Dawet Bu Tini"
    page.locator("img.foto").scroll_into_view_if_needed()
    wait_for_image(page)
    assert page.evaluate("document.querySelector('img.foto').naturalWidth") > 0
    assert "es-dawet-bu-tini" in page.evaluate("document.querySelector('img.foto').currentSrc")
    assert page.locator("a[href^='https://wa.me/6281277778888']").count() == 1
    context.close()
