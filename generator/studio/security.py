"""The studio's middleware: body limit, security headers, CSRF + Origin check, and the session's actor.

Each is a plain ASGI middleware, so every route gets them without remembering to.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .store import SESSION_MAX, Store

SESSION_COOKIE = "sesi"
CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(Headers(scope=scope).get("cookie", ""))
    except Exception:  # a malformed Cookie header counts as no cookies
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def is_secure(scope: Scope, https: bool) -> bool:
    """True when the browser talks HTTPS (directly or through the trusted proxy)."""
    return https or scope.get("scheme") == "https"


def cookie_name(name: str, secure: bool) -> str:
    """Over HTTPS the name carries the ``__Host-`` prefix: browsers then accept the cookie only
    when it is Secure, for this host alone (no Domain) and Path=/, so a sibling subdomain
    cannot plant or overwrite it."""
    return f"__Host-{name}" if secure else name


def cookie_header(name: str, value: str, secure: bool, max_age: int | None = None) -> tuple[bytes, bytes]:
    """A Set-Cookie header: HttpOnly, SameSite=Strict, Path=/, Secure and ``__Host-`` behind HTTPS."""
    parts = [f"{cookie_name(name, secure)}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return b"set-cookie", "; ".join(parts).encode("latin-1")


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _read_body(receive: Receive, limit: int | None = None) -> bytes:
    """The whole request body; stops early (returning what was read) once it passes ``limit``."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body") or (limit is not None and size > limit):
            break
    return b"".join(chunks)


class BodyLimit:
    """Refuses request bodies larger than ``limit`` bytes (413) before anything parses them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "0")
        if not declared.isdigit() or int(declared) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        body = await _read_body(receive, self.limit)
        if len(body) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        await self.app(scope, _replay(body), send)


def _too_large(limit: int) -> PlainTextResponse:
    return PlainTextResponse(f"Kiriman terlalu besar (batas {limit // (1024 * 1024)} MB); perkecil fotonya.", 413)


class SecurityHeaders:
    """Strict Content-Security-Policy, no framing, no sniffing, no caching of private pages."""

    def __init__(self, app: ASGIApp, tile_source: str) -> None:
        self.app = app
        self.csp = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                    f"img-src 'self' data: blob: {tile_source}; connect-src 'self'; font-src 'self'; "
                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [(b"content-security-policy", self.csp.encode()), (b"x-frame-options", b"DENY"),
                         (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"cross-origin-opener-policy", b"same-origin"),
                         (b"cross-origin-resource-policy", b"same-origin"),
                         (b"permissions-policy", b"geolocation=(self), camera=(self), microphone=()")]
                if b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [(n, v) for n, v in extra if n not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def expected_origin(scope: Scope, https: bool) -> str:
    """The origin a form of this studio is posted from (scheme and Host, already allowlisted)."""
    host = Headers(scope=scope).get("host", "")
    return f"{'https' if is_secure(scope, https) else 'http'}://{host}"


def _origin_ok(scope: Scope, https: bool) -> bool:
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer", "")
        origin = "/".join(referer.split("/")[:3]) if referer else None
    return origin is not None and hmac.compare_digest(origin, expected_origin(scope, https))


class Csrf:
    """Every change is a POST from this studio's own pages: same Origin and the form's token.

    The token is a random value in an HttpOnly, SameSite=Strict cookie, repeated in a hidden field."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = is_secure(scope, self.https)
        token = cookies(scope).get(cookie_name(CSRF_COOKIE, secure), "")
        fresh = len(token) < 32
        if fresh:
            token = secrets.token_urlsafe(32)
        _state(scope)["csrf"] = token
        if scope["method"] not in SAFE_METHODS:
            body = await _read_body(receive)
            if fresh or not _origin_ok(scope, self.https) or not await _token_ok(scope, body, token):
                await PlainTextResponse("Permintaan ditolak: formulir kedaluwarsa atau bukan dari halaman ini. "
                                        "Muat ulang halaman lalu coba lagi.", 403)(scope, _replay(b""), send)
                return
            receive = _replay(body)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and fresh:
                message["headers"] = [*message.get("headers", []),
                                      cookie_header(CSRF_COOKIE, token, secure, SESSION_MAX)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def _token_ok(scope: Scope, body: bytes, token: str) -> bool:
    request = Request(scope, _replay(body))
    try:
        form = await request.form(max_files=4, max_fields=200)
        sent = form.get(CSRF_FIELD)
        await form.close()
    except Exception:  # a body that is not a form has no token
        return False
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), token.encode())


class Sessions:
    """Puts the logged-in account (or None) on every request as ``request.state.actor``."""

    def __init__(self, app: ASGIApp, store: Store, https: bool) -> None:
        self.app = app
        self.store = store
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            token = cookies(scope).get(cookie_name(SESSION_COOKIE, is_secure(scope, self.https)), "")
            state = _state(scope)
            state["session"] = token
            state["actor"] = self.store.session_actor(token) if token else None
        await self.app(scope, receive, send)
