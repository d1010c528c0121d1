"""Pure rendering: models + templates → pages (path, declared inputs, bytes on demand).

Nothing here writes files. Every page lists the source files it depends on, so the build can
skip pages whose inputs did not change.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from html import unescape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import __version__
from .config import SiteConfig
from .content import KELURAHAN_DIR, PROFILE_FILE
from .errors import ContentError, Problem
from .maps import CITY_MAP, PAGE_MAP, MapPoint, boundary_features, page_data
from .markdown import ForeignImage, TooDeep, to_html
from .models import Berita, Entry, Kelurahan
from .sections import SECTIONS, Section, section_by_name
from .wilayah.istilah import BAWAAN, DESA, Istilah, Pilihan, untuk_kota, untuk_satuan

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_PREFIX = "bawaan"
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, what it is made from, and how to make it."""

    path: str
    inputs: tuple[str, ...]
    render: Callable[[], bytes]
    extra: str = ""


@dataclass(frozen=True)
class KelurahanSummary:
    """What the city portal needs to know about one built kelurahan (JSON-friendly)."""

    slug: str
    nama: str
    kecamatan: str
    ringkasan: str
    kode_wilayah: str
    jumlah: dict[str, int]
    jumlah_titik: int = 0
    terbaru: str = ""  # date of the newest news item (YYYY-MM-DD), for open data's "modified"


def tanggal_id(value: dt.date) -> str:
    """``2024-08-17`` → ``17 Agustus 2024``."""
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def angka_id(value: float, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (Indonesian separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def plain_text(html: str, limit: int = 160) -> str:
    """A short plain-text excerpt of rendered HTML, for meta descriptions."""
    words = unescape(re.sub(r"<[^>]+>", " ", html)).split()
    text = " ".join(words)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def template_environment(site: Path) -> jinja2.Environment:
    """Site templates first, then the packaged defaults (also reachable as ``bawaan/…``)."""
    package = jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES))
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(str(site / "templates")),
        jinja2.PrefixLoader({DEFAULT_PREFIX: package}),
        package,
    ])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False)
    env.filters["tanggal"] = tanggal_id
    env.filters["angka"] = angka_id
    env.globals["versi_generator"] = __version__
    return env


@functools.lru_cache(maxsize=2)
def compiled_environment(site: Path, version: str) -> jinja2.Environment:
    """The environment of ``site`` with every template compiled, kept per ``version``.

    ``version`` must change whenever a template may have changed (the build passes its global
    hash). Compiling costs ~25 ms; pool workers forked afterwards inherit the compiled
    templates, and ``serve`` reuses them across rebuilds."""
    env = template_environment(site)
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    return env


def template_files(site: Path) -> list[Path]:
    """Every template that can influence the output (for the build's global hash)."""
    roots = [site / "templates", PACKAGE_TEMPLATES]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*") if p.is_file())


def entry_point(entry: Entry, kel: Kelurahan) -> MapPoint | None:
    """The map point of an entry, if it has a place."""
    if entry.lokasi is None:
        return None
    return MapPoint(nama=entry.judul, jenis=entry.section, lokasi=entry.lokasi,
                    url=f"{kel.slug}/{entry.url}", kategori=entry.kategori or "")


def office_point(kel: Kelurahan, pilihan: Pilihan = BAWAAN) -> MapPoint:
    """The kelurahan (or desa) office as a map point."""
    istilah = untuk_satuan(pilihan, kel.profil.kode_wilayah)
    return MapPoint(nama=f"{istilah.kantor} {kel.profil.nama}", jenis="kantor",
                    lokasi=kel.profil.lokasi, url=f"{kel.slug}/", satuan=_satuan_label(istilah))


def _satuan_label(istilah: Istilah) -> str:
    return istilah.jenis if istilah.jenis == DESA else ""


def kelurahan_points(kel: Kelurahan, pilihan: Pilihan = BAWAAN) -> list[MapPoint]:
    """The office and every located entry of a kelurahan."""
    points = [office_point(kel, pilihan)]
    points.extend(p for e in kel.points if (p := entry_point(e, kel)) is not None)
    return points


def city_points(kel: Kelurahan, pilihan: Pilihan = BAWAAN) -> list[MapPoint]:
    """The points of a kelurahan on the city map: its own points, labelled with its name."""
    satuan = _satuan_label(untuk_satuan(pilihan, kel.profil.kode_wilayah))
    return [replace(p, kelurahan=kel.profil.nama, satuan=satuan) for p in kelurahan_points(kel, pilihan)]


def summarize(kel: Kelurahan) -> KelurahanSummary:
    """The portal's view of a kelurahan."""
    return KelurahanSummary(
        slug=kel.slug, nama=kel.profil.nama, kecamatan=kel.profil.kecamatan.slug,
        ringkasan=kel.profil.ringkasan or "", kode_wilayah=kel.profil.kode_wilayah or "",
        jumlah={s.name: len(kel.section(s.name)) for s in SECTIONS}, jumlah_titik=len(kelurahan_points(kel)),
        terbaru=max((e.tanggal.isoformat() for e in kel.section("berita") if isinstance(e, Berita)), default=""),
    )


class Renderer:
    """Holds the template environment and the config; renders pages and the portal."""

    def __init__(self, site: Path, config: SiteConfig, version: str = "") -> None:
        self.config = config
        self.env = compiled_environment(site, version) if version else template_environment(site)
        self.istilah = untuk_kota(config.istilah)

    def markdown_html(self, text: str, source: str, line: int, link_prefix: str = "") -> Markup:
        """Staff Markdown as sanitized HTML; an image from another host or absurd nesting is an error."""
        try:
            return Markup(to_html(text, link_prefix))
        except ForeignImage as error:
            hint = "simpan gambarnya di folder media/ lalu tulis ![keterangan](media/nama.jpg)"
            message = f"gambar dari situs lain tidak diizinkan ({error})"
            raise ContentError([Problem(source, line + error.lines, message, hint)]) from None
        except TooDeep as error:
            hint = "kurangi tanda > atau - yang bertumpuk di awal baris (biasanya hasil tempelan yang rusak)"
            message = f"kutipan atau daftar di tulisan ini bertingkat terlalu dalam ({error})"
            raise ContentError([Problem(source, line + error.lines, message, hint)]) from None

    def html(self, template: str, **context: Any) -> bytes:
        """Render one template to UTF-8 bytes."""
        context.setdefault("istilah", self.istilah)
        return self.env.get_template(template).render(config=self.config, **context).encode("utf-8")

    def map_context(self, points: list[MapPoint], root: str, kode: str | None = None) -> dict[str, Any]:
        """What a page needs to show a map of ``points`` (and the boundary of kelurahan ``kode``)."""
        if not points:
            return {"peta": None}
        batas = boundary_features(w for w in self.config.wilayah if kode and w.kode == kode)
        return {"peta": PAGE_MAP, "peta_data": Markup(page_data(points, root, batas)),
                "peta_jenis": sorted({p.jenis for p in points}, key=_kind_order)}

    def kelurahan_pages(self, kel: Kelurahan) -> list[Page]:
        """Every page of one kelurahan site (home, section lists, entries)."""
        visible = [s for s in (section_by_name(n) for n in self.config.bagian) if kel.section(s.name)]
        nav = ",".join(s.name for s in visible)
        profile = f"{KELURAHAN_DIR}/{kel.slug}/{PROFILE_FILE}"
        everything = tuple(f"{KELURAHAN_DIR}/{kel.slug}/{rel}" for rel in _content_files(kel))
        pages = [Page(f"{kel.slug}/index.html", everything, lambda: self._home(kel, visible), nav)]
        for section in visible:
            entries = kel.section(section.name)
            inputs = (profile, *(e.source for e in entries))
            pages.append(Page(f"{kel.slug}/{section.name}/index.html", inputs,
                              _bind(self._section, kel, section, visible), nav))
            pages.extend(
                Page(f"{kel.slug}/{e.url}index.html", (profile, e.source), _bind(self._entry, kel, e, visible), nav)
                for e in entries
            )
        return pages

    def _base(self, kel: Kelurahan, visible: list[Section], root: str) -> dict[str, Any]:
        return {"kel": kel, "profil": kel.profil, "bagian": visible, "akar": root,
                "kel_akar": root + kel.slug + "/",
                "istilah": untuk_satuan(self.config.istilah, kel.profil.kode_wilayah)}

    def _home(self, kel: Kelurahan, visible: list[Section]) -> bytes:
        context = self._base(kel, visible, "../")
        berita = kel.section("berita")[: self.config.berita_terbaru]
        intro = None
        if kel.beranda.strip():
            intro = self.markdown_html(kel.beranda, f"{KELURAHAN_DIR}/{kel.slug}/beranda.md", 1)
        return self.html("beranda.html", berita=berita, beranda=intro,
                         **context, **self.map_context(kelurahan_points(kel, self.config.istilah), "../",
                                                       kel.profil.kode_wilayah))

    def _section(self, kel: Kelurahan, section: Section, visible: list[Section]) -> bytes:
        entries = kel.section(section.name)
        points = [p for e in entries if (p := entry_point(e, kel)) is not None]
        return self.html("bagian.html", section=section, entries=entries,
                         **self._base(kel, visible, "../../"), **self.map_context(points, "../../"))

    def _entry(self, kel: Kelurahan, entry: Entry, visible: list[Section]) -> bytes:
        body = self.markdown_html(entry.body, entry.source, entry.body_line, link_prefix="../../")
        point = entry_point(entry, kel)
        section = section_by_name(entry.section)
        return self.html(f"{entry.section}.html", entry=entry, section=section, isi=body,
                         deskripsi=entry.ringkasan or plain_text(body) or kel.profil.nama,
                         **self._base(kel, visible, "../../../"),
                         **self.map_context([point] if point else [], "../../../"))

    def open_data_page(self, listing: list[tuple[KelurahanSummary, str]], columns: tuple[str, ...]) -> bytes:
        """The portal's open-data page (``data-terbuka/index.html``)."""
        istilah = untuk_kota(self.config.istilah, [s.kode_wilayah for s, _stem in listing])
        return self.html("data-terbuka.html", akar="../", peta=None, daftar=listing, kolom=columns, istilah=istilah)

    def portal_page(self, summaries: list[KelurahanSummary]) -> bytes:
        """The city portal: every kelurahan by kecamatan, and the city map."""
        groups = [(k, [s for s in summaries if s.kecamatan == k.slug]) for k in self.config.kecamatan]
        total = sum(s.jumlah_titik for s in summaries)
        istilah = untuk_kota(self.config.istilah, [s.kode_wilayah for s in summaries])
        return self.html("portal.html", akar="", kelompok=groups, jumlah_kelurahan=len(summaries),
                         istilah=istilah, jumlah_teks=istilah.hitung(s.kode_wilayah for s in summaries),
                         jumlah_titik=total, peta=CITY_MAP,
                         peta_jenis=["kantor", "wisata", "umkm", "ikon"])


def _kind_order(kind: str) -> int:
    order = ["kantor", "wisata", "umkm", "ikon"]
    return order.index(kind) if kind in order else len(order)


def _content_files(kel: Kelurahan) -> Iterable[str]:
    yield PROFILE_FILE
    if kel.beranda:
        yield "beranda.md"
    for entry in kel.entries:
        yield entry.source.split("/", 2)[2]


def _bind(method: Callable[..., bytes], *args: Any) -> Callable[[], bytes]:
    return lambda: method(*args)
