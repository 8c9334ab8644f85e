"""The deployment files in deploy/ and a throwaway nginx around them, shared by
the test_deploy*.py modules.

Needs Debian's `nginx` package; a missing one fails, it is not skipped.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE_NGINX = DEPLOY / "nginx" / "compose.conf"
SITE_NGINX = DEPLOY / "nginx" / "strategyroom.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        pytest.fail(
            "nginx is not installed: tests/test_deploy_nginx_systemd.py runs `nginx -t` on "
            "deploy/nginx/*.conf and tests/test_deploy_proxy.py a real nginx in front of two "
            "workers. Install Debian's package: "
            "apt-get install nginx",
            pytrace=False,
        )
    return found


def nginx_wrapper(
    directory: Path, site: Path, main: str = "", http: str = "access_log off;"
) -> Path:
    """A minimal nginx.conf around a site file, with every path it writes in `directory`
    (no pid file, log or temp directory under /run or /var), so it runs as any user.
    The site's own access logs are moved into `directory` too; when `http` sets
    an access log of the test's, the site's are dropped (they would override it)."""
    text = site.read_text(encoding="utf-8").replace("/var/log/nginx/", f"{directory}/")
    if "access_log" in http:
        text = re.sub(r"^\s*access_log [^;]*;\n", "", text, flags=re.MULTILINE)
    site.write_text(text, encoding="utf-8")
    temp = directory / "nginx-temp"
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / name).mkdir(parents=True, exist_ok=True)
    wrapper = directory / "nginx.conf"
    wrapper.write_text(
        f"""
pid {directory}/nginx.pid;
error_log {directory}/error.log;
{main}
events {{}}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    {http}
    include {site};
}}
""",
        encoding="utf-8",
    )
    return wrapper


def nginx_command(wrapper: Path, *extra: str) -> list[str]:
    directory = wrapper.parent
    return [
        nginx_binary(),
        "-c",
        str(wrapper),
        "-p",
        str(directory),
        "-e",
        str(directory / "error.log"),
        *extra,
    ]


def compose_conf_for_test(text: str, servers: list[str]) -> str:
    # nginx resolves upstream host names when it loads its configuration and
    # fails on one it cannot resolve. `app` only resolves on the Compose
    # network (Docker's DNS, one address per replica), so the test copy points
    # the upstream at loopback addresses instead; nothing else is changed.
    assert re.search(r"^\s*server app:8000\b", text, re.MULTILINE), "no `server app:8000`"
    lines = "\n".join(f"    server {address} max_fails=1 fail_timeout=10s;" for address in servers)
    return re.sub(r"^\s*server app:8000\b[^;]*;", lines, text, count=1, flags=re.MULTILINE)
