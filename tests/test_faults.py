"""Faults during a build: a full disk, a kill or Ctrl-C at any moment, two builds at once, a strict
umask; and what a build may touch: published images lose their EXIF, nothing is written outside
the output folder.

The promise under test: the build stages each kelurahan and swaps it into place, so whatever
happens, every published kelurahan is either the complete previous version or the complete new
one, and the next ordinary build repairs everything without manual cleanup.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TINY_KECAMATAN, assert_exit, build, run_cli, tree_hashes, write_site
from hardening_helpers import (
    cli_command,
    full_disk,
    make_outside,
    published,
    run_cli_process,
    snapshot,
    subtree,
)
from PIL import Image, ImageChops, ImageStat

import generator.output as output_module
from generator.output import build_dir

PORTAL_FILES = ("index.html", "data/peta-kota.js")


def _edit_every_kelurahan(site: Path) -> None:
    """Change every kelurahan and the portal (names appear on every page and on the portal)."""
    for profile in sorted((site / "kelurahan").glob("*/profil.yaml")):
        text = profile.read_text(encoding="utf-8")
        first, rest = text.split("\n", 1)
        profile.write_text(f"{first} Baru\n{rest}", encoding="utf-8")


def _slugs(output: Path) -> list[str]:
    portal = ("assets", "data", "data-terbuka", "cari", "pagefind")
    return sorted(p.name for p in output.iterdir()
                  if p.is_dir() and p.name not in portal and not p.name.startswith("."))


def _copy_output(source: Path, output: Path) -> None:
    """Copy a build's output and its private state (kept next to it, in .kelurahan/)."""
    shutil.copytree(source, output, symlinks=True)
    if build_dir(source).is_dir():
        shutil.copytree(build_dir(source), build_dir(output), symlinks=True)


def _whole(now: dict[str, str], versions: list[dict[str, str]], slugs: list[str]) -> list[str]:
    """Every kelurahan folder and portal file equals one of the given complete versions."""
    problems = []
    for slug in slugs:
        got = subtree(now, slug)
        if not any(got == subtree(v, slug) for v in versions):
            problems.append(f"{slug}/ is {'missing' if not got else 'a mix of versions'}")
    for rel in PORTAL_FILES:
        if not any(now.get(rel) == v.get(rel) for v in versions):
            problems.append(f"{rel} is {'missing' if rel not in now else 'neither the old nor the new version'}")
    for rel in set(now) - {rel for v in versions for rel in v}:
        if not rel.rsplit("/", 1)[-1].startswith("."):  # a half-written hidden temp file is checked later
            problems.append(f"stray file {rel} is published")
    return problems


def _differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(rel for rel in set(a) | set(b) if a.get(rel) != b.get(rel))


@pytest.fixture
def old_and_new(make_site: Callable[..., Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    """(site, old output, reference output of the edited site built from scratch)."""
    site = make_site()
    old = tmp_path / "lama"
    build(site, old)
    _edit_every_kelurahan(site)
    new = tmp_path / "baru"
    build(site, new)
    return site, old, new


# -- full disk ---------------------------------------------------------------------------------

LIMIT = 64 * 1024  # bytes per file; every page of the tiny site is far smaller


def test_full_disk_while_writing_a_kelurahan_keeps_the_old_output(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    before = tree_hashes(output, include_hidden=True)
    (site / "kelurahan/mawar/beranda.md").write_text("Tulisan yang panjang sekali. " * 4000, encoding="utf-8")

    done = run_cli_process(site, "build", "--output", output, "--jobs", "1", preexec_fn=full_disk(LIMIT))
    assert done.returncode == 1, done.output
    assert "Traceback" not in done.output, done.stderr
    located = [line for line in done.stderr.splitlines() if line.startswith(f"{output / 'mawar'}:1: ")]
    assert located and "gagal menulis" in located[0], done.stderr
    assert tree_hashes(output, include_hidden=True) == before, "the previous output changed"
    assert not (build_dir(output) / "staging").exists()

    build(site, output)
    build(site, tmp_path / "bersih")
    assert _differences(tree_hashes(output), tree_hashes(tmp_path / "bersih")) == []


def test_full_disk_while_many_files_change_leaves_no_half_written_kelurahan(site: Path, tmp_path: Path) -> None:
    """Every page of every kelurahan changes; in mawar the disk fills up after most of its new
    pages were written (berita, halaman, ikon, index, layanan, media come before umkm)."""
    output = tmp_path / "out"
    build(site, output)
    old = tree_hashes(output)
    _edit_every_kelurahan(site)
    item = site / "kelurahan/mawar/umkm/warung-bu-sri.md"
    item.write_text(item.read_text(encoding="utf-8") + "Cerita warung yang panjang sekali. " * 3000,
                    encoding="utf-8")
    reference = tmp_path / "baru"
    build(site, reference)
    new = tree_hashes(reference)
    changed = [rel for rel in subtree(new, "mawar") if subtree(new, "mawar")[rel] != subtree(old, "mawar").get(rel)]
    assert len(changed) >= 8 and (reference / "mawar/umkm/warung-bu-sri/index.html").stat().st_size > LIMIT

    done = run_cli_process(site, "build", "--output", output, "--jobs", "1", preexec_fn=full_disk(LIMIT))
    assert done.returncode == 1 and "Traceback" not in done.output, done.output
    failed = f"{output / 'mawar'}:1: gagal menulis"
    assert any(line.startswith(failed) for line in done.stderr.splitlines()), done.stderr
    now = tree_hashes(output)
    assert subtree(now, "mawar") == subtree(old, "mawar"), "mawar is half-written instead of its previous version"
    for slug in sorted(set(TINY_KECAMATAN) - {"mawar"}):
        assert subtree(now, slug) == subtree(new, slug), f"{slug} fits on the disk and is published whole"
    assert not (build_dir(output) / "staging").exists()


def test_full_disk_while_writing_the_portal_is_reported_and_repaired(site: Path, tmp_path: Path) -> None:
    """The kelurahan pages fit, the portal (which lists every ringkasan) does not."""
    output = tmp_path / "out"
    build(site, output)
    old = tree_hashes(output)
    long = "Ringkasan yang panjang sekali. " * 900  # ~28 KB per kelurahan, ~85 KB on the portal
    for profile in (site / "kelurahan").glob("*/profil.yaml"):
        text = profile.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("ringkasan:")]
        profile.write_text("\n".join([*lines, f"ringkasan: {long}"]) + "\n", encoding="utf-8")
    build(site, tmp_path / "baru")
    new = tree_hashes(tmp_path / "baru")
    portal, home = (len((tmp_path / "baru" / rel).read_bytes()) for rel in ("index.html", "mawar/index.html"))
    assert portal > LIMIT > home

    done = run_cli_process(site, "build", "--output", output, "--jobs", "1", preexec_fn=full_disk(LIMIT))
    problems = []
    if done.returncode != 1 or "Traceback" in done.output:
        problems.append(f"exit {done.returncode}, stderr:\n{done.stderr}")
    if not any(line.startswith(f"{output / 'index.html'}:") or line.startswith("index.html:")
               for line in done.stderr.splitlines()):
        problems.append(f"no message names the file that could not be written:\n{done.stderr}")
    problems += _whole(tree_hashes(output), [old, new], list(TINY_KECAMATAN))

    repaired = run_cli(site, "build", "--output", output, "--jobs", "1")
    if repaired.exit_code != 0:
        problems.append(f"the next build failed:\n{repaired.output}")
    problems += [f"after the next build, differs from a clean build: {rel}"
                 for rel in _differences(tree_hashes(output), new)]
    assert not problems, "\n".join(problems)


# -- a kill at every step ----------------------------------------------------------------------


def _build_in_child(site: Path, output: Path, kill: tuple[str, int] | None, log: Path) -> int:
    """Build in a forked child that SIGKILLs itself before/after its n-th rename or replace.

    The child shares the already imported generator, so each run costs a fraction of a second;
    SIGKILL runs no cleanup at all, exactly like a power cut of the process."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 70
        try:
            calls: list[list[str]] = []
            # The atomic swap (renameat2 through ctypes) counts as a rename.
            real = {"rename": os.rename, "replace": os.replace, "swap": output_module._exchange}

            def patched(name: str) -> Callable[..., object]:
                def call(src: object, dst: object, *args: object, **kwargs: object) -> object:
                    calls.append(["rename" if name == "swap" else name,
                                  os.fspath(src), os.fspath(dst)])  # type: ignore[arg-type]
                    if kill == ("sebelum", len(calls)):
                        os.kill(os.getpid(), signal.SIGKILL)
                    result = real[name](src, dst, *args, **kwargs)
                    if kill == ("sesudah", len(calls)):
                        os.kill(os.getpid(), signal.SIGKILL)
                    return result
                return call

            os.rename, os.replace = patched("rename"), patched("replace")  # type: ignore[assignment]
            output_module._exchange = patched("swap")  # type: ignore[assignment]
            result = run_cli(site, "build", "--output", output, "--jobs", "1")
            log.write_text(json.dumps({"calls": calls, "output": result.output}), encoding="utf-8")
            code = result.exit_code
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def _kill_points(calls: list[list[str]], output: Path) -> list[tuple[str, int]]:
    """Before and after every rename (the swaps) and every write outside the staging folder, and
    before the first write into the staging folder."""
    points = []
    staged = False
    for index, (name, _src, dst) in enumerate(calls, start=1):
        in_staging = Path(dst).is_relative_to(build_dir(output) / "staging")
        if name == "rename" or not in_staging:
            points += [("sebelum", index), ("sesudah", index)]
        elif not staged:
            points.append(("sebelum", index))
            staged = True
    return points


def test_kill_at_every_step_leaves_each_kelurahan_whole_and_the_next_build_repairs_it(
        old_and_new: tuple[Path, Path, Path], tmp_path: Path) -> None:
    site, old_output, new_output = old_and_new
    old, new = tree_hashes(old_output), tree_hashes(new_output)
    log = tmp_path / "log.json"

    dry = tmp_path / "uji"
    _copy_output(old_output, dry)
    status = _build_in_child(site, dry, None, log)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, log.read_text(encoding="utf-8")
    calls = json.loads(log.read_text(encoding="utf-8"))["calls"]
    points = _kill_points(calls, dry)
    calls = [[name, src, os.path.relpath(dst, dry)] for name, src, dst in calls]
    assert sum(1 for name, *_ in calls if name == "rename") >= len(TINY_KECAMATAN)  # one swap per kelurahan
    assert len(points) >= 12

    problems = []
    for when, index in points:
        output = tmp_path / f"mati-{when}-{index}"
        _copy_output(old_output, output)
        status = _build_in_child(site, output, (when, index), log)
        step = f"killed {when} {calls[index - 1][0]} #{index} ({calls[index - 1][2]})"
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            problems.append(f"{step}: the build was not killed (status {status})")
            continue
        problems += [f"{step}: {p}" for p in _whole(tree_hashes(output), [old, new], list(TINY_KECAMATAN))]
        repaired = run_cli(site, "build", "--output", output, "--jobs", "1")
        if repaired.exit_code != 0:
            problems.append(f"{step}: the next build failed:\n{repaired.output}")
        problems += [f"{step}: after the next build, differs from a clean build: {rel}"
                     for rel in _differences(tree_hashes(output), new)]
        shutil.rmtree(output)
    assert not problems, "\n".join(problems)


# -- a real process killed from outside -------------------------------------------------------

MANY = 30


def _many_kelurahan(root: Path) -> Path:
    """The tiny site plus 30 generated kelurahan with a few pages each."""
    changes: dict[str, str | bytes | None] = {}
    for number in range(MANY):
        slug = f"contoh-{number:02d}"
        lat = -7.59 + number * 0.002
        changes[f"kelurahan/{slug}/profil.yaml"] = (
            f"nama: Contoh {number}\nkecamatan: jebres\nlokasi: {{lat: {lat:.4f}, lon: 110.8200}}\n")
        for item in range(4):
            changes[f"kelurahan/{slug}/umkm/usaha-{item}.md"] = (
                f"---\nnama: Usaha {item}\nlokasi: {{lat: {lat:.4f}, lon: {110.80 + item * 0.005:.4f}}}\n---\n"
                + "Teks isi usaha. " * 300 + "\n")
    return write_site(root, changes)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(site with 33 kelurahan, old output, reference output of the edited site)."""
    root = tmp_path_factory.mktemp("banyak")
    site = _many_kelurahan(root / "situs")
    build(site, root / "lama")
    _edit_every_kelurahan(site)
    build(site, root / "baru")
    return site, root / "lama", root / "baru"


def _start_when_staging(site: Path, output: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    """Start a build in a child process; return once it staged its first kelurahan."""
    child = subprocess.Popen(cli_command(site, "build", "--output", output, *args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, **popen)  # type: ignore[call-overload]
    deadline = time.monotonic() + 60
    while not (build_dir(output) / "staging").exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    return child


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15])
def test_sigkill_of_a_running_build_leaves_each_kelurahan_whole(
        many: tuple[Path, Path, Path], tmp_path: Path, delay: float) -> None:
    site, old_output, new_output = many
    old, new = tree_hashes(old_output), tree_hashes(new_output)
    output = tmp_path / "out"
    # A build that ended before the kill (as one that writes in place, never staging, would) tests
    # nothing: on a machine fast enough to finish within the delay, try again with shorter ones.
    for wait in (delay, delay / 4, 0.0):
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(build_dir(output), ignore_errors=True)
        _copy_output(old_output, output)
        child = _start_when_staging(site, output, "--jobs", "1")
        time.sleep(wait)
        child.kill()
        _, stderr = child.communicate()
        if child.returncode == -signal.SIGKILL:
            break
    assert child.returncode == -signal.SIGKILL, f"not running when killed (exit {child.returncode}):\n{stderr}"
    slugs = _slugs(new_output)
    assert len(slugs) == MANY + len(TINY_KECAMATAN)
    problems = _whole(tree_hashes(output), [old, new], slugs)
    repaired = run_cli(site, "build", "--output", output, "--jobs", "2")
    assert repaired.exit_code == 0, repaired.output
    problems += [f"after the next build, differs from a clean build: {rel}"
                 for rel in _differences(tree_hashes(output), new)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_the_build_cleanly(many: tuple[Path, Path, Path], tmp_path: Path, jobs: str) -> None:
    """Ctrl-C in a terminal sends SIGINT to the whole process group (with --jobs 2, to the workers too)."""
    site, old_output, new_output = many
    old, new = tree_hashes(old_output), tree_hashes(new_output)
    output = tmp_path / "out"
    _copy_output(old_output, output)
    child = _start_when_staging(site, output, "--jobs", jobs, start_new_session=True)
    time.sleep(0.05)
    assert child.poll() is None, "the build ended before Ctrl-C could be sent"
    os.killpg(child.pid, signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode > 0, f"exit status {child.returncode} after Ctrl-C: {stderr}"
    assert "Traceback" not in stderr, stderr
    assert _whole(tree_hashes(output), [old, new], _slugs(new_output)) == []
    refused = run_cli(site, "publish", "--output", output, "--target", f"file://{tmp_path / 'www'}")
    assert_exit(refused, 1)
    assert "build terakhir tidak selesai" in refused.stderr and not (tmp_path / "www").exists()
    repaired = run_cli(site, "build", "--output", output, "--jobs", "2")
    assert repaired.exit_code == 0, repaired.output
    assert _differences(tree_hashes(output), new) == []


# -- two builds at once ------------------------------------------------------------------------


def test_second_build_is_refused_while_the_lock_is_held(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    before = tree_hashes(output, include_hidden=True)
    with open(build_dir(output) / "lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli(site, "build", "--output", output, "--jobs", "1")
        fcntl.flock(handle, fcntl.LOCK_UN)
    assert_exit(result, 1)
    assert "build lain sedang berjalan" in result.stderr, result.stderr
    assert tree_hashes(output, include_hidden=True) == before
    build(site, output)


def test_two_real_builds_at_once(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """A build that is still running (held with SIGSTOP mid-way) holds the lock; a second one is refused."""
    site = make_site()
    output = tmp_path / "out"
    first = _start_when_staging(site, output, "--jobs", "1")
    first.send_signal(signal.SIGSTOP)
    try:
        assert first.poll() is None, "the first build ended before the second could start"
        second = run_cli(site, "build", "--output", output, "--jobs", "1")
    finally:
        first.send_signal(signal.SIGCONT)
    _, stderr = first.communicate(timeout=60)
    assert second.exit_code == 1, second.output
    assert "build lain sedang berjalan" in second.stderr, second.stderr
    assert first.returncode == 0, stderr
    build(site, output)


# -- permissions -------------------------------------------------------------------------------


def _modes(output: Path) -> list[str]:
    wrong = []
    for path in [output, *published(output)]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        expected = 0o755 if path.is_dir() else 0o644
        if mode != expected:
            wrong.append(f"{path.relative_to(output).as_posix() or '.'}: {oct(mode)}")
    return wrong


def test_output_is_readable_whatever_the_umask(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    strict = lambda: os.umask(0o077)  # noqa: E731
    done = run_cli_process(site, "build", "--output", output, "--jobs", "2", preexec_fn=strict)
    assert done.returncode == 0, done.stderr
    assert _modes(output) == []
    _edit_every_kelurahan(site)
    (site / "kelurahan/melati/halaman").mkdir()
    (site / "kelurahan/melati/halaman/baru.md").write_text("---\njudul: Baru\n---\nIsi.\n", encoding="utf-8")
    done = run_cli_process(site, "build", "--output", output, "--jobs", "1", preexec_fn=strict)
    assert done.returncode == 0, done.stderr
    assert _modes(output) == []


# -- EXIF --------------------------------------------------------------------------------------

GPS_IFD = 0x8825
SECRET = "KameraPakRT-Rahasia"


def _jpeg_with_gps() -> tuple[bytes, Image.Image]:
    red = Image.linear_gradient("L").resize((64, 48))
    image = Image.merge("RGB", (red, red.transpose(Image.Transpose.FLIP_LEFT_RIGHT), Image.radial_gradient("L")
                                .resize((64, 48))))
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    exif[0x013B] = "Pak RT"  # Artist
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "S", (7.0, 34.0, 28.2), "E", (110.0, 49.0, 34.3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90, comment=b"catatan rumah warga")
    return buffer.getvalue(), image


def test_published_images_lose_gps_and_exif_but_keep_their_look(make_site: Callable[..., Path],
                                                                tmp_path: Path) -> None:
    data, _ = _jpeg_with_gps()
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(GPS_IFD), "the test photo has no GPS"
    site = make_site({"kelurahan/mawar/media/taman.jpg": data,
                      "kelurahan/mawar/wisata/taman-sekar.md":
                          "---\nnama: Taman Sekar\nlokasi: {lat: -7.5640, lon: 110.7870}\nfoto: media/taman.jpg\n"
                          "---\nTaman.\n\n![Taman](media/taman.jpg)\n"})
    output = tmp_path / "out"
    build(site, output)
    published = sorted((output / "mawar/media").glob("taman.*"))
    # The original name, WebP and JPEG at the photo's own width (64 px: never upscaled), the share card.
    assert [p.name for p in published] == ["taman.64.jpg", "taman.64.webp", "taman.jpg", "taman.kartu.jpg"]
    for path in published:
        published_bytes = path.read_bytes()
        copy = Image.open(io.BytesIO(published_bytes))
        copy.load()
        assert copy.getexif().get_ifd(GPS_IFD) == {} and GPS_IFD not in copy.getexif()
        assert 0x010F not in copy.getexif() and 0x013B not in copy.getexif()
        assert SECRET.encode() not in published_bytes and b"catatan rumah warga" not in published_bytes
        assert b"Exif" not in published_bytes
        assert published_bytes != data
    copy = Image.open(output / "mawar/media/taman.jpg").convert("RGB")
    assert copy.size == original.size
    difference = ImageChops.difference(copy, original.convert("RGB"))
    assert max(ImageStat.Stat(difference).mean) < 4, "the published photo does not look like the original"


# -- nothing outside the output folder (and its private .kelurahan/ next to it) ----------------


def _public(entries: dict[str, tuple[str, bytes | str | None, int]]) -> dict[str, tuple[str, bytes | str | None, int]]:
    """A site snapshot without its private folder ``.kelurahan/`` (the image cache may grow there)."""
    return {rel: value for rel, value in entries.items() if rel.split("/")[0] != ".kelurahan"}


def test_build_writes_nothing_outside_its_output_folder(site: Path, tmp_path: Path) -> None:
    outside = make_outside(tmp_path / "luar")
    (site / "kelurahan/melati/media").mkdir()
    os.symlink(outside / "rahasia.png", site / "kelurahan/melati/media/luar.png")  # refused, never followed
    site_before = _public(snapshot(site))
    outside_before = snapshot(outside)
    top_before = {p.name for p in tmp_path.iterdir()}
    output = tmp_path / "out"

    assert run_cli(site, "build", "--output", output, "--jobs", "2").exit_code == 1
    assert _public(snapshot(site)) == site_before, "the build changed the site folder"
    assert snapshot(outside) == outside_before, "the build changed a folder a symlink points to"
    (site / "kelurahan/melati/media/luar.png").unlink()
    site_before = _public(snapshot(site))
    assert run_cli(site, "build", "--output", output, "--jobs", "1", "--clean").exit_code == 0
    assert _public(snapshot(site)) == site_before, "the build changed the site folder"
    assert {p.name for p in tmp_path.iterdir()} == top_before | {"out", ".kelurahan"}
    assert not [p for p in output.iterdir() if p.name.startswith(".")], "only the public site is in the output"

    default = run_cli(site, "build", "--jobs", "1")
    assert default.exit_code == 0, default.output
    changed = [rel for rel, value in snapshot(site).items() if site_before.get(rel) != value]
    assert changed and all(rel.split("/")[0] in ("output", ".kelurahan") for rel in changed), changed
    assert not [p for p in (site / "output").iterdir() if p.name.startswith(".")], "only the public site"
    assert (site / ".kelurahan" / "cache" / "gambar").is_dir(), "the image cache is in the site's private folder"
