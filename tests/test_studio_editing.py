"""Editing through ``kelurahan studio``: checks before saving, conflicts, crashes, hostile text, the bin."""

from __future__ import annotations

import html
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from conftest import assert_exit, build, parse_html, run_cli
from studio_helpers import (
    FIRST_PASSWORD,
    PASSWORD,
    Editor,
    StudioProcess,
    add_account,
    attribute_values,
    read_form,
    running_studio,
    text_of,
)

from generator.yamlio import split_front_matter

WARUNG = "kelurahan/mawar/umkm/warung-bu-sri.md"


@pytest.fixture
def studio(make_site: Callable[..., Path]) -> Iterator[StudioProcess]:
    """The tiny site with two editors of mawar and an admin, served by the studio."""
    site = make_site()
    add_account(site, "diskominfo", "--admin")
    add_account(site, "editor-mawar", "--kelurahan", "mawar")
    add_account(site, "editor-mawar2", "--kelurahan", "mawar")
    with running_studio(site) as process:
        yield process


def front(site: Path, rel: str) -> dict[str, object]:
    """The front matter of a content file as ``check`` reads it."""
    return dict(split_front_matter((site / rel).read_text(encoding="utf-8"), rel).data)


def test_a_file_that_fails_the_checks_is_not_saved_and_the_message_is_next_to_the_field(
        studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    before = (studio.site / WARUNG).read_bytes()
    response = editor.save("/k/mawar/umkm/warung-bu-sri", {"lokasi": "110.7930, -7.5690", "kontak.whatsapp": "abc",
                                                           "pemilik": "Bu Sri Lestari"})
    assert response.status_code == 422
    assert (studio.site / WARUNG).read_bytes() == before
    location = text_of(response.text, "f-lokasi-galat")
    assert "lokasi: lintang harus di antara -90 dan 90 (tertulis 110.793); mungkin lintang dan bujur tertukar?" \
        in location
    whatsapp = text_of(response.text, "f-kontak-whatsapp-galat")
    assert "whatsapp: nomor telepon tidak valid (tertulis 'abc')" in whatsapp
    # The same words as `kelurahan check` prints for that file.
    (studio.site / WARUNG).write_text(before.decode().replace('whatsapp: "0812-3456-7890"', "whatsapp: abc"))
    checked = run_cli(studio.site, "check", "mawar")
    assert "whatsapp: nomor telepon tidak valid (tertulis 'abc')" in checked.stderr
    (studio.site / WARUNG).write_bytes(before)
    # What was typed stays in the form.
    form = read_form(response.text)
    assert form.values["pemilik"] == "Bu Sri Lestari" and form.values["kontak.whatsapp"] == "abc"
    fixed = editor.save("/k/mawar/umkm/warung-bu-sri",
                        {"lokasi": "-7.5690, 110.7930", "kontak.whatsapp": "0812-3456-7890"}, base=form.values)
    assert fixed.status_code == 303
    assert front(studio.site, WARUNG)["pemilik"] == "Bu Sri Lestari"


def test_new_items_get_a_file_named_after_their_title_and_a_google_maps_link_becomes_a_point(
        studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    link = "https://www.google.com/maps/place/Bakmi/@-7.5671,110.7912,17z/data=!3m1"
    missing = editor.save("/k/mawar/umkm/+baru", {"kategori": "Kuliner"},
                          base=editor.form("/k/mawar/umkm/+baru").values)
    assert missing.status_code == 422 and "isian &#39;nama&#39; wajib diisi" in missing.text
    assert not (studio.site / "kelurahan/mawar/umkm/bakmi-jawa-pak-no.md").exists()
    response = editor.save("/k/mawar/umkm/+baru", {"nama": "Bakmi Jawa Pak No", "lokasi": link,
                                                 "produk": "Bakmi godhog\n\nBakmi goreng\n", "halal": "ya"},
                           base=read_form(missing.text).values)
    assert response.status_code == 303
    assert response.headers["location"] == "/k/mawar/umkm/bakmi-jawa-pak-no?disimpan=1"
    text = (studio.site / "kelurahan/mawar/umkm/bakmi-jawa-pak-no.md").read_text()
    assert text.startswith("---\nnama: Bakmi Jawa Pak No\n")
    assert "lokasi: {lat: -7.5671, lon: 110.7912}" in text
    values = front(studio.site, "kelurahan/mawar/umkm/bakmi-jawa-pak-no.md")
    assert values["produk"] == ["Bakmi godhog", "Bakmi goreng"] and values["halal"] is True
    assert_exit(run_cli(studio.site, "check", "mawar"), 0)
    again = editor.save("/k/mawar/umkm/+baru", {"nama": "Bakmi Jawa Pak No", "lokasi": "-7.5672, 110.7913"})
    assert again.headers["location"] == "/k/mawar/umkm/bakmi-jawa-pak-no-2?disimpan=1"


def test_two_editors_saving_the_same_file_get_a_conflict_not_a_lost_edit(studio: StudioProcess) -> None:
    first = Editor(studio).login("editor-mawar")
    second = Editor(studio).login("editor-mawar2")
    path = "/k/mawar/umkm/warung-bu-sri"
    form_first, form_second = first.form(path).values, second.form(path).values
    assert first.save(path, {"pemilik": "Bu Sri (pertama)"}, base=form_first).status_code == 303
    conflict = second.save(path, {"pemilik": "Bu Sri (kedua)", "isi": "Isi baru dari editor kedua.\n"},
                           base=form_second)
    assert conflict.status_code == 409
    assert front(studio.site, WARUNG)["pemilik"] == "Bu Sri (pertama)"
    table = text_of(conflict.text, "konflik")
    assert "Bu Sri (pertama)" in table and "Bu Sri (kedua)" in table
    assert "Isi baru dari editor kedua." in table and "Buka setiap pagi." in table
    # The form keeps the second editor's values; saving again is a deliberate overwrite.
    again = read_form(conflict.text).values
    assert again["pemilik"] == "Bu Sri (kedua)"
    assert second.save(path, {}, base=again).status_code == 303
    assert front(studio.site, WARUNG)["pemilik"] == "Bu Sri (kedua)"


def test_killing_the_server_during_saves_leaves_the_old_or_the_new_file_whole(
        make_site: Callable[..., Path]) -> None:
    site = make_site()
    add_account(site, "editor-mawar", "--kelurahan", "mawar")
    long_body = "Paragraf panjang tentang warung. " * 4000 + "\n"
    written = {(site / WARUNG).read_text()}
    for round_ in range(3):
        with running_studio(site) as studio:
            editor = Editor(studio).login("editor-mawar", password=FIRST_PASSWORD if round_ == 0 else PASSWORD)
            stop = threading.Event()

            def keep_saving(editor: Editor = editor, stop: threading.Event = stop, round_: int = round_) -> None:
                number = 0
                while not stop.is_set():
                    number += 1
                    pemilik = f"Pemilik {round_}-{number}"
                    try:
                        editor.save("/k/mawar/umkm/warung-bu-sri", {"pemilik": pemilik, "isi": long_body + pemilik})
                    except httpx.HTTPError:
                        return

            saver = threading.Thread(target=keep_saving)
            saver.start()
            time.sleep(1.5 + random.random())
            studio.kill()
            stop.set()
            saver.join(timeout=30)
        data = front(site, WARUNG)
        assert data["nama"] == "Warung Bu Sri"
        assert data["pemilik"] == "Bu Sri" or str(data["pemilik"]).startswith(f"Pemilik {round_}-")
        text = (site / WARUNG).read_text()
        assert text in written or text.endswith(f"{long_body}{data['pemilik']}\n")
        written.add(text)
        assert_exit(run_cli(site, "check", "mawar"), 0)
    leftovers = [p.name for p in (site / "kelurahan/mawar/umkm").iterdir() if not p.name.startswith(".")]
    assert leftovers == ["warung-bu-sri.md"]


HOSTILE = "<script>alert('x')</script> {{ 7*7 }} {% if 1 %}jinja{% endif %} \"><img src=x onerror=alert(1)> & &amp;"


def test_hostile_text_is_shown_literally_in_the_editor_and_on_the_site(studio: StudioProcess, tmp_path: Path) -> None:
    editor = Editor(studio).login("editor-mawar")
    free_text = ["nama", "ringkasan", "sumber", "kategori", "pemilik", "alamat", "nib", "kontak.instagram"]
    changes = {name: f"{HOSTILE} {name}" for name in free_text}
    changes["produk"] = f"{HOSTILE} produk"
    changes["isi"] = f"{HOSTILE} isi\n"
    assert editor.save("/k/mawar/umkm/warung-bu-sri", changes).status_code == 303
    form = editor.form("/k/mawar/umkm/warung-bu-sri")
    for name in free_text:
        assert form.inputs[name] == f"{HOSTILE} {name}", name
    assert form.textareas["produk"] == f"{HOSTILE} produk"
    assert form.textareas["isi"] == f"{HOSTILE} isi\n"
    page = editor.client.get("/k/mawar/umkm/warung-bu-sri").text
    assert "<script>alert" not in page and "<img src=x" not in page and "49" not in page
    # Validated fields refuse it, and show it back literally with check's message.
    refused = editor.save("/k/mawar/umkm/warung-bu-sri", {"kontak.telepon": HOSTILE, "kontak.situs": HOSTILE,
                                                          "kontak.email": HOSTILE, "lokasi": HOSTILE})
    assert refused.status_code == 422
    again = read_form(refused.text)
    for name in ("kontak.telepon", "kontak.situs", "kontak.email", "lokasi"):
        assert again.inputs[name] == HOSTILE
    assert "<script>alert" not in refused.text and "<img src=x" not in refused.text
    # The built site shows the same text as text.
    output = tmp_path / "out"
    build(studio.site, output, "mawar")
    item = (output / "mawar/umkm").iterdir().__next__()
    built = (item / "index.html").read_text()
    assert f"{HOSTILE} nama" in text_of(built, "isi")
    for name in ("pemilik", "alamat", "kategori"):
        assert f"{HOSTILE} {name}" in html.unescape(built), name
    parsed = parse_html(built)
    assert not [e for e in parsed.elements if any(name.startswith("on") for name in e.attrs)]
    # Map data and JSON-LD are JSON with < escaped; no other script carries the text.
    for attrs, text in parsed.scripts:
        is_data = attrs.get("type") in ("application/json", "application/ld+json")
        assert "<" not in text if is_data else "alert" not in text + attrs.get("src", "")
    assert "{{ 7*7 }} {% if 1 %}jinja{% endif %}" in parsed.text and " 49 " not in parsed.text


def test_delete_moves_to_the_bin_and_restore_puts_it_back(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    original = (studio.site / WARUNG).read_bytes()
    token = editor.csrf("/k/mawar")
    deleted = editor.post("/k/mawar/umkm/warung-bu-sri/hapus", {}, token=token)
    assert deleted.status_code == 303
    assert not (studio.site / WARUNG).exists()
    assert editor.client.get("/k/mawar/umkm/warung-bu-sri").status_code == 404
    bin_page = editor.client.get("/k/mawar/sampah").text
    assert "umkm/warung-bu-sri.md" in bin_page
    key = read_bin_key(bin_page)
    assert editor.post("/k/mawar/sampah", {"berkas": key}, token=token).status_code == 303
    assert (studio.site / WARUNG).read_bytes() == original
    assert "umkm/warung-bu-sri.md" not in editor.client.get("/k/mawar/sampah").text


def read_bin_key(page: str) -> str:
    return html.unescape(attribute_values(page, "berkas")[0])


def test_kelurahan_page_lists_items_with_what_is_missing_or_still_an_example(studio: StudioProcess) -> None:
    (studio.site / "kelurahan/mawar/ikon/tari-gambyong.md").write_text(
        "---\nnama: Tari Gambyong Mawar\ncontoh: true\n---\nTradisi.\n")
    (studio.site / "kelurahan/mawar/umkm/rusak.md").write_text(
        "---\nnama: Warung Rusak\nlokasi: \"-7.5700, 110.7950\"\nkontak:\n  whatsapp: abc\n---\nIsi.\n")
    editor = Editor(studio).login("editor-mawar")
    page = editor.client.get("/k/mawar").text
    ikon = text_of(page, "b-ikon", "aria-labelledby")
    assert "Tari Gambyong Mawar" in ikon and "masih contoh" in ikon
    assert "belum diisi: Ringkasan singkat, Foto, Kategori" in ikon
    umkm = text_of(page, "b-umkm", "aria-labelledby")
    assert "Warung Bu Sri" in umkm and "masih contoh" not in umkm
    assert "baris 5: whatsapp: nomor telepon tidak valid (tertulis 'abc')" in umkm.split("Warung Bu Sri")[0]


def test_admin_sees_changes_since_the_last_publish_and_manages_accounts(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    assert editor.client.get("/admin").status_code == 404
    assert editor.save("/k/mawar/umkm/warung-bu-sri", {"pemilik": "Bu Sri Lestari"}).status_code == 303
    admin = Editor(studio).login("diskominfo")
    page = admin.client.get("/admin").text
    changes = text_of(page, "terbit", "aria-labelledby")
    assert "mawar : 1 perubahan lewat studio (belum pernah diterbitkan dari studio)" in changes
    assert "editor-mawar" in changes
    assert "kelurahan/mawar/umkm/warung-bu-sri.md" in changes
    created = admin.post("/admin/akun", {"nama": "editor-kenanga", "kelurahan": "kenanga"}, token=admin.csrf("/admin"))
    assert created.status_code == 200
    shown = text_of(created.text, "sandi-baru")
    password = shown.split("editor-kenanga: ")[1].strip()
    listed = run_cli(studio.site, "akun", "daftar")
    assert "editor-kenanga\teditor\tkenanga (belum ganti sandi)" in listed.output
    newcomer = Editor(studio).login("editor-kenanga", password=password)
    assert newcomer.client.get("/k/kenanga").status_code == 200
    assert newcomer.client.get("/k/mawar").status_code == 404


def test_the_profile_is_edited_with_the_same_checks(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    profile = studio.site / "kelurahan/mawar/profil.yaml"
    before = profile.read_text().splitlines()
    form = editor.form("/k/mawar/profil/profil")
    assert form.values["penduduk"] == "12345" and form.values["media_sosial.instagram"].startswith("https://")
    wrong = editor.save("/k/mawar/profil/profil", {"penduduk": "12.345"}, base=form.values)
    assert wrong.status_code == 422
    assert "penduduk: harus berupa bilangan bulat (tertulis &#39;12.345&#39;)" in wrong.text
    ok = editor.save("/k/mawar/profil/profil", {"penduduk": "12400", "lurah": "Budi Santoso"})
    assert ok.status_code == 303 and ok.headers["location"] == "/k/mawar/profil/profil?disimpan=1"
    after = profile.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("lurah: Sri Rahayu", "lurah: Budi Santoso"), ("penduduk: 12345", "penduduk: 12400")]


def test_a_warning_does_not_stop_a_save_and_is_shown_next_to_its_field(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    response = editor.save("/k/mawar/berita/kerja-bakti", {"tanggal": "2999-08-17"})
    assert response.status_code == 303
    assert "tanggal: \"2999-08-17\"" in (studio.site / "kelurahan/mawar/berita/kerja-bakti.md").read_text()
    page = editor.client.get(response.headers["location"]).text
    assert "peringatan: tanggal: tanggal berita belum tiba (tertulis &#39;2999-08-17&#39;" in page
    assert text_of(page, "f-tanggal-peringatan").startswith("peringatan: tanggal: tanggal berita belum tiba")


def test_a_wisata_and_a_berita_with_photos_are_added_and_built(studio: StudioProcess, tmp_path: Path) -> None:
    editor = Editor(studio).login("editor-mawar")
    photo = ("kamera.jpg", jpeg_bytes(), "image/jpeg")
    wisata = editor.save("/k/mawar/wisata/+baru", {"nama": "Kampung Lampion", "lokasi": "-7.5650, 110.7880",
                                                 "jam_buka": "17.00\u201322.00", "isi": "Lampion warna-warni.\n"},
                         files={"foto_kamera": photo})
    assert wisata.status_code == 303
    berita = editor.save("/k/mawar/berita/+baru", {"judul": "Lomba Lampion", "tanggal": "2024-09-20",
                                                 "isi": "Pemenang **lomba** diumumkan.\n"},
                         files={"foto_galeri": photo})
    assert berita.status_code == 303
    preview = editor.client.get("/pratinjau/mawar/berita/lomba-lampion/")
    assert preview.status_code == 200 and "Lomba Lampion" in preview.text
    assert "<strong>lomba</strong>" in preview.text
    output = tmp_path / "out"
    build(studio.site, output)
    for page in ("mawar/wisata/kampung-lampion/index.html", "mawar/berita/lomba-lampion/index.html"):
        parsed = parse_html(output / page)
        photos = [e.attrs["src"] for e in parsed.elements if e.tag == "img" and "foto" in e.attrs.get("class", "")]
        assert photos and all("media/" in src for src in photos), page


def test_markdown_preview_shows_the_text_as_the_site_will_without_saving(studio: StudioProcess) -> None:
    editor = Editor(studio).login("editor-mawar")
    before = (studio.site / WARUNG).read_bytes()
    form = editor.form("/k/mawar/umkm/warung-bu-sri").values
    form.update({"isi": "Buka **pagi**.\n\n<script>alert(1)</script>\n", "aksi": "pratinjau-isi"})
    response = editor.post("/k/mawar/umkm/warung-bu-sri", form, token=form.pop("csrf"),
                           files={"foto_galeri": ("", b"", "application/octet-stream")})
    assert response.status_code == 200
    shown = response.text[response.text.index('id="pratinjau-isi"'):]
    assert "<strong>pagi</strong>" in shown and "<script>alert" not in response.text
    assert (studio.site / WARUNG).read_bytes() == before


def jpeg_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (30, 20), (200, 100, 50)).save(out, "JPEG")
    return out.getvalue()


def test_a_site_of_desa_is_worded_desa_in_the_studio(make_site: Callable[..., Path]) -> None:
    site = make_site()
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "istilah:\n  satuan: desa\n", encoding="utf-8")
    add_account(site, "diskominfo", "--admin")
    add_account(site, "editor-mawar", "--kelurahan", "mawar,melati")  # two: the home page lists them
    with running_studio(site) as studio:
        editor = Editor(studio).login("editor-mawar")
        assert "<h1>Pilih desa</h1>" in editor.client.get("/").text
        assert "Profil desa" in editor.client.get("/k/mawar/profil/profil").text
        assert "bukan bagian dari desa Anda" in editor.client.get("/k/kenanga").text
        admin = Editor(studio).login("diskominfo")
        page = admin.client.get("/admin").text
        assert '<th scope="col">Desa</th>' in page and "Desa (dipisah koma)" in page
        assert '<th scope="col">Kelurahan</th>' not in page
        refused = admin.post("/admin/akun", {"nama": "editor-baru", "kelurahan": "tidak-ada"},
                             token=admin.csrf("/admin"))
        assert refused.status_code == 400 and "desa tidak dikenal: tidak-ada" in refused.text


def test_an_item_named_baru_is_editable_like_any_other(studio: StudioProcess) -> None:
    """The new-item form lives at .../+baru, so an item file named baru.md does not collide with it."""
    editor = Editor(studio).login("editor-mawar")
    created = editor.save("/k/mawar/berita/+baru", {"judul": "Baru", "tanggal": "2024-09-20"})
    assert created.status_code == 303, created.text
    assert (studio.site / "kelurahan/mawar/berita/baru.md").is_file()
    assert 'href="/k/mawar/berita/baru"' in editor.client.get("/k/mawar").text
    form = editor.form("/k/mawar/berita/baru")
    assert form.values["judul"] == "Baru"
    saved = editor.save("/k/mawar/berita/baru", {"judul": "Baru saja dibuka"}, base=form.values)
    assert saved.status_code == 303, saved.text
    assert front(studio.site, "kelurahan/mawar/berita/baru.md")["judul"] == "Baru saja dibuka"
    assert editor.form("/k/mawar/berita/+baru").values.get("judul", "") == "", "the new-item form stays empty"
