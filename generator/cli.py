"""The ``kelurahan`` command: parses flags and calls one function per command."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .build import BuildOptions, BuildReport, build, check
from .config import SiteConfig, load_config
from .content import KELURAHAN_DIR, PROFILE_FILE, RESERVED_SLUGS, SLUG_PATTERN, list_kelurahan, suggest_slug
from .errors import BuildLocked, ContentError, FieldError, Problem, errors_in
from .fields import location_reader
from .models import Kecamatan, Location
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
    return "argumen tidak sesuai: ada yang berlebih atau kurang"


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


class _Group(click.Group):
    """Turns known errors into located messages and exit status 1, never a traceback."""

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
            click.echo(f"{where}: gagal membaca atau menulis berkas ({error.strerror}); hasil lama tetap utuh, "
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
    """Membangun situs web berpeta untuk setiap kelurahan dan portal kota.

    Konten ada di kelurahan/<slug>/ (YAML dan Markdown); hasil ditulis ke output/.
    Kode keluar: 0 berhasil, 1 ada kesalahan konten, 2 perintah salah.
    """
    ctx.obj = {"site": site}


@main.command("build")
@click.help_option("-h", "--help", help="Tampilkan bantuan ini lalu keluar.")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder hasil (bawaan: output/ di folder situs).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default="jumlah inti CPU", help="Jumlah proses paralel.")
@click.option("--clean", is_flag=True, help="Bangun ulang semua halaman, abaikan hasil sebelumnya.")
@click.pass_context
def build_command(ctx: click.Context, slugs: tuple[str, ...], output: Path | None, jobs: int, clean: bool) -> None:
    """Bangun semua kelurahan (atau SLUG yang disebut) dan portal kota.

    Kelurahan yang berisi kesalahan tidak dibangun dan hasil lamanya tetap utuh;
    kelurahan lain tetap dibangun. Hanya halaman yang berubah yang ditulis ulang.
    """
    site = _site(ctx)
    options = BuildOptions(site=site, output=output or site / "output",
                           slugs=_selected(site, slugs), jobs=jobs, clean=clean)
    with _progress(len(options.slugs) or len(list_kelurahan(site))) as progress:
        report = build(options, progress)
    for problems in report.failed.values():
        _print_problems(problems)
    for slug, problems in report.warnings.items():
        if slug not in report.failed:
            _print_problems(problems)
    click.echo(_summary(report), err=True)
    ctx.exit(EXIT_CONTENT if report.failed else EXIT_OK)


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
    click.echo(_check_summary(found, len(selected) or len(list_kelurahan(site))), err=True)
    failed = any(errors_in(problems) for problems in found.values())
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
        point: Location = location_reader(config.batas)(text)
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
        click.echo(f"{host}:{port}: tidak bisa membuka pratinjau ({error.strerror}); "
                   "pilih port lain dengan --port", err=True)
        ctx.exit(EXIT_CONTENT)
