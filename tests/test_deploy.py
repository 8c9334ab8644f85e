"""The deployment files in deploy/: the Compose file is valid against the Compose
specification and wires the scale-out mode (migrations first, several workers,
nginx in front); every setting it gives the app is documented; both nginx
configurations pass `nginx -t` and pass websocket upgrades; the systemd unit
runs one worker per port; and nginx with the Compose configuration really
carries one session over two workers, and on when one of them dies.

Needs Debian's `nginx` package (for `nginx -t` and the proxy test) and
`systemd-analyze` (Debian's `systemd`); a missing one fails, it is not skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.conftest import TEST_DECKS, postgres_database, require_redis
from tests.live import ApiFacilitator, LiveServer, Phone, free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
COMPOSE_SCHEMA = DEPLOY / "schema" / "compose-spec.json"
COMPOSE_NGINX = DEPLOY / "nginx" / "compose.conf"
SITE_NGINX = DEPLOY / "nginx" / "strategyroom.conf"
UNIT = DEPLOY / "systemd" / "strategyroom@.service"
PASSWORD = "a long facilitator password"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return loaded


# --- the Compose file ------------------------------------------------------------


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    # Its "$schema" is draft-07 without the trailing "#", which jsonschema does not map.
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.path))
    assert [f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors] == []
    assert (DEPLOY / "schema" / "compose-spec.LICENSE").is_file()


def test_compose_runs_several_workers_after_the_migrations() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "app", "proxy"}

    app = services["app"]
    assert int(app["deploy"]["replicas"]) > 1
    # Replicas cannot share a published port or a container name: only the proxy publishes.
    assert "ports" not in app and "container_name" not in app
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

    migrate = services["migrate"]
    assert migrate["command"] == ["strategyroom", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]

    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "healthcheck" in postgres
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"], "PostgreSQL keeps its data in a named volume"

    env = app["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    for required in ("STRATEGYROOM_PUBLIC_URL", "STRATEGYROOM_SECRET_KEY"):
        assert env[required].startswith(f"${{{required}:?"), f"{required} must be required"


def test_the_proxy_uses_the_nginx_configuration_in_deploy() -> None:
    proxy = compose()["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert any(str(port).split(":")[-1] == "80" for port in proxy["ports"])
    mounts = [volume.split(":") for volume in proxy["volumes"]]
    configs = [source for source, target, *_ in mounts if target.startswith("/etc/nginx/")]
    assert configs, "the proxy mounts no nginx configuration"
    for source in configs:
        assert (DEPLOY / source).resolve().is_file(), f"{source} does not exist"
    assert (DEPLOY / configs[0]).resolve() == COMPOSE_NGINX


def test_every_setting_given_to_the_app_is_documented() -> None:
    app = compose()["services"]["app"]
    environment = app.get("environment", {})
    if isinstance(environment, list):  # the KEY=value list form
        environment = dict(item.split("=", 1) for item in environment)
    names = set(environment)
    env_files = app.get("env_file", [])
    for env_file in [env_files] if isinstance(env_files, str) else env_files:
        path = env_file if isinstance(env_file, str) else env_file["path"]
        names |= env_keys(DEPLOY / path)
    assert {"DATABASE_URL", "REDIS_URL", "STRATEGYROOM_PUBLIC_URL"} <= names
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert sorted(name for name in names if f"`{name}`" not in documented) == []


def env_keys(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0].strip() for line in lines if re.match(r"\s*[A-Z_]+=", line)}


def test_env_example_lists_every_value_the_compose_file_reads() -> None:
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", COMPOSE_FILE.read_text(encoding="utf-8")))
    listed = env_keys(DEPLOY / "env.example")
    assert used == listed
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "cp env.example .env" in readme
    assert "docker compose up -d --scale app=" in readme


# --- the image -----------------------------------------------------------------


def test_the_image_installs_the_package_and_runs_as_a_user() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    instructions = [
        line.strip() for line in re.sub(r"\\\n", " ", dockerfile).splitlines() if line.strip()
    ]
    instructions = [line for line in instructions if not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    assert any(re.match(r"RUN pip install \.(\s|$)", line) for line in instructions)
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    cmd = [line for line in instructions if line.startswith("CMD ")][-1]
    assert json.loads(cmd[4:]) == [
        "strategyroom",
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]
    # The COPY lines bring in everything the wheel is built from.
    copied = {
        part.rstrip("/")
        for line in instructions
        if line.startswith("COPY ")
        for part in line.split()[1:-1]
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *build["packages"]}
    needed |= set(build.get("force-include", {}))
    assert sorted(needed - copied) == []


# --- nginx -----------------------------------------------------------------------


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        pytest.fail(
            "nginx is not installed: tests/test_deploy.py runs `nginx -t` on deploy/nginx/*.conf "
            "and a real nginx in front of two workers. Install Debian's package: "
            "apt-get install nginx",
            pytrace=False,
        )
    return found


def nginx_wrapper(
    directory: Path, site: Path, main: str = "", http: str = "access_log off;"
) -> Path:
    """A minimal nginx.conf around a site file, with every path it writes in `directory`
    (no pid file, log or temp directory under /run or /var), so it runs as any user."""
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
    timeout = next(d for d in ws if d.startswith("proxy_read_timeout "))
    value = timeout.split()[1]
    seconds = int(value[:-1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[value[-1]]
    assert seconds >= 3600, "websockets to a quiet projector must stay open for a whole session"

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
            "tests/test_deploy.py checks deploy/systemd/strategyroom@.service with it",
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


# --- nginx in front of two real workers --------------------------------------------


@contextmanager
def running_nginx(directory: Path, site_text: str, port: int) -> Iterator[Path]:
    """nginx in the foreground on 127.0.0.1:port; yields its access log, which
    names the worker (upstream address) of every request."""
    directory.mkdir(parents=True, exist_ok=True)
    site_text, listens = re.subn(r"^\s*listen \S*80;\n", "", site_text, flags=re.MULTILINE)
    assert listens >= 1
    site_text = site_text.replace("server_name _;", f"listen 127.0.0.1:{port};\n    server_name _;")
    site = directory / "site.conf"
    site.write_text(site_text, encoding="utf-8")
    access_log = directory / "access.log"
    wrapper = nginx_wrapper(
        directory,
        site,
        main="worker_processes 1;",
        http="log_format upstreams '$upstream_addr $status \"$request\"';\n"
        f"    access_log {access_log} upstreams;",
    )
    checked = subprocess.run(
        nginx_command(wrapper, "-t"), capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    with (directory / "nginx.out").open("wb") as out:
        process = subprocess.Popen(
            nginx_command(wrapper, "-g", "daemon off;"), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, (directory / "error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.1)
        yield access_log
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def accepted_sockets(server: LiveServer) -> int:
    return len(re.findall(r'"WebSocket /ws/participant/\S+" \[accepted\]', server.log.read_text()))


@pytest.mark.scaleout
def test_nginx_spreads_a_session_over_two_workers_and_goes_on_without_one(
    tmp_path: Path,
) -> None:
    proxy_port = free_port()
    public_url = f"http://127.0.0.1:{proxy_port}"
    with postgres_database() as database_url, ExitStack() as stack:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": require_redis(),
            "STRATEGYROOM_PUBLIC_URL": public_url,
            "STRATEGYROOM_PRESENCE_TTL": "3",
        }
        a = LiveServer(tmp_path / "a", TEST_DECKS, env=env)
        b = LiveServer(tmp_path / "b", TEST_DECKS, env=env)
        a.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
        for worker in (a, b):
            stack.callback(worker.stop)
            worker.start()
        conf = compose_conf_for_test(
            COMPOSE_NGINX.read_text(encoding="utf-8"),
            [f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"],
        )
        access_log = stack.enter_context(running_nginx(tmp_path / "nginx", conf, proxy_port))

        facilitator = ApiFacilitator(public_url, "maria", PASSWORD)
        stack.callback(facilitator.close)
        code = facilitator.open_session()
        act, connected = facilitator.act, facilitator.wait_connected

        # Websockets from another origin are refused through the proxy as well.
        with (
            pytest.raises(InvalidStatus) as refused,
            connect(
                f"ws://127.0.0.1:{proxy_port}/ws/participant/{code}?format=json",
                origin=Origin("http://elsewhere.example.org"),
                proxy=None,
                open_timeout=10,
            ),
        ):
            pass
        assert refused.value.response.status_code == 403

        # All join first, then open their sockets one after the other: round
        # robin puts them on alternate workers.
        phones = [Phone(public_url, code) for _ in range(4)]
        for phone in phones:
            stack.callback(phone.close)
            phone.connect(origin=public_url)
        on_a, on_b = accepted_sockets(a), accepted_sockets(b)
        assert on_a + on_b == 4 and on_a >= 1 and on_b >= 1, (on_a, on_b)
        for card in (0, 1, 2, 3):
            act("show_card", card=card)
        for phone in phones:
            while phone.cards != [0, 1, 2, 3]:
                phone.receive()
        connected(4)
        act("open", question="street")
        for phone in phones:
            phone.until("event", "question_opened")
            assert phone.answer("street", "main")["status"] == "stored"

        # The facilitator's requests went to both workers too: nothing pins a client to one.
        used = access_log.read_text()
        assert f"127.0.0.1:{a.port} " in used and f"127.0.0.1:{b.port} " in used, used

        # One worker dies; through the same address every phone reconnects (to
        # the other one), catches up and the evening goes on.
        victim = b if on_b >= on_a else a
        assert victim.process is not None
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(10)
        for phone in phones:
            phone.connect(resume=True, origin=public_url)
        for phone in phones:
            assert phone.answer("street", "church")["status"] == "stored"
        act("show_card", card=4)  # closes "street", shows the next card
        for phone in phones:
            phone.until("event", "card_shown")
            assert phone.cards[-1] == 4
        connected(4)

        results = facilitator.detail()["questions"]["street"]
        assert results["answers"] == 4
        counts = {o["option_id"]: o["count"] for o in results["results"]["options"]}
        assert counts == {"main": 0, "church": 4, "none": 0}
        errors = (tmp_path / "nginx" / "error.log").read_text()
        assert f"127.0.0.1:{victim.port}" in errors, "nginx never met the dead worker"
