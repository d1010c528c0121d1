"""Security of ``kelurahan studio``, each point a test against a real server process over HTTP."""

from __future__ import annotations

import http.client
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO, png_bytes
from PIL import Image
from studio_helpers import CSRF, Editor, StudioProcess, add_account, running_studio

MELATI_ITEM = "kelurahan/melati/umkm/bakso-pak-min.md"


@pytest.fixture
def studio(make_site: Callable[..., Path]) -> Iterator[StudioProcess]:
    """The tiny site with an admin and editors of mawar (two) and melati, served by the studio."""
    site = make_site()
    add_account(site, "diskominfo", "--admin")
    add_account(site, "editor-mawar", "--kelurahan", "mawar")
    add_account(site, "editor-mawar2", "--kelurahan", "mawar")
    add_account(site, "editor-melati", "--kelurahan", "melati")
    with running_studio(site) as process:
        yield process


def raw_request(studio: StudioProcess, method: str, path: str, headers: dict[str, str] | None = None,
                body: str = "") -> tuple[int, str]:
    """A request with the path sent exactly as written (no client-side normalization of ../)."""
    connection = http.client.HTTPConnection("127.0.0.1", studio.port, timeout=30)
    connection.request(method, path, body=body.encode(), headers=headers or {})
    response = connection.getresponse()
    result = response.status, response.read().decode("utf-8", "replace")
    connection.close()
    return result


# -- CSRF and Origin -------------------------------------------------------------------------


def test_changes_need_the_forms_csrf_token_and_origin(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    path = "/k/mawar/umkm/warung-bu-sri"
    form = editor.form(path).values
    before = (studio.site / "kelurahan/mawar/umkm/warung-bu-sri.md").read_bytes()
    changed = {**form, "pemilik": "Orang Lain", "aksi": "simpan"}
    del changed["csrf"]
    no_token = editor.client.post(path, data=changed)
    wrong_token = editor.client.post(path, data={**changed, "csrf": "x" * 43})
    wrong_origin = editor.client.post(path, data={**changed, "csrf": form["csrf"]},
                                      headers={"Origin": "http://evil.example"})
    no_origin = httpx.post(studio.url + path, data={**changed, "csrf": form["csrf"]},
                           cookies=editor.client.cookies)
    for response in (no_token, wrong_token, wrong_origin, no_origin):
        assert response.status_code == 403
        assert "Permintaan ditolak" in response.text
    assert (studio.site / "kelurahan/mawar/umkm/warung-bu-sri.md").read_bytes() == before
    good = editor.save(path, {"pemilik": "Bu Sri Lestari"})
    assert good.status_code == 303
    assert "pemilik: Bu Sri Lestari" in (studio.site / "kelurahan/mawar/umkm/warung-bu-sri.md").read_text()


def test_login_form_is_protected_too_and_logout_needs_post(studio: StudioProcess) -> None:
    client = httpx.Client(base_url=studio.url, headers={"Origin": studio.url})
    refused = client.post("/masuk", data={"nama": "editor-mawar", "sandi": "sandi-awal-uji-1"})
    assert refused.status_code == 403 and "sesi" not in refused.headers.get("set-cookie", "")
    editor = Editor(studio).login("editor-mawar")
    assert editor.client.get("/keluar").status_code == 405
    assert editor.client.get("/k/mawar").status_code == 200
    assert editor.client.get("/k/mawar/umkm/warung-bu-sri/hapus").status_code in (404, 405)
    assert (studio.site / "kelurahan/mawar/umkm/warung-bu-sri.md").exists()


# -- one kelurahan cannot touch another --------------------------------------------------------


def test_editor_cannot_read_write_or_delete_another_kelurahan(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    original = (studio.site / MELATI_ITEM).read_bytes()
    token = editor.csrf("/k/mawar")
    reads = ["/k/melati", "/k/melati/umkm/bakso-pak-min", "/k/melati/profil/profil", "/k/melati/sampah",
             "/k/melati/umkm/+baru", "/pratinjau/melati/", "/pratinjau/melati/umkm/bakso-pak-min/",
             "/k/melati/media/x.png"]
    for path in reads:
        response = editor.client.get(path)
        assert response.status_code == 404, path
        assert "Bakso" not in response.text
    writes = {"/k/melati/umkm/bakso-pak-min": {"nama": "Dibajak", "versi": "", "aksi": "simpan"},
              "/k/melati/umkm/+baru": {"nama": "Titipan", "lokasi": "-7.5575, 110.8530", "aksi": "simpan"},
              "/k/melati/umkm/bakso-pak-min/hapus": {}, "/k/melati/sampah": {"berkas": "x"}}
    for path, data in writes.items():
        assert editor.post(path, data, token=token).status_code == 404, path
    assert (studio.site / MELATI_ITEM).read_bytes() == original
    assert sorted(p.name for p in (studio.site / "kelurahan/melati/umkm").iterdir()) == ["bakso-pak-min.md"]


TRAVERSALS = [
    "/k/mawar/../melati/umkm/bakso-pak-min",
    "/k/mawar/umkm/../../melati/umkm/bakso-pak-min",
    "/k/mawar/umkm/..%2F..%2Fmelati%2Fumkm%2Fbakso-pak-min",
    "/k/mawar/umkm/%2e%2e%2f%2e%2e%2fmelati%2fumkm%2fbakso-pak-min",
    "/k/mawar/..%2Fmelati/bakso-pak-min",
    "/k/mawar%2F..%2Fmelati/umkm/bakso-pak-min",
    "/k/mawar/media/..%2F..%2Fmelati%2Fprofil.yaml",
    "/k/mawar/media/%2e%2e%2f%2e%2e%2fmelati%2fprofil.yaml",
    "/pratinjau/mawar/..%2Fmelati/",
    "/pratinjau/mawar/../melati/index.html",
    "/statis/..%2F..%2F..%2Fkelurahan%2Fmelati%2Fprofil.yaml",
]


def test_traversal_paths_reach_nothing_of_another_kelurahan(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    cookie = "; ".join(f"{k}={v}" for k, v in editor.client.cookies.items())
    token = editor.csrf("/k/mawar")
    for path in TRAVERSALS:
        status, body = raw_request(studio, "GET", path, {"Cookie": cookie})
        assert status in (400, 404), (path, status)
        assert "Bakso" not in body and "Melati" not in body
        form = f"csrf={token}&nama=Dibajak&versi=&aksi=simpan"
        status, _ = raw_request(studio, "POST", path, {"Cookie": cookie, "Origin": studio.url,
                                                       "Content-Type": "application/x-www-form-urlencoded"}, form)
        assert status in (400, 404, 405), (path, status)
    assert "Dibajak" not in (studio.site / MELATI_ITEM).read_text()


def test_symbolic_links_into_another_kelurahan_are_refused(studio: StudioProcess) -> None:
    site = studio.site
    os.symlink(site / MELATI_ITEM, site / "kelurahan/mawar/umkm/tautan.md")
    (site / "kelurahan/mawar/berita").rename(site / "kelurahan/mawar/berita-asli")
    os.symlink(site / "kelurahan/melati/berita", site / "kelurahan/mawar/berita")
    os.symlink(site / "kelurahan/melati/profil.yaml", site / "kelurahan/mawar/media/profil.png")
    editor = Editor(studio).login("editor-mawar")
    token = editor.csrf("/k/mawar")
    original = (site / MELATI_ITEM).read_bytes()
    for path in ("/k/mawar/umkm/tautan", "/k/mawar/berita/lomba-agustusan", "/k/mawar/media/profil.png"):
        response = editor.client.get(path)
        assert response.status_code == 404, path
        assert "Bakso" not in response.text and "Lomba" not in response.text
    assert editor.post("/k/mawar/umkm/tautan", {"nama": "Dibajak", "aksi": "simpan"}, token=token).status_code == 404
    assert editor.post("/k/mawar/umkm/tautan/hapus", {}, token=token).status_code == 404
    created = editor.post("/k/mawar/berita/+baru", {"judul": "Lewat tautan", "tanggal": "2024-09-09",
                                                   "aksi": "simpan"}, token=token)
    assert created.status_code == 404
    assert (site / MELATI_ITEM).read_bytes() == original
    assert sorted(p.name for p in (site / "kelurahan/melati/berita").iterdir()) == ["lomba-agustusan.md"]
    assert (site / "kelurahan/mawar/umkm/tautan.md").is_symlink()


def test_a_kelurahan_folder_that_is_a_link_is_refused(make_site: Callable[..., Path]) -> None:
    site = make_site()
    os.symlink(site / "kelurahan/melati", site / "kelurahan/tiruan")
    add_account(site, "editor-tiruan", "--kelurahan", "tiruan")
    with running_studio(site) as studio:
        editor = Editor(studio).login("editor-tiruan")
        assert editor.client.get("/k/tiruan").status_code == 404
        assert editor.client.get("/k/tiruan/umkm/bakso-pak-min").status_code == 404
        token = editor.csrf("/sandi")
        assert editor.post("/k/tiruan/umkm/bakso-pak-min/hapus", {}, token=token).status_code == 404
    assert (site / MELATI_ITEM).exists()


# -- login ----------------------------------------------------------------------------------


def test_brute_force_is_throttled(studio: StudioProcess) -> None:
    client = Editor(studio)
    for _ in range(5):
        assert client.post("/masuk", {"nama": "editor-mawar", "sandi": "salah-salah-salah"}).status_code == 401
    blocked = client.post("/masuk", {"nama": "editor-mawar", "sandi": "sandi-awal-uji-1"})
    assert blocked.status_code == 429
    guide = (REPO / "docs/panduan-konten.md").read_text(encoding="utf-8")
    assert "Terlalu banyak percobaan masuk. Tunggu 15 menit lalu coba lagi." in guide  # quoted as printed
    assert "Terlalu banyak percobaan masuk. Tunggu 15 menit lalu coba lagi." in blocked.text
    assert "sesi=" not in blocked.headers.get("set-cookie", "")
    # Other accounts from the same address: stopped after 20 failures in all.
    for number in range(15):
        client.post("/masuk", {"nama": f"tebakan{number}", "sandi": "salah-salah-salah"})
    assert client.post("/masuk", {"nama": "editor-melati", "sandi": "sandi-awal-uji-1"}).status_code == 429


def test_session_cookie_flags(make_site: Callable[..., Path]) -> None:
    site = make_site()
    add_account(site, "editor-mawar", "--kelurahan", "mawar")
    with running_studio(site) as studio:
        client = Editor(studio)
        response = client.post("/masuk", {"nama": "editor-mawar", "sandi": "sandi-awal-uji-1"})
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("sesi=")
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            assert flag in cookie
        assert "Secure" not in cookie  # plain HTTP on 127.0.0.1: a Secure cookie would never come back
        page = client.client.get("/masuk")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
    for flag, headers in (("--https", {}), ("--proxy", {"X-Forwarded-Proto": "https"})):
        with running_studio(site, flag) as studio:
            # Over HTTPS the CSRF cookie is Secure too; the client here speaks plain HTTP, so it is sent by hand.
            client = httpx.Client(base_url=studio.url, headers={
                **headers, "Origin": studio.url.replace("http://", "https://")})
            page = client.get("/masuk")
            assert page.headers["set-cookie"].startswith("__Host-csrf=")  # Secure, this host only, Path=/
            assert "Secure" in page.headers["set-cookie"].split("; ")
            token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            form = {"csrf": token, "nama": "editor-mawar", "sandi": "sandi-awal-uji-1"}
            plain = client.post("/masuk", data=form, headers={"Cookie": f"csrf={token}"})
            assert plain.status_code == 403, "over HTTPS only the __Host- cookie counts"
            response = client.post("/masuk", data=form, headers={"Cookie": f"__Host-csrf={token}"})
            assert response.status_code == 303, flag
            session = response.headers["set-cookie"]
            assert session.startswith("__Host-sesi=") and "Domain" not in session, session
            assert {"Secure", "HttpOnly", "Path=/"} <= set(session.split("; "))
            # The session works under its __Host- name (first login: the password page), not under the plain one.
            cookie = session.split(";")[0]
            assert client.get("/sandi", headers={"Cookie": cookie}).status_code == 200, flag
            plain_session = cookie.removeprefix("__Host-")
            assert client.get("/sandi", headers={"Cookie": plain_session}).headers["location"] == "/masuk", flag


def test_unknown_host_header_is_refused(studio: StudioProcess) -> None:
    status, _ = raw_request(studio, "GET", "/masuk", {"Host": "studio.evil.example"})
    assert status == 400
    assert raw_request(studio, "GET", "/masuk", {"Host": f"localhost:{studio.port}"})[0] == 200


def test_first_login_must_change_the_password(studio: StudioProcess) -> None:
    editor = Editor(studio)
    response = editor.post("/masuk", {"nama": "editor-mawar", "sandi": "sandi-awal-uji-1"})
    assert response.headers["location"] == "/sandi"
    assert editor.client.get("/k/mawar").headers["location"] == "/sandi"
    short = editor.post("/sandi", {"lama": "sandi-awal-uji-1", "baru": "pendek", "ulang": "pendek"})
    assert short.status_code == 400 and "minimal 10 karakter" in short.text
    ok = editor.post("/sandi", {"lama": "sandi-awal-uji-1", "baru": "sandi-baru-uji-2", "ulang": "sandi-baru-uji-2"})
    assert ok.status_code == 303
    assert editor.client.get("/k/mawar").status_code == 200


# -- uploads --------------------------------------------------------------------------------


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", "<p>halo</p>")
    return out.getvalue().replace(b"<p>", b"[p]")  # only the archive structure gives it away


def jpeg_with_exif(size: tuple[int, int] = (40, 20)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    exif[0x8825] = {1: "S", 2: (7.0, 34.0, 12.0)}  # GPS latitude
    exif[0x010F] = "KameraRahasia"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_oriented_stripped_and_re_encoded(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    sent = jpeg_with_exif()
    response = editor.save("/k/mawar/umkm/warung-bu-sri", {}, files={"foto_kamera": ("IMG_01.JPG", sent, "image/jpeg")})
    assert response.status_code == 303
    text = (studio.site / "kelurahan/mawar/umkm/warung-bu-sri.md").read_text()
    ref = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("foto: "))
    stored = (studio.site / "kelurahan/mawar" / ref).read_bytes()
    assert stored != sent and b"KameraRahasia" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.size == (20, 40)  # turned upright
    assert not image.getexif()


@pytest.mark.parametrize("name, data", [
    ("html-di-png.png", png_bytes() + b"<html><script>alert(1)</script></html>"),
    ("zip-di-jpg.jpg", jpeg_with_exif() + zip_bytes()),
    ("bukan-gambar.jpg", b"<?php system($_GET['c']); ?>"),
    ("svg.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
])
def test_polyglot_upload_is_refused(studio: StudioProcess, name: str, data: bytes) -> None:
    editor = Editor(studio).login("editor-mawar")
    media = studio.site / "kelurahan/mawar/media"
    before = sorted(p.name for p in media.iterdir())
    response = editor.save("/k/mawar/umkm/warung-bu-sri", {"pemilik": "Bu Sri Baru"},
                           files={"foto_galeri": (name, data, "image/png")})
    assert response.status_code == 422
    assert "foto" in response.text and ("bukan foto biasa" in response.text or "tidak bisa dibaca" in response.text)
    assert sorted(p.name for p in media.iterdir()) == before
    assert "Bu Sri Baru" not in (studio.site / "kelurahan/mawar/umkm/warung-bu-sri.md").read_text()


def test_oversized_uploads_are_refused(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    media = studio.site / "kelurahan/mawar/media"
    before = sorted(p.name for p in media.iterdir())
    huge = editor.save("/k/mawar/umkm/warung-bu-sri", {}, files={"foto_galeri": ("besar.jpg", b"\xff" * (14 << 20),
                                                                                  "image/jpeg")})
    assert huge.status_code == 413
    buffer = io.BytesIO()
    Image.new("1", (12000, 9000)).save(buffer, "PNG")  # small file, 108 million pixels
    bomb = editor.save("/k/mawar/umkm/warung-bu-sri", {}, files={"foto_galeri": ("bom.png", buffer.getvalue(),
                                                                                 "image/png")})
    assert bomb.status_code == 422 and "terlalu besar" in bomb.text
    assert sorted(p.name for p in media.iterdir()) == before
