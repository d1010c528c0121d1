"""Reads ``kelurahan/<slug>/`` into a Kelurahan model, or into every problem found there."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import posixpath
import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fields as f
from .config import SiteConfig
from .errors import ContentError, Problem, errors_in, warning
from .images.pixels import PhotoError, probe
from .images.plan import MAX_BYTES as MAX_IMAGE_BYTES
from .markdown import curly_quoted_links
from .media import IMAGE_SUFFIXES, MediaError
from .models import Contact, Entry, Kelurahan, Location, Profile, SocialMedia, Umkm
from .privacy import find_identity_numbers, find_personal_phones
from .sections import SECTION_NAMES, SECTIONS, Section, entry_fields, profile_fields, section_by_name
from .yamlio import CURLY_QUOTES, decode_text, load_mapping, split_front_matter

KELURAHAN_DIR = "kelurahan"
PROFILE_FILE = "profil.yaml"
INTRO_FILE = "beranda.md"
MEDIA_DIR = "media"
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED_SLUGS = frozenset({"assets", "cari", "pagefind", "data", "data-terbuka", "kecamatan", "laporan", "media",
                            "poster", *SECTION_NAMES})
_BODY_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)")
MAX_TEXT_BYTES = 512 * 1024
# News dates are compared with today in WIT (UTC+9), Indonesia's latest time zone, so that a
# news item dated today is never "in the future" anywhere in the country.
NEWS_TIME_ZONE = dt.timezone(dt.timedelta(hours=9))
# Extensions that phones and Windows add behind the real one (foto.md.txt), and other spellings.
_EXTRA_SUFFIXES = (".txt", ".text", ".download")
_SPELLINGS = {".yml": ".yaml", ".markdown": ".md", ".mkd": ".md"}


@dataclass(frozen=True)
class Sources:
    """The raw files of one kelurahan folder: relative path → bytes, plus reading problems."""

    slug: str
    files: Mapping[str, bytes]
    problems: tuple[Problem, ...] = ()

    def where(self, rel: str) -> str:
        """The path of a file as staff see it, relative to the site folder."""
        return f"{KELURAHAN_DIR}/{self.slug}/{rel}" if rel else f"{KELURAHAN_DIR}/{self.slug}"


def suggest_slug(name: str) -> str:
    """A valid slug close to ``name`` (lowercase ASCII words joined by hyphens)."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "nama-berkas"


def list_kelurahan(site: Path) -> list[str]:
    """Folder names under ``kelurahan/``, sorted (invalid names are reported later)."""
    root = site / KELURAHAN_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and (p.is_dir() or p.is_symlink()))


def _walk(folder: str, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry under ``folder`` with its relative path; hidden entries and linked folders are not entered."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except PermissionError:  # an unreadable folder holds nothing, as for Path.rglob
        return
    for entry in entries:
        if not entry.name.startswith("."):
            yield prefix + entry.name, entry
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, f"{prefix}{entry.name}/")


def read_sources(site: Path, slug: str) -> Sources:
    """Read every file of one kelurahan folder; refuse links, oversized and misplaced files."""
    root = site / KELURAHAN_DIR / slug
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    sources = Sources(slug, files)
    if root.is_symlink():
        return Sources(slug, {}, (Problem(sources.where(""), 1, "folder kelurahan tidak boleh berupa tautan (symlink)",
                                          "salin folder aslinya ke sini"),))
    if not root.is_dir():
        return sources
    for rel, entry in sorted(_walk(str(root)), key=lambda item: item[0].split("/")):
        if entry.is_symlink():
            problems.append(Problem(sources.where(rel), 1, "tautan (symlink) tidak diizinkan",
                                    "ganti dengan berkas aslinya"))
        elif entry.is_file(follow_symlinks=False):
            is_media = rel.startswith(MEDIA_DIR + "/") or posixpath.splitext(entry.name)[1].lower() in IMAGE_SUFFIXES
            limit = MAX_IMAGE_BYTES if is_media else MAX_TEXT_BYTES
            size = entry.stat(follow_symlinks=False).st_size
            if size > limit:
                problems.append(_too_big(sources.where(rel), size, limit, is_media))
            else:
                with open(entry.path, "rb") as handle:
                    files[rel] = handle.read()
    return Sources(slug, files, tuple(problems))


def _too_big(where: str, size: int, limit: int, is_media: bool) -> Problem:
    if is_media:
        mb = 1024 * 1024
        return Problem(where, 1, f"berkas terlalu besar ({size // mb} MB, batas {limit // mb} MB)",
                       "kirim foto apa adanya dari kamera ponsel (situs memperkecilnya sendiri); berkas sebesar ini "
                       "biasanya video atau foto panorama: simpan ulang dengan ukuran lebih kecil")
    return Problem(where, 1, f"berkas terlalu besar ({size // 1024} KB, batas {limit // 1024} KB)",
                   "pecah tulisan menjadi beberapa berkas")


def _decode(sources: Sources, rel: str) -> str:
    return decode_text(sources.files[rel], sources.where(rel))


def intended_name(name: str) -> str | None:
    """The name a file was meant to have when a phone or Windows added or changed its extension
    (``foto.md.txt``, ``Sejarah.MD``, ``profil.yml``): lowercase, known extension; None if unchanged."""
    lowered = name.lower()
    for extra in _EXTRA_SUFFIXES:
        if lowered.endswith(extra) and "." in lowered.removesuffix(extra):
            lowered = lowered.removesuffix(extra)
    stem, dot, suffix = lowered.rpartition(".")
    if not dot or not stem:
        return None
    fixed = stem + _SPELLINGS.get("." + suffix, "." + suffix)
    return fixed if fixed != name else None


class _Reader:
    """Collects problems while turning one kelurahan's sources into models."""

    def __init__(self, sources: Sources, config: SiteConfig, today: dt.date) -> None:
        self.sources = sources
        self.config = config
        self.today = today
        self.problems: list[Problem] = list(sources.problems)
        self.refused = frozenset(p.path for p in sources.problems)
        self.entry_fields = {section.name: entry_fields(section, config.batas, config.daerah) for section in SECTIONS}

    def attempt(self, rel: str, build: Any) -> Any:
        try:
            return build(rel)
        except ContentError as error:
            self.problems.extend(error.problems)
            return None

    def check_media(self, rel: str, line: int, ref: str | None, label: str = "foto") -> None:
        if ref is None:
            return
        target = posixpath.normpath(ref.strip())
        where = self.sources.where(rel)
        if ref.startswith(("/", "\\")) or target.startswith("..") or "://" in ref:
            self.problems.append(Problem(where, line, f"{label} '{ref}' harus berada di folder media/ kelurahan ini",
                                         "tulis misalnya foto: media/kantor.jpg"))
        elif self.sources.where(target) in self.refused or self._reported(target):
            return  # the file itself is already reported: one message per problem
        elif target not in self.sources.files:
            hint = (f"simpan gambarnya di {self.sources.where(MEDIA_DIR)}/ "
                    "lalu tulis foto: media/namaberkas.jpg")
            meant = self.meant_media(target)
            if meant is not None:
                same = meant.casefold() == target.casefold()
                hint = f"maksud Anda '{meant}'?" + (" (huruf besar-kecil harus sama persis)" if same else "")
            self.problems.append(Problem(where, line, f"{label} '{ref}' tidak ditemukan", hint))
        elif posixpath.splitext(target)[1].lower() not in IMAGE_SUFFIXES:
            self.problems.append(Problem(where, line, f"{label} '{ref}' bukan gambar JPG/PNG/WebP/GIF"))

    def _reported(self, target: str) -> bool:
        where = self.sources.where(target)
        return any(p.path == where and not p.is_warning for p in self.problems)

    def meant_media(self, target: str) -> str | None:
        """The media file ``target`` most likely means: same name in other capitals, without the
        media/ folder, or a near spelling (kantor.jpeg for kantor.jpg)."""
        folded = {rel.casefold(): rel for rel in self.sources.files if rel.startswith(MEDIA_DIR + "/")}
        for candidate in (target.casefold(), f"{MEDIA_DIR}/{target}".casefold()):
            if candidate in folded:
                return folded[candidate]
        close = difflib.get_close_matches(target.casefold(), list(folded), n=1, cutoff=0.85)
        return folded[close[0]] if close else None

    def check_body(self, rel: str, body: str, first_line: int) -> None:
        """Links broken by curly quotes, and images that are not in this kelurahan's media/."""
        where = self.sources.where(rel)
        for lines, written in curly_quoted_links(body):
            self.problems.append(Problem(
                where, first_line + lines, f"tautan berisi tanda kutip miring (tertulis '{written}')",
                "hapus tanda kutip \u201c \u201d \u2018 \u2019 di dalam (...): tulis [teks](https://alamat)"))
        self.check_body_images(rel, body, first_line)

    def check_body_images(self, rel: str, body: str, first_line: int) -> None:
        """Images written in Markdown (``![..](media/x.jpg)``) must exist in this kelurahan's media/."""
        # No line can match without "![" or "<img"; testing their first character first is much
        # faster (a one-character search) and rules out most bodies.
        if not ("!" in body and "![" in body) and not ("<" in body and "<img" in body):
            return
        for number, line in enumerate(body.splitlines(), start=first_line):
            for match in _BODY_IMAGE.finditer(line):
                ref = match.group(1) or match.group(2)
                if any(quote in ref for quote in CURLY_QUOTES):
                    continue  # reported as a link with curly quotes
                if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", ref):
                    self.check_media(rel, number, ref.lstrip("/"), label="gambar")

    def profile(self, rel: str) -> Profile | None:
        data = load_mapping(_decode(self.sources, rel), self.sources.where(rel))
        kecamatan = tuple(k.slug for k in self.config.kecamatan)
        schema = profile_fields(kecamatan, self.config.batas, self.config.daerah)
        values, problems = f.read_mapping(data, schema, self.sources.where(rel))
        self.problems.extend(problems)
        self.check_media(rel, data.line_of("foto"), values.get("foto"))
        if problems:
            return None
        lokasi: Location = values.pop("lokasi")
        if values.pop("lokasi_perkiraan", False):
            lokasi = Location(lokasi.lat, lokasi.lon, approximate=True)
        kontak = Contact(telepon=values.pop("telepon", None), whatsapp=values.pop("whatsapp", None),
                         email=values.pop("email", None))
        return Profile(lokasi=lokasi, kontak=kontak,
                       kecamatan=self.config.kecamatan_by_slug(values.pop("kecamatan")),
                       media_sosial=SocialMedia(**values.pop("media_sosial", {})), **values)

    def entry(self, rel: str) -> Entry | None:
        section_name, filename = rel.split("/")
        section = section_by_name(section_name)
        where = self.sources.where(rel)
        front = split_front_matter(_decode(self.sources, rel), where)
        values, problems = f.read_mapping(front.data, self.entry_fields[section_name], where)
        self.problems.extend(problems)
        self.check_media(rel, front.data.line_of("foto"), values.get("foto"))
        self.check_body(rel, front.body, front.body_line)
        if problems:
            return None
        if section.name == "berita" and values["tanggal"] > self.today:
            self.problems.append(future_news(where, front.data.line_of("tanggal"), values["tanggal"], self.today))
        return _make_entry(section, filename.removesuffix(".md"), where, front.body, front.body_line, values)

    def image(self, rel: str) -> str | None:
        """Check that a media file is a real, supported image of a sensible size (headers only)."""
        try:
            probe(self.sources.files[rel], posixpath.splitext(rel)[1].lower())
        except PhotoError as error:
            self.problems.append(Problem(self.sources.where(rel), 1, str(error), error.hint))
            return None
        except MediaError as error:
            self.problems.append(Problem(self.sources.where(rel), 1, str(error),
                                         "simpan ulang sebagai JPG atau PNG (HEIC, PDF dan lainnya tidak didukung)"))
            return None
        return MEDIA_DIR

    def place(self, rel: str) -> str | None:
        """Classify one file; report it when it does not belong; return its role."""
        parts = rel.split("/")
        where = self.sources.where(rel)
        if rel in (PROFILE_FILE, INTRO_FILE):
            return parts[0]
        if parts[0] == MEDIA_DIR:
            return self.image(rel)
        if len(parts) > 2 and parts[0] in SECTION_NAMES:
            self.problems.append(Problem(where, 1, f"folder di dalam {parts[0]}/ tidak didukung",
                                         f"pindahkan berkasnya langsung ke {parts[0]}/"))
            return None
        if len(parts) == 2 and parts[0] in SECTION_NAMES:
            stem, dot, suffix = parts[1].rpartition(".")
            if dot and "." + suffix.lower() in IMAGE_SUFFIXES:
                self.problems.append(Problem(where, 1, "gambar tidak disimpan di folder bagian",
                                             f"pindahkan ke {MEDIA_DIR}/ lalu tulis foto: {MEDIA_DIR}/{parts[1]}"))
            elif not dot or suffix != "md":
                self.problems.append(Problem(where, 1, "berkas bagian harus berakhiran .md", _rename_hint(parts[1])))
            elif not SLUG_PATTERN.fullmatch(stem):
                self.problems.append(Problem(where, 1, f"nama berkas '{parts[1]}' tidak valid",
                                             f"pakai huruf kecil dan tanda hubung, misalnya {suggest_slug(stem)}.md"))
            else:
                return "entry"
            return None
        if len(parts) == 1 and intended_name(rel) in (PROFILE_FILE, INTRO_FILE):
            self.problems.append(Problem(where, 1, f"nama berkas '{rel}' salah", _rename_hint(rel)))
            return None
        message = f"'{parts[0]}' tidak dikenal di folder kelurahan"
        self.problems.append(Problem(where, 1, message, _place_hint(parts[0])))
        return None


def _rename_hint(name: str) -> str:
    """How to rename a file whose extension a phone or Windows changed (foto.md.txt → foto.md)."""
    meant = intended_name(name) or name.lower()
    stem = meant.rpartition(".")[0] or meant
    target = meant if meant in (PROFILE_FILE, INTRO_FILE) else f"{suggest_slug(stem)}.md"
    added = name.lower().endswith(_EXTRA_SUFFIXES) and intended_name(name) is not None
    return f"ganti nama menjadi {target}" + (
        " (akhiran tambahan dari ponsel atau Windows; di Windows Explorer nyalakan "
        "Tampilan > Ekstensi nama berkas untuk melihatnya)" if added else "")


def future_news(where: str, line: int, tanggal: dt.date, today: dt.date) -> Problem:
    """The warning for a news item dated after today (usually a typo in the year)."""
    return warning(where, line, f"tanggal: tanggal berita belum tiba (tertulis '{tanggal.isoformat()}', "
                   f"hari ini {today.isoformat()})",
                   "periksa tahun, bulan dan tanggalnya; berita ini tetap terbit dan tampil paling atas")


def news_today() -> dt.date:
    """Today's date for the news check (see NEWS_TIME_ZONE)."""
    return dt.datetime.now(NEWS_TIME_ZONE).date()


def _folder_hint(slug: str) -> str:
    if slug in RESERVED_SLUGS:
        return f"'{slug}' dipakai oleh situs; pilih nama lain, misalnya nama kelurahannya"
    return f"ganti nama folder menjadi huruf kecil bertanda hubung, misalnya {suggest_slug(slug)}"


def _place_hint(name: str) -> str:
    choices = [*SECTION_NAMES, MEDIA_DIR, PROFILE_FILE, INTRO_FILE]
    close = difflib.get_close_matches(name.lower(), choices, n=1, cutoff=0.6)
    if close:
        return f"maksud Anda '{close[0]}'?"
    return "yang dikenal: profil.yaml, beranda.md, media/ dan folder " + ", ".join(SECTION_NAMES)


def _make_entry(section: Section, slug: str, where: str, body: str, body_line: int, values: dict[str, Any]) -> Entry:
    judul = values.pop(section.title_key)
    lokasi: Location | None = values.pop("lokasi", None)
    if lokasi is not None and values.get("lokasi_perkiraan"):
        lokasi = Location(lokasi.lat, lokasi.lon, approximate=True)
    values.pop("lokasi_perkiraan", None)
    if "kontak" in values:
        values["kontak"] = Contact(**values["kontak"])
    return section.model(section=section.name, slug=slug, judul=judul, source=where, body=body,
                         body_line=body_line, lokasi=lokasi, **values)


def _media_clashes(sources: Sources, media: list[str]) -> list[Problem]:
    """Photos whose names differ only in the kind of file (kantor.jpg, kantor.png): their sized
    copies (kantor.480.jpg, ...) would have the same names."""
    first: dict[str, str] = {}
    problems = []
    for rel in sorted(media):
        stem, suffix = posixpath.splitext(rel)
        if stem not in first:
            first[stem] = rel
            continue
        name, other = posixpath.basename(rel), posixpath.basename(first[stem])
        problems.append(Problem(sources.where(rel), 1, f"foto '{name}' bernama sama dengan '{other}' (hanya beda "
                                "jenis berkas); ukuran-ukuran fotonya akan saling menimpa",
                                f"ganti nama salah satunya, misalnya {posixpath.basename(stem)}-2{suffix}, lalu "
                                "sesuaikan 'foto:' di berkas yang memakainya"))
    return problems


def _sort_key(entry: Entry) -> tuple[str, str, str]:
    newest_first = "" if not hasattr(entry, "tanggal") else str(99999999 - int(entry.tanggal.strftime("%Y%m%d")))
    return newest_first, entry.judul.casefold(), entry.slug


def parse_kelurahan(sources: Sources, config: SiteConfig, today: dt.date | None = None) -> Kelurahan:
    """Turn one kelurahan's files into a model; raise ContentError with every problem.

    Warnings (a news date after ``today``) do not stop it: they come with the model."""
    reader = _Reader(sources, config, today or news_today())
    if not SLUG_PATTERN.fullmatch(sources.slug) or sources.slug in RESERVED_SLUGS:
        reader.problems.append(Problem(sources.where(""), 1, f"nama folder '{sources.slug}' tidak bisa dipakai",
                                       _folder_hint(sources.slug)))
    roles = {rel: reader.place(rel) for rel in sources.files}
    reader.problems.extend(_media_clashes(sources, [rel for rel, role in roles.items() if role == MEDIA_DIR]))
    refused = {p.path for p in sources.problems}
    misnamed = any(intended_name(rel) == PROFILE_FILE for rel in sources.files)
    if PROFILE_FILE not in sources.files and not misnamed and \
            not refused & {sources.where(PROFILE_FILE), sources.where("")}:
        reader.problems.append(Problem(sources.where(PROFILE_FILE), 1, "profil.yaml tidak ditemukan",
                                       "buat dengan: kelurahan new SLUG --nama ... --kecamatan ... --lokasi ..."))
    profil = reader.attempt(PROFILE_FILE, reader.profile) if PROFILE_FILE in sources.files else None
    entries = [reader.attempt(rel, reader.entry) for rel, role in roles.items() if role == "entry"]
    beranda = ""
    if INTRO_FILE in sources.files:
        beranda = reader.attempt(INTRO_FILE, lambda rel: _decode(sources, rel)) or ""
    reader.check_body(INTRO_FILE, beranda, 1)
    if beranda.startswith("---"):
        reader.problems.append(Problem(sources.where(INTRO_FILE), 1, "beranda.md tidak memakai front matter (---)",
                                       "hapus blok '---' di awal; tulis langsung teks pengantarnya"))
    broken = {p.path for p in reader.problems}
    reader.problems.extend(privacy_problems(sources, _listed_contacts(profil, entries), broken))
    if errors_in(reader.problems) or profil is None:
        raise ContentError(reader.problems)
    media = tuple(sorted(rel for rel, role in roles.items() if role == MEDIA_DIR))
    ordered = sorted((e for e in entries if e is not None),
                     key=lambda e: (SECTION_NAMES.index(e.section), *_sort_key(e)))
    return Kelurahan(sources.slug, profil, beranda, tuple(ordered), media, tuple(sorted(reader.problems)))


def _listed_contacts(profil: Profile | None, entries: list[Entry | None]) -> list[str]:
    """Phone numbers published on purpose: the office's and each business's contacts."""
    contacts = [profil.kontak] if profil else []
    contacts += [e.kontak for e in entries if isinstance(e, Umkm)]
    return [n for c in contacts for n in (c.telepon, c.whatsapp) if n]


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def privacy_problems(sources: Sources, allowed: list[str], broken: Container[str] = ()) -> list[Problem]:
    """NIK/No. KK anywhere (text, values, file names) and personal phones in free text.

    Files that could not be read are not checked for phones: their listed contacts are unknown."""
    problems = []
    for rel, data in sources.files.items():
        for finding in find_identity_numbers(rel):
            problems.append(Problem(sources.where(rel), 1, f"nama berkas {finding.message}",
                                    "ganti nama berkas tanpa nomor identitas"))
        if posixpath.splitext(rel)[1].lower() in IMAGE_SUFFIXES:
            continue
        text = data.decode("utf-8", errors="replace")
        phones = [] if sources.where(rel) in broken else find_personal_phones(text, allowed)
        for finding in find_identity_numbers(text) + phones:
            problems.append(Problem(sources.where(rel), _line_at(text, finding.start), finding.message))
    return problems
