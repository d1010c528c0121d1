"""SFTP (``sftp://user@host[:port]/path``) through asyncssh: ssh-agent or key files from
``~/.ssh``, strict host-key checking against ``~/.ssh/known_hosts``, pipelined requests."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import posixpath
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from .transport import TEMP_SUFFIX, Done, PublishError, Target, unreachable

# Requests in flight. A file costs about five round trips (open, write, close, rename), so on a
# far host the first publish is bound by how many files travel at once; OpenSSH's sftp-server
# keeps one handle per open file, well under its limit at 64. Small requests (hard links,
# removes) all go at once: a one-file republish then costs the same few round trips whatever
# the number of files on the host (bench/README.md).
PARALLEL_FILES = 64
PARALLEL_REQUESTS = 8192
T = TypeVar("T")

LOST = (asyncssh.DisconnectError, asyncssh.ConnectionLost, asyncssh.SFTPConnectionLost,
        asyncssh.SFTPNoConnection, ConnectionError, BrokenPipeError, EOFError)


def known_hosts_file() -> Path:
    """Where the host keys this user trusts are (OpenSSH's own file)."""
    return Path.home() / ".ssh" / "known_hosts"


def _host_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def sftp_error(target: Target, rel: str, error: BaseException) -> PublishError:
    """An asyncssh failure in Indonesian, naming the remote path and what to do."""
    where = target.where(rel)
    if isinstance(error, asyncssh.SFTPPermissionDenied | asyncssh.SFTPWriteProtect):
        return PublishError(where, "izin ditolak: folder tujuan di host tidak bisa ditulis",
                            f"periksa pemilik dan izin folder untuk user '{target.user}' di host lalu jalankan lagi")
    if isinstance(error, asyncssh.SFTPNoSpaceOnFilesystem | asyncssh.SFTPQuotaExceeded):
        return PublishError(where, "disk host penuh",
                            "kosongkan ruang di host lalu jalankan lagi; situs lama tetap utuh")
    if isinstance(error, LOST):
        return PublishError(where, "koneksi ke host terputus",
                            "jalankan lagi: berkas yang sudah terkirim tidak dikirim ulang, dan situs di host "
                            "tetap utuh (versi lama atau baru)")
    reason = getattr(error, "reason", "") or str(error) or type(error).__name__
    return PublishError(where, f"host menolak ({reason})",
                        "periksa ruang disk dan izin folder di host lalu jalankan lagi")


class SftpTransport:
    """One SSH connection, one SFTP session, many requests in flight."""

    def __init__(self, target: Target) -> None:
        self.target = target
        # The loop runs in its own thread, so a caller that already runs an event loop (the
        # web editor, a test's browser) can still call this synchronous transport.
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sftp", daemon=True)
        self.thread.start()
        # A cut connection makes asyncio log "socket.send() raised exception" to stderr; the
        # publish error says it in Indonesian instead.
        logging.getLogger("asyncio").setLevel(logging.ERROR)
        self.root = target.path.rstrip("/") or "/"
        self.root_made = False
        self.made: set[str] = set()
        try:
            self.conn, self.sftp = self._run(self._connect())
        except BaseException:
            self._stop()
            raise

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()

    def _stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def _path(self, rel: str) -> str:
        return posixpath.join(self.root, rel) if rel else self.root

    async def _connect(self) -> tuple[asyncssh.SSHClientConnection, asyncssh.SFTPClient]:
        port = self.target.port or 22
        hosts_file = known_hosts_file()
        known = asyncssh.import_known_hosts(hosts_file.read_text() if hosts_file.is_file() else "")
        try:
            conn = await asyncssh.connect(self.target.host, port, username=self.target.user or None,
                                          known_hosts=known, connect_timeout=30)
        except asyncssh.HostKeyNotVerifiable:
            raise await self._host_key_error(port, hosts_file) from None
        except asyncssh.PermissionDenied:
            raise PublishError(self.target.where(), f"login SSH ditolak untuk user '{self.target.user}'",
                               "tambahkan kunci publik Anda ke ~/.ssh/authorized_keys di host, atau jalankan "
                               "ssh-agent dan ssh-add dengan kunci yang benar") from None
        except (OSError, asyncssh.Error, TimeoutError) as error:
            raise unreachable(self.target, error) from None
        except ValueError as error:  # a key file asyncssh cannot read (asyncssh.KeyImportError)
            raise PublishError(self.target.where(), f"kunci SSH tidak bisa dibaca ({error})",
                               "periksa berkas kunci di ~/.ssh, atau muat kuncinya dengan ssh-add") from None
        return conn, await conn.start_sftp_client()

    async def _host_key_error(self, port: int, hosts_file: Path) -> PublishError:
        name = _host_name(self.target.host, port)
        try:
            key = await asyncssh.get_server_host_key(self.target.host, port)
        except (OSError, asyncssh.Error):
            key = None
        if key is None:
            return PublishError(self.target.where(), "kunci host tidak bisa diperiksa",
                                "periksa nama host dan port lalu jalankan lagi")
        fingerprint = key.get_fingerprint("sha256")
        line = f"{name} {key.export_public_key('openssh').decode().strip()}"
        if _listed(hosts_file, self.target.host, port):
            return PublishError(self.target.where(), f"kunci host BERUBAH (sidik jari sekarang {fingerprint}); "
                                "bisa jadi server diganti, atau ada yang menyadap koneksi",
                                f"tanyakan pengelola host apakah kuncinya memang diganti; bila ya, hapus kunci lama "
                                f"dengan: ssh-keygen -R '{name}', lalu tambahkan baris ini ke {hosts_file}: {line}")
        return PublishError(self.target.where(), f"kunci host belum dikenal (sidik jari {fingerprint})",
                            f"pastikan sidik jari itu sama dengan milik server (tanyakan pengelola host), lalu "
                            f"tambahkan baris ini ke {hosts_file}: {line}")

    async def _guard(self, rel: str, work: Awaitable[T]) -> T:
        try:
            return await work
        except PublishError:
            raise
        except (asyncssh.Error, OSError, EOFError) as error:
            raise sftp_error(self.target, rel, error) from None

    def _call(self, rel: str, work: Callable[[], Awaitable[T]]) -> T:
        return self._run(self._guard(rel, work()))

    def read(self, rel: str) -> bytes | None:
        async def read() -> bytes | None:
            try:
                async with self.sftp.open(self._path(rel), "rb") as handle:
                    data: bytes = await handle.read()
                    return data
            except asyncssh.SFTPNoSuchFile:
                return None
        return self._call(rel, read)

    async def _write(self, rel: str, data: bytes) -> None:
        temp = self._path(rel) + TEMP_SUFFIX
        async with self.sftp.open(temp, "wb") as handle:
            await handle.write(data)
        await self.sftp.posix_rename(temp, self._path(rel))

    def write(self, rel: str, data: bytes) -> None:
        self._call(rel, lambda: self._dirs_if_needed(rel, lambda: self._write(rel, data)))

    async def _dirs_if_needed(self, rel: str, work: Callable[[], Awaitable[T]]) -> T:
        """Try at once; only when the folder is missing, make it and try again (saves round trips)."""
        try:
            return await work()
        except asyncssh.SFTPNoSuchFile:
            await self._make_dirs([posixpath.dirname(rel)])
            return await work()

    def create(self, rel: str, data: bytes) -> bool:
        async def create() -> bool:
            try:
                async with self.sftp.open(self._path(rel), "xb") as handle:
                    await handle.write(data)
            except (asyncssh.SFTPFileAlreadyExists, asyncssh.SFTPFailure):
                if await self.sftp.exists(self._path(rel)):
                    return False
                raise
            return True
        return self._call(rel, lambda: self._dirs_if_needed(rel, create))

    async def _make_dirs(self, folders: Iterable[str]) -> None:
        """Create folders and their parents in one round of requests, parents first.

        OpenSSH's sftp-server answers requests in order, so a parent exists before its
        children are made. What fails (a folder that exists, a server that reorders) is checked
        in a second round, and only folders still missing are then made level by level."""
        if not self.root_made:
            if not await self.sftp.isdir(self.root):
                await self.sftp.makedirs(self.root, exist_ok=True)
            self.root_made = True
        wanted = {f for folder in folders if folder for f in _parents(folder)} - self.made
        ordered = sorted(wanted, key=lambda f: (f.count("/"), f))
        tried = await asyncio.gather(*(self.sftp.mkdir(self._path(f)) for f in ordered), return_exceptions=True)
        failed = [f for f, outcome in zip(ordered, tried, strict=True) if isinstance(outcome, BaseException)]
        for outcome in tried:
            if isinstance(outcome, BaseException) and not isinstance(outcome, asyncssh.SFTPError):
                raise outcome  # a lost connection, not a refused folder
        present = await asyncio.gather(*(self.sftp.isdir(self._path(f)) for f in failed))
        missing = [f for f, there in zip(failed, present, strict=True) if not there]
        for depth in sorted({f.count("/") for f in missing}):
            await asyncio.gather(*(self._mkdir(f) for f in missing if f.count("/") == depth))
        self.made |= wanted

    async def _mkdir(self, rel: str) -> None:
        try:
            await self.sftp.mkdir(self._path(rel))
        except (asyncssh.SFTPFailure, asyncssh.SFTPFileAlreadyExists):
            if not await self.sftp.isdir(self._path(rel)):
                raise

    def upload(self, files: Sequence[tuple[str, Path]], done: Done) -> dict[str, PublishError]:
        return self._run(self._upload(files, done))

    async def _upload(self, files: Sequence[tuple[str, Path]], done: Done) -> dict[str, PublishError]:
        failed: dict[str, PublishError] = {}
        try:
            await self._make_dirs(posixpath.dirname(rel) for rel, _ in files)
        except (asyncssh.Error, OSError, EOFError) as error:
            return {files[0][0]: sftp_error(self.target, files[0][0], error)} if files else {}
        gate = asyncio.Semaphore(PARALLEL_FILES)

        async def send(rel: str, source: Path) -> None:
            async with gate:
                if failed:
                    return  # after a failure, nothing more is sent
                temp = self._path(rel) + TEMP_SUFFIX
                try:
                    await self.sftp.put(str(source), temp)
                    await self.sftp.posix_rename(temp, self._path(rel))
                except (asyncssh.Error, OSError, EOFError) as error:
                    failed[rel] = sftp_error(self.target, rel, error)
                    return
                done(rel, source.stat().st_size)

        await asyncio.gather(*(send(rel, source) for rel, source in files))
        return failed

    def remove(self, rels: Sequence[str]) -> None:
        self._call(rels[0] if rels else "", lambda: self._many(self._remove_missing_ok(rel) for rel in rels))

    async def _many(self, works: Iterable[Awaitable[None]]) -> None:
        gate = asyncio.Semaphore(PARALLEL_REQUESTS)

        async def limited(work: Awaitable[None]) -> None:
            async with gate:
                await work
        await asyncio.gather(*(limited(w) for w in works))

    def remove_tree(self, rel: str, known: Sequence[str] = ()) -> None:
        self._call(rel, lambda: self._remove_known(rel, known))

    async def _remove_known(self, rel: str, known: Sequence[str]) -> None:
        """Delete the known files, then their folders deepest first, in one round of requests
        (OpenSSH answers in order, so a folder is empty when its turn comes); list the tree only
        if something is left (something else was put there, or the server reorders)."""
        if known:
            paths = [posixpath.join(rel, f) for f in known]
            folders = {d for p in paths for d in _parents(posixpath.dirname(p)) if d == rel or d.startswith(rel + "/")}
            deepest_first = sorted(folders, key=lambda f: (-f.count("/"), f))
            outcomes = await asyncio.gather(*(self._remove_missing_ok(p) for p in paths),
                                            *(self.sftp.rmdir(self._path(f)) for f in deepest_first),
                                            return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException) and not isinstance(outcome, asyncssh.SFTPError):
                    raise outcome  # a lost connection, not a folder that is not empty
            if not any(isinstance(outcome, BaseException) for outcome in outcomes):
                self.made = {f for f in self.made if f != rel and not f.startswith(rel + "/")}
                return
        await self._remove_tree(rel)

    async def _remove_missing_ok(self, rel: str) -> None:
        with contextlib.suppress(asyncssh.SFTPNoSuchFile):
            await self.sftp.remove(self._path(rel))

    async def _remove_tree(self, rel: str) -> None:
        """Remove a folder tree with many requests in flight: list it level by level, delete
        every file at once, then the folders deepest first (a release of ~900 files is a few
        round trips, not 900)."""
        if not await self.sftp.isdir(self._path(rel)):
            return
        folders: list[str] = []
        files: list[str] = []
        level = [rel]
        while level:
            folders += level
            listings = await asyncio.gather(*(self._entries(folder) for folder in level))
            below: list[str] = []
            for folder, entries in zip(level, listings, strict=True):
                for name, is_dir in entries:
                    (below if is_dir else files).append(posixpath.join(folder, name))
            level = below
        await self._many(self.sftp.remove(self._path(f)) for f in files)
        for depth in sorted({f.count("/") for f in folders}, reverse=True):
            await asyncio.gather(*(self.sftp.rmdir(self._path(f)) for f in folders if f.count("/") == depth))
        self.made = {f for f in self.made if f != rel and not f.startswith(rel + "/")}

    async def _entries(self, rel: str) -> list[tuple[str, bool]]:
        try:
            entries = await self.sftp.readdir(self._path(rel))
        except asyncssh.SFTPNoSuchFile:
            return []
        names = [(e.filename if isinstance(e.filename, str) else e.filename.decode(),
                  e.attrs.type == asyncssh.FILEXFER_TYPE_DIRECTORY) for e in entries]
        return [(name, is_dir) for name, is_dir in names if name not in (".", "..")]

    def listdir(self, rel: str) -> list[str]:
        async def listdir() -> list[str]:
            return sorted(name for name, _is_dir in await self._entries(rel))
        return self._call(rel, listdir)

    def files(self, rel: str) -> dict[str, str]:
        return self._call(rel, lambda: self._hash_tree(rel))

    async def _hash_tree(self, rel: str) -> dict[str, str]:
        found: dict[str, str] = {}
        folders = [""]
        paths: list[str] = []
        while folders:
            folder = folders.pop()
            for entry in await self.sftp.readdir(self._path(posixpath.join(rel, folder))):
                name = entry.filename if isinstance(entry.filename, str) else entry.filename.decode()
                if name in (".", ".."):
                    continue
                child = posixpath.join(folder, name) if folder else name
                if entry.attrs.type == asyncssh.FILEXFER_TYPE_DIRECTORY:
                    folders.append(child)
                else:
                    paths.append(child)

        async def digest(child: str) -> None:
            async with self.sftp.open(self._path(posixpath.join(rel, child)), "rb") as handle:
                data: bytes = await handle.read()
                found[child] = hashlib.sha256(data).hexdigest()
        await self._many(digest(child) for child in paths)
        return dict(sorted(found.items()))

    def can_link(self) -> bool:
        async def probe() -> bool:
            path = self._path("uji-tautan" + TEMP_SUFFIX)
            await self._make_dirs([])
            try:
                await self.sftp.symlink("tujuan", path)
                await self.sftp.remove(path)
            except (asyncssh.SFTPOpUnsupported, asyncssh.SFTPFailure, asyncssh.SFTPPermissionDenied):
                return False
            return _has_hard_links(self.sftp)
        return self._call("", probe)

    def link(self, pairs: Sequence[tuple[str, str]]) -> None:
        async def link_all() -> None:
            await self._make_dirs(posixpath.dirname(new) for _old, new in pairs)
            await self._many(self.sftp.link(self._path(old), self._path(new)) for old, new in pairs)
        self._call(pairs[0][1] if pairs else "", link_all)

    def switch(self, rel: str, points_to: str) -> None:
        async def switch() -> None:
            temp = f"{self._path(rel)}.{os.getpid()}.{time.time_ns()}{TEMP_SUFFIX}"  # new: nothing to remove
            await self.sftp.symlink(points_to, temp)
            await self.sftp.posix_rename(temp, self._path(rel))
        self._call(rel, switch)

    def readlink(self, rel: str) -> str | None:
        async def readlink() -> str | None:
            try:
                target = await self.sftp.readlink(self._path(rel))
            except (asyncssh.SFTPNoSuchFile, asyncssh.SFTPFailure):
                return None
            return target if isinstance(target, str) else target.decode()
        return self._call(rel, readlink)

    def close(self) -> None:
        try:
            self.sftp.exit()
            self.conn.close()
            self._run(self.conn.wait_closed())
        except (asyncssh.Error, OSError):
            pass
        finally:
            self._stop()


def _listed(hosts_file: Path, host: str, port: int) -> bool:
    """Does known_hosts hold a key for this host (as written, or hashed by ``ssh-keygen -H``)?"""
    try:
        known = asyncssh.import_known_hosts(hosts_file.read_text() if hosts_file.is_file() else "")
        return bool(known.match(host, "", port if port != 22 else None)[0])
    except (OSError, ValueError, asyncssh.Error):
        return False


def _parents(folder: str) -> list[str]:
    parts = folder.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _has_hard_links(sftp: asyncssh.SFTPClient) -> bool:
    """Did the server announce hard links (OpenSSH's ``hardlink@openssh.com``)?"""
    handler = getattr(sftp, "_handler", None)
    return bool(getattr(handler, "_supports_hardlink", False))
