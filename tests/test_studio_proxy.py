"""The studio behind nginx, configured as the README shows (plain HTTP here: no certificate in tests)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import httpx
import pytest
from studio_helpers import CSRF, FIRST_PASSWORD, add_account, free_port, running_studio

DOMAIN = "studio.contoh.example"


def nginx_config(folder: Path, port: int, upstream: int) -> Path:
    """The README's server block on a local port, with the paths a test may write."""
    config = folder / "nginx.conf"
    config.write_text(dedent(f"""\
        daemon off;
        pid {folder}/nginx.pid;
        error_log {folder}/error.log;
        events {{}}
        http {{
            access_log off;
            client_body_temp_path {folder}/body;
            proxy_temp_path {folder}/proxy;
            fastcgi_temp_path {folder}/fastcgi;
            uwsgi_temp_path {folder}/uwsgi;
            scgi_temp_path {folder}/scgi;
            server {{
                listen 127.0.0.1:{port};
                server_name {DOMAIN};
                client_max_body_size 13m;
                location / {{
                    proxy_pass http://127.0.0.1:{upstream};
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Forwarded-For $remote_addr;
                    proxy_read_timeout 120s;
                }}
            }}
        }}
        """))
    return config


def test_behind_nginx_the_domain_is_allowed_and_the_audit_log_names_the_client(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.fail("nginx not found: install Debian's nginx-light", pytrace=False)
    site = make_site()
    add_account(site, "editor-mawar", "--kelurahan", "mawar")
    port = free_port()
    with running_studio(site, "--domain", DOMAIN, "--proxy") as studio:
        process = subprocess.Popen([nginx, "-c", str(nginx_config(tmp_path, port, studio.port)), "-p", str(tmp_path)],
                                   stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(base, headers={"Host": DOMAIN}, timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            # The browser connects from 127.0.0.2 and claims to be 10.9.8.7; nginx passes on what it saw.
            client = httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address="127.0.0.2"),
                                  headers={"Host": DOMAIN, "Origin": f"http://{DOMAIN}", "X-Forwarded-For": "10.9.8.7"})
            page = client.get("/masuk")
            assert page.status_code == 200
            token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            login = client.post("/masuk", data={"csrf": token, "nama": "editor-mawar", "sandi": FIRST_PASSWORD})
            assert login.status_code == 303 and login.headers["location"] == "/sandi"
            assert httpx.get(f"{base}/masuk", headers={"Host": "lain.example"}).status_code == 400
        finally:
            process.terminate()
            process.wait(timeout=10)
    with sqlite3.connect(site / ".kelurahan/studio.sqlite") as db:
        addresses = [row[0] for row in db.execute("select alamat from jejak where aksi = 'masuk'")]
    # nginx replaces X-Forwarded-For with the address it saw; the studio trusts only nginx on 127.0.0.1.
    assert addresses == ["127.0.0.2"]
