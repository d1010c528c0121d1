"""``kelurahan akun ...`` and ``kelurahan studio --help``, through the CLI."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from conftest import assert_exit, run_cli
from studio_helpers import Editor, running_studio


def test_accounts_are_managed_from_the_cli(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = run_cli(site, "akun", "tambah", "diskominfo", "--admin")
    assert_exit(created, 0)
    shown = re.search(r"Kata sandi awal \(tampil sekali ini saja\): (\S+)", created.output)
    assert shown, created.output
    monkeypatch.setenv("KELURAHAN_SANDI", "sandi-dari-env-1")
    editor = run_cli(site, "akun", "tambah", "editor-mawar", "--kelurahan", "mawar,melati")
    assert_exit(editor, 0)
    assert "sandi-dari-env-1" not in editor.output and "Kata sandi awal" not in editor.output
    listed = run_cli(site, "akun", "daftar")
    assert_exit(listed, 0)
    assert listed.output.splitlines() == ["diskominfo\tadmin\t- (belum ganti sandi)",
                                          "editor-mawar\teditor\tmawar,melati (belum ganti sandi)"]
    # Passwords are stored as argon2id hashes only.
    with sqlite3.connect(site / ".kelurahan/studio.sqlite") as db:
        hashes = [row[0] for row in db.execute("select sandi from akun")]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any("sandi-dari-env-1" in h or shown.group(1) in h for h in hashes)
    with running_studio(site) as studio:
        Editor(studio).login("editor-mawar", password="sandi-dari-env-1")
        Editor(studio).login("diskominfo", password=shown.group(1))
    monkeypatch.setenv("KELURAHAN_SANDI", "sandi-reset-uji-3")
    assert_exit(run_cli(site, "akun", "sandi", "editor-mawar"), 0)
    assert "editor-mawar\teditor\tmawar,melati (belum ganti sandi)" in run_cli(site, "akun", "daftar").output
    assert_exit(run_cli(site, "akun", "hapus", "editor-mawar"), 0)
    assert "editor-mawar" not in run_cli(site, "akun", "daftar").output


def test_an_editors_kelurahan_change_from_the_cli_and_the_admin_page(site: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KELURAHAN_SANDI", "sandi-dari-env-1")
    assert_exit(run_cli(site, "akun", "tambah", "editor", "--kelurahan", "mawar"), 0)
    assert_exit(run_cli(site, "akun", "tambah", "diskominfo", "--admin"), 0)
    with running_studio(site) as studio:
        editor = Editor(studio).login("editor", password="sandi-dari-env-1")
        assert editor.client.get("/k/mawar").status_code == 200
        assert editor.client.get("/k/melati").status_code == 404
        changed = run_cli(site, "akun", "ubah", "editor", "--kelurahan", "melati,kenanga")
        assert_exit(changed, 0)
        assert "Akun editor kini boleh mengubah: melati, kenanga." in changed.output
        # The session that was open before the change follows it at once.
        assert editor.client.get("/k/mawar").status_code == 404
        assert editor.client.get("/k/melati").status_code == 200
        assert "editor\teditor\tmelati,kenanga" in run_cli(site, "akun", "daftar").output
        admin = Editor(studio).login("diskominfo", password="sandi-dari-env-1")
        page = admin.post("/admin/akun/kelurahan", {"nama": "editor", "kelurahan": "mawar"})
        assert page.status_code == 200 and "Kelurahan akun editor diganti." in page.text
        assert editor.client.get("/k/mawar").status_code == 200
        assert editor.client.get("/k/melati").status_code == 404
        refused = admin.post("/admin/akun/kelurahan", {"nama": "editor", "kelurahan": "tidak-ada"})
        assert refused.status_code == 400 and "kelurahan tidak dikenal: tidak-ada" in refused.text
        assert re.search(r"akun-kelurahan\s+editor: mawar", admin.client.get("/admin").text)  # in the audit log
        # Refused (404: nothing is revealed) to an editor: another kelurahan, the account pages.
        assert editor.post("/admin/akun/kelurahan", {"nama": "editor", "kelurahan": "melati"}).status_code == 404
    assert "editor\teditor\tmawar" in run_cli(site, "akun", "daftar").output


@pytest.mark.parametrize("args, message", [
    (["akun", "tambah", "x", "--kelurahan", "mawar"], "nama akun 'x' tidak valid"),
    (["akun", "tambah", "editor", "--kelurahan", "tidak-ada"], "kelurahan 'tidak-ada' tidak ada"),
    (["akun", "tambah", "editor"], "editor perlu minimal satu kelurahan"),
    (["akun", "hapus", "siapa"], "akun 'siapa' tidak ada"),
    (["akun", "ubah", "siapa", "--kelurahan", "mawar"], "akun 'siapa' tidak ada"),
    (["akun", "ubah", "siapa", "--kelurahan", "tidak-ada"], "kelurahan 'tidak-ada' tidak ada"),
])
def test_account_mistakes_are_usage_errors(site: Path, args: list[str], message: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KELURAHAN_SANDI", "sandi-dari-env-1")
    result = run_cli(site, *args)
    assert_exit(result, 2)
    assert message in result.stderr


def test_short_password_from_the_environment_is_refused(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KELURAHAN_SANDI", "pendek")
    result = run_cli(site, "akun", "tambah", "editor", "--kelurahan", "mawar")
    assert_exit(result, 2)
    assert "kata sandi terlalu pendek; minimal 10 karakter" in result.stderr


def test_studio_help_is_indonesian(site: Path) -> None:
    result = run_cli(site, "studio", "--help")
    assert_exit(result, 0)
    for option in ("--port", "--host", "--domain", "--https", "--proxy"):
        assert option in result.output
    assert "Editor web untuk staf kelurahan" in result.output
    assert "127.0.0.1" in result.output
