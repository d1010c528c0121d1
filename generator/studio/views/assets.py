"""Files the studio serves: its own CSS/JS and Leaflet, a kelurahan's photos, and the preview."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import xstatic.pkg.leaflet as leaflet
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...content import KELURAHAN_DIR
from ..files import NotAllowed, media_file, slug_of_path
from ..permissions import may_edit, may_use
from ..preview import preview_folder, rebuild_preview
from .common import actor, not_found, refuse, studio

STATIC = Path(__file__).resolve().parent.parent / "static"
_PREVIEW_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data: {tiles}; connect-src 'self'; font-src 'self'; "
                "form-action 'none'; frame-ancestors 'none'; base-uri 'none'")


def _file_response(path: Path, cache: str = "no-store", csp: str = "") -> Response:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"cache-control": cache}
    if csp:
        headers["content-security-policy"] = csp
    return Response(path.read_bytes(), media_type=kind, headers=headers)


def _inside(root: Path, rel: str) -> Path | None:
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()) or any(p.startswith(".") for p in Path(rel).parts):
        return None
    return path


async def static(request: Request) -> Response:
    """The studio's CSS and script, and Leaflet from its installed package (public, cacheable)."""
    rel = request.path_params["path"]
    root, rel = (Path(leaflet.BASE_DIR), rel.removeprefix("leaflet/")) if rel.startswith("leaflet/") else (STATIC, rel)
    path = _inside(root, rel)
    if path is None or not path.is_file():
        return Response("Tidak ditemukan", 404, media_type="text/plain")
    return _file_response(path, "public, max-age=3600")


async def media(request: Request) -> Response:
    """A photo of a kelurahan the actor may edit (shown in the form)."""
    context = studio(request)
    try:
        item = media_file(context.site, request.path_params["slug"], request.path_params["name"])
    except NotAllowed:
        return refuse(request)
    if not may_edit(actor(request), slug_of_path(context.site, item.path)):
        return refuse(request)
    if not item.path.is_file():
        return not_found(request)
    return _file_response(item.path)


async def preview(request: Request) -> Response:
    """The preview site: a kelurahan's pages for its editors, shared assets and the portal for everyone."""
    context = studio(request)
    if not may_use(actor(request)):
        return refuse(request)
    root = preview_folder(context.site)
    path = _inside(root, request.path_params["path"])
    first = path.relative_to(root.resolve()).parts[:1] if path is not None and path != root.resolve() else ()
    slug = first[0] if first and (context.site / KELURAHAN_DIR / first[0]).is_dir() else ""
    if slug and not may_edit(actor(request), slug):
        return refuse(request)
    if slug and not (root / slug).is_dir():
        await run_in_threadpool(rebuild_preview, context.site, context.build_lock, slug)
    if path is not None and path.is_dir():
        path = path / "index.html"
    if path is None or not path.is_file():
        return not_found(request)
    from ..app import tile_source

    return _file_response(path, csp=_PREVIEW_CSP.format(tiles=tile_source(context.config.ubin_url)))
