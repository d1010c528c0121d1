"""Everything that touches the output folder: atomic writes, staging, promotion, the lock.

Each changed kelurahan is staged in a hidden folder (unchanged files are hard links, so
staging is cheap) and swapped into place with renames, so a crash or Ctrl-C leaves every
kelurahan either as before or as new; ``recover`` finishes or undoes a swap left half-way.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import BuildLocked

HIDDEN_DIR = ".kelurahan"
STAGING_DIR = "staging"
LOCK_FILE = "lock"
UNFINISHED_FILE = "belum-selesai"
FILE_MODE = 0o644
DIR_MODE = 0o755


TEMP_MARK = ".tmp-"


def build_dir(output: Path) -> Path:
    """The private folder of the build into ``output``: its state, lock and staging.

    It sits in the hidden ``.kelurahan/`` folder next to the output folder (for the default
    ``output/``, the site's own hidden folder), never inside it, so ``output/`` holds only
    what the public may see; being a sibling, staging is on the output's file system and
    promotion stays a rename."""
    output = Path(os.path.abspath(output))
    name = "build" if output.name == "output" else f"build-{output.name}"
    return output.parent / HIDDEN_DIR / name


def unfinished(output: Path) -> bool:
    """Did a build into ``output`` start and not finish (killed, crashed, disk full)?"""
    return (build_dir(output) / UNFINISHED_FILE).exists()


def write_file(path: Path, data: bytes) -> None:
    """Write bytes atomically (temp file + rename) with readable permissions.

    A failure (full disk...) removes the temp file and names the target in the error."""
    temp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(path)) from error


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    write_file(path, data)
    return True


def _stage_file(stage: str, current: str, rel: str, data: bytes | None, made: set[str]) -> bool:
    """Put one file in the staging folder: a hard link when unchanged, else new bytes.

    The staging folder is private until it is swapped in whole, so files are created in
    place: no temp file and rename per file."""
    target, old = os.path.join(stage, rel), os.path.join(current, rel)
    _make_dirs(os.path.dirname(target), made)
    if _same_file(old, data):
        try:
            os.link(old, target)
        except OSError:
            shutil.copyfile(old, target)
            os.chmod(target, FILE_MODE)
        return False
    if data is None:
        raise FileNotFoundError(old)
    try:
        _create(target, data)
    except OSError as error:
        raise OSError(error.errno, error.strerror, target) from error
    return True


def _same_file(old: str, data: bytes | None) -> bool:
    """Does the published file ``old`` exist (and, when ``data`` is given, hold exactly it)?"""
    try:
        info = os.stat(old)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if data is None:
        return True
    if info.st_size != len(data):
        return False
    with open(old, "rb") as handle:
        return handle.read() == data


def _create(path: str, data: bytes) -> None:
    """Create a new file with mode 644 whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _make_dirs(directory: str, made: set[str]) -> None:
    """Create ``directory`` and its missing parents below a known one, with mode 755."""
    if directory in made:
        return
    _make_dirs(os.path.dirname(directory), made)
    os.mkdir(directory)
    os.chmod(directory, DIR_MODE)
    made.add(directory)


def readable_dirs(root: Path) -> None:
    """Give every folder below ``root`` (and itself) mode 755, whatever the umask."""
    os.chmod(root, DIR_MODE)
    for directory, names, _files in os.walk(root):
        for name in names:
            os.chmod(os.path.join(directory, name), DIR_MODE)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where that is unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def promote(output: Path, slug: str, stage: Path) -> None:
    """Swap a staged kelurahan folder into place, atomically where the system allows it."""
    current = output / slug
    if current.exists() and _exchange(stage, current):
        shutil.rmtree(stage, ignore_errors=True)  # the stage now holds the old version
        return
    old = build_dir(output) / STAGING_DIR / "lama" / slug
    old.parent.mkdir(parents=True, exist_ok=True)
    if current.exists():
        os.rename(current, old)
    os.rename(stage, current)
    shutil.rmtree(old, ignore_errors=True)


def recover(output: Path) -> None:
    """Undo a build that stopped half-way: restore swapped-out folders, drop staging."""
    staging = build_dir(output) / STAGING_DIR
    old_root = staging / "lama"
    if old_root.is_dir():
        for old in old_root.iterdir():
            if not (output / old.name).exists():
                os.rename(old, output / old.name)
    shutil.rmtree(staging, ignore_errors=True)
    _remove_temp_files(output, recursive=False)
    for folder in ("data", "assets", "data-terbuka"):  # the portal's folders (data-terbuka: open-data page)
        _remove_temp_files(output / folder, recursive=True)


def _remove_temp_files(folder: Path, recursive: bool) -> None:
    """Drop temp files of portal writes that a killed build left behind."""
    candidates = folder.rglob(".*") if recursive else folder.glob(".*")
    for path in list(candidates) if folder.is_dir() else []:
        if TEMP_MARK in path.name and path.is_file():
            path.unlink()


@contextmanager
def output_lock(output: Path, reading: bool = False) -> Iterator[None]:
    """Refuse to run two builds into the same output folder at once (or a build while
    ``publish`` reads it: ``reading`` takes a shared lock)."""
    import fcntl

    if not reading:
        output.mkdir(parents=True, exist_ok=True)
    build_dir(output).mkdir(parents=True, exist_ok=True)
    with open(build_dir(output) / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if reading else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"{output}: build lain sedang berjalan ke folder ini; tunggu sampai selesai") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def unfinished_mark(output: Path) -> Iterator[None]:
    """Mark the build into ``output`` as running until it ends (even with content errors:
    those keep the previous output of a kelurahan); a kill or crash leaves the mark."""
    mark = build_dir(output) / UNFINISHED_FILE
    mark.touch()
    yield
    mark.unlink(missing_ok=True)


OLD_HIDDEN = (".kelurahan-build.json", ".kelurahan.lock", ".kelurahan-staging")


def move_old_state(output: Path, state_file: str) -> None:
    """Outputs of older versions kept their state, lock and staging inside: move the state
    out, drop the rest, so ``output/`` holds only the site."""
    old_state = output / OLD_HIDDEN[0]
    if old_state.is_file() and not (build_dir(output) / state_file).exists():
        os.replace(old_state, build_dir(output) / state_file)
    for name in OLD_HIDDEN:
        path = output / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def write_kelurahan(output: Path, slug: str, outputs: dict[str, bytes | None], stale: bool) -> int:
    """Stage a kelurahan's files (new bytes or hard links) and swap the folder into place."""
    if not stale:
        return 0
    stage = build_dir(output) / STAGING_DIR / "baru" / slug
    shutil.rmtree(stage, ignore_errors=True)
    stage.parent.mkdir(parents=True, exist_ok=True)
    made = {str(stage.parent)}
    _make_dirs(str(stage), made)
    current = str(output / slug)
    written = sum(_stage_file(str(stage), current, rel, data, made) for rel, data in sorted(outputs.items()))
    promote(output, slug, stage)
    return written


def remove_gone(output: Path, manifest: dict[str, Any], existing: set[str]) -> None:
    for slug in sorted(set(manifest) - existing):
        stage_old = build_dir(output) / STAGING_DIR / "lama" / slug
        if (output / slug).is_dir():
            stage_old.parent.mkdir(parents=True, exist_ok=True)
            os.rename(output / slug, stage_old)
            shutil.rmtree(stage_old)
        del manifest[slug]


def remove_unlisted(folder: Path, keep: set[str]) -> None:
    """Delete the files of ``folder`` whose names are not in ``keep`` (data of a removed kelurahan)."""
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.name not in keep:
                path.unlink()
