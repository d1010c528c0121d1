"""Helpers for the hardening tests: hostile case folders, a watchful browser, subprocess builds.

The hostile cases live in ``tests/bahaya/<case>/``. Like the folders of ``tests/kasus/`` they
hold files that are laid over the tiny site (with ``conftest.apply_case``: same paths, ``X.awal``
prepends, ``hapus.txt`` deletes). Each also holds a manifest, ``bahaya.yaml``:

``hasil: tolak``
    the content must be REFUSED; ``harapan.txt`` lists the expected ``path:line: fragment``
    lines as in ``tests/kasus``. Optional ``rahasia``: numbers that must never be printed in
    full (masking); ``subproses: true`` runs the CLI in a child process (a crash of the
    interpreter must fail the test, not pytest); ``tidak_dibuat``: paths that must not exist
    afterwards; ``peramban: true``: whatever gets built anyway is opened in Chromium, which
    must load nothing from another host.
``hasil: bangun``
    the content must BUILD and be shown harmlessly. ``literal``: texts that must be visible as
    written (``halaman``, ``teks``, optional CSS selector ``di``); ``tidak_tampil``: texts that
    must not be visible (``halaman``, ``teks``); ``klik``: link texts to click (their link must
    not keep a dangerous scheme); ``tautan_tetap``: link text -> scheme that must survive;
    ``peta``: markers to click and hover (``halaman``, ``penanda`` CSS selector, ``nama``, optional
    ``keterangan``); ``peta_kota``: names that must be in the city map data as written;
    ``peramban: false`` for valid look-alikes that need no browser.

Both kinds may generate files at test time (``buat``: big files, images) and create symbolic
links (``tautan``; ``{luar}`` is a folder outside the site that holds a real image, a text and a
complete kelurahan folder). Symbolic links and big files are never stored in git.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from conftest import HIDDEN_OUTPUT, ParsedPage, apply_case, png_bytes, tile_pattern

BAHAYA = Path(__file__).resolve().parent / "bahaya"
MANIFEST = "bahaya.yaml"
MANIFEST_KEYS = frozenset({
    "hasil", "rahasia", "subproses", "tidak_dibuat", "literal", "tidak_tampil", "klik", "tautan_tetap",
    "peta", "peta_kota", "peramban", "buat", "tautan", "waktu_maks",
})
DEFAULT_TIME_LIMIT = 60.0
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Elements that staff content can never produce: templates do not use them and nh3 drops them.
FORBIDDEN_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
                            "button", "textarea", "select", "svg", "math", "style", "base", "marquee",
                            "details", "noscript", "template", "audio", "video"})
# <source> is the template's own (photos in <picture>), never staff markup: only these attributes.
SOURCE_ATTRIBUTES = frozenset({"type", "srcset", "sizes"})
ASSET_SCRIPTS = ("assets/leaflet/leaflet.js", "assets/peta.js", "assets/leaflet-markercluster/leaflet.markercluster.js",
                 "data/peta-kota.js", "data/peta-halaman.js", "data/peta-portal.js")
PYTHON_CLI = (sys.executable, "-c", "from generator.cli import main; main()")


# -- the case folders ------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileCase:
    """One folder of tests/bahaya with its manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def refused(self) -> bool:
        return self.manifest["hasil"] == "tolak"

    @property
    def browser(self) -> bool:
        """Built cases are opened in Chromium unless ``peramban: false``; refused ones only with
        ``peramban: true`` (content that would load from another host if it slipped through)."""
        return bool(self.manifest.get("peramban", not self.refused))

    @property
    def time_limit(self) -> float:
        return float(self.manifest.get("waktu_maks", DEFAULT_TIME_LIMIT))

    def get(self, key: str, default: Any = None) -> Any:
        return self.manifest.get(key, default)

    def touched(self) -> set[str]:
        """The kelurahan folders this case writes into (from overlay, generated files, links)."""
        rels = [p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()]
        rels += [item["berkas"] for item in self.get("buat", []) + self.get("tautan", [])]
        return {rel.split("/")[1] for rel in rels if rel.startswith("kelurahan/")}


def hostile_cases(kind: str | None = None) -> list[HostileCase]:
    """Every case folder under tests/bahaya (optionally only 'tolak' or 'bangun'), sorted."""
    cases = []
    for folder in sorted(p for p in BAHAYA.iterdir() if p.is_dir()):
        manifest = yaml.safe_load((folder / MANIFEST).read_text(encoding="utf-8")) or {}
        cases.append(HostileCase(folder, manifest))
    return [c for c in cases if kind is None or c.manifest.get("hasil") == kind]


def make_outside(folder: Path) -> Path:
    """A folder outside the site with things a symlink could point to."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rahasia.png").write_bytes(png_bytes((9, 7), (1, 2, 3)))
    (folder / "rahasia.md").write_text("---\njudul: Rahasia\n---\nIsi rahasia di luar situs.\n", encoding="utf-8")
    other = folder / "kelurahan-lain"
    other.mkdir(exist_ok=True)
    (other / "profil.yaml").write_text("nama: Lain\nkecamatan: jebres\nlokasi: \"-7.5550, 110.8500\"\n",
                                       encoding="utf-8")
    return folder


def _generated(item: dict[str, Any]) -> bytes:
    size = int(item["ukuran"])
    if item.get("gambar"):
        image = png_bytes()
        return image + b"\0" * max(0, size - len(image))
    head = str(item.get("awal", "")).encode("utf-8")
    unit = str(item["ulang"]).encode("utf-8")
    count = max(0, size - len(head)) // len(unit) + 1
    return head + unit * count


def apply_hostile_case(case: HostileCase, site: Path, outside: Path) -> None:
    """Lay a hostile case over a site: files, generated files, then symbolic links."""
    with tempfile.TemporaryDirectory() as tmp:
        overlay = Path(tmp) / case.name
        shutil.copytree(case.path, overlay, ignore=shutil.ignore_patterns(MANIFEST))
        apply_case(overlay, site)
    make_outside(outside)
    for item in case.get("buat", []):
        target = site / item["berkas"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_generated(item))
    for item in case.get("tautan", []):
        link = site / item["berkas"]
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        elif link.exists() or link.is_symlink():
            link.unlink()
        os.symlink(str(item["ke"]).replace("{luar}", str(outside)), link)


# -- the CLI in a child process ------------------------------------------------------------


@dataclass(frozen=True)
class Completed:
    """A finished child ``kelurahan`` process."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli_command(site: Path, *args: object) -> list[str]:
    """The argv of ``kelurahan --site SITE ARGS`` run by this interpreter."""
    return [*PYTHON_CLI, "--site", str(site), *(str(a) for a in args)]


def run_cli_process(site: Path, *args: object, timeout: float = 120,
                    preexec_fn: Callable[[], None] | None = None) -> Completed:
    """Run the CLI in a child process and wait for it."""
    done = subprocess.run(cli_command(site, *args), capture_output=True, text=True, timeout=timeout,
                          preexec_fn=preexec_fn, check=False)
    return Completed(done.returncode, done.stdout, done.stderr)


def full_disk(limit: int) -> Callable[[], None]:
    """A preexec_fn that makes every file write beyond ``limit`` bytes fail with EFBIG."""
    import resource

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


# -- output trees ----------------------------------------------------------------------------


def kelurahan_pages(output: Path, slug: str) -> list[str]:
    """Every HTML page of one kelurahan, relative to the output folder."""
    return sorted(p.relative_to(output).as_posix() for p in (output / slug).rglob("*.html"))


def subtree(hashes: dict[str, Any], slug: str) -> dict[str, Any]:
    """The entries of a tree map that belong to one top-level folder."""
    return {rel: value for rel, value in hashes.items() if rel.startswith(slug + "/")}


def snapshot(folder: Path) -> dict[str, tuple[str, bytes | str | None, int]]:
    """Every entry under ``folder``: kind, content (or link target) and mtime (no link following)."""
    result: dict[str, tuple[str, bytes | str | None, int]] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        stat = path.lstat()
        if path.is_symlink():
            result[rel] = ("link", os.readlink(path), stat.st_mtime_ns)
        elif path.is_file():
            result[rel] = ("file", path.read_bytes(), stat.st_mtime_ns)
        else:
            result[rel] = ("dir", None, stat.st_mtime_ns)
    return result


def published(root: Path) -> list[Path]:
    """Every file and folder a web server would publish (the build's own hidden files left out)."""
    return [p for p in sorted(root.rglob("*")) if p.relative_to(root).parts[0] not in HIDDEN_OUTPUT]


# -- static HTML checks ----------------------------------------------------------------------


def _scheme(url: str) -> str | None:
    """The scheme a browser would see (it ignores leading/trailing spaces, tabs and newlines)."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip(" \t\n\r\f\x00\x01\x02\x03\x04\x05\x06\x07\x08"))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


# The header's search box comes from the templates: exactly these three elements.
SEARCH_BOX = re.compile(r"^(\.\./)*cari/index\.html$")


def _search_box(page: ParsedPage) -> list[int]:
    """Positions (in ``page.elements``) of the template's search box, when it is exactly that."""
    forms = [i for i, e in enumerate(page.elements) if e.tag == "form" and e.attrs.get("class") == "kotak-cari"]
    if len(forms) != 1:
        return []
    start = forms[0]
    form, field, button = (page.elements[start + k] for k in (0, 2, 3))
    if (SEARCH_BOX.match(form.attrs.get("action", "")) and form.attrs.get("role") == "search"
            and field.tag == "input" and field.attrs.get("id") == "kata-cari" and field.attrs.get("name") == "q"
            and button.tag == "button" and button.attrs.get("type") == "submit"):
        return [start, start + 2, start + 3]
    return []


def injected_markup(page: ParsedPage) -> list[str]:
    """Markup in a generated page that staff content must never be able to produce."""
    problems = []
    for attrs, text in page.scripts:
        if attrs.get("type") == "application/ld+json":
            bad = [c for c in ("<", ">", "&", "\u2028", "\u2029") if c in text]
            if bad:
                problems.append(f"JSON-LD holds unescaped {bad!r}")
            json.loads(text)
        elif attrs.get("type") == "application/json":
            if attrs.get("id") != "peta-data":
                problems.append(f"unexpected JSON script {attrs}")
            bad = [c for c in ("<", ">", "&", "\u2028", "\u2029") if c in text]
            if bad:
                problems.append(f"map JSON holds unescaped {bad!r}")
        elif "src" in attrs:
            if not attrs["src"].endswith(ASSET_SCRIPTS) or _scheme(attrs["src"]):
                problems.append(f"unexpected script src={attrs['src']!r}")
        else:
            problems.append(f"unexpected inline script: {text[:120]!r}")  # maps load their script from a file
    template_box = _search_box(page)
    for position, element in enumerate(page.elements):
        if position in template_box:
            continue
        if element.tag in FORBIDDEN_TAGS:
            problems.append(f"<{element.tag}> element")
        if element.tag == "source" and not set(element.attrs) <= SOURCE_ATTRIBUTES:
            problems.append(f"<source {sorted(element.attrs)}> has more than type/srcset/sizes")
        for candidate in element.attrs.get("srcset", "").split(","):
            url = candidate.strip().split(" ")[0]
            if url and (_scheme(url) is not None or url.startswith(("//", "\\"))):
                problems.append(f"<{element.tag} srcset=...{url!r}> may load from another host")
        if element.tag == "meta" and "http-equiv" in element.attrs:
            problems.append(f"<meta http-equiv={element.attrs['http-equiv']!r}>")
        for name, value in element.attrs.items():
            if name.startswith("on"):
                problems.append(f"<{element.tag} {name}=...> event handler")
            if name in ("href", "src", "action", "formaction", "srcdoc", "data", "poster", "style"):
                scheme = _scheme(value)
                if name in ("srcdoc", "style", "action", "formaction"):
                    problems.append(f"<{element.tag} {name}={value!r}>")
                elif scheme is not None and scheme not in SAFE_SCHEMES:
                    problems.append(f"<{element.tag} {name}={value!r}> keeps scheme {scheme}:")
                elif name == "src" and (scheme is not None or value.strip().startswith(("//", "\\"))
                                        or value != value.strip()):
                    problems.append(f"<{element.tag} src={value!r}> may load from another host")
    return problems


# -- the browser -----------------------------------------------------------------------------

DOM_PROBLEMS = """
() => {
  const problems = [];
  const safe = new Set(["http:", "https:", "mailto:", "tel:"]);
  if (typeof window.__xss !== "undefined") problems.push("canary window.__xss was set: " + window.__xss);
  if (document.title.includes("PWNED")) problems.push("document.title was changed: " + document.title);
  if (!document.baseURI.startsWith(location.origin + "/")) problems.push("base URI moved: " + document.baseURI);
  const inline = [...document.querySelectorAll(
    "script:not([src]):not([type='application/json']):not([type='application/ld+json'])")];
  if (inline.length > 1) problems.push(inline.length + " inline scripts");
  for (const el of document.querySelectorAll(
      "iframe, frame, object, embed, applet, form, input, button, textarea, select, svg, math, style, base, "
      + "details, marquee, template, audio, video, meta[http-equiv]")) {
    // Leaflet's own SVG (markers, attribution flag); popups and tooltips hold content, so not there.
    if (el.tagName.toLowerCase() === "svg" && el.closest(".leaflet-container")
        && !el.closest(".leaflet-popup, .leaflet-tooltip")) continue;
    if (el.closest("header > .wadah > form.kotak-cari[role=search]")) continue;  // the template's search box
    problems.push("element <" + el.tagName.toLowerCase() + "> in the DOM");
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) problems.push(el.tagName + " has handler " + attr.name);
    }
  }
  for (const el of document.querySelectorAll("a[href], area[href]")) {
    const url = new URL(el.getAttribute("href"), document.baseURI);
    if (!safe.has(url.protocol)) problems.push("link " + JSON.stringify(el.textContent) + " -> " + url.href);
  }
  const loading = "img[src]:not(.leaflet-tile), script[src], link[href]:not([rel=canonical])";
  for (const el of document.querySelectorAll(loading)) {
    const url = new URL(el.getAttribute(el.tagName === "LINK" ? "href" : "src"), document.baseURI);
    if (url.origin !== location.origin) problems.push(el.tagName + " loads " + url.href);
  }
  return problems;
}
"""


@dataclass
class Trace:
    """What happened while one page was open."""

    url: str
    dialogs: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"dialog opened: {d}" for d in self.dialogs] + [f"request to another host: {u}" for u in self.foreign]
                + self.errors)


class Browser:
    """One browser page that answers tile requests and blocks (and records) every other host.

    The page is reused from visit to visit (a new page per visit costs more than the visit)."""

    def __init__(self, chromium: Any, tiles: str) -> None:
        self.context = chromium.new_context(viewport={"width": 800, "height": 700})
        self.context.set_default_timeout(8000)
        self.tiles = tile_pattern(tiles)
        self.trace = Trace("")
        self.tile = png_bytes((256, 256), (230, 230, 230))
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.trace.errors.append(f"pageerror: {error}"))
        self.page.on("console", lambda msg: self.trace.errors.append(f"console.{msg.type}: {msg.text}")
                     if msg.type == "error" and "404" not in msg.text else None)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        elif self.tiles.match(url):
            route.fulfill(status=200, content_type="image/png", body=self.tile)
        else:
            self.trace.foreign.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.trace.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    @contextlib.contextmanager
    def open(self, url: str) -> Iterator[tuple[Any, Trace]]:
        """Load a page and wait for its map; dialogs are recorded and dismissed, errors recorded."""
        self.trace = trace = Trace(url)
        self.page.goto(url, wait_until="load")
        if self.page.locator(".folium-map").count():
            try:
                self.page.wait_for_selector(".folium-map[data-jumlah-titik]", timeout=5000)
            except Exception as error:  # playwright's TimeoutError: report it with everything else
                trace.errors.append(f"the map did not start ({type(error).__name__})")
        try:
            yield self.page, trace
        finally:
            self.trace = Trace("")

    def close(self) -> None:
        self.context.close()


def dom_problems(page: Any) -> list[str]:
    """What the live DOM shows of injected markup, scripts, links and canaries."""
    return list(page.evaluate(DOM_PROBLEMS))
