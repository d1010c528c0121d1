"""``kelurahan publish`` to real servers the tests start on 127.0.0.1: OpenSSH's sshd (SFTP,
release folders) and pyftpdlib (FTP and explicit FTPS, files replaced in place), with faults:
a connection cut after N bytes and a rerun, a wrong password or key, an unknown and a changed
host key, a read-only folder, and files changed or injected on the host."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import assert_exit, run_cli, tree_bytes
from publish_helpers import build_site, changed_files, edit_beranda, noise_png, publish, publish_counts, whole
from servers import Ftpd, Sshd, ftpd, keygen, proxy, sshd

from generator.publish.transport import META_DIR, TEMP_SUFFIX


def rerun(site: Path, url: str, host_root: Path) -> None:
    """Publish again after a cut. If the cut came after the lock was taken, the host never
    answered again while the proxy was cut, so the lock stayed: the rerun names it and how to
    clear it; do what it says, then publish once more. ``host_root``: the local folder the
    server shows as ``/``."""
    result = run_cli(site, "publish", "--target", url)
    if result.exit_code == 0:
        return
    assert_exit(result, 1)
    match = re.search(r"tujuan terkunci; .*hapus berkas (\S+) lalu jalankan lagi", result.stderr)
    assert match, result.stderr
    lock = host_root / urlsplit(match.group(1)).path.lstrip("/")
    assert lock.name == "kunci" and lock.is_file(), lock
    lock.unlink()
    publish(site, "--target", url)


# -- SFTP --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    with sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def ssh_client(ssh_server: Sshd, monkeypatch: pytest.MonkeyPatch) -> Sshd:
    """The client side: HOME with the key and known_hosts, no ssh-agent of the machine."""
    monkeypatch.setenv("HOME", str(ssh_server.home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    ssh_server.known_hosts()
    return ssh_server


def edit_all(site: Path, text: str) -> dict[str, bytes]:
    for slug in ("mawar", "melati", "kenanga"):
        edit_beranda(site, slug, text)
    return build_site(site)


def test_sftp_publish_republish_and_rollback(site: Path, tmp_path: Path, ssh_client: Sshd) -> None:
    www = tmp_path / "www"
    url = ssh_client.url(www)
    first = build_site(site)
    counts = publish_counts(publish(site, "--target", url))
    assert counts["baru"] == len(first) and tree_bytes(www / "current") == first
    assert os.readlink(www / "current").startswith("rilis/")
    edit_beranda(site, "mawar", "Satu baris baru.")
    second = build_site(site)
    counts = publish_counts(publish(site, "--target", url))
    assert counts["terkirim"] == len(changed_files(first, second)) == counts["diganti"]
    assert tree_bytes(www / "current") == second
    assert "sama dengan yang diterbitkan" in publish(site, "--target", url, "--periksa").stderr
    publish(site, "--target", url, "--rollback")
    assert tree_bytes(www / "current") == first


@pytest.mark.parametrize("cut_after", [3_000, 60_000, 200_000])
def test_sftp_cut_connection_leaves_the_old_site_and_a_rerun_finishes(
        site: Path, tmp_path: Path, ssh_client: Sshd, cut_after: int) -> None:
    www = tmp_path / "www"
    old = build_site(site)
    publish(site, "--target", ssh_client.url(www))
    (site / "kelurahan/mawar/media/besar.png").write_bytes(noise_png())
    new = edit_all(site, "Versi baru dengan berkas besar.")
    with proxy(ssh_client.port, cut_after=cut_after) as relay:
        known = ssh_client.home / ".ssh/known_hosts"
        known.write_text(known.read_text() + f"[127.0.0.1]:{relay.port} {ssh_client.host_key_line}\n")
        cut = publish(site, "--target", ssh_client.url(www, relay.port), code=1)
    assert relay.cut.is_set()
    assert "terputus" in cut.stderr or "tidak bisa dihubungi" in cut.stderr, cut.stderr
    assert tree_bytes(www / "current") in (old, new), "the host serves the whole old or the whole new site"
    rerun(site, ssh_client.url(www), Path("/"))
    assert tree_bytes(www / "current") == new


def test_unknown_and_changed_host_keys_are_fatal_and_show_the_fingerprint(
        site: Path, tmp_path: Path, ssh_client: Sshd) -> None:
    www = tmp_path / "www"
    build_site(site)
    known = ssh_client.home / ".ssh/known_hosts"
    known.write_text("")
    unknown = publish(site, "--target", ssh_client.url(www), code=1)
    assert "kunci host belum dikenal (sidik jari SHA256:" in unknown.stderr
    assert f"[127.0.0.1]:{ssh_client.port} {ssh_client.host_key_line}" in unknown.stderr, "the line to trust it"
    other = keygen(tmp_path / "lain")
    ssh_client.known_hosts(" ".join(other.split()[:2]))
    changed = publish(site, "--target", ssh_client.url(www), code=1)
    assert "kunci host BERUBAH" in changed.stderr and "ssh-keygen -R" in changed.stderr
    # The same under a hashed host name (ssh-keygen -H, HashKnownHosts in Debian's ssh_config).
    salt = os.urandom(20)
    hashed = hmac.new(salt, f"[127.0.0.1]:{ssh_client.port}".encode(), hashlib.sha1).digest()
    entry = f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(hashed).decode()}"
    known.write_text(f"{entry} {' '.join(other.split()[:2])}\n")
    changed = publish(site, "--target", ssh_client.url(www), code=1)
    assert "kunci host BERUBAH" in changed.stderr and "ssh-keygen -R" in changed.stderr, changed.stderr
    assert not www.exists(), "nothing was written"
    ssh_client.known_hosts()
    publish(site, "--target", ssh_client.url(www))


def test_a_key_the_host_does_not_accept(site: Path, tmp_path: Path, ssh_client: Sshd,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "rumah"
    (home / ".ssh").mkdir(parents=True)
    keygen(home / ".ssh/id_ed25519")
    (home / ".ssh/known_hosts").write_text((ssh_client.home / ".ssh/known_hosts").read_text())
    monkeypatch.setenv("HOME", str(home))
    build_site(site)
    refused = publish(site, "--target", ssh_client.url(tmp_path / "www"), code=1)
    assert "login SSH ditolak" in refused.stderr and "authorized_keys" in refused.stderr


def test_a_read_only_sftp_folder(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site)
    with sshd(tmp_path / "sshd-ro", read_only=True) as server:
        monkeypatch.setenv("HOME", str(server.home))
        monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
        refused = publish(site, "--target", server.url(tmp_path / "www"), code=1)
    assert "izin ditolak" in refused.stderr and str(tmp_path / "www") in refused.stderr, refused.stderr


def test_sftp_tamper_check(site: Path, tmp_path: Path, ssh_client: Sshd) -> None:
    www = tmp_path / "www"
    build_site(site)
    publish(site, "--target", ssh_client.url(www))
    release = (www / "current").resolve()
    (release / "index.html").unlink()
    (release / "index.html").write_text("diretas")
    (release / "assets/x.php").write_text("<?php eval($_POST['x']); ?>")
    found = publish(site, "--target", ssh_client.url(www), "--periksa", code=1)
    assert "diubah di host: index.html" in found.stdout and "ditambahkan di host: assets/x.php" in found.stdout


# -- FTP and FTPS ------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["ftp", "ftps"])
def ftp_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ftpd]:
    root = tmp_path_factory.mktemp(request.param)
    with ftpd(root, root / "home", tls=request.param == "ftps") as server:
        server.home = root / "home"  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def ftp_client(ftp_server: Ftpd, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Ftpd, Path, str]:
    """The password in the environment, the test certificate trusted; a fresh folder on the host."""
    monkeypatch.setenv("KELURAHAN_FTP_PASSWORD", ftp_server.password)
    monkeypatch.setenv("HOME", str(tmp_path))
    if ftp_server.cert:
        monkeypatch.setenv("SSL_CERT_FILE", str(ftp_server.cert))
    folder = f"/{tmp_path.name}"
    return ftp_server, ftp_server.home / tmp_path.name, folder  # type: ignore[attr-defined]


def on_host(home: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in tree_bytes(home).items() if not rel.startswith(META_DIR + "/")}


def test_ftp_publish_republish_tamper_check_and_rollback(site: Path, ftp_client: tuple[Ftpd, Path, str]) -> None:
    server, home, folder = ftp_client
    url = server.url(folder)
    first = build_site(site)
    assert publish_counts(publish(site, "--target", url))["baru"] == len(first)
    assert on_host(home) == first
    edit_beranda(site, "melati", "Kabar terbaru.")
    second = build_site(site)
    counts = publish_counts(publish(site, "--target", url))
    assert counts["terkirim"] == counts["diganti"] == len(changed_files(first, second))
    assert on_host(home) == second
    (home / "mawar/index.html").write_text("diretas")
    (home / "mawar/shell.php").write_text("<?php ?>")
    found = publish(site, "--target", url, "--periksa", code=1)
    assert "diubah di host: mawar/index.html" in found.stdout and "ditambahkan di host: mawar/shell.php" in found.stdout
    repaired = publish(site, "--target", url)
    assert "Peringatan: diubah di host: mawar/index.html" in repaired.stderr
    assert (home / "mawar/index.html").read_bytes() == second["mawar/index.html"]
    (home / "mawar/shell.php").unlink()
    publish(site, "--target", url, "--rollback")
    assert on_host(home) == first, "rollback republished the previous release from the local snapshot"


def _republish_through_proxy(site: Path, server: Ftpd, folder: str, cut_after: int | None) -> tuple[int, str]:
    with proxy(server.port, cut_after=cut_after, ftp=server.scheme == "ftp") as relay:
        result = publish(site, "--target", server.url(folder, relay.port), code=0 if cut_after is None else 1)
    assert cut_after is None or relay.cut.is_set()
    return relay.sent, result.stderr


@pytest.mark.parametrize("fraction", [0.05, 0.4, 0.75])
def test_ftp_cut_connection_keeps_every_page_whole_and_a_rerun_finishes(
        site: Path, ftp_client: tuple[Ftpd, Path, str], fraction: float) -> None:
    """The proxy cuts after a fraction of the bytes a whole republish sends through it (with
    FTPS only the control connection passes the proxy: the data connections are encrypted
    and go straight to the server)."""
    server, home, folder = ftp_client
    old = build_site(site)
    publish(site, "--target", server.url(folder))
    publish(site, "--target", server.url(folder + "-ukur"))
    (site / "kelurahan/mawar/media/besar.png").write_bytes(noise_png())
    (site / "kelurahan/mawar/beranda.md").write_text("![denah](media/besar.png)\n", encoding="utf-8")
    new = edit_all(site, "Versi baru.")
    total, _ = _republish_through_proxy(site, server, folder + "-ukur", None)
    _, stderr = _republish_through_proxy(site, server, folder, int(total * fraction))
    assert "terputus" in stderr, stderr
    now = {rel: data for rel, data in on_host(home).items() if not rel.endswith(TEMP_SUFFIX)}
    assert whole(now, [old, new]) == []
    rerun(site, server.url(folder), home.parent)
    assert on_host(home) == new


def test_ftp_credentials(site: Path, ftp_client: tuple[Ftpd, Path, str], monkeypatch: pytest.MonkeyPatch,
                         tmp_path: Path) -> None:
    server, home, folder = ftp_client
    build_site(site)
    monkeypatch.setenv("KELURAHAN_FTP_PASSWORD", "sandi-yang-salah")
    wrong = publish(site, "--target", server.url(folder), code=1)
    assert "login FTP ditolak" in wrong.stderr and "sandi-yang-salah" not in wrong.output
    monkeypatch.delenv("KELURAHAN_FTP_PASSWORD")
    missing = publish(site, "--target", server.url(folder), code=1)
    assert "KELURAHAN_FTP_PASSWORD" in missing.stderr and "~/.netrc" in missing.stderr
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {server.user}\nsembarang kata\n")
    netrc.chmod(0o600)
    damaged = publish(site, "--target", server.url(folder), code=1)
    assert f"{netrc}:2: berkas netrc tidak bisa dibaca; periksa isinya" in damaged.stderr, damaged.stderr
    netrc.write_text(f"machine 127.0.0.1 login {server.user} password {server.password}\n")
    publish(site, "--target", server.url(folder))
    assert (home / "index.html").is_file()


def test_a_read_only_ftp_account(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site)
    with ftpd(tmp_path / "ftp-ro", tmp_path / "ro-home", read_only=True) as server:
        monkeypatch.setenv("KELURAHAN_FTP_PASSWORD", server.password)
        refused = publish(site, "--target", server.url("/"), code=1)
    assert "host menolak" in refused.stderr and "izin folder" in refused.stderr, refused.stderr
    assert not list((tmp_path / "ro-home").iterdir())
