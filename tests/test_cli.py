"""The command line: help everywhere, accounts, schema and deck checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from strategyroom.cli import build_parser
from strategyroom.store import migrate
from strategyroom.store.db import Database
from strategyroom.store.models import Facilitator

COMMANDS = [
    [],
    ["serve"],
    ["demo"],
    ["facilitator"],
    ["facilitator", "add"],
    ["db"],
    ["db", "upgrade"],
    ["deck"],
    ["deck", "check"],
]


def run(
    *args: str, stdin: str = "", env_data: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "strategyroom"]
    if env_data is not None:
        command += ["--data-dir", str(env_data)]
    return subprocess.run(
        command + list(args), input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "strategyroom")
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: strategyroom")


def test_facilitator_add_hashes_the_password(tmp_path: Path) -> None:
    result = run(
        "facilitator",
        "add",
        "bo",
        "--password-stdin",
        stdin="a long secret pw\n",
        env_data=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Facilitator 'bo' added." in result.stdout
    again = run(
        "facilitator",
        "add",
        "bo",
        "--password-stdin",
        stdin="a long secret pw\n",
        env_data=tmp_path,
    )
    assert again.returncode == 1 and "already a facilitator called 'bo'" in again.stderr
    short = run("facilitator", "add", "cy", "--password-stdin", stdin="short\n", env_data=tmp_path)
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    db = Database(f"sqlite:///{tmp_path / 'strategyroom.sqlite3'}")
    with Session(db.engine) as s:
        stored = s.exec(select(Facilitator.password_hash)).one()
    db.dispose()
    assert stored.startswith("$argon2id$") and "a long secret pw" not in stored


def test_deck_check_lists_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nversion: '1'\ntitle: T\ncards: []\n")
    result = run("deck", "check", str(bad))
    assert result.returncode == 1
    assert f"{bad}: 2 problem(s)" in result.stdout
    good = run("deck", "check")
    assert good.returncode == 0 and "green-transition.yaml: ok" in good.stdout


def test_db_upgrade_reports_the_revision(tmp_path: Path) -> None:
    result = run("db", "upgrade", env_data=tmp_path)
    assert result.returncode == 0, result.stderr
    head = migrate.head_revision(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert head is not None and head >= "0002"
    assert f"Database is at revision {head}." in result.stdout


def test_parser_knows_every_documented_command() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text()
    parser = build_parser()
    for command in COMMANDS[1:]:
        if len(command) == 2 or command[0] in ("serve", "demo"):
            assert f"strategyroom {' '.join(command)}" in docs
    assert parser.prog == "strategyroom"


def test_demo_prints_working_links_and_login(tmp_path: Path) -> None:
    import re

    import httpx2 as httpx

    from tests.live import free_port

    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "strategyroom",
            "--data-dir",
            str(tmp_path),
            "demo",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Uvicorn running" in line or "Application startup complete" in line:
                break
        text = "".join(lines)
        login = re.search(r"login: demo / (\S+)", text)
        code = re.search(r"Join code:\s+([A-Z0-9]{6})", text)
        console = re.search(r"Console \(facilitator\): (\S+)", text)
        assert login and code and console, text
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/join/{code.group(1)}" in text and f"{base}/p/{code.group(1)}" in text
        with httpx.Client(base_url=base) as web:
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text)
            assert csrf
            response = web.post(
                "/login",
                data={
                    "username": "demo",
                    "password": login.group(1),
                    "csrf_token": csrf.group(1),
                    "next": "/console",
                },
            )
            assert response.status_code == 303
            page = web.get(console.group(1))
            assert page.status_code == 200 and code.group(1) in page.text
            assert web.get(f"/join/{code.group(1)}").status_code == 200
    finally:
        process.terminate()
        process.wait(10)
