"""No message depends on a library's version or language.

PyYAML (libyaml underneath) and click word their errors in English, and the words change between
releases: PyYAML 6.0.4 added a nesting limit of its own ("exceeded maximum nesting depth").
Whatever the library says, staff and Diskominfo read our Indonesian ``path:line: message; hint``
(or ``Kesalahan: ...`` for a mistyped command). These tests run on the locked versions; CI runs
them again on the newest versions pyproject.toml allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PROBLEM_LINE, assert_exit, run_cli
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.errors import ContentError
from generator.yamlio import MAX_DEPTH, load_mapping

# Words of the libraries' English messages (never of ours, which say "anchor/alias" and "tag YAML").
ENGLISH = re.compile(
    r"\b(found|expected|while|scanning|parsing|character|allowed|stream|token|document|mapping|sequence|"
    r"scalar|indicator|nesting|exceeded|directive|block|flow|node|invalid|not|is|the|requires|argument|"
    r"option|such|command|range|directory|file|got|unexpected|extra|error|value)\b",
    re.IGNORECASE,
)
ITEM = "kelurahan/melati/umkm/bakso-pak-min.md"
DEEP = f"struktur YAML terlalu dalam (lebih dari {MAX_DEPTH} tingkat); sederhanakan isian ini"


def _front(header: str) -> str:
    return f"---\nnama: Bakso Pak Min\nlokasi: {{lat: -7.5560, lon: 110.8430}}\n{header}\n---\nEnak.\n"


def _block(levels: int) -> str:
    return "catatan:\n" + "".join("  " * level + "-\n" for level in range(levels)) + "  " * levels + "- x"


# (header lines after nama and lokasi, which start at file line 4; expected line; message)
YAML_CASES = {
    # libyaml (PyYAML >= 6.0.4) stops at 1,000 levels with its own message; we stop at MAX_DEPTH.
    "kurung-1500": ("catatan: " + "[" * 1500, 4, DEEP),
    "kurawal-1500": ("catatan: " + "{a: " * 1500, 4, DEEP),
    "daftar-1500-satu-baris": ("catatan:\n  " + "- " * 1500 + "x", 5, DEEP),
    "daftar-13-baris": (_block(MAX_DEPTH), 4 + MAX_DEPTH, DEEP),
    "karakter-kendali": ("catatan: a\n\ncatatan2: a\x01b", 6, "ada karakter kendali (tak terlihat) dalam teks"),
    "kutip-tidak-ditutup": ("catatan: 'x", 5, "tanda kutip atau kurung tidak ditutup"),  # seen at the end
    "tag-lokal": ("catatan: !<!x> y", 4, "tag YAML"),
    "direktif": ("%YAML 1.1\ncatatan: x", 5, "isian sesudah baris '...' atau '%' tidak terbaca"),
    "persen-di-awal-nilai": ("catatan: %50", 4, "nilai tidak boleh diawali @, ` atau %"),
    "akhir-dokumen": ("catatan: x\n...\ncatatan2: y", 6, "isian sesudah baris '...' atau '%' tidak terbaca"),
    "garis-miring": ('catatan: "a\\qb"', 4, "garis miring terbalik (\\) dalam teks bertanda kutip ganda"),
    "heksa-pendek": ('catatan: "a\\x4"', 4, "garis miring terbalik (\\) dalam teks bertanda kutip ganda"),
    "teks-blok-salah": ("catatan: |0\n  x", 4, "nilai diawali > atau | (teks blok) tidak ditulis dengan benar"),
    "daftar-lalu-isian": ("- a\nb: 1", 4, "baris ini tidak berbentuk 'nama: nilai' atau indentasinya salah"),
    "anchor-tanpa-nama": ("catatan: & x", 4, "anchor/alias YAML (& dan *) tidak didukung"),
}


def _messages(stderr: str) -> list[str]:
    """The message part of every ``path:line: message`` line."""
    return [line.split(": ", 1)[1] for line in stderr.splitlines() if PROBLEM_LINE.match(line)]


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml_errors_are_reported_in_indonesian_at_their_line(make_site: Callable[..., Path], case: str) -> None:
    header, line, message = YAML_CASES[case]
    site = make_site({ITEM: _front(header)})
    result = run_cli(site, "check")
    assert_exit(result, 1)
    assert any(entry.startswith(f"{ITEM}:{line}: {message}") for entry in result.stderr.splitlines()), result.stderr
    english = [m for m in _messages(result.stderr) if ENGLISH.search(m)]
    assert not english, english


YAMLISH = st.text(alphabet=list(":-[]{}&*!|>'\"#%@`,?~ \n\r01aZ.\\\x01\x85\u2028é<"), max_size=80)


@settings(deadline=None)  # a text nested 1,000 levels deep costs about a second with PyYAML 6.0.4
@given(st.one_of(YAMLISH, st.text(max_size=120)))
@example("a: " + "[" * 1200)
@example("a: " + "{b: " * 1200)
@example("- " * 1200 + "x")
@example("a: !<tag:yaml.org,2002:python/none> x")
@example("%TAG ! tag:x,2000:\n--- !a b")
def test_no_yaml_error_speaks_english(text: str) -> None:
    try:
        load_mapping(text, "kelurahan/x/profil.yaml")
    except ContentError as error:
        english = [str(p) for p in error.problems if ENGLISH.search(f"{p.message} {p.hint}")]
        assert not english, english


@pytest.mark.parametrize(("args", "message"), [
    (["build", "--jobs", "abc"], "nilai --jobs / -j tidak valid: harus bilangan bulat paling kecil 1"),
    (["build", "--jobs", "0"], "nilai --jobs / -j tidak valid: harus bilangan bulat paling kecil 1"),
    (["serve", "--port", "99999"], "nilai --port / -p tidak valid: harus bilangan bulat dari 1 sampai 65535"),
    (["build", "--output", "config.yaml"], "nilai --output / -o tidak valid: harus berupa folder, bukan berkas"),
    (["init", "baru", "--wilayah", "35.71", "--batas", "kelurahan"],
     "nilai --batas tidak valid: harus berupa berkas, bukan folder"),
    (["build", "--clean=ya"], "opsi --clean tidak menerima nilai"),
    (["new", "kemuning", "--nama"], "opsi --nama perlu nilai"),
    (["bangun"], "perintah tidak dikenal: 'bangun'"),
    (["serve", "lebih"], "argumen tidak sesuai: ada yang berlebih atau kurang"),
])
def test_usage_errors_are_indonesian_whatever_click_says(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                         args: list[str], message: str) -> None:
    monkeypatch.chdir(site)
    result = run_cli(site, *args)
    assert_exit(result, 2)
    first = result.stderr.splitlines()[0]
    assert first == f"Kesalahan: {message}", result.stderr
    assert not ENGLISH.search(first.removeprefix("Kesalahan: ").replace("--", " ")), first


def test_version_is_indonesian(site: Path) -> None:
    result = run_cli(site, "--version")
    assert_exit(result, 0)
    assert re.fullmatch(r"kelurahan versi \d+\.\d+\.\d+\n", result.output), result.output


@pytest.mark.parametrize("url", ["OpenStreetMap", "cartodbpositron", "https://ubin.example.org/peta.png"])
def test_tile_address_must_hold_z_x_y(site: Path, url: str) -> None:
    """A provider's name would make folium look it up in its own, version-dependent list."""
    config = site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    line = text.splitlines().index(next(t for t in text.splitlines() if t.strip().startswith("url:"))) + 1
    config.write_text(re.sub(r"(?m)^(\s+url:).*$", rf'\1 "{url}"', text, count=1), encoding="utf-8")
    result = run_cli(site, "check")
    assert_exit(result, 1)
    assert result.stderr.startswith(f"config.yaml:{line}: url: "), result.stderr
    assert "folium" not in result.output and "Warning" not in result.output
