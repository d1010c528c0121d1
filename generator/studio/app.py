"""Assembles the studio: its context, the middleware stack and the routes of ``views/``."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Route

from ..config import SiteConfig, load_config
from .photos import MAX_UPLOAD
from .security import BodyLimit, Csrf, SecurityHeaders, Sessions
from .store import Store
from .views import admin, assets, auth, home, items

TEMPLATES = Path(__file__).parent / "templates"
MAX_BODY = MAX_UPLOAD + 1024 * 1024
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class Studio:
    """What every view needs: the site, its config, the store, and how the studio is reached."""

    site: Path
    config: SiteConfig
    store: Store
    https: bool = False
    templates: jinja2.Environment = field(default_factory=lambda: template_environment())
    build_lock: threading.Lock = field(default_factory=threading.Lock)


def template_environment() -> jinja2.Environment:
    """The studio's own templates; everything typed by users is data, escaped on output."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.globals["baru"] = items.NEW_ITEM  # the new-item address, as the route names it
    return environment


def tile_source(url_template: str) -> str:
    """The CSP source of the map tile server (``{s}`` subdomains as a wildcard)."""
    parts = urlsplit(url_template.replace("{s}", "x"))
    host = parts.netloc.split(".", 1)[1] if "{s}" in url_template else parts.netloc
    return f"{parts.scheme}://{'*.' if '{s}' in url_template else ''}{host}"


ROUTES = [
    Route("/", home.start),
    Route("/masuk", auth.login, methods=["GET", "POST"]),
    Route("/keluar", auth.logout, methods=["POST"]),
    Route("/sandi", auth.password, methods=["GET", "POST"]),
    Route("/admin", admin.overview),
    Route("/admin/akun", admin.add_account, methods=["POST"]),
    Route("/admin/akun/hapus", admin.remove_account, methods=["POST"]),
    Route("/admin/akun/sandi", admin.reset_password, methods=["POST"]),
    Route("/admin/akun/kelurahan", admin.change_kelurahan, methods=["POST"]),
    Route("/admin/terbitkan", admin.publish, methods=["POST"]),
    Route("/statis/{path:path}", assets.static),
    Route("/pratinjau/{path:path}", assets.preview),
    Route("/k/{slug}", home.kelurahan),
    Route("/k/{slug}/sampah", items.bin_view, methods=["GET", "POST"]),
    Route("/k/{slug}/media/{name}", assets.media),
    Route(f"/k/{{slug}}/{{section}}/{items.NEW_ITEM}", items.create, methods=["GET", "POST"]),
    Route("/k/{slug}/{section}/{name}", items.edit, methods=["GET", "POST"]),
    Route("/k/{slug}/{section}/{name}/hapus", items.delete, methods=["POST"]),
]


def create_app(site: Path, allowed_hosts: tuple[str, ...] = (), https: bool = False) -> Starlette:
    """The studio for one site folder."""
    site = site.resolve()
    config = load_config(site)
    studio = Studio(site, config, Store.of_site(site), https)
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=[*LOCAL_HOSTS, *allowed_hosts], www_redirect=False),
        Middleware(BodyLimit, limit=MAX_BODY),
        Middleware(SecurityHeaders, tile_source=tile_source(config.ubin_url)),
        Middleware(Csrf, https=https),
        Middleware(Sessions, store=studio.store, https=https),
    ]
    app = Starlette(routes=ROUTES, middleware=middleware)
    app.state.studio = studio
    return app
