"""``kelurahan publish`` to a local folder (file://) through the CLI: release folders and the
``current`` link, incremental republish, rollback, guards, the target lock, the tamper check,
and nginx serving the published site under a sub-path."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest
from conftest import TINY_KECAMATAN, assert_exit, run_cli, tree_bytes
from hardening_helpers import full_disk, run_cli_process
from publish_helpers import (
    build_site,
    changed_files,
    crawl,
    edit_beranda,
    fetch,
    noise_png,
    publish,
    publish_counts,
)
from servers import nginx

from generator.output import build_dir
from generator.publish.plan import decode_state


def url_of(folder: Path) -> str:
    return f"file://{folder}"


def served(www: Path) -> dict[str, bytes]:
    return tree_bytes(www / "current")


def test_publish_to_a_folder_then_a_one_line_edit_sends_only_what_changed(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    first = build_site(site)
    dry = publish(site, "--target", url_of(www), "--dry-run")
    assert f"kirim: {len(first)} berkas" in dry.stdout and "tetap: 0 berkas" in dry.stdout
    assert not (www / "current").exists(), "the dry run touched the target"

    counts = publish_counts(publish(site, "--target", url_of(www)))
    assert counts["baru"] == counts["terkirim"] == len(first)
    assert (www / "current").is_symlink() and served(www) == first
    assert not [p for p in first if p.startswith(".") or "/." in p], "only the public site is published"

    edit_beranda(site, "mawar", "Satu kalimat baru di beranda.")
    second = build_site(site)
    changed = changed_files(first, second)
    assert changed and len(changed) < 4, changed
    dry = publish(site, "--target", url_of(www), "--dry-run")
    assert f"ganti: {len(changed)} berkas" in dry.stdout and served(www) == first
    counts = publish_counts(publish(site, "--target", url_of(www)))
    assert (counts["diganti"], counts["terkirim"], counts["baru"]) == (len(changed), len(changed), 0)
    assert served(www) == second
    again = publish(site, "--target", url_of(www))
    assert publish_counts(again)["terkirim"] == 0 and len(os.listdir(www / "rilis")) == 2, "nothing new, no release"


def test_rollback_switches_back_and_old_releases_are_pruned(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    versions = []
    for number in range(5):
        edit_beranda(site, "melati", f"Versi {number}.")
        versions.append(build_site(site))
        publish(site, "--target", url_of(www))
    assert len(os.listdir(www / "rilis")) == 3, "config default keeps 3 releases"
    result = publish(site, "--target", url_of(www), "--rollback")
    assert "Dikembalikan ke rilis" in result.stderr
    assert served(www) == versions[3]
    publish(site, "--target", url_of(www), "--rollback")
    assert served(www) == versions[2]
    refused = publish(site, "--target", url_of(www), "--rollback", code=1)
    assert "tidak ada rilis sebelumnya" in refused.stderr and served(www) == versions[2]
    publish(site, "--target", url_of(www))
    assert served(www) == versions[4], "publishing again brings the latest build back"
    # A damaged manifest of the release to go back to is named, in Indonesian, and nothing moves.
    previous = decode_state((www / ".kelurahan-terbit/manifest.json").read_bytes()).history[-1]
    (www / f".kelurahan-terbit/rilis/{previous}.json").write_text("{rusak", encoding="utf-8")
    damaged = publish(site, "--target", url_of(www), "--rollback", code=1)
    assert f"rilis/{previous}.json: manifest di host rusak atau diubah orang lain" in damaged.stderr, damaged.stderr
    assert "ValueError" not in damaged.stderr and served(www) == versions[4]


@pytest.mark.parametrize("url, message", [
    ("sftp:///tanpa-host", "tujuan: nama host tidak ada di URL tujuan; tulis misalnya sftp://user@host/folder"),
    ("file://relatif/folder", "tujuan: folder tujuan harus berupa path lengkap"),
    ("sftp://budi@host:99999/x", "tujuan: nomor port tidak valid"),
    ("http://example.org/", "tujuan: jenis tujuan tidak dikenal"),
])
def test_check_refuses_a_target_in_config_that_publish_would_refuse(site: Path, url: str, message: str) -> None:
    with open(site / "config.yaml", "a", encoding="utf-8") as config:
        config.write(f"terbit:\n  tujuan: {url}\n")
    result = run_cli(site, "check")
    assert_exit(result, 1)
    assert re.search(r"^config\.yaml:\d+: " + re.escape(message), result.stderr, re.MULTILINE), result.stderr


def test_target_from_config_and_refused_urls(site: Path, tmp_path: Path) -> None:
    build_site(site)
    missing = publish(site, code=1)
    assert missing.stderr.startswith("config.yaml: tujuan terbit belum diatur"), missing.stderr
    with open(site / "config.yaml", "a", encoding="utf-8") as config:
        config.write(f"terbit:\n  tujuan: {url_of(tmp_path / 'dari-config')}\n  rilis: 2\n")
    publish(site)
    assert (tmp_path / "dari-config/current/index.html").is_file()
    secret = publish(site, "--target", "ftp://budi:Rahasia123@127.0.0.1/www", code=1)
    assert "sandi tidak boleh ditulis di URL" in secret.stderr and "Rahasia123" not in secret.output
    unknown = publish(site, "--target", "http://example.org/", code=1)
    assert "jenis tujuan tidak dikenal" in unknown.stderr


def test_an_unfinished_or_incomplete_build_is_refused(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    no_build = publish(site, "--target", url_of(www), code=1)
    assert "jalankan kelurahan build dulu" in no_build.stderr
    build_site(site)
    (build_dir(site / "output") / "belum-selesai").touch()  # what a killed build leaves
    unfinished = publish(site, "--target", url_of(www), code=1)
    assert "build terakhir tidak selesai" in unfinished.stderr and not www.exists()
    build_site(site)
    shutil.rmtree(site / "output/melati")
    incomplete = publish(site, "--target", url_of(www), code=1)
    assert "kelurahan melati ada di konten tetapi tidak ada di hasil build" in incomplete.stderr
    assert not (www / "current").exists()
    publish(site, "mawar", "--target", url_of(www))
    assert (www / "current/mawar/index.html").is_file() and not (www / "current/melati").exists()


def test_deleting_a_whole_kelurahan_needs_permission(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    build_site(site)
    publish(site, "--target", url_of(www))
    before = served(www)
    shutil.rmtree(site / "kelurahan/kenanga")
    build_site(site)
    refused = publish(site, "--target", url_of(www), code=1)
    assert "seluruh kelurahan kenanga" in refused.stderr and "--izinkan-hapus" in refused.stderr
    assert served(www) == before, "a refused plan changes nothing"
    counts = publish_counts(publish(site, "--target", url_of(www), "--izinkan-hapus"))
    assert counts["dihapus"] > 0 and not (www / "current/kenanga").exists()


def test_slugs_publish_only_those_kelurahan(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    first = build_site(site)
    publish(site, "--target", url_of(www))
    edit_beranda(site, "mawar", "Kabar mawar.")
    edit_beranda(site, "melati", "Kabar melati.")
    second = build_site(site)
    publish(site, "mawar", "--target", url_of(www))
    now = served(www)
    assert now["mawar/index.html"] == second["mawar/index.html"]
    assert now["melati/index.html"] == first["melati/index.html"], "melati was not named"
    unknown = publish(site, "mawar", "bukan-ada", "--target", url_of(www), code=2)
    assert "bukan-ada" in unknown.stderr


def test_a_held_or_stale_target_lock_is_reported(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    build_site(site)
    publish(site, "--target", url_of(www))
    edit_beranda(site, "mawar", "Baru.")
    build_site(site)
    lock = www / ".kelurahan-terbit/kunci"
    lock.write_text(json.dumps({"komputer": "pc-lain", "proses": 1, "sejak": "2026-01-01 08:00:00 UTC"}))
    held = publish(site, "--target", url_of(www), code=1)
    assert "publish lain sedang berjalan (komputer pc-lain" in held.stderr
    assert f"hapus berkas {url_of(lock)}" in held.stderr
    dead = 2**22 + 12345  # above Linux's largest pid: no such process
    lock.write_text(json.dumps({"komputer": socket.gethostname(), "proses": dead, "sejak": "2026-01-01 08:00:00 UTC"}))
    stale = publish(site, "--target", url_of(www), code=1)
    assert "kunci basi" in stale.stderr
    lock.unlink()
    publish(site, "--target", url_of(www))
    assert not lock.exists(), "the lock is removed after a publish"


def test_tamper_check_finds_changed_added_and_removed_files_and_publish_repairs(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    output = build_site(site)
    publish(site, "--target", url_of(www))
    clean = publish(site, "--target", url_of(www), "--periksa")
    assert "sama dengan yang diterbitkan" in clean.stderr
    release = (www / "current").resolve()
    page = release / "mawar/index.html"
    page.unlink()  # a hard link shared with older releases: replace, never edit in place
    page.write_text("<h1>diretas</h1>")
    (release / "mawar/shell.php").write_text("<?php system($_GET['c']); ?>")
    (release / "melati/index.html").unlink()
    found = publish(site, "--target", url_of(www), "--periksa", code=1)
    assert "diubah di host: mawar/index.html" in found.stdout
    assert "ditambahkan di host: mawar/shell.php" in found.stdout
    assert "hilang dari host: melati/index.html" in found.stdout
    repaired = publish(site, "--target", url_of(www))
    assert "Peringatan: diubah di host: mawar/index.html" in repaired.stderr
    assert publish_counts(repaired)["terkirim"] == 2
    assert served(www) == output, "the new release holds exactly the build (the injected file is not carried)"
    assert "sama dengan yang diterbitkan" in publish(site, "--target", url_of(www), "--periksa").stderr


def test_options_that_do_not_combine(site: Path, tmp_path: Path) -> None:
    result = run_cli(site, "publish", "--dry-run", "--rollback", "--target", url_of(tmp_path))
    assert result.exit_code == 2 and "tidak bisa dipakai bersamaan" in result.stderr
    helped = run_cli(site, "publish", "--help")
    for option in ("--target", "--dry-run", "--rollback", "--periksa", "--izinkan-hapus"):
        assert option in helped.output


@pytest.mark.parametrize("prefix", ["/kelurahan/", "/kota/surakarta/"])
def test_nginx_serves_every_page_of_the_published_site_under_a_sub_path(site: Path, tmp_path: Path,
                                                                        prefix: str) -> None:
    www = tmp_path / "www"
    config = site / "config.yaml"  # published under a sub-path: base_url says so (the 404 page links from it)
    config.write_text(re.sub(r"(?m)^base_url:.*$", f"base_url: https://kelurahan.example.go.id{prefix}",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    output = build_site(site)
    publish(site, "--target", url_of(www))
    pages = sorted(rel for rel in output if rel.endswith(".html"))
    assert len(pages) > 10 and all(f"{slug}/index.html" in pages for slug in TINY_KECAMATAN)
    with nginx(tmp_path / "nginx", www / "current", prefix) as base:
        assert crawl(base, pages) == []
        edit_beranda(site, "kenanga", "Pengumuman baru.")
        build_site(site)
        publish(site, "--target", url_of(www))
        assert crawl(base, ["kenanga/index.html"]) == []
        status, body = fetch(base + "kenanga/")
        assert status == 200 and b"Pengumuman baru." in body


def test_a_publish_cut_after_its_switch_is_adopted_not_removed(site: Path, tmp_path: Path) -> None:
    """A cut between the switch of ``current`` and the manifest write leaves the new release
    live and the old manifest: the next publish adopts the live release instead of removing it."""
    www = tmp_path / "www"
    first = build_site(site)
    publish(site, "--target", url_of(www))
    manifest = www / ".kelurahan-terbit/manifest.json"
    saved = manifest.read_bytes()
    edit_beranda(site, "mawar", "Versi kedua.")
    second = build_site(site)
    publish(site, "--target", url_of(www))
    manifest.write_bytes(saved)  # as if the connection was cut right after the switch
    assert "sama dengan yang diterbitkan" in publish(site, "--target", url_of(www), "--periksa").stderr
    assert publish_counts(publish(site, "--target", url_of(www)))["terkirim"] == 0
    assert served(www) == second
    publish(site, "--target", url_of(www), "--rollback")
    assert served(www) == first


def test_a_full_disk_on_the_host_leaves_the_site_whole(site: Path, tmp_path: Path) -> None:
    www = tmp_path / "www"
    old = build_site(site)
    publish(site, "--target", url_of(www))
    (site / "kelurahan/mawar/media/besar.png").write_bytes(noise_png())
    (site / "kelurahan/mawar/beranda.md").write_text("![denah](media/besar.png)\n", encoding="utf-8")
    new = build_site(site)
    full = run_cli_process(site, "publish", "--target", url_of(www), preexec_fn=full_disk(100_000))
    assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr
    assert "disk host penuh" in full.stderr and "mawar/media/besar." in full.stderr, full.stderr
    assert served(www) == old
    publish(site, "--target", url_of(www))
    assert served(www) == new


def test_an_unreachable_host(site: Path, tmp_path: Path) -> None:
    build_site(site)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    for scheme in ("sftp", "ftp"):
        result = publish(site, "--target", f"{scheme}://budi@127.0.0.1:{port}/www", code=1,
                         env={"KELURAHAN_FTP_PASSWORD": "x"})
        assert "host tidak bisa dihubungi (koneksi ditolak)" in result.stderr, result.stderr
        assert "periksa nama host, port" in result.stderr and "Errno" not in result.stderr
