"""The studio's own data in ``.kelurahan/studio.sqlite``: accounts, sessions, login failures, audit log.

Content never goes here: it stays in the files, so ``check``, ``build``, hand edits and git keep
working. Every call opens its own connection (requests run in several threads).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .permissions import Actor

DB_FILE = ".kelurahan/studio.sqlite"
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MIN_PASSWORD = 10
SESSION_IDLE = 8 * 3600
SESSION_MAX = 7 * 24 * 3600
THROTTLE_WINDOW = 15 * 60
THROTTLE_ACCOUNT = 5
THROTTLE_ADDRESS = 20

_SCHEMA = """
create table if not exists akun (
  nama text primary key, sandi text not null, admin integer not null, kelurahan text not null,
  harus_ganti integer not null, dibuat text not null);
create table if not exists sesi (
  token text primary key, nama text not null references akun(nama) on delete cascade,
  dibuat real not null, terakhir real not null);
create table if not exists gagal (kunci text not null, waktu real not null);
create index if not exists gagal_kunci on gagal(kunci, waktu);
create table if not exists terbit (kelurahan text primary key, sidik text not null);
create table if not exists jejak (
  id integer primary key, waktu text not null, nama text not null, alamat text not null,
  aksi text not null, kelurahan text not null, berkas text not null, rincian text not null);
"""


class AccountError(ValueError):
    """An account operation that cannot be done; the message is for the user."""


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to which file, when and from where."""

    id: int
    waktu: str
    nama: str
    alamat: str
    aksi: str
    kelurahan: str
    berkas: str
    rincian: str


def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's recommended cost


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Store:
    """Accounts, sessions and the audit log of one site."""

    path: Path

    @classmethod
    def of_site(cls, site: Path) -> Store:
        """The store of a site folder, created on first use."""
        store = cls(site / DB_FILE)
        store.path.parent.mkdir(parents=True, exist_ok=True)
        with store._db() as db:
            db.executescript(_SCHEMA)
        return store

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.execute("pragma foreign_keys = on")
            db.execute("pragma busy_timeout = 10000")
            with db:
                yield db

    # -- accounts ------------------------------------------------------------------------

    def add_account(self, nama: str, sandi: str, kelurahan: tuple[str, ...], admin: bool) -> None:
        """Create an account that must change its password at first login."""
        if not NAME_PATTERN.fullmatch(nama):
            raise AccountError(f"nama akun '{nama}' tidak valid; "
                               "pakai 2-32 huruf kecil, angka, titik atau tanda hubung")
        _check_password(sandi)
        hashed = _hasher().hash(sandi)
        with self._db() as db:
            if db.execute("select 1 from akun where nama = ?", (nama,)).fetchone():
                raise AccountError(f"akun '{nama}' sudah ada")
            db.execute("insert into akun values (?, ?, ?, ?, 1, ?)",
                       (nama, hashed, int(admin), ",".join(kelurahan), _now_text()))

    def accounts(self) -> list[Actor]:
        """Every account, by name."""
        with self._db() as db:
            rows = db.execute("select nama, admin, kelurahan, harus_ganti from akun order by nama").fetchall()
        return [_actor(row) for row in rows]

    def account(self, nama: str) -> Actor | None:
        """One account, or None."""
        with self._db() as db:
            row = db.execute("select nama, admin, kelurahan, harus_ganti from akun where nama = ?",
                             (nama,)).fetchone()
        return _actor(row) if row else None

    def remove_account(self, nama: str) -> None:
        """Delete an account and its sessions."""
        with self._db() as db:
            if not db.execute("delete from akun where nama = ?", (nama,)).rowcount:
                raise AccountError(f"akun '{nama}' tidak ada")

    def set_kelurahan(self, nama: str, kelurahan: tuple[str, ...]) -> None:
        """Replace the kelurahan an editor may change; it takes effect on the account's next request."""
        with self._db() as db:
            row = db.execute("select admin from akun where nama = ?", (nama,)).fetchone()
            if row is None:
                raise AccountError(f"akun '{nama}' tidak ada")
            if not kelurahan and not row[0]:
                raise AccountError("editor perlu minimal satu kelurahan")
            db.execute("update akun set kelurahan = ? where nama = ?", (",".join(kelurahan), nama))

    def set_password(self, nama: str, sandi: str, must_change: bool) -> None:
        """Replace a password; every session of the account ends."""
        _check_password(sandi)
        hashed = _hasher().hash(sandi)
        with self._db() as db:
            if not db.execute("update akun set sandi = ?, harus_ganti = ? where nama = ?",
                              (hashed, int(must_change), nama)).rowcount:
                raise AccountError(f"akun '{nama}' tidak ada")
            db.execute("delete from sesi where nama = ?", (nama,))

    def verify(self, nama: str, sandi: str) -> Actor | None:
        """The account when the password is right (checked in constant work even for unknown names)."""
        with self._db() as db:
            row = db.execute("select sandi from akun where nama = ?", (nama,)).fetchone()
        stored = row[0] if row else _hasher().hash("akun-tidak-ada")
        try:
            _hasher().verify(stored, sandi)
        except (VerificationError, InvalidHashError):
            return None
        return self.account(nama) if row else None

    # -- login throttling ----------------------------------------------------------------

    def throttled(self, nama: str, alamat: str) -> bool:
        """True while an account or an address has failed too often recently."""
        since = time.time() - THROTTLE_WINDOW
        query = "select count(*) from gagal where kunci = ? and waktu > ?"
        with self._db() as db:
            by_account = int(db.execute(query, (f"akun:{nama}", since)).fetchone()[0])
            by_address = int(db.execute(query, (f"alamat:{alamat}", since)).fetchone()[0])
        return by_account >= THROTTLE_ACCOUNT or by_address >= THROTTLE_ADDRESS

    def record_failure(self, nama: str, alamat: str) -> None:
        """Remember one failed login for the account name and the address."""
        now = time.time()
        with self._db() as db:
            db.execute("delete from gagal where waktu < ?", (now - THROTTLE_WINDOW,))
            db.executemany("insert into gagal values (?, ?)", [(f"akun:{nama}", now), (f"alamat:{alamat}", now)])

    def clear_failures(self, nama: str) -> None:
        """Forget the failures of an account after a good login."""
        with self._db() as db:
            db.execute("delete from gagal where kunci = ?", (f"akun:{nama}",))

    # -- sessions ------------------------------------------------------------------------

    def new_session(self, nama: str) -> str:
        """Start a session; return its secret token (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._db() as db:
            db.execute("insert into sesi values (?, ?, ?, ?)", (_token_key(token), nama, now, now))
        return token

    def session_actor(self, token: str) -> Actor | None:
        """The account of a live session, or None; a used session is kept alive."""
        now = time.time()
        with self._db() as db:
            db.execute("delete from sesi where terakhir < ? or dibuat < ?", (now - SESSION_IDLE, now - SESSION_MAX))
            row = db.execute("select a.nama, a.admin, a.kelurahan, a.harus_ganti from sesi s join akun a "
                             "on a.nama = s.nama where s.token = ?", (_token_key(token),)).fetchone()
            if row:
                db.execute("update sesi set terakhir = ? where token = ?", (now, _token_key(token)))
        return _actor(row) if row else None

    def end_session(self, token: str) -> None:
        """Log out."""
        with self._db() as db:
            db.execute("delete from sesi where token = ?", (_token_key(token),))

    # -- audit log -----------------------------------------------------------------------

    def log(self, nama: str, alamat: str, aksi: str, kelurahan: str = "", berkas: str = "", rincian: str = "") -> None:
        """Append to the audit log."""
        with self._db() as db:
            db.execute("insert into jejak (waktu, nama, alamat, aksi, kelurahan, berkas, rincian) "
                       "values (?, ?, ?, ?, ?, ?, ?)", (_now_text(), nama, alamat, aksi, kelurahan, berkas, rincian))

    def audit(self, since_id: int = 0, limit: int = 200) -> list[AuditEntry]:
        """Audit entries after ``since_id``, newest first."""
        with self._db() as db:
            rows = db.execute("select * from jejak where id > ? order by id desc limit ?", (since_id, limit)).fetchall()
        return [AuditEntry(*row) for row in rows]

    def published_fingerprints(self) -> dict[str, str]:
        """Per kelurahan, the fingerprint of its files when the studio last published."""
        with self._db() as db:
            return dict(db.execute("select kelurahan, sidik from terbit").fetchall())

    def record_publish(self, fingerprints: dict[str, str]) -> None:
        """Remember what was published (replaces the previous record)."""
        with self._db() as db:
            db.execute("delete from terbit")
            db.executemany("insert into terbit values (?, ?)", sorted(fingerprints.items()))

    def last_event(self, aksi: str) -> int:
        """The id of the newest audit entry of a kind (0 when none)."""
        with self._db() as db:
            row = db.execute("select max(id) from jejak where aksi = ?", (aksi,)).fetchone()
        return int(row[0] or 0)


def _actor(row: tuple[str, int, str, int]) -> Actor:
    return Actor(row[0], bool(row[1]), tuple(k for k in row[2].split(",") if k), bool(row[3]))


def _check_password(sandi: str) -> None:
    if len(sandi) < MIN_PASSWORD:
        raise AccountError(f"kata sandi terlalu pendek; minimal {MIN_PASSWORD} karakter")


def generate_password() -> str:
    """A password to hand over once (about 72 bits, easy to type on a phone)."""
    return "-".join(secrets.token_hex(3) for _ in range(3))
