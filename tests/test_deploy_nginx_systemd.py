"""The nginx and systemd files in deploy/: both nginx configurations pass
`nginx -t` and pass websocket upgrades and the forwarded headers; the systemd
unit runs one worker per port and passes `systemd-analyze verify`.

Needs Debian's `nginx` package and `systemd-analyze` (Debian's `systemd`); a
missing one fails, it is not skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy import (
    COMPOSE_NGINX,
    DEPLOY,
    SITE_NGINX,
    compose_conf_for_test,
    nginx_command,
    nginx_wrapper,
)

UNIT = DEPLOY / "systemd" / "strategyroom@.service"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.fail("neither the cryptography package nor openssl is installed", pytrace=False)
        subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-days",
                "1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return cert, key
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert, key


def site_conf_for_test(text: str, directory: Path) -> str:
    # The site names placeholder certificate paths; the test copy uses a
    # throwaway self-signed certificate (nginx -t loads the files).
    cert, key = self_signed_certificate(directory)
    text, certs = re.subn(r"(ssl_certificate)\s+\S+;", rf"\1 {cert};", text)
    text, keys = re.subn(r"(ssl_certificate_key)\s+\S+;", rf"\1 {key};", text)
    assert certs >= 1 and keys >= 1, "no ssl_certificate / ssl_certificate_key in the site"
    return text


@pytest.mark.parametrize("name", ["compose.conf", "strategyroom.conf"])
def test_nginx_accepts_the_configuration(name: str, tmp_path: Path) -> None:
    source = DEPLOY / "nginx" / name
    text = source.read_text(encoding="utf-8")
    if source == COMPOSE_NGINX:
        text = compose_conf_for_test(text, ["127.0.0.1:8000"])
    else:
        text = site_conf_for_test(text, tmp_path)
    site = tmp_path / name
    site.write_text(text, encoding="utf-8")
    wrapper = nginx_wrapper(tmp_path, site)
    checked = subprocess.run(
        nginx_command(wrapper, "-t"), capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr


def read_timeout(directives: list[str]) -> int:
    """A location's proxy_read_timeout in seconds (nginx's default is 60)."""
    found = [d.split()[1] for d in directives if d.startswith("proxy_read_timeout ")]
    if not found:
        return 60
    value = found[0]
    return int(value[:-1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[value[-1]]


def strip_comments(text: str) -> str:
    return re.sub(r"#[^\n]*", "", text)


def blocks(text: str, keyword: str) -> dict[str, str]:
    """The bodies of `keyword ARG {...}` blocks (locations, upstreams), by ARG."""
    found: dict[str, str] = {}
    for match in re.finditer(rf"\b{keyword}\s+([^\s{{]+)\s*\{{", text):
        depth, start = 1, match.end()
        end = start
        while depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        found[match.group(1)] = text[start : end - 1]
    return found


def directives(body: str) -> list[str]:
    return [" ".join(d.split()) for d in body.split(";") if d.strip()]


@pytest.mark.parametrize("source", [COMPOSE_NGINX, SITE_NGINX], ids=lambda p: p.name)
def test_nginx_passes_websockets_and_the_forwarded_headers(source: Path) -> None:
    text = strip_comments(source.read_text(encoding="utf-8"))
    assert re.search(r"map \$http_upgrade \$connection_upgrade\s*\{", text)
    assert "client_max_body_size 64k;" in text

    upstreams = blocks(text, "upstream")
    assert list(upstreams) == ["strategyroom"]
    servers = [d for d in directives(upstreams["strategyroom"]) if d.startswith("server ")]
    assert servers
    # Round robin: any worker serves any session, so nothing pins a client to one.
    for sticky in ("ip_hash", "hash ", "sticky", "least_conn"):
        assert sticky not in upstreams["strategyroom"]

    locations = blocks(text, "location")
    proxied = {path: directives(body) for path, body in locations.items() if "proxy_pass" in body}
    assert "/ws/" in proxied and "/" in proxied
    for path, body in proxied.items():
        assert "proxy_pass http://strategyroom" in body, path
        assert "proxy_http_version 1.1" in body, path
        # A proxy_set_header in a location drops every inherited one: each
        # location must set all of them itself.
        for header in (
            "proxy_set_header Host $host",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for",
            "proxy_set_header X-Forwarded-Proto $scheme",
        ):
            assert header in body, f"{path}: {header}"
    ws = proxied["/ws/"]
    assert "proxy_set_header Upgrade $http_upgrade" in ws
    assert "proxy_set_header Connection $connection_upgrade" in ws
    assert read_timeout(ws) >= 3600, "websockets to a quiet projector must stay open all evening"
    # A report's PDF for thousands of residents takes over a minute (performance.md).
    for downloads in ("/console/report.", "/r/"):
        assert read_timeout(proxied[downloads]) >= 300, downloads

    if source == SITE_NGINX:
        assert len(servers) >= 2
        assert all(re.match(r"server 127\.0\.0\.1:\d+\b", server) for server in servers)
        assert "return 301 https://$host$request_uri" in text
        assert re.search(r"listen 443 ssl\b", text)


# --- systemd ---------------------------------------------------------------------


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_systemd_unit_runs_one_worker_per_port() -> None:
    unit = unit_settings()
    [exec_start] = unit["ExecStart"]
    assert re.fullmatch(
        r"/opt/strategyroom/\.venv/bin/strategyroom serve --host 127\.0\.0\.1 --port %i",
        exec_start,
    )
    assert unit["EnvironmentFile"] == ["/etc/strategyroom/env"]
    assert unit["User"] not in (["root"], ["0"])
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["WantedBy"] == ["multi-user.target"]
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "systemctl enable --now strategyroom@8001 strategyroom@8002" in readme


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail(
            "systemd-analyze is not installed (Debian's `systemd` package); "
            "tests/test_deploy_nginx_systemd.py checks deploy/systemd/strategyroom@.service "
            "with it",
            pytrace=False,
        )
    # The virtualenv does not exist here; point ExecStart at a real program.
    text = UNIT.read_text(encoding="utf-8")
    text = text.replace("/opt/strategyroom/.venv/bin/strategyroom", shutil.which("true") or "")
    (tmp_path / UNIT.name).write_text(text, encoding="utf-8")
    verified = subprocess.run(
        [analyze, "verify", str(tmp_path / "strategyroom@8001.service")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert verified.returncode == 0, verified.stderr
    problems = [line for line in verified.stderr.splitlines() if UNIT.name in line]
    assert problems == []
