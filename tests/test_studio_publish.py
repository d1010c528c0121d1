"""Diskominfo publishes from the studio's Admin page, with the machinery of ``kelurahan publish``."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from publish_helpers import PUBLISH_SUMMARY
from studio_helpers import Editor, add_account, running_studio, text_of


def test_admin_sees_changes_publishes_and_the_list_empties(make_site: Callable[..., Path], tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    site = make_site()
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nterbit:\n  tujuan: file://{host}\n", encoding="utf-8")
    add_account(site, "diskominfo", "--admin")
    add_account(site, "editor-mawar", "--kelurahan", "mawar")
    with running_studio(site) as studio:
        editor = Editor(studio).login("editor-mawar")
        assert editor.post("/admin/terbitkan", {}, token=editor.csrf("/k/mawar")).status_code == 404
        assert editor.save("/k/mawar/umkm/warung-bu-sri", {"pemilik": "Bu Sri Lestari"}).status_code == 303
        admin = Editor(studio).login("diskominfo")
        before = text_of(admin.client.get("/admin").text, "terbit", "aria-labelledby")
        assert "mawar : 1 perubahan lewat studio (belum pernah diterbitkan dari studio)" in before
        published = admin.post("/admin/terbitkan", {}, token=admin.csrf("/admin"))
        assert published.status_code == 200, published.text
        assert "Situs diterbitkan." in published.text
        assert PUBLISH_SUMMARY.search(html.unescape(published.text)), "the same closing line as the CLI's"
        pages = list(host.rglob("mawar/umkm/warung-bu-sri/index.html"))
        assert pages and "Bu Sri Lestari" in pages[0].read_text(encoding="utf-8")
        after = text_of(admin.client.get("/admin").text, "terbit", "aria-labelledby")
        assert "Tidak ada perubahan sejak terakhir terbit." in after
        # A file changed outside the studio (by hand, by git) is listed too.
        soto = site / "kelurahan/kenanga/umkm/soto-kenanga.md"
        soto.write_text(soto.read_text(encoding="utf-8").replace("Soto ayam kampung.", "Soto ayam."), encoding="utf-8")
        changed = text_of(admin.client.get("/admin").text, "terbit", "aria-labelledby")
        assert "kenanga : berkas berubah di luar studio" in changed and "mawar" not in changed


def test_a_failed_publish_says_why_and_records_nothing(make_site: Callable[..., Path]) -> None:
    site = make_site()
    add_account(site, "diskominfo", "--admin")
    with running_studio(site) as studio:
        admin = Editor(studio).login("diskominfo")
        failed = admin.post("/admin/terbitkan", {}, token=admin.csrf("/admin"))
        assert failed.status_code == 500
        assert "Penerbitan gagal; perubahan belum terbit." in failed.text
        assert "config.yaml: tujuan terbit belum diatur" in failed.text
        assert "(belum pernah diterbitkan dari studio)" in text_of(admin.client.get("/admin").text, "terbit",
                                                                   "aria-labelledby")
