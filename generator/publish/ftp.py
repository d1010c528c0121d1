"""FTP and FTPS (``ftp://user@host/path``, ``ftps://`` = explicit TLS) through ftplib.

The password comes from the environment variable ``KELURAHAN_FTP_PASSWORD`` or from
``~/.netrc`` (``machine HOST login USER password ...``), never from a file of the site.
FTPS data connections reuse the TLS session of the control connection, as strict servers
demand. Transfers run over a few connections at once.
"""

from __future__ import annotations

import contextlib
import ftplib
import hashlib
import io
import netrc
import os
import posixpath
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..errors import os_reason
from .transport import TEMP_SUFFIX, Done, PublishError, Target, unreachable

PASSWORD_VARIABLE = "KELURAHAN_FTP_PASSWORD"
CONNECTIONS = 3
TIMEOUT = 30
T = TypeVar("T")
FAILURES = (ftplib.Error, OSError, EOFError)


class _ReusingTLS(ftplib.FTP_TLS):
    """FTPS whose data connections resume the control connection's TLS session."""

    def ntransfercmd(self, cmd: str, rest: int | str | None = None) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            session = self.sock.session if isinstance(self.sock, ssl.SSLSocket) else None
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


def password_for(target: Target) -> str:
    """The FTP password: the environment variable first, then ``~/.netrc``."""
    if secret := os.environ.get(PASSWORD_VARIABLE):
        return secret
    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    try:
        found = netrc.netrc(str(path)).authenticators(target.host) if path.is_file() else None
    except netrc.NetrcParseError as error:
        raise PublishError(f"{path}:{error.lineno}", "berkas netrc tidak bisa dibaca",
                           "periksa isinya: machine HOST login USER password SANDI; izinnya harus 600") from None
    except OSError as error:
        raise PublishError(str(path), f"berkas netrc tidak bisa dibaca ({os_reason(error)})",
                           "periksa isinya: machine HOST login USER password SANDI; izinnya harus 600") from None
    if found and found[2] and (not target.user or found[0] == target.user):
        return found[2]
    raise PublishError(target.where(), f"sandi FTP untuk user '{target.user}' tidak ditemukan",
                       f"isi variabel lingkungan {PASSWORD_VARIABLE} atau tambahkan "
                       f"'machine {target.host} login {target.user} password ...' ke ~/.netrc (izin 600)")


def ftp_error(target: Target, rel: str, error: BaseException) -> PublishError:
    """An ftplib failure in Indonesian, naming the remote path and what to do."""
    where = target.where(rel)
    text = str(error)
    if isinstance(error, ftplib.error_perm) and text[:3] in ("530", "332"):
        return PublishError(where, "login FTP ditolak (user atau sandi salah)",
                            f"periksa user di URL dan sandi di {PASSWORD_VARIABLE} atau ~/.netrc")
    if text[:3] in ("452", "552"):
        return PublishError(where, "disk host penuh",
                            "kosongkan ruang di host lalu jalankan lagi; situs lama tetap utuh")
    if isinstance(error, ftplib.error_perm) and text[:3] in ("550", "553"):
        return PublishError(where, f"host menolak ({text})",
                            "periksa izin folder untuk user FTP ini di host lalu jalankan lagi")
    if isinstance(error, ssl.SSLError) and not _cut(error):
        return PublishError(where, f"TLS gagal ({error.reason or error})",
                            "periksa sertifikat host (SSL_CERT_FILE untuk sertifikat sendiri) lalu jalankan lagi")
    if isinstance(error, OSError | EOFError) or text[:3] == "421":
        return PublishError(where, "koneksi ke host terputus",
                            "jalankan lagi: berkas yang sudah terkirim tidak dikirim ulang, dan halaman di host "
                            "tetap lengkap")
    return PublishError(where, f"host menolak ({text})", "periksa host lalu jalankan lagi")


class FtpTransport:
    """A control connection for small steps, and a few more for uploads."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.root = target.path.rstrip("/") or "/"
        self.secret = password_for(target)
        self.made: set[str] = set()
        self.made_lock = threading.Lock()
        self.main = self._connect()

    def _connect(self) -> ftplib.FTP:
        tls = self.target.scheme == "ftps"
        ftp: ftplib.FTP = _ReusingTLS(context=ssl.create_default_context(), timeout=TIMEOUT) if tls \
            else ftplib.FTP(timeout=TIMEOUT)
        try:
            ftp.connect(self.target.host, self.target.port or 21)
            ftp.login(self.target.user or "anonymous", self.secret)
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.prot_p()
        except (ftplib.Error, OSError, EOFError) as error:
            ftp.close()
            if isinstance(error, ConnectionRefusedError | socket.gaierror | TimeoutError):
                raise unreachable(self.target, error) from None
            raise ftp_error(self.target, "", error) from None
        return ftp

    def _path(self, rel: str) -> str:
        return posixpath.join(self.root, rel) if rel else self.root

    def _call(self, rel: str, work: Callable[[], T]) -> T:
        try:
            return work()
        except FAILURES as error:
            raise ftp_error(self.target, rel, error) from None

    def read(self, rel: str) -> bytes | None:
        return self._call(rel, lambda: _retrieve(self.main, self._path(rel)))

    def _store(self, ftp: ftplib.FTP, rel: str, data: io.BufferedIOBase | io.BytesIO) -> None:
        temp = self._path(rel) + TEMP_SUFFIX
        try:
            ftp.storbinary(f"STOR {temp}", data)
        except ftplib.error_perm:  # refused before any data was read: most likely no such folder yet
            self._make_dirs(ftp, posixpath.dirname(rel))
            ftp.storbinary(f"STOR {temp}", data)
        try:
            ftp.rename(temp, self._path(rel))
        except ftplib.error_perm:  # servers that refuse to rename over a file: a short gap
            ftp.delete(self._path(rel))
            ftp.rename(temp, self._path(rel))

    def write(self, rel: str, data: bytes) -> None:
        self._call(rel, lambda: self._store(self.main, rel, io.BytesIO(data)))

    def create(self, rel: str, data: bytes) -> bool:
        def create() -> bool:
            if _retrieve(self.main, self._path(rel)) is not None:
                return False
            self._store(self.main, rel, io.BytesIO(data))
            return True
        return self._call(rel, create)

    def _make_dirs(self, ftp: ftplib.FTP, folder: str) -> None:
        """Create ``folder`` (relative to the target folder) after a STOR into it was refused:
        the folder itself first, its parents only when that fails (usually they exist)."""
        path = self._path(folder)
        with self.made_lock:
            if path in self.made:
                return
        try:
            ftp.mkd(path)
        except ftplib.error_perm:
            parent = posixpath.dirname(folder)
            if folder and posixpath.dirname(path) != path:
                self._make_dirs(ftp, parent) if parent else self._make_root(ftp)
            with contextlib.suppress(ftplib.error_perm):
                ftp.mkd(path)  # refused again: it exists, or the STOR that follows names the problem
        with self.made_lock:
            self.made.add(path)

    def _make_root(self, ftp: ftplib.FTP) -> None:
        parts = [p for p in self.root.split("/") if p]
        for depth in range(len(parts)):
            with contextlib.suppress(ftplib.error_perm):
                ftp.mkd("/" + "/".join(parts[: depth + 1]))

    def _prepare_folders(self, connections: list[ftplib.FTP], files: Sequence[tuple[str, Path]]) -> None:
        """For a large batch (a first publish), create its folders up front, level by level,
        spread over the connections, instead of one refused STOR per new folder."""
        wanted = {posixpath.dirname(rel) for rel, _ in files} - {""}
        wanted = {"/".join(f.split("/")[: i + 1]) for f in wanted for i in range(f.count("/") + 1)}
        self._make_root(connections[0])
        for depth in sorted({f.count("/") for f in wanted}):
            level = sorted(f for f in wanted if f.count("/") == depth)
            shares = [[self._path(f) for f in level[i::len(connections)]] for i in range(len(connections))]
            with ThreadPoolExecutor(max_workers=len(connections)) as pool:  # one thread per connection
                list(pool.map(_mkd_quietly, connections, shares))
        with self.made_lock:
            self.made |= {self._path(f) for f in wanted}

    def upload(self, files: Sequence[tuple[str, Path]], done: Done) -> dict[str, PublishError]:
        failed: dict[str, PublishError] = {}
        lock = threading.Lock()
        queue = list(reversed(files))
        count = min(CONNECTIONS, max(1, len(files) // 4))
        connections = [self.main]
        try:
            connections += [self._connect() for _ in range(count - 1)]
            if len(files) > 8:
                self._call(files[0][0], lambda: self._prepare_folders(connections, files))
        except PublishError as error:
            for extra in connections[1:]:
                _quit(extra)
            return {files[0][0]: error}

        def worker(ftp: ftplib.FTP) -> None:
            while True:
                with lock:
                    if failed or not queue:
                        break
                    rel, source = queue.pop()
                try:
                    with open(source, "rb") as handle:
                        self._store(ftp, rel, handle)
                except FAILURES as error:
                    with lock:
                        failed[rel] = ftp_error(self.target, rel, error)
                    break
                done(rel, source.stat().st_size)
            if ftp is not self.main:
                _quit(ftp)

        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(worker, connections))
        return failed

    def remove(self, rels: Sequence[str]) -> None:
        for rel in rels:
            self._call(rel, lambda rel=rel: _delete(self.main, self._path(rel)))  # type: ignore[misc]

    def remove_tree(self, rel: str, known: Sequence[str] = ()) -> None:
        def remove_tree(folder: str) -> None:
            for name, kind in _entries(self.main, self._path(folder)):
                child = posixpath.join(folder, name)
                remove_tree(child) if kind == "dir" else _delete(self.main, self._path(child))
            self.main.rmd(self._path(folder))
        self._call(rel, lambda: remove_tree(rel))

    def listdir(self, rel: str) -> list[str]:
        return self._call(rel, lambda: sorted(name for name, _kind in _entries(self.main, self._path(rel))))

    def files(self, rel: str) -> dict[str, str]:
        def walk(folder: str, found: dict[str, str]) -> None:
            for name, kind in _entries(self.main, self._path(posixpath.join(rel, folder))):
                child = posixpath.join(folder, name) if folder else name
                if kind == "dir":
                    walk(child, found)
                else:
                    data = _retrieve(self.main, self._path(posixpath.join(rel, child))) or b""
                    found[child] = hashlib.sha256(data).hexdigest()
        found: dict[str, str] = {}
        self._call(rel, lambda: walk("", found))
        return dict(sorted(found.items()))

    def can_link(self) -> bool:
        return False

    def link(self, pairs: Sequence[tuple[str, str]]) -> None:
        raise PublishError(self.target.where(), "FTP tidak mendukung tautan", "pakai SFTP untuk folder rilis")

    def switch(self, rel: str, points_to: str) -> None:
        self.link([])

    def readlink(self, rel: str) -> str | None:
        return None

    def close(self) -> None:
        _quit(self.main)


def _cut(error: ssl.SSLError) -> bool:
    """A TLS error that only says the connection ended (cut half-way, not a certificate problem)."""
    return isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError) or "EOF" in str(error.reason or "")


def _mkd_quietly(ftp: ftplib.FTP, paths: list[str]) -> None:
    """MKD each; a refusal means it exists (or the STOR into it will name the problem)."""
    for path in paths:
        with contextlib.suppress(ftplib.error_perm):
            ftp.mkd(path)


def _retrieve(ftp: ftplib.FTP, path: str) -> bytes | None:
    buffer = io.BytesIO()
    try:
        ftp.retrbinary(f"RETR {path}", buffer.write)
    except ftplib.error_perm as error:
        if str(error)[:3] == "550":
            return None
        raise
    return buffer.getvalue()


def _delete(ftp: ftplib.FTP, path: str) -> None:
    try:
        ftp.delete(path)
    except ftplib.error_perm as error:
        if str(error)[:3] != "550":
            raise


def _entries(ftp: ftplib.FTP, path: str) -> list[tuple[str, str]]:
    """(name, "dir" or "file") of a folder, by MLSD; none when it does not exist."""
    try:
        facts: list[tuple[str, dict[str, Any]]] = list(ftp.mlsd(path, ["type"]))
    except ftplib.error_perm as error:
        if str(error)[:3] == "550":
            return []
        raise
    return [(name, "dir" if f.get("type") == "dir" else "file") for name, f in facts
            if f.get("type") not in ("cdir", "pdir") and name not in (".", "..")]


def _quit(ftp: ftplib.FTP) -> None:
    try:
        ftp.quit()
    except FAILURES:
        ftp.close()
