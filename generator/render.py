"""Pure rendering: models + templates → pages (path, declared inputs, bytes on demand).

Nothing here writes files. Every page lists the source files it depends on, so the build can
skip pages whose inputs did not change.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from . import __version__, pagemeta
from .config import SiteConfig
from .content import KELURAHAN_DIR, PROFILE_FILE
from .discovery import FEED_FILE, FeedEntry, atom_feed
from .errors import ContentError, Problem
from .i18n import Messages, format_date, format_number
from .images.cards import CardText
from .images.plan import ImageInfo, card_path, phone_bytes, picture, published_name, with_pictures
from .maps import CITY_MAP, PAGE_MAP, MapPoint, boundary_features, page_data
from .markdown import ForeignImage, TooDeep, to_html
from .models import Berita, Entry, Kelurahan
from .sections import SECTIONS, Section, section_by_name
from .wilayah.istilah import BAWAAN, DESA, Istilah, Pilihan, untuk_kota, untuk_satuan

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
PORTAL_CARD = "data/kartu-portal.jpg"
Images = Mapping[str, ImageInfo]
DEFAULT_PREFIX = "bawaan"
@dataclass(frozen=True)
class Page:
    """One output file: where it goes, what it is made from, and how to make it."""

    path: str
    inputs: tuple[str, ...]
    render: Callable[[], bytes]
    extra: str = ""
    lastmod: str = ""  # YYYY-MM-DD when the content carries a date (news)


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
    halaman: tuple[tuple[str, str], ...] = ()  # (path, lastmod) of every HTML page
    berita: tuple[tuple[str, str, str, str], ...] = ()  # (judul, tanggal, path, ringkasan), newest first
    terbaru: str = ""  # date of the newest news item (YYYY-MM-DD), for open data's "modified"


@dataclass(frozen=True)
class PagePhoto:
    """The photo and share card of one HTML page of a kelurahan."""

    page: str
    foto: str | None
    card: CardText
    kind: str

    def card_path(self, slug: str, images: Images) -> str:
        """The page's share card: the card of its photo, or a generated one."""
        info = images.get(self.foto) if self.foto else None
        if info is not None and info.card and self.foto:
            return f"{slug}/{published_name(self.foto, info.card)}"
        return card_path(self.page)

    def weight(self, images: Images) -> int:
        """Bytes of images a 360 px phone downloads for the first screen of the page."""
        info = images.get(self.foto) if self.foto else None
        return phone_bytes(info) if info is not None else 0


def plain_text(html: str, limit: int = 160) -> str:
    """A short plain-text excerpt of rendered HTML, for meta descriptions."""
    words = unescape(re.sub(r"<[^>]+>", " ", html)).split()
    text = " ".join(words)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


@jinja2.pass_context
def _date_filter(context: jinja2.runtime.Context, value: dt.date) -> str:
    """``tanggal``: a date in the site's language ("17 Agustus 2024")."""
    return format_date(value, context["config"].bahasa)


@jinja2.pass_context
def _number_filter(context: jinja2.runtime.Context, value: float, decimals: int = 0) -> str:
    """``angka``: a number with the site's separators ("1.234,5")."""
    return format_number(value, decimals, context["config"].bahasa)


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
    env.filters["tanggal"] = _date_filter
    env.filters["angka"] = _number_filter
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


def summarize(kel: Kelurahan, pages: Iterable[Page] = ()) -> KelurahanSummary:
    """The portal's view of a kelurahan: names and counts, its pages for the sitemap and its
    latest news for the city feed."""
    news = tuple((e.judul, e.tanggal.isoformat(), f"{kel.slug}/{e.url}index.html", e.ringkasan or "")
                 for e in kel.section("berita")[:CITY_FEED_PER_KELURAHAN] if isinstance(e, Berita))
    return KelurahanSummary(
        slug=kel.slug, nama=kel.profil.nama, kecamatan=kel.profil.kecamatan.slug,
        ringkasan=kel.profil.ringkasan or "", kode_wilayah=kel.profil.kode_wilayah or "",
        jumlah={s.name: len(kel.section(s.name)) for s in SECTIONS}, jumlah_titik=len(kelurahan_points(kel)),
        halaman=tuple((p.path, p.lastmod) for p in pages if p.path.endswith(".html")), berita=news,
        terbaru=max((e.tanggal.isoformat() for e in kel.section("berita") if isinstance(e, Berita)), default=""),
    )


class Renderer:
    """Holds the template environment and the config; renders pages and the portal."""

    def __init__(self, site: Path, config: SiteConfig, version: str = "") -> None:
        self.config = config
        self.t = Messages(config.bahasa)
        self.env = compiled_environment(site, version) if version else template_environment(site)
        self.istilah = untuk_kota(config.istilah)

    def markdown_html(self, text: str, source: str, line: int, link_prefix: str = "",
                      images: Images | None = None) -> Markup:
        """Staff Markdown as sanitized HTML; an image from another host or absurd nesting is an error.
        Images of the kelurahan's media folder become ``<picture>`` elements."""
        try:
            html = to_html(text, link_prefix)
            return Markup(with_pictures(html, link_prefix, images) if images else html)
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
        context.setdefault("kartu", None)
        context.setdefault("istilah", self.istilah)
        context.setdefault("wilayah", context["istilah"].satuan)
        for key in ("jalur", "kanonik", "jsonld", "umpan"):  # head metadata a page may leave out
            context.setdefault(key, None)
        context.setdefault("og_type", "website")
        return self.env.get_template(template).render(config=self.config, t=self.t, **context).encode("utf-8")

    def card_url(self, path: str) -> str | None:
        """The absolute address of a share card; None without ``base_url``."""
        base = self.config.base_url
        return f"{base.rstrip('/')}/{path}" if base else None

    def page_photos(self, kel: Kelurahan) -> list[PagePhoto]:
        """Every HTML page of a kelurahan with its photo and the text of its generated card."""
        where = f"{untuk_satuan(self.config.istilah, kel.profil.kode_wilayah).satuan} {kel.profil.nama}"
        city = self.config.nama
        photos = [PagePhoto(f"{kel.slug}/index.html", kel.profil.foto, CardText(where, "", city), "beranda")]
        for section in self._visible(kel):
            photos.append(PagePhoto(f"{kel.slug}/{section.name}/index.html", None,
                                    CardText(section.label, where, city), "bagian"))
            photos.extend(PagePhoto(f"{kel.slug}/{e.url}index.html", e.foto, CardText(e.judul, where, city), e.section)
                          for e in kel.section(section.name))
        return photos

    def _visible(self, kel: Kelurahan) -> list[Section]:
        return [s for s in (section_by_name(n) for n in self.config.bagian) if kel.section(s.name)]

    def _photo_context(self, kel: Kelurahan, images: Images, page: PagePhoto, prefix: str, alt: str) -> dict[str, Any]:
        """The page's main photo (``foto_utama``, eager: it is on the first screen) and share card."""
        info = images.get(page.foto) if page.foto else None
        if page.foto and info is not None:
            foto = Markup(picture(page.foto, info, prefix, alt, "foto", eager=True))
        elif page.foto:
            foto = Markup('<img class="foto" src="{}" alt="{}" loading="lazy">').format(prefix + page.foto, alt)
        else:
            foto = None
        url = self.card_url(page.card_path(kel.slug, images))
        return {"foto_utama": foto, "kartu": {"url": url, "alt": page.card.judul} if url else None}

    def map_context(self, points: list[MapPoint], root: str, kode: str | None = None) -> dict[str, Any]:
        """What a page needs to show a map of ``points`` (and the boundary of kelurahan ``kode``)."""
        if not points:
            return {"peta": None}
        batas = boundary_features(w for w in self.config.wilayah if kode and w.kode == kode)
        return {"peta": PAGE_MAP, "peta_data": Markup(page_data(points, root, batas)),
                "peta_jenis": sorted({p.jenis for p in points}, key=_kind_order)}

    def kelurahan_pages(self, kel: Kelurahan, images: Images | None = None) -> list[Page]:
        """Every page of one kelurahan site (home, section lists, entries).

        ``images`` (media path → record) turns photos into ``<picture>`` elements; a page's key
        includes the records of the photos it may show (``extra``)."""
        images = images or {}
        visible = self._visible(kel)
        nav = ",".join(s.name for s in visible)
        photos = {p.page: p for p in self.page_photos(kel)}
        every_image = ",".join(f"{rel}={info.key}" for rel, info in sorted(images.items()))
        extra = f"{nav};{self.card_url('') or ''};{every_image}"
        profile = f"{KELURAHAN_DIR}/{kel.slug}/{PROFILE_FILE}"
        everything = tuple(f"{KELURAHAN_DIR}/{kel.slug}/{rel}" for rel in _content_files(kel))
        news = [e for e in kel.section("berita") if isinstance(e, Berita)]
        newest = max((e.tanggal for e in news), default=None)
        home = f"{kel.slug}/index.html"
        pages = [Page(home, everything, _bind(self._home, kel, visible, images, photos[home]), extra)]
        for section in visible:
            entries = kel.section(section.name)
            inputs = (profile, *(e.source for e in entries))
            path = f"{kel.slug}/{section.name}/index.html"
            latest = newest.isoformat() if newest and section.name == "berita" else ""
            pages.append(Page(path, inputs, _bind(self._section, kel, section, visible, images, photos[path]), extra,
                              latest))
            pages.extend(
                Page(f"{kel.slug}/{e.url}index.html", (profile, e.source),
                     _bind(self._entry, kel, e, visible, images, photos[f"{kel.slug}/{e.url}index.html"]), extra,
                     e.tanggal.isoformat() if isinstance(e, Berita) else "")
                for e in entries
            )
        if pagemeta.has_feed(self.config, kel) and "berita" in self.config.bagian:
            pages.append(Page(pagemeta.feed_path(kel), (profile, *(e.source for e in news)),
                              lambda: self._feed(kel, news)))
        return pages

    def _base(self, kel: Kelurahan, visible: list[Section], root: str) -> dict[str, Any]:
        return {"kel": kel, "profil": kel.profil, "bagian": visible, "akar": root,
                "kel_akar": root + kel.slug + "/",
                "istilah": untuk_satuan(self.config.istilah, kel.profil.kode_wilayah)}

    def _home(self, kel: Kelurahan, visible: list[Section], images: Images, page: PagePhoto) -> bytes:
        context = self._base(kel, visible, "../")
        berita = kel.section("berita")[: self.config.berita_terbaru]
        intro = None
        if kel.beranda.strip():
            intro = self.markdown_html(kel.beranda, f"{KELURAHAN_DIR}/{kel.slug}/beranda.md", 1, images=images)
        return self.html("beranda.html", berita=berita, beranda=intro, aktif="", jenis_halaman=self.t("jenis.beranda"),
                         **self._photo_context(kel, images, page, "", f"Foto {page.card.judul}"),
                         **context, **pagemeta.home(self.config, self.t, kel, "../", context["istilah"].satuan),
                         **self.map_context(kelurahan_points(kel, self.config.istilah), "../",
                                            kel.profil.kode_wilayah))

    def _section(self, kel: Kelurahan, section: Section, visible: list[Section], images: Images,
                 page: PagePhoto) -> bytes:
        entries = kel.section(section.name)
        points = [p for e in entries if (p := entry_point(e, kel)) is not None]
        base = self._base(kel, visible, "../../")
        return self.html("bagian.html", section=section, entries=entries, aktif=section.name,
                         jenis_halaman=self.t(f"bagian.{section.name}"), **base,
                         **self._photo_context(kel, images, page, "../", ""),
                         **pagemeta.section(self.config, self.t, kel, section, "../../", base["istilah"].satuan),
                         **self.map_context(points, "../../"))

    def _entry(self, kel: Kelurahan, entry: Entry, visible: list[Section], images: Images, page: PagePhoto) -> bytes:
        body = self.markdown_html(entry.body, entry.source, entry.body_line, "../../", images)
        point = entry_point(entry, kel)
        section = section_by_name(entry.section)
        base = self._base(kel, visible, "../../../")
        return self.html(f"{entry.section}.html", entry=entry, section=section, isi=body, aktif=section.name,
                         jenis_halaman=self.t(f"bagian.{section.name}"),
                         deskripsi=entry.ringkasan or plain_text(body) or kel.profil.nama, **base,
                         **self._photo_context(kel, images, page, "../../", entry.judul),
                         **pagemeta.entry(self.config, self.t, kel, entry, "../../../", base["istilah"].satuan),
                         **self.map_context([point] if point else [], "../../../"))

    def _feed(self, kel: Kelurahan, news: list[Berita]) -> bytes:
        assert self.config.base_url is not None  # has_feed checked it
        items = [FeedEntry(e.judul, e.tanggal, f"{kel.slug}/{e.url}index.html", e.ringkasan or "",
                           str(self.markdown_html(e.body, e.source, e.body_line, link_prefix="../../")))
                 for e in news]
        wilayah = untuk_satuan(self.config.istilah, kel.profil.kode_wilayah).satuan
        title = self.t("umpan.judul", wilayah=wilayah, nama=kel.profil.nama)
        return atom_feed(self.config.base_url, pagemeta.feed_path(kel), f"{kel.slug}/index.html", title, items,
                         self.config.bahasa).encode()

    def open_data_page(self, listing: list[tuple[KelurahanSummary, str]], columns: tuple[str, ...]) -> bytes:
        """The portal's open-data page (``data-terbuka/index.html``)."""
        istilah = untuk_kota(self.config.istilah, [s.kode_wilayah for s, _stem in listing])
        return self.html("data-terbuka.html", akar="../", peta=None, daftar=listing, kolom=columns, istilah=istilah,
                         kartu=self._portal_card(), jalur=OPEN_DATA_PAGE,
                         kanonik=pagemeta.absolute(self.config, OPEN_DATA_PAGE))

    def _portal_card(self) -> dict[str, str] | None:
        """The share card of the city's own pages (portal, open data)."""
        url = self.card_url(PORTAL_CARD)
        return {"url": url, "alt": self.config.judul} if url else None

    def portal_page(self, summaries: list[KelurahanSummary]) -> bytes:
        """The city portal: every kelurahan by kecamatan, and the city map."""
        groups = [(k, [s for s in summaries if s.kecamatan == k.slug]) for k in self.config.kecamatan]
        total = sum(s.jumlah_titik for s in summaries)
        istilah = untuk_kota(self.config.istilah, [s.kode_wilayah for s in summaries])
        kartu = self._portal_card()
        base = self.config.base_url
        return self.html("portal.html", akar="", kelompok=groups, jumlah_kelurahan=len(summaries),
                         istilah=istilah, jumlah_teks=istilah.hitung(s.kode_wilayah for s in summaries),
                         jumlah_titik=total, peta=CITY_MAP, kartu=kartu, jalur="index.html", og_type="website",
                         kanonik=base, jsonld=None, umpan=FEED_FILE if base and _city_news(summaries) else None,
                         peta_jenis=["kantor", "wisata", "umkm", "ikon"])

    def search_page(self, parts: list[str]) -> bytes:
        """The search page (``cari/index.html``), reached from every site's search box; it
        merges the index ``parts`` (one per kecamatan) in the browser."""
        return self.html("cari.html", akar="../", jalur=SEARCH_PAGE, og_type="website", jsonld=None, umpan=None,
                         kanonik=pagemeta.absolute(self.config, SEARCH_PAGE), peta=None, bagian_indeks=parts,
                         kartu=self._portal_card())

    def not_found_page(self) -> bytes:
        """``404.html``: served at any depth, so its links start from the path of base_url (or /)."""
        base = urlsplit(self.config.base_url).path if self.config.base_url else "/"
        return self.html("404.html", akar=base, jalur="404.html", og_type="website", jsonld=None, umpan=None,
                         kanonik=None, peta=None, css=Markup(_own_css()), kartu=self._portal_card())

    def city_feed(self, summaries: list[KelurahanSummary]) -> bytes:
        """The Atom feed of the newest news of every kelurahan."""
        assert self.config.base_url is not None
        title = self.t("umpan.kota", kota=self.config.nama)
        return atom_feed(self.config.base_url, FEED_FILE, "index.html", title, _city_news(summaries),
                         self.config.bahasa).encode()


SEARCH_PAGE = "cari/index.html"
OPEN_DATA_PAGE = "data-terbuka/index.html"  # opendata.PAGE (written by build.py)
CITY_FEED_PER_KELURAHAN = 10
CITY_FEED_SIZE = 50


def _city_news(summaries: list[KelurahanSummary]) -> list[FeedEntry]:
    items = [FeedEntry(f"{judul} ({s.nama})", dt.date.fromisoformat(day), path, ringkasan)
             for s in summaries for judul, day, path, ringkasan in s.berita]
    return sorted(items, key=lambda e: (e.tanggal, e.path), reverse=True)[:CITY_FEED_SIZE]


def _own_css() -> str:
    return (Path(__file__).parent / "assets" / "situs.css").read_text(encoding="utf-8")


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
