"""Shared fixtures: tiny sites written from strings, the CLI, an HTTP server and a browser.

Everything here goes through the public surface of the generator: the ``kelurahan`` click
group (via ``CliRunner``) and the files it writes. Helpers that several test modules need
(HTML parsing, tree hashing, the case overlay of ``tests/kasus/``) live here too, and test
modules import them with ``from conftest import ...``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html.parser
import http.server
import io
import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from click.testing import CliRunner, Result
from PIL import Image

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
KASUS = Path(__file__).resolve().parent / "kasus"
# Build state, lock and staging live in .kelurahan/ next to the output (generator.output.build_dir);
# nothing in the output folder is hidden from the public any more.
HIDDEN_OUTPUT: tuple[str, ...] = ()

# -- the tiny site ---------------------------------------------------------------------------
#
# Three kelurahan in three kecamatan. "mawar" has one of everything; "melati" writes its
# locations in the other accepted forms ("lat, lon" text and a Google Maps link); "kenanga" is
# minimal. Points are at least 70 m apart so that markers do not overlap on a kelurahan map
# (zoomed to at most 17); the two points of "kenanga" are close enough to form a cluster on the
# city map. Markdown bodies hold links but no images, because images are rendered with a random
# attribute order (test_build.py::test_markdown_images_are_rendered_deterministically).

TINY_FILES: dict[str, str] = {
    "kelurahan/mawar/profil.yaml": """\
        nama: Mawar
        kecamatan: laweyan
        kode_wilayah: "33.72.01.9001"
        kode_pos: "57146"
        lokasi: {lat: -7.5660, lon: 110.7900}
        alamat: Jl. Mawar Raya No. 1
        telepon: "0271-712345"
        whatsapp: "0812-1111-2222"
        email: kelurahan.mawar@example.org
        jam_layanan: "Senin\u2013Kamis 07.30\u201315.00, Jumat 07.30\u201311.30"
        lurah: Sri Rahayu
        luas_km2: 0.75
        penduduk: 12345
        ringkasan: Kelurahan Mawar adalah kelurahan contoh untuk pengujian.
        foto: media/kantor.png
        media_sosial:
          instagram: https://www.instagram.com/kelurahan.mawar/
        """,
    "kelurahan/mawar/beranda.md": """\
        Selamat datang di Kelurahan Mawar.

        Mampir ke [Warung Bu Sri](umkm/warung-bu-sri/index.html) atau lihat
        [denah kantor](media/kantor.png).
        """,
    "kelurahan/mawar/wisata/taman-sekar.md": """\
        ---
        nama: Taman Sekar
        kategori: Taman kota
        lokasi: {lat: -7.5640, lon: 110.7870}
        alamat: Jl. Sekar No. 3
        jam_buka: "06.00\u201318.00"
        tiket: gratis
        foto: media/kantor.png
        ringkasan: Taman kecil untuk bermain anak.
        ---
        Taman ini teduh. Setelah bermain, mampir ke [Warung Bu Sri](umkm/warung-bu-sri/index.html).

        Lihat [foto taman](media/kantor.png).
        """,
    "kelurahan/mawar/umkm/warung-bu-sri.md": """\
        ---
        nama: Warung Bu Sri
        kategori: Kuliner
        lokasi: "-7.5690, 110.7930"
        produk:
          - Nasi liwet
          - Wedang jahe
        pemilik: Bu Sri
        halal: true
        kontak:
          whatsapp: "0812-3456-7890"
          telepon: "0271-700001"
        ringkasan: Nasi liwet dan wedang jahe sejak 1998.
        ---
        Buka setiap pagi.
        """,
    "kelurahan/mawar/ikon/tari-gambyong.md": """\
        ---
        nama: Tari Gambyong Mawar
        kategori: Tradisi
        ringkasan: Sanggar tari yang berlatih setiap Minggu.
        ---
        Tradisi tanpa satu tempat tetap, jadi tanpa lokasi.
        """,
    "kelurahan/mawar/layanan/surat-domisili.md": """\
        ---
        nama: Surat Keterangan Domisili
        persyaratan:
          - Surat pengantar RT/RW
          - Fotokopi KTP-el
        waktu: sekitar 10 menit
        biaya: gratis
        ---
        Datang ke loket pelayanan.
        """,
    "kelurahan/mawar/berita/kerja-bakti.md": """\
        ---
        judul: Kerja Bakti Bersih Kali
        tanggal: "2024-08-17"
        ---
        Warga membersihkan kali bersama.
        """,
    "kelurahan/mawar/berita/posyandu-balita.md": """\
        ---
        judul: Posyandu Balita September
        tanggal: "2024-09-01"
        ringkasan: Penimbangan balita di balai RW.
        ---
        Posyandu balita diadakan di balai RW 03.
        """,
    "kelurahan/mawar/halaman/sejarah.md": """\
        ---
        judul: Sejarah Kelurahan Mawar
        ---
        ## Asal nama

        Nama Mawar berasal dari kebun bunga di tepi kali.
        """,
    "kelurahan/melati/profil.yaml": """\
        nama: Melati
        kecamatan: jebres
        lokasi: "-7.5550, 110.8500"
        ringkasan: Kelurahan Melati di Kecamatan Jebres.
        """,
    "kelurahan/melati/wisata/taman-melati.md": """\
        ---
        nama: Taman Melati
        lokasi: https://www.google.com/maps/place/Taman+Melati/@-7.5530,110.8470,17z
        jam_buka: "08.00\u201317.00"
        ---
        Taman di tepi kali.
        """,
    "kelurahan/melati/umkm/bakso-pak-min.md": """\
        ---
        nama: Bakso Pak Min
        kategori: Kuliner
        lokasi: {lat: -7.5575, lon: 110.8530}
        produk: Bakso urat
        kontak:
          whatsapp: "+62 813-5555-6666"
        ---
        Bakso urat dengan kuah sapi.
        """,
    "kelurahan/melati/ikon/tugu-melati.md": """\
        ---
        nama: Tugu Melati
        kategori: Bangunan
        lokasi: {lat: -7.5520, lon: 110.8535}
        ---
        Tugu peringatan di simpang empat.
        """,
    "kelurahan/melati/berita/lomba-agustusan.md": """\
        ---
        judul: Lomba Agustusan
        tanggal: "2024-08-18"
        ---
        Lomba balap karung dan panjat pinang.
        """,
    "kelurahan/kenanga/profil.yaml": """\
        nama: Kenanga
        kecamatan: banjarsari
        lokasi: {lat: -7.5400, lon: 110.8200}
        """,
    "kelurahan/kenanga/umkm/soto-kenanga.md": """\
        ---
        nama: Soto Kenanga
        lokasi: {lat: -7.5405, lon: 110.8205}
        kontak:
          telepon: "0271-799999"
        ---
        Soto ayam kampung.
        """,
}

# What the tiny site shows, for assertions: slug -> kecamatan, and every point per kelurahan as
# (url relative to the site root, lat, lon). The office comes first.
TINY_KECAMATAN = {"mawar": "laweyan", "melati": "jebres", "kenanga": "banjarsari"}
TINY_POINTS: dict[str, list[tuple[str, float, float]]] = {
    "mawar": [("mawar/", -7.5660, 110.7900), ("mawar/wisata/taman-sekar/", -7.5640, 110.7870),
              ("mawar/umkm/warung-bu-sri/", -7.5690, 110.7930)],
    "melati": [("melati/", -7.5550, 110.8500), ("melati/wisata/taman-melati/", -7.5530, 110.8470),
               ("melati/umkm/bakso-pak-min/", -7.5575, 110.8530),
               ("melati/ikon/tugu-melati/", -7.5520, 110.8535)],
    "kenanga": [("kenanga/", -7.5400, 110.8200), ("kenanga/umkm/soto-kenanga/", -7.5405, 110.8205)],
}


def png_bytes(size: tuple[int, int] = (8, 6), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small PNG made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def write_site(root: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    """Write the tiny site into ``root``; ``changes`` adds, replaces (str/bytes) or deletes (None)."""
    root.mkdir(parents=True, exist_ok=True)
    # The tiny site's kelurahan and codes (9xxx) are invented: its config names no city code, so
    # `check` does not compare them with the national list (tests/test_wilayah.py does that).
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(re.sub(r"(?m)^kode_wilayah:.*\n", "", config), encoding="utf-8")
    shutil.copyfile(REPO / "batas-kelurahan.geojson", root / "batas-kelurahan.geojson")
    files: dict[str, str | bytes | None] = {rel: dedent(text) for rel, text in TINY_FILES.items()}
    files["kelurahan/mawar/media/kantor.png"] = png_bytes()
    files.update(changes or {})
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_site()`` writes the tiny site under tmp_path and returns its folder."""
    counter = iter(range(1000))

    def make(changes: dict[str, str | bytes | None] | None = None) -> Path:
        return write_site(tmp_path / f"situs{next(counter)}", changes)

    return make


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    """A fresh tiny site."""
    return make_site()


# -- the CLI ---------------------------------------------------------------------------------


def run_cli(site: Path, *args: object) -> Result:
    """Run ``kelurahan --site SITE ARGS...`` in-process; stderr is in ``result.stderr``."""
    return CliRunner().invoke(main, ["--site", str(site), *(str(a) for a in args)])


def assert_exit(result: Result, code: int) -> None:
    """The command ended with ``code`` by itself: no uncaught exception, no traceback."""
    detail = f"exit {result.exit_code}, expected {code}\n--- output:\n{result.output}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"uncaught exception in the CLI:\n{tb}\n{detail}")
    assert "Traceback" not in result.output, detail
    assert result.exit_code == code, detail


def build(site: Path, output: Path, *args: object, code: int = 0) -> Result:
    """``kelurahan build --output OUTPUT --jobs 1 ARGS`` and assert the exit status."""
    result = run_cli(site, "build", "--output", output, "--jobs", "1", *args)
    assert_exit(result, code)
    return result


PROBLEM_LINE = re.compile(r"^(kelurahan/[^:]+|config\.yaml):(\d+): (.+)$")


def problem_lines(result: Result) -> list[str]:
    """The ``path:line: message`` lines a command printed on stderr."""
    return [line for line in result.stderr.splitlines() if PROBLEM_LINE.match(line)]


SUMMARY = re.compile(r"Selesai: ([\d.]+) situs, ([\d.]+) halaman \(([\d.]+) dirender ulang, ([\d.]+) berkas ditulis\), "
                     r"([\d.]+) kelurahan gagal")  # numbers with Indonesian thousands separators (1.234)


def summary(result: Result) -> dict[str, int]:
    """The numbers of the build's summary line."""
    match = SUMMARY.search(result.stderr)
    assert match, f"no summary line in stderr:\n{result.stderr}"
    keys = ("situs", "halaman", "dirender", "ditulis", "gagal")
    return dict(zip(keys, (int(n.replace(".", "")) for n in match.groups()), strict=True))


# -- output trees ----------------------------------------------------------------------------


def tree_bytes(root: Path, include_hidden: bool = False) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``root`` (hidden build files left out)."""
    result = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not include_hidden and rel.split("/")[0] in HIDDEN_OUTPUT:
            continue
        if path.is_file():
            result[rel] = path.read_bytes()
    return result


def tree_hashes(root: Path, include_hidden: bool = False) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root``."""
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in tree_bytes(root, include_hidden).items()}


def tree_stats(root: Path, include_hidden: bool = False) -> dict[str, tuple[int, int]]:
    """Relative path -> (inode, mtime_ns) of every file and folder under ``root``."""
    result = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not include_hidden and rel.split("/")[0] in HIDDEN_OUTPUT:
            continue
        stat = path.stat()
        result[rel] = (stat.st_ino, stat.st_mtime_ns)
    return result


def diff_trees(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """Human-readable differences between two trees from ``tree_bytes``."""
    problems = [f"only in first: {p}" for p in sorted(set(a) - set(b))]
    problems += [f"only in second: {p}" for p in sorted(set(b) - set(a))]
    problems += [f"differs: {p}" for p in sorted(set(a) & set(b)) if a[p] != b[p]]
    return problems


# -- HTML ------------------------------------------------------------------------------------

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "data", "poster", "action", "formaction"})


@dataclass
class Element:
    """One start tag with its attributes and the ids of its open ancestors."""

    tag: str
    attrs: dict[str, str]
    ancestors: tuple[str, ...]


@dataclass
class ParsedPage:
    """What the tests need to know about an HTML page."""

    lang: str | None = None
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str, **attrs: str) -> list[Element]:
        """Elements with this tag whose attributes include ``attrs``."""
        return [e for e in self.elements if e.tag == tag
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def urls(self) -> list[tuple[str, str, str]]:
        """(tag, attribute, value) of every URL-valued attribute."""
        found = []
        for element in self.elements:
            for name, value in element.attrs.items():
                if name not in URL_ATTRIBUTES:
                    continue
                values = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                found.extend((element.tag, name, v) for v in values)
        return found

    def json_script(self, element_id: str) -> object:
        """The parsed content of ``<script type="application/json" id=...>``."""
        matches = [text for attrs, text in self.scripts
                   if attrs.get("type") == "application/json" and attrs.get("id") == element_id]
        assert len(matches) == 1, f"expected one JSON script #{element_id}, found {len(matches)}"
        return json.loads(matches[0])


class _Parser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self.stack: list[tuple[str, str]] = []
        self.in_title = False
        self.script: dict[str, str] | None = None
        self.script_text: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        ancestors = tuple(i for _, i in self.stack if i)
        self.page.elements.append(Element(tag, values, ancestors))
        if tag == "html":
            self.page.lang = values.get("lang")
        elif tag == "meta" and "name" in values:
            self.page.meta[values["name"]] = values.get("content", "")
        elif tag == "title":
            self.in_title = True
        elif tag == "script":
            self.script, self.script_text = values, []
        if tag not in VOID:
            self.stack.append((tag, values.get("id", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "script" and self.script is not None:
            self.page.scripts.append((self.script, "".join(self.script_text)))
            self.script = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.script is not None:
            self.script_text.append(data)
        else:
            self.texts.append(data)


def parse_html(source: str | Path) -> ParsedPage:
    """Parse an HTML page (text or file) with the standard library parser."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    parser = _Parser()
    parser.feed(text)
    parser.close()
    parser.page.text = " ".join(" ".join(parser.texts).split())
    return parser.page


def city_features(output: Path) -> list[dict]:
    """The features of ``data/peta-kota.js`` (``window.PETA_KOTA={...};``)."""
    text = (output / "data" / "peta-kota.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"window\.PETA_KOTA=(.*);\s*", text, re.S)
    assert match, "data/peta-kota.js is not window.PETA_KOTA=...;"
    return json.loads(match.group(1))["titik"]["features"]


def tile_template(site: Path) -> str:
    """The tile URL template of a site's config.yaml, read without type guessing."""
    config = yaml.load((site / "config.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return config["peta"]["ubin"]["url"]


def tile_pattern(template: str) -> re.Pattern[str]:
    """A regex matching concrete tile URLs of a ``{s}/{z}/{x}/{y}`` template."""
    pattern = re.escape(template)
    for key, regex in (("s", "[a-z]"), ("z", r"\d+"), ("x", r"\d+"), ("y", r"\d+"), ("r", "(@2x)?")):
        pattern = pattern.replace(re.escape("{" + key + "}"), regex)
    return re.compile(pattern + "$")


def local_target(page: Path, url: str, output: Path) -> Path | None:
    """The file a relative URL on ``page`` points to, or None when it leaves ``output``.

    A path from the root (only 404.html has them) starts at ``output``, published at the root."""
    path = unquote(urlsplit(url).path)
    folder = output if path.startswith("/") else page.parent
    target = (folder / path.lstrip("/")).resolve() if path else page.resolve()
    if not target.is_relative_to(output.resolve()):
        return None
    if url.split("?")[0].split("#")[0].endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def html_pages(output: Path) -> list[Path]:
    """Every generated HTML page (hidden build folders left out)."""
    return sorted(p for p in output.rglob("*.html") if p.relative_to(output).parts[0] not in HIDDEN_OUTPUT)


def broken_links(output: Path) -> list[str]:
    """Every relative URL in HTML and CSS, and every map point URL, names a file in output."""
    problems = []
    for path in html_pages(output):
        page = parse_html(path)
        ids = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
        for tag, attribute, url in page.urls():
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
                continue
            if url.startswith("#"):
                if url[1:] not in ids:
                    problems.append(f"{path.relative_to(output)}: fragment {url} has no element")
                continue
            target = local_target(path, url, output)
            if target is None or not target.is_file():
                problems.append(f"{path.relative_to(output)}: <{tag} {attribute}={url!r}> is broken")
        if any(attrs.get("id") == "peta-data" for attrs, _ in page.scripts):
            data = page.json_script("peta-data")
            for feature in data["titik"]["features"]:
                url = data["akar"] + feature["properties"]["url"]
                target = local_target(path, url, output)
                if target is None or not target.is_file():
                    problems.append(f"{path.relative_to(output)}: map point {url!r} is broken")
    for feature in city_features(output):
        target = local_target(output / "index.html", feature["properties"]["url"], output)
        if target is None or not target.is_file():
            problems.append(f"data/peta-kota.js: map point {feature['properties']['url']!r} is broken")
    for css in output.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css.read_text(encoding="utf-8")):
            if url.startswith("data:"):
                continue
            target = local_target(css, url, output)
            if target is None or not target.is_file():
                problems.append(f"{css.relative_to(output)}: url({url}) is broken")
    return problems



# -- the case folders of tests/kasus ---------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """One line of harapan.txt: a stderr line must start with ``prefix`` and contain ``fragment``."""

    prefix: str
    fragment: str

    @property
    def path(self) -> str:
        return self.prefix.split(":")[0]

    def matches(self, line: str) -> bool:
        return line.startswith(self.prefix) and self.fragment in line[len(self.prefix):]

    def __str__(self) -> str:
        return f"{self.prefix} {self.fragment}"


HARAPAN = re.compile(r"^(.+?:\d+:) (.+)$")


def read_expected(case: Path) -> list[Expected]:
    """The expected lines of a case (``#`` lines are comments)."""
    expected = []
    for raw in (case / "harapan.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        match = HARAPAN.match(raw)
        assert match, f"{case.name}/harapan.txt: cannot read line {raw!r}"
        expected.append(Expected(match.group(1), match.group(2)))
    assert expected, f"{case.name}/harapan.txt lists no expected line"
    return expected


CONTROL_FILES = ("harapan.txt", "hapus.txt")
PREPEND_SUFFIX = ".awal"


def apply_case(case: Path, site: Path) -> None:
    """Overlay a case folder onto a site.

    * every file is copied to the same relative path in the site (replacing it);
    * ``X.awal`` is put at the start of the site's existing file ``X`` (line numbers of the
      case stay known, e.g. for config.yaml);
    * ``hapus.txt`` lists site files to delete, one per line.
    """
    for source in sorted(p for p in case.rglob("*") if p.is_file()):
        rel = source.relative_to(case).as_posix()
        if rel in CONTROL_FILES:
            continue
        if rel.endswith(PREPEND_SUFFIX):
            target = site / rel.removesuffix(PREPEND_SUFFIX)
            assert target.is_file(), f"{case.name}: {rel} prepends to a missing file"
            target.write_bytes(source.read_bytes() + target.read_bytes())
        else:
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    if (case / "hapus.txt").is_file():
        for rel in (case / "hapus.txt").read_text(encoding="utf-8").split():
            target = site / rel
            assert target.is_file(), f"{case.name}: hapus.txt names a missing file {rel}"
            target.unlink()


def all_cases() -> list[Path]:
    """Every case folder under tests/kasus, sorted."""
    return sorted(p for p in KASUS.iterdir() if p.is_dir())


# -- HTTP and the browser --------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at an ephemeral port; yield the base URL (ends with /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def serve_dir() -> Iterator[Callable[[Path], str]]:
    """Factory: ``serve_dir(folder)`` serves it over HTTP and returns the base URL."""
    with contextlib.ExitStack() as stack:
        yield lambda folder: stack.enter_context(serving(folder))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright; fails (never skips) when it is missing."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium not found on PATH: install Debian's chromium package "
                    "(apt-get install chromium) to run the browser tests", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        pytest.fail(f"playwright is not installed ({error}): pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


# -- builds shared by several tests (read-only: never modify their output) ------------------


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny site built once: (site folder, output folder)."""
    root = tmp_path_factory.mktemp("tiny")
    site_dir = write_site(root / "situs")
    output = root / "out"
    build(site_dir, output)
    return site_dir, output


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """The repository's own sample site built once into a temporary folder."""
    output = tmp_path_factory.mktemp("sample") / "out"
    result = run_cli(REPO, "build", "--output", output)
    assert_exit(result, 0)
    return output, result
