"""The ``kelurahan`` command: parses flags and calls one function per command."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__, impor, laporan, poster
from .build import BuildOptions, BuildReport, build
from .check import check
from .config import SiteConfig, load_config
from .content import KELURAHAN_DIR, PROFILE_FILE, RESERVED_SLUGS, SLUG_PATTERN, list_kelurahan, suggest_slug
from .errors import BuildLocked, ContentError, FieldError, Problem, errors_in, os_reason
from .fields import location_reader
from .models import Kecamatan, Location
from .privacy import mask_identity_numbers
from .scaffold import Asal, example_entries, profile_yaml
from .wilayah.daftar import Wilayah
from .wilayah.istilah import untuk_satuan

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _print_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _site(ctx: click.Context) -> Path:
    return Path(ctx.obj["site"])


def _selected(site: Path, slugs: tuple[str, ...]) -> tuple[str, ...]:
    known = set(list_kelurahan(site))
    for slug in slugs:
        if slug not in known:
            raise click.BadParameter(f"kelurahan '{slug}' tidak ada di folder {KELURAHAN_DIR}/", param_hint="SLUG")
    return tuple(dict.fromkeys(slugs))


def _angka(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _summary(report: BuildReport) -> str:
    seconds = f"{report.seconds:.1f}".replace(".", ",")
    warned = _warning_count(report.warnings.values())
    return (f"Selesai: {_angka(report.sites)} situs, {_angka(report.pages)} halaman "
            f"({_angka(report.rendered)} dirender ulang, {_angka(report.written)} berkas ditulis), "
            f"{len(report.failed)} kelurahan gagal, {f'{warned} peringatan, ' if warned else ''}{seconds} detik.")


def _warning_count(groups: Iterable[tuple[Problem, ...]]) -> int:
    return sum(1 for problems in groups for p in problems if p.is_warning)


def _check_summary(found: dict[str, tuple[Problem, ...]], total: int) -> str:
    """``N masalah di M dari T kelurahan.`` (errors only) or ``Semua T kelurahan lolos pemeriksaan.``,
    each followed by the number of warnings, if any."""
    errors = {slug: errors_in(problems) for slug, problems in found.items()}
    failed = [slug for slug, problems in errors.items() if problems]
    warned = _warning_count(found.values())
    end = f", dengan {warned} peringatan." if warned else "."
    if failed:
        count = sum(len(problems) for problems in errors.values())
        return f"{count} masalah di {len(failed)} dari {total} kelurahan{end}"
    return f"Semua {total} kelurahan lolos pemeriksaan{end}"


def _search_line(report: BuildReport) -> str:
    search = report.search
    if search is None:
        return "Indeks pencarian: dilewati (--tanpa-pencarian)."
    if search.seconds is None:
        return "Indeks pencarian: tidak ada halaman yang berubah, tidak dibuat ulang."
    seconds = f"{search.seconds:.1f}".replace(".", ",")
    if search.problem:
        return f"Indeks pencarian: gagal setelah {seconds} detik ({search.rebuilt} dari {search.parts} kecamatan)."
    return f"Indeks pencarian: dibuat ulang dalam {seconds} detik ({search.rebuilt} dari {search.parts} kecamatan)."


class OwnUsageError(click.UsageError):
    """A usage error whose message is ours (Indonesian) already."""


def usage_message(error: click.UsageError, flags: frozenset[str] = frozenset()) -> str:
    """Click's usage errors in Indonesian, made from what went wrong rather than from click's
    English text (which changes between click versions); our own messages are kept. ``flags``
    names the options that take no value."""
    if isinstance(error, OwnUsageError):
        return error.message
    if isinstance(error, click.NoSuchOption):
        return f"opsi tidak dikenal: {error.option_name}"
    if isinstance(error, click.MissingParameter):
        return f"{_name(error.param)} wajib diisi"
    if isinstance(error, click.BadParameter):
        if error.param is None:  # raised by our commands, with a param_hint and an Indonesian text
            return f"nilai {error.param_hint} tidak valid: {error.message}" if error.param_hint else error.message
        return f"nilai {_name(error.param)} tidak valid: {_expected(error.param)}"
    if isinstance(error, click.BadOptionUsage):
        return f"opsi {error.option_name} {'tidak menerima nilai' if error.option_name in flags else 'perlu nilai'}"
    return error.message  # raised by our commands in Indonesian; click's own are converted in parse_args


def _name(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return param.human_readable_name if param is not None else "argumen"


def _expected(param: click.Parameter) -> str:
    kind = param.type
    if isinstance(kind, click.IntRange):
        low, high = kind.min, kind.max
        span = f" dari {low} sampai {high}" if low is not None and high is not None else (
            f" paling kecil {low}" if low is not None else "")
        return f"harus bilangan bulat{span}"
    if isinstance(kind, click.Path) and not kind.file_okay:
        return "harus berupa folder, bukan berkas"
    if isinstance(kind, click.Path) and not kind.dir_okay:
        return "harus berupa berkas, bukan folder"
    return "nilainya tidak bisa dipakai"


def _click_usage_in_indonesian(error: click.UsageError, ctx: click.Context) -> click.UsageError:
    """While parsing, a plain UsageError is click's own English (extra arguments and the like)."""
    if type(error) is click.UsageError:
        return OwnUsageError("argumen tidak sesuai: ada yang berlebih atau kurang", ctx)
    return error


class _Command(click.Command):
    """A command whose parse errors never reach the user in click's English."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise _click_usage_in_indonesian(error, ctx) from None


class _Group(click.Group):
    """Turns known errors into located messages and exit status 1, never a traceback."""

    command_class = _Command

    def flags(self) -> frozenset[str]:
        """Every option of the CLI that takes no value (``--clean``)."""
        commands = [self, *self.commands.values()]
        return frozenset(name for command in commands for p in command.params
                         if isinstance(p, click.Option) and p.is_flag for name in p.opts)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                          list[str]]:
        if args and not args[0].startswith("-") and self.get_command(ctx, args[0]) is None:
            raise OwnUsageError(f"perintah tidak dikenal: '{args[0]}'", ctx)
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx else "kelurahan"
            click.echo(f"Kesalahan: {usage_message(error, self.flags())}\nBantuan: {command} --help", err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Dibatalkan.", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ContentError as error:
            _print_problems(error.problems)
        except BuildLocked as error:
            click.echo(str(error), err=True)
        except OSError as error:
            where = error.filename or "output"
            click.echo(f"{where}: gagal membaca atau menulis berkas ({os_reason(error)}); hasil lama tetap utuh, "
                       "periksa ruang disk dan izin folder lalu jalankan lagi", err=True)
        ctx.exit(EXIT_CONTENT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kelurahan", message="%(prog)s versi %(version)s",
                      help="Tampilkan versi lalu keluar.")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Folder situs (berisi config.yaml dan kelurahan/).")
@click.pass_context
def main(ctx: click.Context, site: Path) -> None:
    """Membangun situs web berpeta untuk setiap desa/kelurahan dan portal kota/kabupaten.

    Konten ada di kelurahan/<slug>/ (YAML dan Markdown); hasil ditulis ke output/.
    Kode keluar: 0 berhasil; 1 ada kesalahan konten, atau gagal membaca/menulis
    berkas, port terpakai, publish gagal; 2 perintah salah; 130 dibatalkan (Ctrl-C).
    """
    ctx.obj = {"site": site}


@main.command("build")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder hasil (bawaan: output/ di folder situs).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default="jumlah inti CPU", help="Jumlah proses paralel.")
@click.option("--clean", is_flag=True,
              help="Bangun ulang semua halaman, abaikan hasil sebelumnya; lalu, bila tanpa SLUG dan tidak ada "
                   "kelurahan yang gagal, hapus dari cache gambar foto dan kartu yang tidak dipakai lagi.")
@click.option("--tanpa-pencarian", "no_search", is_flag=True,
              help="Jangan perbarui indeks pencarian (lebih cepat; situs memakai indeks sebelumnya).")
@click.pass_context
def build_command(ctx: click.Context, slugs: tuple[str, ...], output: Path | None, jobs: int, clean: bool,
                  no_search: bool) -> None:
    """Bangun semua desa/kelurahan (atau SLUG yang disebut) dan portal kota/kabupaten.

    Kelurahan yang berisi kesalahan tidak dibangun dan hasil lamanya tetap utuh;
    kelurahan lain tetap dibangun. Hanya halaman yang berubah yang ditulis ulang.
    Indeks pencarian (output/pagefind/) dibuat ulang hanya untuk kecamatan yang
    halamannya berubah. Dengan base_url di config.yaml juga dibuat sitemap.xml,
    robots.txt dan umpan berita Atom.

    Kode keluar 1 bila ada kelurahan yang gagal, atau bila indeks pencarian gagal
    dibuat (indeks lama tetap dipakai).
    """
    site = _site(ctx)
    options = BuildOptions(site=site, output=output or site / "output",
                           slugs=_selected(site, slugs), jobs=jobs, clean=clean, search=not no_search)
    with _progress(len(options.slugs) or len(list_kelurahan(site))) as progress:
        report = build(options, progress)
    for problems in report.failed.values():
        _print_problems(problems)
    for slug, problems in report.warnings.items():
        if slug not in report.failed:
            _print_problems(problems)
    for line in [*report.images, *report.image_warnings]:
        click.echo(line, err=True)
    click.echo(f"Gambar dan kartu berbagi: {_angka(report.images_made)} dibuat, "
               f"{_angka(report.images_reused)} diambil dari cache (.kelurahan/cache/).", err=True)
    if report.cache_pruned[0]:
        megabytes = f"{report.cache_pruned[1] / 1e6:.1f}".replace(".", ",")
        click.echo(f"Cache gambar: {_angka(report.cache_pruned[0])} foto dan kartu yang tidak dipakai lagi dihapus "
                   f"({megabytes} MB).", err=True)
    for note in report.notes:
        click.echo(note, err=True)
    if report.search and report.search.problem:
        _print_problems((report.search.problem,))
    click.echo(_search_line(report), err=True)
    click.echo(_summary(report), err=True)
    ctx.exit(EXIT_OK if report.ok else EXIT_CONTENT)


class _progress:
    """A progress bar on a terminal; silent when output is piped or in CI."""

    def __init__(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label="Membangun", file=sys.stderr) \
            if sys.stderr.isatty() else None

    def __enter__(self) -> _progress:
        if self.bar:
            self.bar.__enter__()
        return self

    def __call__(self, slug: str, ok: bool) -> None:
        if self.bar:
            self.bar.label = f"Membangun {slug}"
            self.bar.update(1)

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.__exit__(None, None, None)


@main.command("check")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.pass_context
def check_command(ctx: click.Context, slugs: tuple[str, ...]) -> None:
    """Periksa konten semua kelurahan (atau SLUG) tanpa menulis apa pun.

    Kesalahan membuat kode keluar 1; peringatan (ditandai "peringatan:") hanya ditampilkan.
    """
    site = _site(ctx)
    selected = _selected(site, slugs)
    found = check(site, selected)
    for problems in found.values():
        _print_problems(problems)
    failed = any(errors_in(problems) for problems in found.values())
    # Readiness facts go to standard output: a report about what is missing, not about the files' form.
    notes = laporan.warnings(site, selected, dt.date.today(), {s for s, p in found.items() if errors_in(p)})
    for note in notes:
        click.echo(str(note))
    if notes:
        click.echo(f"{len(notes)} peringatan kesiapan (bukan kesalahan); rinciannya: kelurahan report")
    click.echo(_check_summary(found, len(selected) or len(list_kelurahan(site))), err=True)
    ctx.exit(EXIT_CONTENT if failed else EXIT_OK)


@main.command("new")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("slug")
@click.option("--nama", required=True, help="Nama desa/kelurahan, misalnya \"Kauman\".")
@click.option("--kecamatan", help="Slug atau nama kecamatan dari config.yaml (boleh kosong bila nama dikenal di "
                                  "daftar wilayah).")
@click.option("--lokasi", help="Lokasi kantor: lintang, bujur atau tautan Google Maps (bawaan: titik tengah "
                               "wilayah dari daftar, bertanda perkiraan).")
@click.pass_context
def new_command(ctx: click.Context, slug: str, nama: str, kecamatan: str | None, lokasi: str | None) -> None:
    """Buat folder desa/kelurahan baru berisi profil.yaml dan satu contoh per bagian.

    Bila config.yaml menyebut kode_wilayah kota/kabupaten dan nama ada di daftar wilayah
    Kemendagri, kode wilayah, kode pos dan lokasi (perkiraan) diisi dari daftar.
    """
    from .wilayah.kode import NotListed, match_unit

    site = _site(ctx)
    config = load_config(site)
    if not SLUG_PATTERN.fullmatch(slug) or slug in RESERVED_SLUGS:
        hint = f"pakai huruf kecil dan tanda hubung, misalnya {suggest_slug(slug)}"
        if slug in RESERVED_SLUGS:
            hint = f"'{slug}' dipakai oleh situs; pilih nama lain"
        raise click.BadParameter(hint, param_hint="SLUG")
    chosen = _kecamatan_option(config, kecamatan) if kecamatan else None
    try:
        row = match_unit(config, nama, chosen, needed=lokasi is None or chosen is None)
    except NotListed as error:
        raise click.BadParameter(str(error), param_hint=error.option) from None
    if chosen is None and row is not None:
        chosen = _kecamatan_option(config, row.induk)
    assert chosen is not None  # match_unit refuses a missing --kecamatan it cannot fill
    istilah = untuk_satuan(config.istilah, row.kode if row else None)
    point = _new_location(config, lokasi, row)
    folder = site / KELURAHAN_DIR / slug
    if folder.exists():
        raise click.BadParameter(f"folder {KELURAHAN_DIR}/{slug} sudah ada", param_hint="SLUG")
    asal = Asal(row.kode, row.kode_pos, "" if lokasi else f"titik tengah wilayah {istilah.jenis}") if row else None
    files = {PROFILE_FILE: profile_yaml(nama if row is None else row.nama, chosen, point, asal,
                                        istilah.satuan, istilah.kepala),
             **example_entries(nama, point, dt.date.today(), istilah.satuan)}
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    (folder / "media").mkdir()
    filled = f"; kode {row.kode} dan kode pos dari daftar wilayah" if row else ""
    click.echo(f"Dibuat {KELURAHAN_DIR}/{slug}/ ({len(files)} berkas{filled}). Periksa dengan: kelurahan check {slug}")


def _kecamatan_option(config: SiteConfig, value: str) -> Kecamatan:
    key = value.strip().lower().replace(" ", "-")
    match = [k for k in config.kecamatan if key in (k.slug, k.kode, k.nama.lower().replace(" ", "-"))]
    if not match:
        choices = ", ".join(k.slug for k in config.kecamatan)
        raise click.BadParameter(f"'{value}' tidak ada di config.yaml (pilihan: {choices})", param_hint="--kecamatan")
    return match[0]


def _new_location(config: SiteConfig, lokasi: str | None, row: Wilayah | None) -> Location:
    if lokasi is None and (row is None or row.pusat is None):
        raise click.BadParameter("titik tengah wilayahnya tidak ada di daftar; tulis lokasi kantornya",
                                 param_hint="--lokasi")
    text = lokasi if lokasi is not None else f"{row.pusat.lat}, {row.pusat.lon}"  # type: ignore[union-attr]
    try:
        point: Location = location_reader(config.batas, config.daerah)(text)
    except FieldError as error:
        raise click.BadParameter(f"{error.message}; {error.hint}", param_hint="--lokasi") from None
    return point if lokasi is not None else Location(point.lat, point.lon, approximate=True)


@main.command("init")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--wilayah", required=True,
              help="Kode Kemendagri kota/kabupaten (misalnya 35.71) atau namanya (\"Kota Kediri\").")
@click.option("--kecamatan", multiple=True,
              help="Hanya kecamatan ini (nama, slug atau kode; boleh diulang atau dipisah koma).")
@click.option("--batas", type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas GeoJSON batas desa/kelurahan; disalin ke situs sebagai batas-kelurahan.geojson.")
def init_command(folder: Path, wilayah: str, kecamatan: tuple[str, ...], batas: Path | None) -> None:
    """Buat folder situs baru untuk satu kota atau kabupaten dari daftar wilayah Kemendagri.

    Berisi config.yaml (kecamatan, peta) dan profil.yaml untuk setiap desa dan kelurahan
    (nama, kode wilayah, kode pos, titik tengah wilayah sebagai lokasi kantor perkiraan).
    Folder yang sudah ada tidak pernah ditimpa.
    """
    from .wilayah.buat import InitRefused, prepare, write

    try:
        rencana, boundary = prepare(folder, wilayah, kecamatan, batas)
        write(folder, rencana, boundary)
    except InitRefused as error:
        raise click.BadParameter(str(error), param_hint=error.option) from None
    click.echo(f"Dibuat {folder}/: {rencana.kota.nama} ({rencana.kota.kode}), {len(rencana.kecamatan)} kecamatan, "
               f"{rencana.jumlah()}.")
    if boundary is not None:
        click.echo(f"Batas wilayah: {boundary.matched} dari {len(rencana.satuan)} punya poligon "
                   f"(batas-kelurahan.geojson, sumber dan lisensi di NOTICE.md).")
    click.echo("Lokasi kantor masih titik tengah wilayah (lokasi_perkiraan: true): ganti dengan lokasi sebenarnya. "
               "Isi base_url di config.yaml sebelum terbit.")
    click.echo(f"Lanjutkan dengan: cd {folder} && kelurahan build")


@main.command("serve")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port pratinjau.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Alamat yang didengarkan.")
@click.pass_context
def serve_command(ctx: click.Context, port: int, host: str) -> None:
    """Pratinjau langsung di browser; halaman dimuat ulang setiap kali berkas disimpan.

    Hasil pratinjau ditulis ke folder .pratinjau/ (bukan output/). Kesalahan konten
    tampil di bagian atas setiap halaman sampai diperbaiki.
    """
    from .server import serve

    try:
        serve(_site(ctx), host, port)
    except OSError as error:
        click.echo(f"{host}:{port}: tidak bisa membuka pratinjau ({os_reason(error)}); "
                   "pilih port lain dengan --port", err=True)
        ctx.exit(EXIT_CONTENT)


@main.command("studio")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8400, show_default=True, help="Port studio.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Alamat yang didengarkan (bawaan hanya komputer ini).")
@click.option("--domain", "domains", multiple=True, metavar="NAMA",
              help="Nama host (atau alamat IP) yang diterima di header Host, misalnya studio.kota.go.id "
                   "(boleh berulang); 127.0.0.1 dan localhost selalu diterima.")
@click.option("--https", is_flag=True, help="Studio diakses lewat HTTPS (cookie diberi tanda Secure).")
@click.option("--proxy", is_flag=True,
              help="Di belakang reverse proxy di 127.0.0.1: percayai X-Forwarded-Proto dan X-Forwarded-For darinya.")
@click.pass_context
def studio_command(ctx: click.Context, port: int, host: str, domains: tuple[str, ...], https: bool,
                   proxy: bool) -> None:
    """Editor web untuk staf kelurahan: ubah konten lewat formulir, juga dari ponsel.

    Akun dibuat dengan 'kelurahan akun tambah'. Data akun, sesi dan catatan perubahan
    disimpan di .kelurahan/studio.sqlite; konten tetap di folder kelurahan/.
    """
    from .studio.server import run

    try:
        run(_site(ctx), host, port, domains, https, proxy)
    except OSError as error:
        click.echo(f"{host}:{port}: tidak bisa membuka studio ({os_reason(error)}); pilih port lain dengan --port",
                   err=True)
        ctx.exit(EXIT_CONTENT)


@main.group("akun")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
def akun_group() -> None:
    """Kelola akun studio: admin (Diskominfo) dan editor per kelurahan."""


def _store(ctx: click.Context) -> Any:
    from .studio.store import Store

    return Store.of_site(_site(ctx))


def _new_password(prompt: bool) -> tuple[str, bool]:
    """The password from KELURAHAN_SANDI, typed at the terminal, or generated (then it is shown)."""
    from .studio.store import generate_password

    if os.environ.get("KELURAHAN_SANDI"):
        return os.environ["KELURAHAN_SANDI"], False
    if prompt and sys.stdin.isatty():
        typed = click.prompt("Kata sandi awal (kosongkan untuk dibuatkan)", default="", hide_input=True,
                             confirmation_prompt=True, show_default=False)
        if typed:
            return typed, False
    return generate_password(), True


@akun_group.command("tambah")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("nama")
@click.option("--kelurahan", "kelurahan", default="", help="Slug kelurahan yang boleh diubah, dipisah koma.")
@click.option("--admin", is_flag=True, help="Akun admin (Diskominfo): semua kelurahan, akun dan penerbitan.")
@click.pass_context
def akun_tambah(ctx: click.Context, nama: str, kelurahan: str, admin: bool) -> None:
    """Buat akun. Kata sandi awal dari variabel KELURAHAN_SANDI, diketik, atau dibuatkan (tampil sekali).

    Pemilik akun wajib mengganti kata sandinya saat pertama masuk.
    """
    from .studio.store import AccountError

    slugs = tuple(s.strip() for s in kelurahan.split(",") if s.strip())
    _selected(_site(ctx), slugs)
    if not slugs and not admin:
        raise click.BadParameter("editor perlu minimal satu kelurahan", param_hint="--kelurahan")
    sandi, generated = _new_password(prompt=True)
    try:
        _store(ctx).add_account(nama, sandi, slugs, admin)
    except AccountError as error:
        raise click.BadParameter(str(error), param_hint="NAMA") from None
    click.echo(f"Akun {nama} dibuat ({'admin' if admin else 'editor ' + ', '.join(slugs)}).")
    if generated:
        click.echo(f"Kata sandi awal (tampil sekali ini saja): {sandi}")


@akun_group.command("daftar")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.pass_context
def akun_daftar(ctx: click.Context) -> None:
    """Tampilkan semua akun."""
    accounts = _store(ctx).accounts()
    if not accounts:
        click.echo("Belum ada akun. Buat dengan: kelurahan akun tambah NAMA --admin")
    for account in accounts:
        role = "admin" if account.admin else "editor"
        waiting = " (belum ganti sandi)" if account.must_change_password else ""
        click.echo(f"{account.nama}\t{role}\t{','.join(account.kelurahan) or '-'}{waiting}")


@akun_group.command("hapus")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("nama")
@click.pass_context
def akun_hapus(ctx: click.Context, nama: str) -> None:
    """Hapus akun beserta sesinya."""
    from .studio.store import AccountError

    try:
        _store(ctx).remove_account(nama)
    except AccountError as error:
        raise click.BadParameter(str(error), param_hint="NAMA") from None
    click.echo(f"Akun {nama} dihapus.")


@akun_group.command("ubah")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("nama")
@click.option("--kelurahan", "kelurahan", required=True,
              help="Slug kelurahan yang boleh diubah, dipisah koma; menggantikan daftar lama.")
@click.pass_context
def akun_ubah(ctx: click.Context, nama: str, kelurahan: str) -> None:
    """Ganti daftar kelurahan yang boleh diubah sebuah akun (berlaku pada permintaan berikutnya)."""
    from .studio.store import AccountError

    slugs = tuple(dict.fromkeys(s.strip() for s in kelurahan.split(",") if s.strip()))
    _selected(_site(ctx), slugs)
    try:
        _store(ctx).set_kelurahan(nama, slugs)
    except AccountError as error:
        raise click.BadParameter(str(error), param_hint="NAMA" if "tidak ada" in str(error) else "--kelurahan") \
            from None
    click.echo(f"Akun {nama} kini boleh mengubah: {', '.join(slugs) or '-'}.")


@akun_group.command("sandi")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("nama")
@click.pass_context
def akun_sandi(ctx: click.Context, nama: str) -> None:
    """Beri akun kata sandi awal baru (diganti pemiliknya saat masuk berikutnya)."""
    from .studio.store import AccountError

    sandi, generated = _new_password(prompt=True)
    try:
        _store(ctx).set_password(nama, sandi, must_change=True)
    except AccountError as error:
        raise click.BadParameter(str(error), param_hint="NAMA") from None
    click.echo(f"Kata sandi {nama} diganti; semua sesinya berakhir.")
    if generated:
        click.echo(f"Kata sandi awal (tampil sekali ini saja): {sandi}")


def _date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"tanggal '{value}' tidak valid; tulis TAHUN-BULAN-TANGGAL, misalnya 2025-01-31",
                                 param_hint="--tanggal") from None


@main.command("report")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--format", "bentuk", type=click.Choice(["tabel", "table", "json"], case_sensitive=False),
              default="tabel", show_default=True, help="Tabel di terminal atau JSON (semua rincian).")
@click.option("--tanggal", metavar="YYYY-MM-DD", help="Tanggal acuan berita 6 bulan terakhir (bawaan: hari ini).")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder hasil untuk dasbor laporan/index.html (bawaan: output/ di folder situs).")
@click.pass_context
def report_command(ctx: click.Context, slugs: tuple[str, ...], bentuk: str, tanggal: str | None,
                   output: Path | None) -> None:
    """Skor kesiapan tiap kelurahan dan langkah berikutnya, yang paling berguna dulu.

    Menulis juga dasbor output/laporan/index.html untuk semua kelurahan (peta wilayah berwarna
    menurut kesiapan; tidak diindeks mesin pencari). Dengan SLUG, tabel dan JSON hanya memuat
    kelurahan itu, dan tabel memuat semua langkahnya.
    """
    site = _site(ctx)
    selected = _selected(site, slugs)
    hasil = laporan.buat_laporan(site, (), _date(tanggal))
    shown = hasil.only(selected)
    as_json = bentuk.lower() == "json"
    click.echo(laporan.as_json(shown) if as_json else laporan.as_table(shown, bool(slugs)), nl=False)
    path = laporan.write_dashboard(site, output or site / "output", hasil)
    click.echo(f"Dasbor: {path}", err=True)


@main.command("import")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("jenis", type=click.Choice(impor.JENIS), metavar="umkm|wisata")
@click.argument("berkas", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                metavar="BERKAS.xlsx|BERKAS.csv")
@click.option("--ke", "slug", required=True, help="Slug kelurahan tujuan, misalnya kauman.")
@click.option("--timpa", is_flag=True, help="Timpa berkas yang sudah ada (bawaan: dilewati).")
@click.option("--dry-run", is_flag=True, help="Hanya tampilkan laporan; tidak menulis berkas apa pun.")
@click.pass_context
def import_command(ctx: click.Context, jenis: str, berkas: Path, slug: str, timpa: bool, dry_run: bool) -> None:
    """Impor daftar UMKM atau wisata dari lembar Excel (.xlsx) atau CSV.

    Satu berkas Markdown per baris yang baik, di kelurahan/SLUG/umkm/ atau wisata/. Laporan
    per baris: diimpor, dilewati, atau perlu diperbaiki. Kode keluar 1 bila ada baris yang
    perlu diperbaiki.
    """
    site = _site(ctx)
    _selected(site, (slug,))
    tujuan = impor.Tujuan(site, slug, jenis, timpa, dry_run)
    results, unknown = impor.import_sheet(tujuan, load_config(site), berkas)
    for column in unknown:
        click.echo(mask_identity_numbers(f"{berkas}: kolom '{column}' tidak dikenal, diabaikan"), err=True)
    verb = "akan diimpor" if dry_run else "diimpor"
    for row in results:
        label = {"diimpor": verb, "dilewati": "dilewati", "perbaiki": "perlu diperbaiki"}[row.status]
        detail = f"{row.pesan} -> {row.berkas}" if row.status == "diimpor" else row.pesan
        click.echo(mask_identity_numbers(f"{berkas}:{row.nomor}: {label}: {detail}"))
    counts = {s: sum(1 for r in results if r.status == s) for s in ("diimpor", "dilewati", "perbaiki")}
    click.echo(f"Ringkasan: {counts['diimpor']} {verb}, {counts['dilewati']} dilewati, "
               f"{counts['perbaiki']} perlu diperbaiki ({len(results)} baris)."
               + (" Tidak ada berkas yang ditulis (--dry-run)." if dry_run else ""))
    ctx.exit(EXIT_CONTENT if counts["perbaiki"] else EXIT_OK)


@main.command("poster")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder hasil (bawaan: output/ di folder situs); poster ditulis ke poster/ di dalamnya.")
@click.pass_context
def poster_command(ctx: click.Context, slugs: tuple[str, ...], output: Path | None) -> None:
    """Buat poster kode QR (A6 dan A4, SVG dan PDF) untuk setiap UMKM dan wisata.

    Kode QR membuka halaman UMKM/wisata itu di situs (alamat dari base_url di config.yaml).
    Hasil: output/poster/<slug>/<bagian>-<nama>-a6.pdf, -a6.svg, -a4.pdf, -a4.svg.
    """
    site = _site(ctx)
    hasil = poster.write_posters(site, output or site / "output", _selected(site, slugs))
    _print_problems(hasil.problems)
    click.echo(f"Selesai: {hasil.posters} poster ({hasil.written} berkas ditulis) di "
               f"{(output or site / 'output') / poster.POSTER_DIR}.", err=True)
    ctx.exit(EXIT_CONTENT if hasil.problems else EXIT_OK)


def _kb(size: int) -> str:
    return _angka(round(size / 1024))


class _publish_progress:
    """Files and bytes sent, on a terminal only."""

    def __init__(self) -> None:
        self.shown = sys.stderr.isatty()

    def __call__(self, files: int, total_files: int, sent: int, total: int) -> None:
        if self.shown:
            click.echo(f"\rMengirim {files}/{total_files} berkas, {_kb(sent)}/{_kb(total)} KB ", err=True, nl=False)

    def end(self) -> None:
        if self.shown:
            click.echo("", err=True)


@main.command("publish")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--target", "-t", "target", metavar="URL",
              help="Tujuan: file:///folder, sftp://user@host[:port]/folder, ftp://... atau ftps://... "
                   "(bawaan: terbit.tujuan di config.yaml).")
@click.option("--dry-run", "-n", is_flag=True,
              help="Tampilkan rencana (kirim, ganti, hapus, tetap) tanpa mengubah apa pun.")
@click.option("--rollback", is_flag=True, help="Kembalikan rilis yang diterbitkan sebelumnya.")
@click.option("--periksa", is_flag=True,
              help="Bandingkan isi host dengan yang diterbitkan; daftar berkas yang diubah, ditambahkan atau hilang "
                   "(kode keluar 1 bila ada).")
@click.option("--izinkan-hapus", is_flag=True,
              help="Izinkan rencana yang menghapus banyak berkas atau seluruh kelurahan dari host.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder hasil build yang diterbitkan (bawaan: output/ di folder situs).")
@click.pass_context
def publish_command(ctx: click.Context, slugs: tuple[str, ...], target: str | None, dry_run: bool, rollback: bool,
                    periksa: bool, izinkan_hapus: bool, output: Path | None) -> None:
    """Terbitkan hasil build terakhir ke host web (tidak membangun).

    Hanya berkas baru dan yang berubah yang dikirim; halaman di host selalu utuh (versi
    lama atau baru), juga bila koneksi terputus. Dengan SLUG hanya kelurahan itu (serta
    portal dan berkas bersama) yang diterbitkan. Sandi FTP dibaca dari variabel
    KELURAHAN_FTP_PASSWORD atau ~/.netrc; SFTP memakai ssh-agent atau kunci di ~/.ssh.
    """
    from .publish import PublishError, PublishOptions, publish, tamper_lines

    site = _site(ctx)
    if sum((dry_run, rollback, periksa)) > 1:
        raise click.UsageError("--dry-run, --rollback dan --periksa tidak bisa dipakai bersamaan", ctx)
    if slugs and (rollback or periksa):
        raise click.UsageError("SLUG tidak bisa dipakai dengan --rollback atau --periksa", ctx)
    options = PublishOptions(site=site, output=output, target=target, slugs=_selected(site, slugs),
                             dry_run=dry_run, rollback=rollback, periksa=periksa, allow_delete=izinkan_hapus)
    progress = _publish_progress()
    try:
        report = publish(options, progress)
    except PublishError as error:
        progress.end()
        click.echo(str(error), err=True)
        ctx.exit(EXIT_CONTENT)
    except (ContentError, BuildLocked):
        raise
    except Exception as error:  # a library failure not foreseen: one line, never a traceback
        progress.end()
        click.echo(f"{target or 'terbit.tujuan'}: publish gagal ({type(error).__name__}: {error}); situs di host "
                   "tetap utuh; jalankan lagi, dan bila terus gagal laporkan pesan ini", err=True)
        ctx.exit(EXIT_CONTENT)
    progress.end()
    for line in report.warnings:
        click.echo(f"Peringatan: {line}", err=True)
    if dry_run:
        layout = "folder rilis baru lalu tautan current" if report.releases else "ganti berkas di tempatnya"
        click.echo(f"Rencana terbit ke {report.target} ({layout}); tidak ada yang diubah:")
        click.echo("\n".join(report.describe()))
        return
    if periksa:
        found = report.tampering
        for line in tamper_lines(found) if found else []:
            click.echo(line)
        if found:
            click.echo(f"Host {report.target} TIDAK sama dengan yang diterbitkan: {len(found.changed)} diubah, "
                       f"{len(found.added)} ditambahkan, {len(found.removed)} hilang. Publish berikutnya "
                       "mengirim ulang yang diubah dan hilang; hapus sendiri berkas yang ditambahkan.", err=True)
            ctx.exit(EXIT_CONTENT)
        click.echo(f"Host {report.target} sama dengan yang diterbitkan.", err=True)
        return
    if rollback:
        click.echo(f"Dikembalikan ke rilis {report.release} di {report.target}.", err=True)
        return
    click.echo(report.summary(), err=True)
