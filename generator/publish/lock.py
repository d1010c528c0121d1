"""The lock on a target: one publish at a time. A file created only if there is none, holding
who took it (computer, process, time), so a lock left by a cut-off publish can be named."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from .transport import META_DIR, PublishError, Transport

LOCK = f"{META_DIR}/kunci"


@contextmanager
def target_lock(transport: Transport, reconnect: Callable[[], Transport]) -> Iterator[None]:
    """One publish at a time per target: a lock file created only if there is none."""
    mine = {"komputer": socket.gethostname(), "proses": os.getpid(),
            "sejak": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    if not transport.create(LOCK, json.dumps(mine).encode()):
        raise _locked(transport)
    try:
        yield
    finally:
        _unlock(transport, reconnect)


def _unlock(transport: Transport, reconnect: Callable[[], Transport]) -> None:
    """Remove the lock; after a cut connection, over a new one (when the host answers again)."""
    try:
        transport.remove([LOCK])
        return
    except PublishError:
        pass
    with suppress(PublishError):
        fresh = reconnect()
        try:
            fresh.remove([LOCK])
        finally:
            fresh.close()


def _locked(transport: Transport) -> PublishError:
    where = transport.target.where(LOCK)
    try:
        holder = json.loads(transport.read(LOCK) or b"{}")
        who = f"komputer {holder['komputer']}, proses {holder['proses']}, sejak {holder['sejak']}"
    except (ValueError, KeyError, TypeError):
        holder, who = {}, "tidak diketahui siapa"
    stale = holder.get("komputer") == socket.gethostname() and not _alive(holder.get("proses"))
    state = "kunci basi: proses itu sudah tidak berjalan" if stale else f"publish lain sedang berjalan ({who})"
    return PublishError(where, f"tujuan terkunci; {state}",
                        f"tunggu sampai selesai; jika tidak ada publish yang berjalan, hapus berkas {where} "
                        "lalu jalankan lagi")


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
