"""The admin (Diskominfo): accounts, what changed since the last publish, publishing."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...content import list_kelurahan
from ..permissions import may_administer
from ..publishing import PUBLISH_EVENT, build_and_publish, fingerprints, pending_changes
from ..store import AccountError, generate_password
from .common import actor, address, redirect, refuse, render, studio, words


def _page(request: Request, status: int = 200, **extra: object) -> Response:
    context = studio(request)
    context_vars = {"akun": context.store.accounts(), "perubahan": pending_changes(context.site, context.store),
                    "jejak": context.store.audit(limit=50), "kelurahan": list_kelurahan(context.site),
                    "pesan": "", "galat": "", "sandi_baru": "",
                    "hasil_terbit": ""}
    context_vars.update(extra)
    return render(request, "admin.html", status, **context_vars)


async def overview(request: Request) -> Response:
    """Accounts, changes per kelurahan since the last publish, the audit log, the publish button."""
    if not may_administer(actor(request)):
        return refuse(request)
    return _page(request)


def _kelurahan_list(raw: str, known: list[str], jenis: str) -> tuple[str, ...]:
    slugs = tuple(dict.fromkeys(s.strip() for s in raw.replace(" ", ",").split(",") if s.strip()))
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise AccountError(f"{jenis} tidak dikenal: {', '.join(unknown)}")
    return slugs


async def add_account(request: Request) -> Response:
    """Create an account; its first password is shown once."""
    if not may_administer(actor(request)):
        return refuse(request)
    form = await request.form()
    context = studio(request)
    nama = str(form.get("nama", "")).strip().lower()
    admin = form.get("admin") == "ya"
    try:
        slugs = _kelurahan_list(str(form.get("kelurahan", "")), list_kelurahan(context.site), words(request).jenis)
        if not slugs and not admin:
            raise AccountError(f"pilih minimal satu {words(request).jenis} untuk editor")
        sandi = generate_password()
        await run_in_threadpool(context.store.add_account, nama, sandi, slugs, admin)
    except AccountError as error:
        return _page(request, 400, galat=f"{error}.")
    who = actor(request)
    context.store.log(who.nama if who else "?", address(request), "akun-tambah", rincian=nama)
    return _page(request, pesan=f"Akun {nama} dibuat.", sandi_baru=f"{nama}: {sandi}")


async def remove_account(request: Request) -> Response:
    """Delete an account (not one's own)."""
    who = actor(request)
    if not may_administer(who) or who is None:
        return refuse(request)
    nama = str((await request.form()).get("nama", ""))
    if nama == who.nama:
        return _page(request, 400, galat="Akun sendiri tidak bisa dihapus.")
    try:
        studio(request).store.remove_account(nama)
    except AccountError as error:
        return _page(request, 400, galat=f"{error}.")
    studio(request).store.log(who.nama, address(request), "akun-hapus", rincian=nama)
    return redirect("/admin")


async def change_kelurahan(request: Request) -> Response:
    """Replace the kelurahan an account may change."""
    who = actor(request)
    if not may_administer(who) or who is None:
        return refuse(request)
    form = await request.form()
    context = studio(request)
    nama = str(form.get("nama", ""))
    try:
        slugs = _kelurahan_list(str(form.get("kelurahan", "")), list_kelurahan(context.site), words(request).jenis)
        context.store.set_kelurahan(nama, slugs)
    except AccountError as error:
        return _page(request, 400, galat=f"{error}.")
    context.store.log(who.nama, address(request), "akun-kelurahan", rincian=f"{nama}: {','.join(slugs) or '-'}")
    return _page(request, pesan=f"{words(request).jamak.capitalize()} akun {nama} diganti.")


async def reset_password(request: Request) -> Response:
    """Give an account a new first password (changed at its next login)."""
    who = actor(request)
    if not may_administer(who) or who is None:
        return refuse(request)
    nama = str((await request.form()).get("nama", ""))
    sandi = generate_password()
    try:
        await run_in_threadpool(studio(request).store.set_password, nama, sandi, True)
    except AccountError as error:
        return _page(request, 400, galat=f"{error}.")
    studio(request).store.log(who.nama, address(request), "akun-sandi", rincian=nama)
    return _page(request, pesan=f"Kata sandi {nama} diganti.", sandi_baru=f"{nama}: {sandi}")


async def publish(request: Request) -> Response:
    """Build and publish as ``kelurahan build`` and ``kelurahan publish`` do; the audit log marks the moment."""
    who = actor(request)
    if not may_administer(who) or who is None:
        return refuse(request)
    context = studio(request)
    published = await run_in_threadpool(fingerprints, context.site)
    result = await run_in_threadpool(build_and_publish, context.site, context.build_lock)
    if result.ok:
        context.store.record_publish(published)
        context.store.log(who.nama, address(request), PUBLISH_EVENT, rincian=secrets.token_hex(4))
        return _page(request, pesan="Situs diterbitkan.", hasil_terbit=result.output)
    return _page(request, 500, galat="Penerbitan gagal; perubahan belum terbit.", hasil_terbit=result.output)
