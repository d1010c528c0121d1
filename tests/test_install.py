"""A non-editable install (``pip install .``, a wheel) carries everything the generator needs.

The other tests run the generator from the source tree (an editable install); this one builds a
wheel from a copy of the sources, installs it into a folder of its own and builds a copy of the
sample site from yet another folder with ``--site``, so a template or asset missing from the
package data fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from conftest import REPO

# Run the installed package only: -P keeps the current folder off sys.path, and the check makes
# sure ``generator`` came from the installed wheel, not from the source tree.
RUN_INSTALLED = (
    "import sys, generator; from pathlib import Path; "
    "assert Path(generator.__file__).is_relative_to(sys.argv[1]), generator.__file__; "
    "from generator.cli import main; sys.argv = ['kelurahan', *sys.argv[2:]]; main()"
)


def _package_files() -> set[str]:
    """Every module, template, asset and data file of the package."""
    return {p.relative_to(REPO).as_posix() for p in (REPO / "generator").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_wheel_carries_templates_and_assets_and_builds_the_sample_from_elsewhere(tmp_path: Path) -> None:
    source = tmp_path / "sumber"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "roda"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(source)], check=True, capture_output=True, text=True)
    [wheel] = wheels.glob("kelurahan-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        missing = _package_files() - set(archive.namelist())
    assert not missing, f"not in the wheel: {sorted(missing)}"

    target = tmp_path / "terpasang"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, capture_output=True, text=True)
    site = tmp_path / "situs"
    shutil.copytree(REPO, site, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "output", ".pratinjau", ".kelurahan", "__pycache__", "generator", "tests", "bench",
        "build", "*.egg-info", ".*_cache", ".hypothesis", "requirements", "scripts", ".ci"))
    elsewhere = tmp_path / "di-tempat-lain"
    elsewhere.mkdir()
    # -S: no site module, so the editable install's import hook (which would find a module the
    # wheel lacks in the source tree) is not loaded; the dependencies come from PYTHONPATH.
    libraries = dict.fromkeys(sysconfig.get_path(name) for name in ("purelib", "platlib"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *libraries])}
    done = subprocess.run([sys.executable, "-S", "-P", "-c", RUN_INSTALLED, str(target), "--site", str(site), "build",
                           "--output", str(elsewhere / "hasil"), "--jobs", "2"],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 kelurahan gagal" in done.stderr, done.stderr
    output = elsewhere / "hasil"
    slugs = {p.name for p in (site / "kelurahan").iterdir() if p.is_dir()}
    assert len(slugs) == 51 and all((output / slug / "index.html").is_file() for slug in slugs)
    for rel in ("index.html", "assets/situs.css", "assets/peta.js", "data/peta-halaman.js", "data/peta-kota.js"):
        assert (output / rel).is_file(), rel
    assert "<html" in (output / "kauman/index.html").read_text(encoding="utf-8")
