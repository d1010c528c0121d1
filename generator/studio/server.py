"""Runs the studio with uvicorn, a production ASGI server."""

from __future__ import annotations

from pathlib import Path

import click
import uvicorn

from .app import create_app


def run(site: Path, host: str, port: int, domains: tuple[str, ...], https: bool, proxy: bool) -> None:
    """Serve the studio until interrupted."""
    app = create_app(site, allowed_hosts=domains, https=https)
    click.echo(f"Studio di http://{host}:{port}/ (Ctrl-C untuk berhenti).", err=True)
    if host not in ("127.0.0.1", "localhost", "::1") and not (https or proxy):
        click.echo("Peringatan: studio terbuka ke jaringan tanpa HTTPS; kata sandi bisa disadap. "
                   "Pasang di belakang reverse proxy HTTPS (lihat README) dan pakai --proxy.", err=True)
    config = uvicorn.Config(app, host=host, port=port, proxy_headers=proxy, forwarded_allow_ips="127.0.0.1",
                            server_header=False, date_header=False, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run()
