"""The start page (the kelurahan one may edit) and a kelurahan's page (its items, per section)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...content import list_kelurahan
from ..files import NotAllowed, bin_items, kelurahan_root
from ..inventory import inventory
from ..permissions import may_edit, may_use, visible_kelurahan
from .common import actor, redirect, refuse, render, studio


async def start(request: Request) -> Response:
    """The kelurahan this account may edit (one only: straight to it)."""
    who = actor(request)
    if not may_use(who) or who is None:
        return refuse(request)
    slugs = visible_kelurahan(who, list_kelurahan(studio(request).site))
    if len(slugs) == 1 and not who.admin:
        return redirect(f"/k/{slugs[0]}")
    return render(request, "beranda.html", kelurahan=slugs)


async def kelurahan(request: Request) -> Response:
    """A kelurahan's profile and items per section, with what is missing or still an example."""
    slug = request.path_params["slug"]
    if not may_edit(actor(request), slug):
        return refuse(request)
    context = studio(request)
    try:
        kelurahan_root(context.site, slug)
    except NotAllowed:
        return refuse(request)
    profile, sections = await run_in_threadpool(inventory, context.site, context.config, slug)
    return render(request, "kelurahan.html", slug=slug, profil=profile, bagian=sections,
                  sampah=len(bin_items(context.site, slug)))
