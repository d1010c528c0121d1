"""``kelurahan serve``: a real preview server in a subprocess, watched over HTTP.

The test edits content while the server runs and waits (bounded) until the page served
over HTTP changes; a content error must appear in the page and disappear when fixed. Saves
are made the ways editors make them: in place, and atomically (temp file, then rename).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

import pytest
from servers import free_port
from tornado import websocket

from generator.watch import Poller, affected_slugs, relevant

ITEM = "mawar/umkm/warung-bu-sri/"
SOURCE = "kelurahan/mawar/umkm/warung-bu-sri.md"
REBUILT = "Pratinjau diperbarui"


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _wait_for(url: str, condition: Callable[[str], bool], seconds: float = 20.0) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = _get(url)
            if condition(last):
                return last
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not reach the expected state in {seconds} s; last page:\n{last[:2000]}")


def _wait_for_status(url: str, code: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while (status := _status(url)) != code and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status == code, f"{url}: HTTP {status}, expected {code}"


@dataclass
class Preview:
    """A running ``kelurahan serve`` and everything it printed so far."""

    base: str
    site: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def rebuilds(self) -> list[str]:
        """The server's "preview updated" log lines, the first build included."""
        return [line for line in list(self.output) if REBUILT in line]

    def wait_for_rebuilds(self, count: int, seconds: float = 20.0) -> list[str]:
        deadline = time.monotonic() + seconds
        while len(found := self.rebuilds()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(found) >= count, "".join(self.output)
        return found


@pytest.fixture(params=["events", "polling"])
def watching(request: pytest.FixtureRequest) -> dict[str, str]:
    """Every server test runs twice: with the system's file events, and with the Poller."""
    return {"WATCHFILES_FORCE_POLLING": "false" if request.param == "events" else "1"}


@pytest.fixture
def start_preview(watching: dict[str, str]) -> Iterator[Callable[..., Preview]]:
    """Factory: ``start_preview(site)`` runs the server on a free port until the test ends."""
    started: list[Preview] = []

    def start(site: Path) -> Preview:
        port = free_port()
        command = [sys.executable, "-c", "from generator.cli import main; main()", "--site", str(site),
                   "serve", "--port", str(port)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, **watching})
        preview = Preview(f"http://127.0.0.1:{port}/", site, process)
        started.append(preview)
        # Read the output all along: the server must never block on a full pipe.
        stream = process.stdout
        assert stream is not None
        threading.Thread(target=lambda: preview.output.extend(iter(stream.readline, "")), daemon=True).start()
        _wait_for(preview.base, lambda page: "<html" in page)
        return preview

    yield start
    for preview in started:
        preview.process.send_signal(signal.SIGINT)
        try:
            preview.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            preview.process.kill()
            preview.process.wait()


@pytest.fixture
def preview(site: Path, start_preview: Callable[..., Preview]) -> Preview:
    return start_preview(site)


def _edit(path: Path, old: str, new: str) -> None:
    """Rewrite a file in place, as most editors do by default."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _save_atomically(path: Path, old: str, new: str) -> None:
    """Write a hidden temp file next to ``path``, then rename it over ``path`` (gedit, VS Code, Vim)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    temp = path.with_name(f".{path.name}.simpan")
    temp.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(temp, path)


def test_serve_rebuilds_an_edited_page(preview: Preview) -> None:
    first = _get(preview.base + ITEM)
    assert "<h1>Warung Bu Sri</h1>" in first
    assert "livereload.js" in first, "the live-reload client must be injected into preview pages"
    _edit(preview.site / SOURCE, "nama: Warung Bu Sri", "nama: Warung Bu Sri Baru")
    page = _wait_for(preview.base + ITEM, lambda p: "<h1>Warung Bu Sri Baru</h1>" in p)
    assert "pratinjau-galat" not in page
    section = _get(preview.base + "mawar/umkm/")
    assert "Warung Bu Sri Baru" in section
    assert "(mawar)" in preview.wait_for_rebuilds(2)[1], "only the edited kelurahan is rebuilt"


def test_serve_sees_atomic_saves_again_and_again(preview: Preview) -> None:
    for number in range(1, 4):
        old = "nama: Warung Bu Sri" if number == 1 else f"nama: Warung Simpan {number - 1}"
        _save_atomically(preview.site / SOURCE, old, f"nama: Warung Simpan {number}")
        _wait_for(preview.base + ITEM, lambda p, n=number: f"<h1>Warung Simpan {n}</h1>" in p)
    assert not list((preview.site / ".pratinjau").rglob("*.simpan*")), "the temp files are not content"


def test_serve_shows_content_errors_until_fixed(preview: Preview) -> None:
    base, site = preview.base, preview.site
    _edit(site / SOURCE, "halal: true", "halal: ya")
    page = _wait_for(base + ITEM, lambda p: "pratinjau-galat" in p)
    assert f"{SOURCE}:" in page
    assert "halal: harus true atau false" in page
    assert "pratinjau-galat" in _get(base), "every page, the portal included, shows the problem"
    _save_atomically(site / SOURCE, "halal: ya", "halal: false")
    fixed = _wait_for(base + ITEM, lambda p: "pratinjau-galat" not in p)
    assert "Belum ada" in fixed


def test_serve_never_writes_the_published_output(preview: Preview) -> None:
    _edit(preview.site / SOURCE, "nama: Warung Bu Sri", "nama: Warung Pratinjau")
    _wait_for(preview.base + ITEM, lambda p: "Warung Pratinjau" in p)
    assert not (preview.site / "output").exists()
    assert (preview.site / ".pratinjau" / ITEM / "index.html").is_file()


def test_serve_picks_up_a_new_kelurahan_folder(preview: Preview) -> None:
    folder = preview.site / "kelurahan" / "anggrek"
    folder.mkdir()
    (folder / "profil.yaml").write_text(dedent("""\
        nama: Anggrek
        kecamatan: jebres
        lokasi: {lat: -7.5600, lon: 110.8400}
        """), encoding="utf-8")
    home = _wait_for(preview.base + "anggrek/", lambda p: "Anggrek" in p)
    assert "pratinjau-galat" not in home
    _wait_for(preview.base, lambda p: "anggrek/" in p)
    (folder / "umkm").mkdir()
    (folder / "umkm" / "tahu-anggrek.md").write_text("---\nnama: Tahu Anggrek\n"
                                                    "lokasi: {lat: -7.5610, lon: 110.8410}\n---\nTahu.\n")
    _wait_for(preview.base + "anggrek/umkm/tahu-anggrek/", lambda p: "<h1>Tahu Anggrek</h1>" in p)


def test_serve_picks_up_deleted_files_and_folders(preview: Preview) -> None:
    assert _status(preview.base + ITEM) == 200
    (preview.site / SOURCE).unlink()
    _wait_for_status(preview.base + ITEM, 404)
    assert _status(preview.base + "mawar/umkm/") == 404, "its only umkm is gone, and so is the section"
    assert "umkm/index.html" not in _get(preview.base + "mawar/"), "and the menu entry"
    shutil.rmtree(preview.site / "kelurahan" / "kenanga")
    _wait_for(preview.base, lambda p: "kenanga/" not in p)
    assert _status(preview.base + "kenanga/") == 404


def test_serve_picks_up_templates_and_config(preview: Preview) -> None:
    site = preview.site
    # templates/ does not exist when the server starts: creating it must be seen, and so must
    # later edits inside it.
    (site / "templates").mkdir()
    footer = site / "templates" / "footer.html"
    footer.write_text('<footer class="kaki">Kaki situs</footer>\n', encoding="utf-8")
    _edit(footer, "Kaki situs", "Tanda pertama")
    _wait_for(preview.base + ITEM, lambda p: "Tanda pertama" in p)
    _save_atomically(footer, "Tanda pertama", "Tanda kedua")
    _wait_for(preview.base + ITEM, lambda p: "Tanda kedua" in p)
    for number in range(1, 3):  # config.yaml replaced by a rename, twice
        old = "judul: Portal Kelurahan" if number == 1 else f"judul: Portal Pratinjau {number - 1}"
        _save_atomically(site / "config.yaml", old, f"judul: Portal Pratinjau {number}")
        _wait_for(preview.base, lambda p, n=number: f"Portal Pratinjau {n} Kota Surakarta" in p)


def test_serve_ignores_editor_swap_and_backup_files(make_site: Callable[..., Path],
                                                    start_preview: Callable[..., Preview]) -> None:
    site = make_site({"templates/footer.html": '{% extends "bawaan/footer.html" %}\n'})
    preview = start_preview(site)
    preview.wait_for_rebuilds(1)
    # A change in templates/ rebuilds everything ("semua"), so junk there would show in the log.
    for name in (".footer.html.swp", "footer.html~", "#footer.html#", "4913", "footer.html___jb_tmp___"):
        (site / "templates" / name).write_text("sampah", encoding="utf-8")
    (site / "templates" / "4913").unlink()
    (site / "kelurahan" / "mawar" / "umkm" / ".warung-bu-sri.md.swp").write_text("sampah", encoding="utf-8")
    _edit(site / SOURCE, "nama: Warung Bu Sri", "nama: Warung Tanpa Sampah")
    page = _wait_for(preview.base + ITEM, lambda p: "<h1>Warung Tanpa Sampah</h1>" in p)
    assert "pratinjau-galat" not in page
    rebuilds = preview.wait_for_rebuilds(2)
    assert all("(mawar)" in line for line in rebuilds[1:]), rebuilds


def test_serve_tells_the_browser_to_reload(preview: Preview) -> None:
    base, site = preview.base, preview.site
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
                _save_atomically(site / SOURCE, "nama: Warung Bu Sri", "nama: Warung Dimuat Ulang")
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


def test_changes_map_to_the_kelurahan_they_touch(site: Path) -> None:
    kel = site / "kelurahan"
    assert affected_slugs(site, [str(kel / "mawar/umkm/x.md"), str(kel / "melati/profil.yaml")]) == (
        "mawar", "melati")
    assert affected_slugs(site, [str(kel / "mawar")]) == ("mawar",)
    assert affected_slugs(site, [str(kel / "hilang/profil.yaml")]) is None, "a removed kelurahan: all"
    assert affected_slugs(site, [str(site / "config.yaml")]) is None
    assert affected_slugs(site, [str(site / "templates/footer.html"), str(kel / "mawar/profil.yaml")]) is None


@pytest.mark.parametrize(("rel", "expected"), [
    ("config.yaml", True), ("kelurahan/mawar/umkm/x.md", True), ("kelurahan/baru", True),
    ("templates/footer.html", True), ("templates", True), ("kelurahan/mawar/media/foto.jpg", True),
    ("output/index.html", False), (".pratinjau/index.html", False), (".bench-edit.tmp", False),
    ("kelurahan/mawar/umkm/.x.md.swp", False), ("kelurahan/mawar/umkm/x.md~", False),
    ("kelurahan/mawar/umkm/#x.md#", False), ("kelurahan/mawar/umkm/4913", False),
    ("templates/footer.html___jb_old___", False), ("kelurahan/.git/index", False),
])
def test_only_content_changes_are_relevant(site: Path, rel: str, expected: bool) -> None:
    assert relevant(site, str(site / rel)) is expected


def test_serve_prints_only_its_own_indonesian_lines(preview: Preview) -> None:
    """livereload and tornado log in English ("Serving on ...", "Shutting down..."), worded
    differently by each version; a user sees only serve's own lines, also after Ctrl-C."""
    _wait_for_status(preview.base + "tidak-ada/", 404)
    preview.process.send_signal(signal.SIGINT)
    preview.process.wait(timeout=10)
    time.sleep(0.2)  # the reader thread takes the last lines
    foreign = [line for line in preview.output if not line.startswith(("Pratinjau ", "Dibatalkan"))]
    assert len(preview.output) >= 2 and not foreign, "".join(preview.output)


def test_serve_help_mentions_the_preview_folder() -> None:
    # The command installed beside this interpreter (the virtual environment's bin/), active or not.
    exe = shutil.which("kelurahan", path=str(Path(sys.executable).parent))
    assert exe, "the kelurahan command must be installed"
    result = subprocess.run([exe, "serve", "--help"], capture_output=True, text=True, check=True)
    assert "--port" in result.stdout and ".pratinjau" in result.stdout


def test_the_poller_sees_every_kind_of_change(site: Path) -> None:
    poller = Poller([site / "kelurahan"], recursive=True)
    running = threading.Event()

    def changes() -> set[str]:
        found = poller.watch(0, 0, 10_000, running)
        assert isinstance(found, set), found
        return {path for _kind, path in found}

    source = site / SOURCE
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Bu Sri", "Bu Sru", 1), encoding="utf-8")  # same size, same second
    assert changes() == {str(source)}
    _save_atomically(source, "Bu Sru", "Bu Sri")
    assert changes() == {str(source)}, "the temp file came and went between two scans"
    source.unlink()
    assert changes() == {str(source)}
    (site / "kelurahan" / "anggrek").mkdir()
    assert changes() == {str(site / "kelurahan" / "anggrek")}
    running.set()
    assert poller.watch(0, 0, 10_000, running) == "stop"

