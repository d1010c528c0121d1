"""Real servers for the publish tests (and bench/publish.py), all on 127.0.0.1, free ports.

OpenSSH ``sshd`` with its own config, host key and authorized key; pyftpdlib (plain FTP and
explicit TLS with a self-signed certificate) in a child process; nginx serving a folder
under a sub-path; and a TCP proxy that can cut a connection after N bytes or add latency to
every round trip (it follows FTP's passive data connections, so those are delayed too).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import ipaddress
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FTP_SERVER = Path(__file__).with_name("ftp_server.py")


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr and process.stderr.read()!r}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextlib.contextmanager
def running(command: list[str], port: int, **popen: object) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,  # type: ignore[call-overload]
                               **popen)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- OpenSSH ---------------------------------------------------------------------------------


def sshd_program() -> str:
    found = shutil.which("sshd") or shutil.which("sshd", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise RuntimeError("sshd not found: install Debian's openssh-server (scripts/test.sh does)")
    return found


def keygen(path: Path) -> str:
    """A new ed25519 key pair at ``path``; returns the public key line."""
    subprocess.run([shutil.which("ssh-keygen") or "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "uji",
                    "-f", str(path)], check=True)
    return Path(f"{path}.pub").read_text().strip()


@dataclass
class Sshd:
    """A running sshd: where to publish, and the client home whose ~/.ssh is set up."""

    port: int
    home: Path
    host_key_line: str
    user: str

    def url(self, folder: Path, port: int | None = None) -> str:
        return f"sftp://{self.user}@127.0.0.1:{port or self.port}{folder}"

    def known_hosts(self, line: str | None = None, port: int | None = None) -> Path:
        """Trust the server's host key (or another key line) in the client home."""
        path = self.home / ".ssh" / "known_hosts"
        path.write_text(f"[127.0.0.1]:{port or self.port} {line or self.host_key_line}\n")
        return path


@contextlib.contextmanager
def sshd(root: Path, read_only: bool = False) -> Iterator[Sshd]:
    """OpenSSH on a free port, key login only, for the current user; ``read_only``: SFTP refuses writes."""
    root.mkdir(parents=True, exist_ok=True)
    host_key = root / "host_ed25519"
    host_line = keygen(host_key) if not host_key.exists() else Path(f"{host_key}.pub").read_text().strip()
    home = root / "home"
    (home / ".ssh").mkdir(parents=True, exist_ok=True)
    client_key = home / ".ssh" / "id_ed25519"
    client_line = keygen(client_key) if not client_key.exists() else Path(f"{client_key}.pub").read_text().strip()
    (root / "authorized_keys").write_text(client_line + "\n")
    port = free_port()
    config = root / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}", f"PidFile {root / 'sshd.pid'}",
        f"AuthorizedKeysFile {root / 'authorized_keys'}", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "UsePAM no", "StrictModes no",
        f"Subsystem sftp internal-sftp{' -R' if read_only else ''}", "LogLevel ERROR", "MaxStartups 50", ""]))
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation folder Debian's sshd expects
    with running([sshd_program(), "-D", "-e", "-f", str(config)], port):
        server = Sshd(port, home, " ".join(host_line.split()[:2]), getpass.getuser())
        server.known_hosts()
        yield server


# -- FTP -------------------------------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "sertifikat.pem", folder / "kunci.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class Ftpd:
    port: int
    user: str
    password: str
    scheme: str
    cert: Path | None

    def url(self, folder: str = "/", port: int | None = None) -> str:
        return f"{self.scheme}://{self.user}@127.0.0.1:{port or self.port}{folder}"


@contextlib.contextmanager
def ftpd(root: Path, home: Path, tls: bool = False, read_only: bool = False) -> Iterator[Ftpd]:
    """pyftpdlib serving ``home`` to user 'uji' (password 'rahasia-uji'); ``tls``: explicit TLS required."""
    root.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cert = self_signed(root)[0] if tls else None
    command = [sys.executable, str(FTP_SERVER), str(port), str(home), "uji", "rahasia-uji",
               "elr" if read_only else "elradfmw"]
    if cert:
        command += [str(cert), str(root / "kunci.pem")]
    with running(command, port):
        yield Ftpd(port, "uji", "rahasia-uji", "ftps" if tls else "ftp", cert)


# -- nginx -----------------------------------------------------------------------------------


@contextlib.contextmanager
def nginx(root: Path, served: Path, prefix: str = "/kelurahan/") -> Iterator[str]:
    """nginx serving ``served`` (e.g. the ``current`` link) under ``prefix``; yields the base URL."""
    program = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not program:
        raise RuntimeError("nginx not found: install Debian's nginx-light (scripts/test.sh does)")
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = "user root root;" if os.geteuid() == 0 else ""
    types = "text/html html; text/css css; application/javascript js; image/png png; image/jpeg jpg jpeg; " \
            "image/webp webp; image/svg+xml svg; application/json json geojson;"
    (root / "nginx.conf").write_text(f"""
        {user}
        daemon off; worker_processes 1; pid {root}/nginx.pid; error_log {root}/error.log;
        events {{ worker_connections 64; }}
        http {{
          types {{ {types} }}
          access_log off;
          client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fcgi;
          uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
          server {{
            listen 127.0.0.1:{port};
            location {prefix} {{ alias {served}/; index index.html; }}
          }}
        }}
    """)
    with running([program, "-c", str(root / "nginx.conf"), "-p", str(root)], port):
        yield f"http://127.0.0.1:{port}{prefix}"


# -- a TCP proxy that cuts or delays ---------------------------------------------------------

_PASV = re.compile(rb"^227 [^(]*\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", re.M)


class Proxy:
    """Forwards 127.0.0.1:port to a server port. ``cut_after``: close every connection once that
    many bytes went from client to server (all connections together). ``delay``: seconds added
    to each direction of a round trip. ``ftp``: passive data connections go through it too."""

    def __init__(self, upstream: int, cut_after: int | None = None, delay: float = 0.0, ftp: bool = False) -> None:
        self.upstream, self.cut_after, self.delay, self.ftp = upstream, cut_after, delay, ftp
        self.sent = 0
        self.cut = threading.Event()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.listener = self._listen(upstream)
        self.port = self.listener.getsockname()[1]

    def _listen(self, upstream: int, once: bool = False) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        threading.Thread(target=self._accept, args=(listener, upstream, once), daemon=True).start()
        return listener

    def _accept(self, listener: socket.socket, upstream: int, once: bool) -> None:
        """Accept connections (``once``: one, for an FTP passive data connection, then close)."""
        while not self.stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if once:
                listener.close()
            try:
                server = socket.create_connection(("127.0.0.1", upstream))
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()
            if once:
                return

    def _pump(self, source: socket.socket, sink: socket.socket, upward: bool) -> None:
        """Copy one direction. With a delay, each chunk is sent ``delay`` seconds after it
        arrived, by a second thread, so the link has latency but not less bandwidth."""
        outbox: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
        sender = threading.Thread(target=self._send_later, args=(outbox, sink), daemon=True)
        sender.start()
        try:
            source.settimeout(0.2)
            while not self.cut.is_set():
                try:
                    data = source.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                if upward:
                    with self.lock:
                        room = self.cut_after - self.sent if self.cut_after is not None else len(data) + 1
                        self.sent += len(data)
                    if room <= len(data):
                        outbox.put((time.monotonic() + self.delay, data[:max(room, 0)]))
                        self.cut.set()
                        break
                if self.ftp and not upward:
                    data = self._rewrite_pasv(data)
                outbox.put((time.monotonic() + self.delay, data))
        except (OSError, ValueError):  # the other direction closed the sockets
            pass
        finally:
            outbox.put(None)
            sender.join(timeout=5 + self.delay)
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _send_later(self, outbox: queue.Queue[tuple[float, bytes] | None], sink: socket.socket) -> None:
        while (item := outbox.get()) is not None:
            due, data = item
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            try:
                sink.sendall(data)
            except (OSError, ValueError):
                return

    def _rewrite_pasv(self, data: bytes) -> bytes:
        match = _PASV.search(data)
        if not match:
            return data
        port = int(match.group(5)) * 256 + int(match.group(6))
        listener = self._listen(port, once=True)
        mine = listener.getsockname()[1]
        reply = f"227 Entering Passive Mode (127,0,0,1,{mine // 256},{mine % 256})".encode()
        return data[:match.start()] + reply + data[match.end():]

    def close(self) -> None:
        self.stop.set()
        self.cut.set()
        self.listener.close()


@contextlib.contextmanager
def proxy(upstream: int, cut_after: int | None = None, delay: float = 0.0, ftp: bool = False) -> Iterator[Proxy]:
    relay = Proxy(upstream, cut_after, delay, ftp)
    try:
        yield relay
    finally:
        relay.close()
