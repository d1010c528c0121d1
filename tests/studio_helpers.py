"""Helpers for the studio tests: a real ``kelurahan studio`` process and an HTTP client that logs in.

The server runs as a child process on a free 127.0.0.1 port and is driven over HTTP (httpx), as a
browser would: the CSRF token is taken from the page's hidden field, the Origin header is sent.
"""

from __future__ import annotations

import html
import html.parser
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from conftest import assert_exit, run_cli
from servers import free_port, stop

FIRST_PASSWORD = "sandi-awal-uji-1"
PASSWORD = "sandi-baru-uji-2"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class StudioProcess:
    """A running ``kelurahan studio``."""

    site: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The base URL (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def running_studio(site: Path, *args: str) -> Iterator[StudioProcess]:
    """Start ``kelurahan --site SITE studio --port N ARGS`` and wait until it answers."""
    port = free_port()
    command = [sys.executable, "-c", "from generator.cli import main; main()", "--site", str(site), "studio",
               "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    studio = StudioProcess(site, port, process)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{studio.url}/masuk", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise AssertionError(f"studio did not start:\n{output}") from None
                time.sleep(0.1)
        yield studio
    finally:
        if process.poll() is None:
            stop(process)
        if process.stdout:
            process.stdout.close()


def add_account(site: Path, nama: str, *args: str) -> None:
    """``kelurahan akun tambah NAMA ARGS`` with the first password from the environment."""
    os.environ["KELURAHAN_SANDI"] = FIRST_PASSWORD
    try:
        assert_exit(run_cli(site, "akun", "tambah", nama, *args), 0)
    finally:
        del os.environ["KELURAHAN_SANDI"]


class _FormReader(html.parser.HTMLParser):
    """The named inputs of the first multipart form on a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.inputs: dict[str, str] = {}  # name -> exact attribute value, for "shown literally" checks
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._done = False
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("enctype") == "multipart/form-data" and not self._done:
            self._inside = True
        if not self._inside:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("file", "checkbox"):
            self.values[name] = a.get("value", "")
            self.inputs[name] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # browsers drop the first newline right after <textarea>
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self.textareas[self._textarea] = self.values[self._textarea]
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._inside:
            self._inside, self._done = False, True


def read_form(page: str) -> _FormReader:
    """The item form of a page."""
    reader = _FormReader()
    reader.feed(page)
    return reader


@dataclass
class Editor:
    """An HTTP client that logs in to the studio like a browser (cookies, CSRF field, Origin)."""

    studio: StudioProcess
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.studio.url, follow_redirects=False, timeout=60,
                                   headers={"Origin": self.studio.url})

    def csrf(self, path: str = "/masuk") -> str:
        """The CSRF token of a page's form."""
        match = CSRF.search(self.client.get(path).text)
        assert match, f"no CSRF field on {path}"
        return html.unescape(match.group(1))

    def post(self, path: str, data: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None,
             token: str | None = None) -> httpx.Response:
        """POST a form with this session's CSRF token (multipart when files are given)."""
        data = {**data, "csrf": token if token is not None else self.csrf()}
        return self.client.post(path, data=data, files=files or None)

    def login(self, nama: str, password: str = FIRST_PASSWORD, change_to: str = PASSWORD) -> Editor:
        """Log in; at first login set the new password."""
        response = self.post("/masuk", {"nama": nama, "sandi": password})
        assert response.status_code == 303, response.text
        if response.headers["location"] == "/sandi":
            changed = self.post("/sandi", {"lama": password, "baru": change_to, "ulang": change_to})
            assert changed.status_code == 303, changed.text
        return self

    def form(self, path: str) -> _FormReader:
        """The item form at ``path`` (asserts it loads)."""
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return read_form(response.text)

    def save(self, path: str, changes: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None,
             base: dict[str, str] | None = None) -> httpx.Response:
        """Open the form at ``path`` (or reuse ``base``), change some fields, press Simpan."""
        values = dict(base if base is not None else self.form(path).values)
        values.update(changes)
        values["aksi"] = "simpan"
        return self.post(path, values, files=files or {"foto_galeri": ("", b"", "application/octet-stream")},
                         token=values.pop("csrf", None))


class _TextOf(html.parser.HTMLParser):
    """The text inside the first element with a given attribute value."""

    def __init__(self, attr: str, value: str) -> None:
        super().__init__(convert_charrefs=True)
        self.attr, self.value = attr, value
        self.depth = 0
        self.parts: list[str] = []
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag not in ("input", "img", "br", "meta", "link")
        elif not self.found and dict(attrs).get(self.attr) == self.value:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_of(page: str, value: str, attr: str = "id") -> str:
    """The text of the first element whose ``attr`` is ``value`` (asserts there is one)."""
    parser = _TextOf(attr, value)
    parser.feed(page)
    assert parser.found, f"no element with {attr}={value!r}"
    return " ".join(" ".join(parser.parts).split())


def attribute_values(page: str, name: str) -> list[str]:
    """The ``value`` attributes of every input called ``name``."""
    return re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
