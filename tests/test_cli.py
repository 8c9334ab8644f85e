"""The command line: help everywhere, accounts, schema and deck checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from strategyroom import accounts
from strategyroom.cli import build_parser
from strategyroom.store.db import Database
from strategyroom.store.models import Facilitator

COMMANDS = [
    [],
    ["serve"],
    ["demo"],
    ["facilitator"],
    ["facilitator", "add"],
    ["facilitator", "password"],
    ["facilitator", "remove"],
    ["db"],
    ["db", "upgrade"],
    ["db", "repair-text"],
    ["deck"],
    ["deck", "check"],
    ["deck", "export"],
    ["deck", "import"],
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


def test_a_facilitator_who_forgot_the_password_gets_a_new_one(tmp_path: Path) -> None:
    def password(name: str, secret: str) -> subprocess.CompletedProcess[str]:
        return run(
            "facilitator",
            "password",
            name,
            "--password-stdin",
            stdin=f"{secret}\n",
            env_data=tmp_path,
        )

    nobody = password("bo", "a new long secret")
    assert nobody.returncode == 1
    assert nobody.stderr == "error: there is no facilitator called 'bo'; nothing was changed\n"
    run(
        "facilitator",
        "add",
        "bo",
        "--password-stdin",
        stdin="the first secret\n",
        env_data=tmp_path,
    )
    short = password("bo", "short")
    assert short.returncode == 1
    assert short.stderr == "error: the password needs at least 10 characters; nothing was changed\n"
    changed = password("bo", "a new long secret")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout == "Facilitator 'bo' has a new password; their open logins have ended.\n"
    db = Database(f"sqlite:///{tmp_path / 'strategyroom.sqlite3'}")
    with Session(db.engine) as s:
        account = s.exec(select(Facilitator)).one()
        assert accounts.password_matches(account, "a new long secret")
        assert not accounts.password_matches(account, "the first secret")
        assert account.login_version == 1  # the logins made with the old one end
    db.dispose()


def test_deck_check_lists_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nversion: '1'\ntitle: T\ncards: []\n")
    result = run("deck", "check", "--language", "en", str(bad))
    assert result.returncode == 1
    assert f"{bad}: 2 problems" in result.stdout
    good = run("deck", "check", "--language", "en")
    assert good.returncode == 0 and "green-transition.yaml: ok" in good.stdout


def test_demo_without_its_sample_deck_says_so(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    command = [sys.executable, "-m", "strategyroom", "--data-dir", str(tmp_path), "demo"]
    env = os.environ | {"STRATEGYROOM_DECKS_DIR": str(decks)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: the demo needs the sample deck green-transition.yaml, and {decks} has none. "
        "Set STRATEGYROOM_DECKS_DIR to a folder that has it, or leave it unset for the one "
        "that comes with Strategy Room.\n"
    )
    (decks / "green-transition.yaml").write_text("id: t\n", encoding="utf-8")
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    deck = decks / "green-transition.yaml"
    assert result.stderr == (
        f"error: the sample deck {deck} has problems; `strategyroom deck check {deck}` "
        "lists them.\n"
    )


def test_db_upgrade_reports_the_revision(tmp_path: Path) -> None:
    result = run("db", "upgrade", env_data=tmp_path)
    assert result.returncode == 0, result.stderr
    # The head is the one migration no other migration revises.
    versions = Path(__file__).parent.parent / "strategyroom" / "store" / "migrations" / "versions"
    texts = [f.read_text() for f in versions.glob("*.py")]
    revisions = {m[1] for t in texts for m in re.finditer(r'^revision: str = "(\w+)"', t, re.M)}
    revised = {m[1] for t in texts for m in re.finditer(r'^down_revision: .* = "(\w+)"', t, re.M)}
    (head,) = revisions - revised
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
        assert (
            "Each start gives demo a new password: consoles still logged in\n"
            "with an earlier one must log in again.\n\n"
            "These links open on this computer only. For phones on the same network,\n"
            f"start the demo again with: --host 0.0.0.0 --port {port}\n"
        ) in text
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


def test_demo_on_every_interface_prints_links_a_phone_on_the_network_opens(
    tmp_path: Path,
) -> None:
    """With --host 0.0.0.0 the links name the machine's network address, and a
    phone that opens them joins and gets its live socket (whose Origin check
    compares with the same address)."""
    import httpx2 as httpx
    from websockets.sync.client import connect
    from websockets.typing import Origin

    from tests.live import free_port

    port = free_port()
    demo = ["demo", "--host", "0.0.0.0", "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "strategyroom", "--data-dir", str(tmp_path), *demo],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "STRATEGYROOM_PUBLIC_URL"},
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Application startup complete" in line:
                break
        text = "".join(lines)
        link = re.search(r"Participants join at:  (http://([0-9.]+):(\d+))/join/(\w+)", text)
        assert link, text
        base, host, code = link.group(1), link.group(2), link.group(4)
        assert host != "127.0.0.1" and int(link.group(3)) == port, text
        assert "Phones on the same network as this computer can open these links." in text
        with httpx.Client(base_url=base) as phone:
            page = phone.get(f"/join/{code}")
            assert page.status_code == 200
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert csrf
            joined = phone.post(
                f"/join/{code}",
                data={"csrf_token": csrf.group(1), "language": "en"},
                headers={"origin": base},
            )
            assert joined.status_code == 303, joined.text
            cookie = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
        with connect(
            f"ws://{host}:{port}/ws/participant/{code}",
            origin=Origin(base),
            additional_headers={"cookie": cookie},
        ) as live:
            assert 'id="stage"' in str(live.recv(timeout=30))
    finally:
        process.terminate()
        process.wait(10)
