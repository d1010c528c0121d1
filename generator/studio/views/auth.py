"""Logging in and out, and changing one's password (forced at first login)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..security import SESSION_COOKIE, cookie_header, is_secure
from ..store import SESSION_MAX, AccountError
from .common import actor, address, redirect, render, studio


async def login(request: Request) -> Response:
    """GET: the login form. POST: check the password (throttled), start a session."""
    if request.method == "GET":
        return render(request, "masuk.html", nama="", galat="")
    form = await request.form()
    nama, sandi = str(form.get("nama", "")).strip().lower(), str(form.get("sandi", ""))
    store, where = studio(request).store, address(request)
    if store.throttled(nama, where):
        return render(request, "masuk.html", 429, nama=nama,
                      galat="Terlalu banyak percobaan masuk. Tunggu 15 menit lalu coba lagi.")
    who = await run_in_threadpool(store.verify, nama, sandi)
    if who is None:
        store.record_failure(nama, where)
        return render(request, "masuk.html", 401, nama=nama, galat="Nama akun atau kata sandi salah.")
    store.clear_failures(nama)
    store.log(nama, where, "masuk")
    token = store.new_session(nama)
    response = redirect("/sandi" if who.must_change_password else "/")
    name, value = cookie_header(SESSION_COOKIE, token, is_secure(request.scope, studio(request).https), SESSION_MAX)
    response.raw_headers.append((name, value))
    return response


async def logout(request: Request) -> Response:
    """End the session."""
    token = request.scope.get("state", {}).get("session", "")
    if token:
        studio(request).store.end_session(token)
    response = redirect("/masuk")
    name, value = cookie_header(SESSION_COOKIE, "", is_secure(request.scope, studio(request).https), 0)
    response.raw_headers.append((name, value))
    return response


async def password(request: Request) -> Response:
    """Change one's own password (the old one is asked again); every other session ends."""
    who = actor(request)
    if who is None:
        return redirect("/masuk")
    if request.method == "GET":
        return render(request, "sandi.html", galat="")
    form = await request.form()
    lama, baru, ulang = (str(form.get(key, "")) for key in ("lama", "baru", "ulang"))
    store = studio(request).store
    if await run_in_threadpool(store.verify, who.nama, lama) is None:
        store.record_failure(who.nama, address(request))
        return render(request, "sandi.html", 400, galat="Kata sandi lama salah.")
    if baru != ulang:
        return render(request, "sandi.html", 400, galat="Kata sandi baru dan ulangannya tidak sama.")
    if baru == lama:
        return render(request, "sandi.html", 400, galat="Kata sandi baru harus berbeda dari yang lama.")
    try:
        await run_in_threadpool(store.set_password, who.nama, baru, False)
    except AccountError as error:
        return render(request, "sandi.html", 400, galat=f"{error}.")
    store.log(who.nama, address(request), "ganti-sandi")
    token = store.new_session(who.nama)
    response = redirect("/")
    name, value = cookie_header(SESSION_COOKIE, token, is_secure(request.scope, studio(request).https), SESSION_MAX)
    response.raw_headers.append((name, value))
    return response
