"""Editing an item (or the profile): the form, saving with the checks, conflicts, deleting, the bin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ...content import MEDIA_DIR, suggest_slug
from ...errors import ContentError
from ...fields import location_reader
from ...render import Renderer
from ...sections import SECTION_NAMES, section_by_name
from ..checks import Verdict, check_candidate
from ..editing import build_edit, current_form, normalize_body, reads_back
from ..files import (
    ContentFile,
    NotAllowed,
    bin_items,
    content_file,
    kelurahan_root,
    media_file,
    move_to_bin,
    new_name,
    read_bytes,
    restore,
    site_lock,
    slug_of_path,
    version_of,
    write_atomic,
)
from ..permissions import may_edit
from ..photos import PhotoError, normalize_photo
from ..preview import rebuild_preview
from ..schema import BODY, FormField, entry_form, profile_form
from .common import actor, address, not_found, redirect, refuse, render, studio, words

PHOTO_INPUTS = ("foto_kamera", "foto_galeri")
# The address of a new item's form: '+' is never in an item's name, so an item named baru.md
# stays editable at /k/<slug>/<section>/baru.
NEW_ITEM = "+baru"


@dataclass
class FormPage:
    """Everything the item form shows."""

    values: dict[str, str]
    body: str
    version: str
    verdict: Verdict = field(default_factory=Verdict)
    conflict: list[tuple[str, str, str]] | None = None
    body_preview: Markup | None = None
    submitted: bool = True


def _fields(request: Request, section: str) -> tuple[FormField, ...]:
    config = studio(request).config
    if section == "profil":
        return profile_form(config)
    return entry_form(section_by_name(section), config)


def _item(request: Request, name: str | None = None) -> ContentFile | None:
    """The file a URL names, or None when it is not one the actor may edit (checked on the resolved path)."""
    params = request.path_params
    site = studio(request).site
    try:
        item = content_file(site, params["slug"], params["section"], name or params["name"])
    except NotAllowed:
        return None
    return item if may_edit(actor(request), slug_of_path(site, item.path)) else None


def _page(request: Request, item: ContentFile, section: str, form: FormPage, is_new: bool,
          status: int = 200) -> Response:
    label = f"Profil {words(request).jenis}" if section == "profil" else section_by_name(section).label
    name = "" if is_new else (item.rel.split("/")[-1].removesuffix(".md") if section != "profil" else "profil")
    action = f"/k/{item.slug}/{section}/{NEW_ITEM if is_new else name}"
    preview = "" if is_new else (f"/pratinjau/{item.slug}/" if section == "profil"
                                 else f"/pratinjau/{item.slug}/{section}/{name}/")
    return render(request, "item.html", status, slug=item.slug, section=section, label=label, fields=_fields(
        request, section), form=form, action=action, is_new=is_new, preview=preview, body_field=BODY,
        has_body=section != "profil", media=_media_url(item.slug, form.values.get("foto", "")),
        peta=_map_context(request), saved=request.query_params.get("disimpan") == "1",
        delete=f"{action}/hapus" if not is_new and section != "profil" else "")


def _media_url(slug: str, ref: str) -> str:
    name = ref.removeprefix(f"{MEDIA_DIR}/")
    return f"/k/{slug}/media/{name}" if ref.startswith(f"{MEDIA_DIR}/") and "/" not in name else ""


def _map_context(request: Request) -> dict[str, Any]:
    config = studio(request).config
    return {"lat": config.pusat.lat, "lon": config.pusat.lon, "zoom": max(config.zoom, 13),
            "ubin": config.ubin_url, "atribusi": config.ubin_atribusi, "zoom_maks": config.ubin_zoom_maks}


async def edit(request: Request) -> Response:
    """GET: the form of an existing item. POST: save it."""
    item = _item(request)
    section = request.path_params["section"]
    if item is None:
        return refuse(request)
    current = read_bytes(item)
    if current is None:
        return not_found(request)
    if request.method == "POST":
        return await _submit(request, item, section, is_new=False)
    text = current.decode("utf-8", "replace")
    fields = _fields(request, section)
    values, body = current_form(text, item.rel.endswith(".md"), fields)
    context = studio(request)
    verdict = await run_in_threadpool(check_candidate, context.site, context.config, item.slug, item.rel, text,
                                      [f.name for f in fields])
    return _page(request, item, section, FormPage(values, body, version_of(current), verdict, submitted=False),
                 is_new=False)


async def create(request: Request) -> Response:
    """GET: an empty form for a new item. POST: save it under a name made from its title."""
    section = request.path_params["section"]
    if section not in SECTION_NAMES:
        return refuse(request)
    item = _item(request, "baru")
    if item is None:
        return refuse(request)
    if request.method == "POST":
        return await _submit(request, item, section, is_new=True)
    return _page(request, item, section, FormPage({}, "", ""), is_new=True)


async def _photo(request: Request, item: ContentFile, form: FormData, verdict: Verdict) -> str | None:
    """Store an uploaded photo (cleaned) in media/; its reference, or None when there is none."""
    upload = next((u for key in PHOTO_INPUTS if isinstance(u := form.get(key), UploadFile) and u.filename), None)
    if upload is None:
        return None
    data = await upload.read()
    if not data:
        return None
    try:
        clean, suffix = await run_in_threadpool(normalize_photo, data)
    except PhotoError as error:
        verdict.fields.setdefault("foto", []).append(str(error))
        return None
    stem = suggest_slug(item.rel.split("/")[-1].removesuffix(".md").removesuffix(".yaml"))
    target = media_file(item.site, item.slug, f"{stem}-{version_of(clean)[:8]}{suffix}")
    write_atomic(target.path, clean)
    who = actor(request)
    studio(request).store.log(who.nama if who else "?", address(request), "unggah", item.slug, target.where)
    return f"{MEDIA_DIR}/{target.rel.split('/')[-1]}"


async def _submit(request: Request, item: ContentFile, section: str, is_new: bool) -> Response:
    context = studio(request)
    fields = _fields(request, section)
    form = await request.form(max_files=4, max_fields=200)
    values = {f.name: str(form.get(f.name, "")) for f in fields}
    body = str(form.get(BODY, ""))
    page = FormPage(values, body, str(form.get("versi", "")))
    if is_new and section != "profil":
        title = section_by_name(section).title_key
        base = suggest_slug(values.get(title, "")) if values.get(title, "").strip() else "tanpa-judul"
        item = content_file(context.site, item.slug, section, new_name(context.site, item.slug, section, base[:60]))
    if form.get("hapus_foto"):
        values["foto"] = ""
    photo = await _photo(request, item, form, page.verdict)
    if photo:
        values["foto"] = photo
    if form.get("aksi") == "pratinjau-isi":
        return _page(request, item, section, _with_body_preview(request, item, page), is_new)
    if page.verdict.fields:
        return _page(request, item, section, page, is_new, 422)
    return await run_in_threadpool(_save, request, item, section, fields, page, is_new)


def _with_body_preview(request: Request, item: ContentFile, page: FormPage) -> FormPage:
    context = studio(request)
    try:
        page.body_preview = Renderer(context.site, context.config).markdown_html(page.body, item.where, 1)
    except ContentError as error:
        page.verdict.fields[BODY] = [f"{p.message}; {p.hint}" if p.hint else p.message for p in error.problems]
    return page


def _save(request: Request, item: ContentFile, section: str, fields: tuple[FormField, ...], page: FormPage,
          is_new: bool) -> Response:
    context = studio(request)
    markdown = item.rel.endswith(".md")
    with site_lock(context.site):
        current = read_bytes(item)
        if version_of(current) != page.version:
            return _conflict(request, item, section, fields, page, current, is_new)
        text = (current or b"").decode("utf-8", "replace")
        location = location_reader(context.config.batas, context.config.daerah)
        edit = build_edit(text, markdown, fields, page.values, page.body, location)
        page.verdict = check_candidate(context.site, context.config, item.slug, item.rel, edit.text,
                                       [f.name for f in fields])
        if not page.verdict.ok:
            return _page(request, item, section, page, is_new, 422)
        if wrong := reads_back(edit, markdown):
            page.verdict.general.append(f"{item.where}: isian {', '.join(wrong)} tidak tersimpan sebagaimana "
                                        "ditulis; laporkan ke Diskominfo")
            return _page(request, item, section, page, is_new, 500)
        if edit.text.encode() != current:
            write_atomic(item.path, edit.text.encode("utf-8"))
    who = actor(request)
    context.store.log(who.nama if who else "?", address(request), "buat" if is_new else "simpan", item.slug,
                      item.where, ", ".join(edit.changes) + (", isi" if markdown and not is_new else ""))
    rebuild_preview(context.site, context.build_lock, item.slug)
    name = "profil" if section == "profil" else item.rel.split("/")[-1].removesuffix(".md")
    return redirect(f"/k/{item.slug}/{section}/{name}?disimpan=1")


def _conflict(request: Request, item: ContentFile, section: str, fields: tuple[FormField, ...], page: FormPage,
              current: bytes | None, is_new: bool) -> Response:
    """Someone saved this file after the form was opened: show their version next to this one."""
    text = (current or b"").decode("utf-8", "replace")
    theirs, their_body = current_form(text, item.rel.endswith(".md"), fields)
    rows = [(f.label, theirs.get(f.name, ""), page.values.get(f.name, "").strip()) for f in fields
            if theirs.get(f.name, "").strip() != page.values.get(f.name, "").replace("\r\n", "\n").strip()]
    if normalize_body(their_body) != normalize_body(page.body):
        rows.append(("Isi tulisan", their_body, page.body))
    page.conflict = rows
    page.version = version_of(current)
    if current is None:
        page.verdict.general.append(f"{item.where}: berkas ini sudah dihapus orang lain; simpan lagi untuk "
                                    "membuatnya kembali")
    return _page(request, item, section, page, is_new, 409)


async def delete(request: Request) -> Response:
    """Move an item to the kelurahan's bin (it can be restored)."""
    item = _item(request)
    if item is None or request.path_params["section"] == "profil":
        return refuse(request)
    context = studio(request)
    with site_lock(context.site):
        if not item.path.is_file():
            return not_found(request)
        move_to_bin(context.site, item)
    who = actor(request)
    context.store.log(who.nama if who else "?", address(request), "hapus", item.slug, item.where)
    await run_in_threadpool(rebuild_preview, context.site, context.build_lock, item.slug)
    return redirect(f"/k/{item.slug}?dihapus={item.rel}")


async def bin_view(request: Request) -> Response:
    """GET: the kelurahan's bin. POST: restore one file."""
    slug = request.path_params["slug"]
    context = studio(request)
    try:
        root = kelurahan_root(context.site, slug)
    except NotAllowed:
        return refuse(request)
    if not may_edit(actor(request), slug_of_path(context.site, root)):
        return refuse(request)
    if request.method == "POST":
        key = str((await request.form()).get("berkas", ""))
        try:
            with site_lock(context.site):
                item = restore(context.site, slug, key)
        except NotAllowed:
            return not_found(request)
        except FileExistsError as error:
            return render(request, "pesan.html", 409, judul="Tidak bisa dipulihkan",
                          pesan=f"{error}: sudah ada berkas dengan nama ini; hapus atau ganti namanya dulu.")
        who = actor(request)
        context.store.log(who.nama if who else "?", address(request), "pulihkan", slug, item.where)
        await run_in_threadpool(rebuild_preview, context.site, context.build_lock, slug)
        return redirect(f"/k/{slug}")
    return render(request, "sampah.html", slug=slug, items=bin_items(context.site, slug))


