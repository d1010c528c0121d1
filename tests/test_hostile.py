"""Hostile and broken content, one folder per case in tests/bahaya/, checked through the CLI.

Refused cases (``hasil: tolak``) must be reported by ``check`` and ``build`` exactly as listed
in their ``harapan.txt`` (nothing missing, nothing spurious), in bounded time, without a
traceback, leaving the previous output byte-identical and the other kelurahan built. Numbers
listed as ``rahasia`` must never be printed in full.

Buildable cases (``hasil: bangun``) must pass ``check`` and ``build``; their pages must hold no
injected markup, and the hostile ones are opened in headless Chromium over HTTP: no dialog may
open, no canary may be set, nothing may load from another host, and the hostile text must be
visible as written, also in map popups and tooltips. See ``hardening_helpers`` for the manifest.
"""

from __future__ import annotations

import re
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    PROBLEM_LINE,
    REPO,
    TINY_KECAMATAN,
    Expected,
    broken_links,
    city_features,
    parse_html,
    read_expected,
    run_cli,
    summary,
    tile_template,
    tree_bytes,
)
from hardening_helpers import (
    MANIFEST,
    MANIFEST_KEYS,
    Browser,
    HostileCase,
    apply_hostile_case,
    dom_problems,
    hostile_cases,
    injected_markup,
    kelurahan_pages,
    run_cli_process,
    snapshot,
)

CASES = hostile_cases()
REFUSED = hostile_cases("tolak")
BUILT = hostile_cases("bangun")
IN_BROWSER = [c for c in CASES if c.browser]
CHECK_SUMMARY = re.compile(r"^\d+ masalah di \d+ dari \d+ kelurahan\.$")

REQUIRED = {
    "skrip-di-isian-yaml", "skrip-di-markdown-item", "skrip-di-beranda", "skema-tautan-markdown",
    "jinja-di-konten", "nama-untuk-peta", "pemisah-baris-unicode", "tautan-html-di-yaml",
    "situs-javascript", "tautan-layanan-javascript", "media-sosial-javascript",
    "nik-di-markdown", "nik-angka-yaml", "nik-nama-berkas-media", "nomor-kk-berspasi", "ponsel-pribadi-di-isi",
    "ponsel-kontak-resmi", "anchor-saja", "alias-tanpa-anchor", "kunci-ganda-profil", "tag-python",
    "sarang-kurung-dalam", "markdown-600kb", "gambar-30mb", "markdown-patologis", "symlink-berkas",
    "symlink-media-luar", "foto-naik-folder", "foto-path-absolut", "gambar-markdown-situs-lain",
    "slug-item-tidak-valid", "folder-kelurahan-huruf-besar", "folder-kelurahan-assets", "folder-kelurahan-data",
    "positif-palsu-nib", "positif-palsu-kode-wilayah", "positif-palsu-tanggal", "positif-palsu-koordinat",
    "positif-palsu-rekening", "positif-palsu-telepon-kantor", "positif-palsu-16-angka-tanggal-salah",
}


def _ids(cases: list[HostileCase]) -> list[str]:
    return [c.name for c in cases]


# -- running the CLI -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One CLI run, in-process or in a child process."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if PROBLEM_LINE.match(line)]


def _run(case: HostileCase, site: Path, *args: object) -> Run:
    """Run the CLI as the case asks; a crash, an uncaught exception or a traceback fails the test."""
    started = time.perf_counter()
    if case.get("subproses"):
        try:
            done = run_cli_process(site, *args, timeout=case.time_limit)
        except subprocess.TimeoutExpired:
            pytest.fail(f"'{args[0]}' did not finish within {case.time_limit:g} s (killed)")
        run = Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)
        assert run.code >= 0, f"the interpreter died with signal {-run.code}\n{run.stderr[-2000:]}"
    else:
        result = run_cli(site, *args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            tb = "".join(traceback.format_exception(result.exception))
            pytest.fail(f"uncaught exception in the CLI:\n{tb}\n--- stderr:\n{result.stderr[-2000:]}")
        run = Run(result.exit_code, result.stdout, result.stderr, time.perf_counter() - started)
    assert "Traceback" not in run.stdout + run.stderr, run.stderr[-3000:]
    assert run.seconds <= case.time_limit, f"{args[0]} took {run.seconds:.1f} s (limit {case.time_limit:g} s)"
    return run


@dataclass(frozen=True)
class Result:
    """Just enough of a click Result for conftest.summary."""

    stderr: str


def _compare(expected: list[Expected], lines: list[str]) -> list[str]:
    problems = [f"missing: {e}" for e in expected if not any(e.matches(line) for line in lines)]
    problems += [f"unexpected: {line}" for line in lines if not any(e.matches(line) for e in expected)]
    return problems


def _broken(expected: list[Expected]) -> set[str]:
    return {e.path.split("/")[1] for e in expected}


@pytest.fixture
def case_site(make_site: Callable[..., Path], tmp_path: Path) -> Callable[[HostileCase], Path]:
    """Factory: the tiny site with a hostile case laid over it."""

    def make(case: HostileCase) -> Path:
        site = make_site()
        apply_hostile_case(case, site, tmp_path / "luar")
        return site

    return make


# -- the case folders ------------------------------------------------------------------------


def test_every_case_folder_has_a_valid_manifest() -> None:
    names = {case.name for case in CASES}
    assert not REQUIRED - names, f"missing case folders: {sorted(REQUIRED - names)}"
    for case in CASES:
        assert (case.path / MANIFEST).is_file(), case.name
        assert set(case.manifest) <= MANIFEST_KEYS, (case.name, set(case.manifest) - MANIFEST_KEYS)
        assert case.manifest.get("hasil") in ("tolak", "bangun"), case.name
        assert case.touched(), f"{case.name} changes no kelurahan"
        if case.refused:
            read_expected(case.path)
        else:
            assert not (case.path / "harapan.txt").exists(), case.name
            assert case.get("literal"), f"{case.name}: a buildable case must say what is shown literally"
    assert len(REFUSED) >= 30 and len(BUILT) >= 15
    assert all(c.browser for c in BUILT if not c.name.startswith(("positif-palsu", "ponsel-kontak"))), \
        "every hostile buildable case must be opened in the browser"


# -- refused cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", REFUSED, ids=_ids(REFUSED))
def test_refused_case_is_reported_by_check(case: HostileCase, case_site: Callable[[HostileCase], Path]) -> None:
    site = case_site(case)
    before = snapshot(site)
    run = _run(case, site, "check")
    assert run.code == 1, f"exit {run.code}\n{run.stderr[-3000:]}"
    problems = _compare(read_expected(case.path), run.lines())
    assert not problems, "\n".join(problems) + "\n--- stderr:\n" + run.stderr[-3000:]
    other = [line for line in run.stderr.splitlines() if line not in run.lines() and not CHECK_SUMMARY.match(line)]
    assert not other, f"stderr lines that are neither a located problem nor the summary: {other}"
    assert snapshot(site) == before, "check wrote or changed files"
    for path in case.get("tidak_dibuat", []):
        assert not Path(path).exists(), f"{path} was created: a YAML tag ran code"


@pytest.mark.parametrize("case", REFUSED, ids=_ids(REFUSED))
def test_refused_case_keeps_the_previous_output_and_builds_the_rest(
        case: HostileCase, make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site()
    output = tmp_path / "out"
    assert run_cli(site, "build", "--output", output, "--jobs", "1").exit_code == 0
    before = tree_bytes(output)
    apply_hostile_case(case, site, tmp_path / "luar")
    expected = read_expected(case.path)
    broken = _broken(expected)

    run = _run(case, site, "build", "--output", output, "--jobs", "1")
    assert run.code == 1, f"exit {run.code}\n{run.stderr[-3000:]}"
    problems = _compare(expected, run.lines())
    assert not problems, "\n".join(problems) + "\n--- stderr:\n" + run.stderr[-3000:]
    assert summary(Result(run.stderr))["gagal"] == len(broken)
    changed = sorted(rel for rel in set(before) | set(tree_bytes(output))
                     if before.get(rel) != tree_bytes(output).get(rel))
    assert not changed, f"the refused build changed published files: {changed[:10]}"

    fresh = tmp_path / "fresh"
    run = _run(case, site, "build", "--output", fresh, "--jobs", "1")
    assert run.code == 1 and not _compare(expected, run.lines()), run.stderr[-3000:]
    portal = {e.attrs.get("href") for e in parse_html(fresh / "index.html").find("a")}
    for slug in broken:
        assert not (fresh / slug / "index.html").exists(), f"{slug} has errors but was built"
        assert f"{slug}/index.html" not in portal
    for slug in set(TINY_KECAMATAN) - broken:
        assert (fresh / slug / "index.html").is_file(), f"{slug} was not built"
        assert f"{slug}/index.html" in portal


MASKED = [c for c in REFUSED if c.get("rahasia")]


@pytest.mark.parametrize("case", MASKED, ids=_ids(MASKED))
def test_identity_and_phone_numbers_are_never_printed_in_full(
        case: HostileCase, case_site: Callable[[HostileCase], Path], tmp_path: Path) -> None:
    site = case_site(case)
    printed = {"check": _run(case, site, "check"), "build": _run(case, site, "build", "--output", tmp_path / "o")}
    leaks = [f"{command}: {line}" for command, run in printed.items()
             for line in (run.stdout + run.stderr).splitlines()
             for secret in case.get("rahasia") if secret in line]
    assert not leaks, "numbers printed in full:\n" + "\n".join(leaks)


# -- buildable cases -------------------------------------------------------------------------


def _pages(case: HostileCase, output: Path) -> list[str]:
    pages = ["index.html"]
    for slug in sorted(case.touched()):
        pages += kelurahan_pages(output, slug)
    return pages


def _normal(text: str) -> str:
    return " ".join(text.split())


def _raw_json_problems(output: Path) -> list[str]:
    text = (output / "data" / "peta-kota.js").read_text(encoding="utf-8")
    body = text.removeprefix("window.PETA_KOTA=").rstrip().removesuffix(";")
    bad = [c for c in ("<", ">", "&", "\u2028", "\u2029") if c in body]
    return [f"data/peta-kota.js holds unescaped {bad!r}"] if bad else []


@pytest.mark.parametrize("case", BUILT, ids=_ids(BUILT))
def test_buildable_case_passes_and_shows_text_as_written(
        case: HostileCase, case_site: Callable[[HostileCase], Path], tmp_path: Path) -> None:
    site = case_site(case)
    check = _run(case, site, "check")
    assert check.code == 0 and not check.lines(), check.stderr[-3000:]
    output = tmp_path / "out"
    run = _run(case, site, "build", "--output", output, "--jobs", "1")
    assert run.code == 0 and not run.lines(), run.stderr[-3000:]
    assert summary(Result(run.stderr))["gagal"] == 0

    problems = _raw_json_problems(output)
    for rel in _pages(case, output):
        problems += [f"{rel}: {p}" for p in injected_markup(parse_html(output / rel))]
    for item in case.get("literal", []):
        if _normal(item["teks"]) not in parse_html(output / item["halaman"]).text:
            problems.append(f"{item['halaman']}: {item['teks']!r} is not shown as written")
    for item in case.get("tidak_tampil", []):
        if _normal(item["teks"]) in parse_html(output / item["halaman"]).text:
            problems.append(f"{item['halaman']}: {item['teks']!r} is shown (content was evaluated)")
    names = {f["properties"]["nama"] for f in city_features(output)}
    problems += [f"city map data lacks {name!r}" for name in case.get("peta_kota", []) if name not in names]
    for item in case.get("peta", []):
        try:
            data = parse_html(output / item["halaman"]).json_script("peta-data")
        except ValueError as error:
            problems.append(f"{item['halaman']}: the map data is not JSON any more ({error})")
            continue
        if item["nama"] not in [f["properties"]["nama"] for f in data["titik"]["features"]]:
            problems.append(f"{item['halaman']}: map data lacks {item['nama']!r}")
    if not case.browser:
        problems += broken_links(output)
    assert not problems, "\n".join(problems)


# -- in Chromium -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium_context(browser: Any) -> Any:
    """One browser context for this module, routing every request (see hardening_helpers.Browser)."""
    context = Browser(browser, tile_template(REPO))
    yield context
    context.close()


TEXT_OF = "(els) => els.map(e => e.textContent).join('\\n')"
INNER_MAIN = "() => (document.querySelector('main') || document.body).innerText"
HREF_OF = "(a) => a.hasAttribute('href') ? new URL(a.getAttribute('href'), document.baseURI).protocol : null"


def _literal_problems(page: Any, case: HostileCase, rel: str) -> list[str]:
    problems = []
    for item in case.get("literal", []):
        if item["halaman"] != rel:
            continue
        selector = item.get("di")
        shown = page.eval_on_selector_all(selector, TEXT_OF) if selector else page.evaluate(INNER_MAIN)
        if item["teks"] not in shown and _normal(item["teks"]) not in _normal(shown):
            problems.append(f"{rel}: {item['teks']!r} not shown in {selector or 'main'}: {shown[:300]!r}")
    for item in case.get("tidak_tampil", []):
        if item["halaman"] == rel and item["teks"] in page.evaluate(INNER_MAIN):
            problems.append(f"{rel}: {item['teks']!r} is shown (content was evaluated)")
    return problems


def _exact(page: Any, text: str) -> Any:
    return page.locator("main a").filter(has_text=re.compile("^" + re.escape(text) + "$"))


def _link_problems(page: Any, case: HostileCase, rel: str, found: dict[str, int]) -> list[str]:
    problems = []
    for text, scheme in case.get("tautan_tetap", {}).items():
        for index in range(_exact(page, text).count()):
            found[text] = found.get(text, 0) + 1
            protocol = _exact(page, text).nth(index).evaluate(HREF_OF)
            if protocol != scheme + ":":
                problems.append(f"{rel}: link {text!r} should keep {scheme}: but has {protocol}")
    for text in case.get("klik", []):
        for index in range(_exact(page, text).count()):
            found[text] = found.get(text, 0) + 1
            link = _exact(page, text).nth(index)
            protocol = link.evaluate(HREF_OF)
            if protocol is not None:
                problems.append(f"{rel}: link {text!r} kept a target with protocol {protocol}")
                continue
            link.click()
            page.wait_for_timeout(50)
    return problems


def _map_problems(page: Any, case: HostileCase, rel: str) -> list[str]:
    problems = []
    for item in case.get("peta", []):
        if item["halaman"] != rel:
            continue
        page.evaluate("() => document.querySelectorAll('.leaflet-popup-close-button').forEach(b => b.click())")
        page.mouse.move(1, 1)
        page.locator(".leaflet-tooltip").wait_for(state="detached", timeout=5000)
        if not page.locator(f".folium-map {item['penanda']}").count():
            problems.append(f"{rel}: no marker {item['penanda']} on the map")
            continue
        marker = page.locator(f".folium-map {item['penanda']}").first
        marker.hover()
        tooltip = page.locator(".leaflet-tooltip").first
        tooltip.wait_for(state="visible", timeout=5000)
        if tooltip.text_content() != item["nama"]:
            problems.append(f"{rel}: tooltip shows {tooltip.text_content()!r}, expected {item['nama']!r}")
        marker.click()
        link = page.locator(".leaflet-popup-content .peta-popup a").first
        link.wait_for(state="visible", timeout=5000)
        if link.text_content() != item["nama"]:
            problems.append(f"{rel}: popup shows {link.text_content()!r}, expected {item['nama']!r}")
        if "keterangan" in item:
            note = page.locator(".leaflet-popup-content .peta-popup-ket").first.text_content()
            if note != item["keterangan"]:
                problems.append(f"{rel}: popup note {note!r}, expected {item['keterangan']!r}")
        page.wait_for_timeout(50)
        problems += [f"{rel} (after opening the popup): {p}" for p in dom_problems(page)]
    return problems


@pytest.mark.parametrize("case", IN_BROWSER, ids=_ids(IN_BROWSER))
def test_case_in_chromium_runs_no_injected_script(
        case: HostileCase, case_site: Callable[[HostileCase], Path], tmp_path: Path,
        serve_dir: Callable[[Path], str], chromium_context: Browser) -> None:
    site = case_site(case)
    output = tmp_path / "out"
    run = _run(case, site, "build", "--output", output, "--jobs", "1")
    if not case.refused:
        assert run.code == 0, run.stderr[-3000:]
    base = serve_dir(output)
    problems: list[str] = []
    found: dict[str, int] = {}
    checked = set()
    for rel in _pages(case, output):
        if not (output / rel).is_file():
            continue
        with chromium_context.open(base + rel) as (page, trace):
            page.wait_for_timeout(30)
            problems += [f"{rel}: {p}" for p in dom_problems(page)]
            problems += _literal_problems(page, case, rel)
            problems += _map_problems(page, case, rel)
            if rel == "index.html" and case.get("peta_kota"):
                names = page.evaluate("() => window.PETA_KOTA.titik.features.map(f => f.properties.nama)")
                problems += [f"city map data in the browser lacks {n!r}" for n in case.get("peta_kota")
                             if n not in names]
            problems += _link_problems(page, case, rel, found)
            problems += [f"{rel}: {p}" for p in dom_problems(page) if "canary" in p or "title" in p]
            problems += [f"{rel}: {p}" for p in trace.problems()]
        checked.add(rel)
    wanted = {item["halaman"] for key in ("literal", "peta", "tidak_tampil") for item in case.get(key, [])}
    problems += [f"page {rel} was never opened" for rel in sorted(wanted - checked)]
    problems += [f"no link {text!r} on any page" for text in [*case.get("klik", []), *case.get("tautan_tetap", {})]
                 if text not in found]
    assert not problems, "\n".join(problems)

