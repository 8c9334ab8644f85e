"""The Compose deployment in deploy/: the Compose file is valid against the
Compose specification and wires the scale-out mode (migrations first, several
workers, nginx in front); every setting it gives the app is documented; the image
installs the package and runs as a user. nginx and systemd are checked in
test_deploy_nginx_systemd.py, a real nginx before two workers in test_deploy_proxy.py.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.deploy import COMPOSE_NGINX, DEPLOY, ROOT

COMPOSE_FILE = DEPLOY / "docker-compose.yml"
COMPOSE_SCHEMA = DEPLOY / "schema" / "compose-spec.json"


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
