"""``kelurahan serve``: a real preview server in a subprocess, watched over HTTP.

The test edits content while the server runs and waits (bounded) until the page served
over HTTP changes; a content error must appear in the page and disappear when fixed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tornado import websocket

ITEM = "mawar/umkm/warung-bu-sri/"
SOURCE = "kelurahan/mawar/umkm/warung-bu-sri.md"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def _wait_for(url: str, condition: Callable[[str], bool], seconds: float = 20.0) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = _get(url)
            if condition(last):
                return last
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not reach the expected state in {seconds} s; last page:\n{last[:2000]}")


@pytest.fixture
def preview(site: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    port = _free_port()
    command = [sys.executable, "-c", "from generator.cli import main; main()", "--site", str(site),
               "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(base, lambda page: "<html" in page)
        yield base, site, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    # Make sure the change is visible to an mtime+size poller even on coarse clocks.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_serve_rebuilds_an_edited_page(preview: tuple[str, Path, subprocess.Popen[str]]) -> None:
    base, site, _process = preview
    first = _get(base + ITEM)
    assert "<h1>Warung Bu Sri</h1>" in first
    assert "livereload.js" in first, "the live-reload client must be injected into preview pages"
    _edit(site / SOURCE, "nama: Warung Bu Sri", "nama: Warung Bu Sri Baru")
    page = _wait_for(base + ITEM, lambda p: "<h1>Warung Bu Sri Baru</h1>" in p)
    assert "pratinjau-galat" not in page
    section = _get(base + "mawar/umkm/")
    assert "Warung Bu Sri Baru" in section


def test_serve_shows_content_errors_until_fixed(preview: tuple[str, Path, subprocess.Popen[str]]) -> None:
    base, site, _process = preview
    _edit(site / SOURCE, "halal: true", "halal: ya")
    page = _wait_for(base + ITEM, lambda p: "pratinjau-galat" in p)
    assert f"{SOURCE}:" in page
    assert "halal: harus true atau false" in page
    assert "pratinjau-galat" in _get(base), "every page, the portal included, shows the problem"
    _edit(site / SOURCE, "halal: ya", "halal: false")
    fixed = _wait_for(base + ITEM, lambda p: "pratinjau-galat" not in p)
    assert "Belum ada" in fixed


def test_serve_never_writes_the_published_output(preview: tuple[str, Path, subprocess.Popen[str]]) -> None:
    base, site, _process = preview
    _edit(site / SOURCE, "nama: Warung Bu Sri", "nama: Warung Pratinjau")
    _wait_for(base + ITEM, lambda p: "Warung Pratinjau" in p)
    assert not (site / "output").exists()
    assert (site / ".pratinjau" / ITEM / "index.html").is_file()


def test_serve_tells_the_browser_to_reload(preview: tuple[str, Path, subprocess.Popen[str]]) -> None:
    base, site, _process = preview
    url = base.replace("http://", "ws://") + "livereload"
    messages: list[dict[str, object]] = []

    async def listen() -> None:
        connection = await websocket.websocket_connect(url)
        await connection.write_message(json.dumps(
            {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        deadline = time.monotonic() + 20
        edited = False
        while time.monotonic() < deadline:
            message = await connection.read_message()
            if message is None:
                break
            data = json.loads(message)
            messages.append(data)
            if data.get("command") == "hello" and not edited:
                # livereload.js answers the server's hello with "info"; only then it is a waiter.
                await connection.write_message(json.dumps({"command": "info", "url": base + ITEM}))
                _edit(site / SOURCE, "nama: Warung Bu Sri", "nama: Warung Dimuat Ulang")
                edited = True
            if data.get("command") == "reload":
                break
        connection.close()

    # In a thread of its own: the session's Playwright browser owns this thread's event loop.
    worker = threading.Thread(target=lambda: asyncio.run(asyncio.wait_for(listen(), timeout=30)))
    worker.start()
    worker.join(timeout=40)
    assert any(m.get("command") == "reload" for m in messages), messages
    assert "Warung Dimuat Ulang" in _get(base + ITEM), "the reload must come after the rebuild"


def test_serve_help_mentions_the_preview_folder() -> None:
    exe = shutil.which("kelurahan")
    assert exe, "the kelurahan command must be installed"
    result = subprocess.run([exe, "serve", "--help"], capture_output=True, text=True, check=True)
    assert "--port" in result.stdout and ".pratinjau" in result.stdout
