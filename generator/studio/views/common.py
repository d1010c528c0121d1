"""What every view shares: the studio context, the actor, rendering, refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ...wilayah.istilah import Istilah, untuk_kota
from ..permissions import Actor

if TYPE_CHECKING:
    from ..app import Studio


def studio(request: Request) -> Studio:
    """The studio this request belongs to."""
    result: Studio = request.app.state.studio
    return result


def actor(request: Request) -> Actor | None:
    """Who is acting (set by the Sessions middleware)."""
    value: Actor | None = request.scope.get("state", {}).get("actor")
    return value


def address(request: Request) -> str:
    """The client's address (the proxy's forwarded address when the proxy is trusted)."""
    return request.client.host if request.client else "?"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of the studio's templates."""
    page = studio(request).templates.get_template(template)
    html = page.render(csrf=request.scope.get("state", {}).get("csrf", ""), aktor=actor(request),
                       situs=studio(request).config.nama, istilah=words(request), **context)
    return HTMLResponse(html, status_code=status)


def refuse(request: Request) -> Response:
    """Not logged in: to the login page. Logged in without the right: 404 (nothing is revealed)."""
    who = actor(request)
    if who is None:
        return RedirectResponse("/masuk", status_code=303)
    if who.must_change_password:
        return RedirectResponse("/sandi", status_code=303)
    return not_found(request)


def not_found(request: Request) -> HTMLResponse:
    """The same page for what does not exist and what the actor may not see."""
    return render(request, "pesan.html", 404, judul="Tidak ditemukan",
                  pesan=f"Halaman ini tidak ada, atau bukan bagian dari {words(request).jenis} Anda.")


def words(request: Request) -> Istilah:
    """Kelurahan, desa or both: the words of this city's sites (``istilah`` in config.yaml)."""
    return untuk_kota(studio(request).config.istilah)


def redirect(url: str) -> RedirectResponse:
    """After a POST: go to a page with GET."""
    return RedirectResponse(url, status_code=303)
