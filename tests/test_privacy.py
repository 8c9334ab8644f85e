"""Privacy promises (docs/privacy.md): a facilitator can delete a session and all
its data (nothing of it left in SQLite's files either), no client address is
stored, logs never hold what people wrote, the database files are readable by
their owner only, and a killed worker's presence does not stay in Redis."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlmodel import SQLModel
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.store.db import Database
from strategyroom.web.app import create_app
from tests.conftest import (
    ORIGIN,
    TEST_DECKS,
    act,
    csrf_of,
    login,
    make_settings,
    open_session,
    postgres_database,
)
from tests.dbdump import dump_with_columns, rows_of_session
from tests.live import ApiFacilitator, LiveServer, Phone, RedisProcess
from tests.protocol import JsonParticipant, receive_text

# Each test runs embedded and in scale-out mode (tests/modes.py).
pytestmark = pytest.mark.both_modes

SECRET_COMMENT = "Zebra-Quokka-7731 my neighbour's dog"
GONE_COMMENT = "Walrus-Pelican-5519 in the deleted one"


def sqlite_bytes(settings: Settings) -> bytes:
    """The SQLite database file and its write-ahead log, as they are on disk."""
    database = settings.data_dir / "strategyroom.sqlite3"
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def run_a_session(
    console: TestClient, title: str, comment: str = SECRET_COMMENT
) -> tuple[dict[str, Any], JsonParticipant]:
    """A session with participants, answers of two questions (one closed) and a comment."""
    session = open_session(console, title=title)
    sid = session["id"]
    people = [JsonParticipant(console, session["join_code"]) for _ in range(2)]
    for person in people:
        person.connect()
    act(console, sid, "show_card", card=3)
    act(console, sid, "open", question="street")
    for person, choice in zip(people, ("main", "church"), strict=True):
        assert person.answer("street", choice)["status"] == "stored"
    act(console, sid, "close", question="street")
    act(console, sid, "show_card", card=9)
    act(console, sid, "open", question="comment")
    assert people[0].answer("comment", comment)["status"] == "stored"
    people[1].close()
    return session, people[0]


def test_a_facilitator_deletes_a_session_and_all_its_data(
    console: TestClient, settings: Settings
) -> None:
    url = settings.effective_database_url
    kept, kept_phone = run_a_session(console, "Kept")
    gone, gone_phone = run_a_session(console, "Gone", GONE_COMMENT)
    kept_rows = rows_of_session(url, kept["id"])
    gone_rows = rows_of_session(url, gone["id"])
    assert gone_rows["room_session"] == 1 and gone_rows["answer"] == 3
    assert gone_rows["participant"] == 2 and gone_rows["session_event"] == 5
    assert gone_rows["answer_receipt"] == 3 and gone_rows["question_run"] == 2
    # Every table that belongs to a session is covered by the count.
    session_tables = {t.name for t in SQLModel.metadata.sorted_tables if "session_id" in t.c} | {
        "room_session"
    }
    assert set(gone_rows) == session_tables

    # The console asks first: a wrong confirmation deletes nothing.
    page = console.get(f"/console/{gone['id']}/delete")
    assert page.status_code == 200 and gone["join_code"] in page.text
    token = csrf_of(page.text)
    wrong = console.post(
        f"/console/{gone['id']}/delete", data={"csrf_token": token, "confirm": "nope"}
    )
    assert wrong.status_code == 400 and "nothing deleted" in wrong.text
    no_csrf = console.post(
        f"/console/{gone['id']}/delete",
        data={"confirm": gone["join_code"]},
        headers={"x-csrf-token": ""},
    )
    assert no_csrf.status_code == 403
    assert rows_of_session(url, gone["id"]) == gone_rows

    done = console.post(
        f"/console/{gone['id']}/delete",
        data={"csrf_token": token, "confirm": gone["join_code"].lower()},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/console"
    assert rows_of_session(url, gone["id"]) == dict.fromkeys(session_tables, 0)
    assert rows_of_session(url, kept["id"]) == kept_rows
    on_disk = sqlite_bytes(settings) if settings.is_sqlite else b""
    # Its open socket is closed, its code no longer works, its pages are gone.
    assert gone_phone.ws is not None
    with pytest.raises(WebSocketDisconnect):
        for _ in range(20):
            receive_text(gone_phone.ws)
    with contextlib.suppress(WebSocketDisconnect):
        gone_phone.close()
    assert console.post("/api/join", json={"code": gone["join_code"]}).status_code == 404
    assert console.get(f"/api/sessions/{gone['id']}").status_code == 404
    assert kept_phone.answer("comment", "still here")["status"] == "stored"
    kept_phone.close()
    if settings.is_sqlite:
        # Not even in SQLite's free pages or its write-ahead log.
        assert SECRET_COMMENT.encode() in on_disk  # the kept session's comment
        assert GONE_COMMENT.encode() not in on_disk


def test_the_api_deletes_a_session_with_the_csrf_token(
    client: TestClient, settings: Settings
) -> None:
    url = settings.effective_database_url
    login = client.post(
        "/api/login", json={"username": "alice", "password": "correct horse battery"}
    )
    token = login.json()["csrf_token"]
    client.headers["x-csrf-token"] = token
    session, phone = run_a_session(client, "Via API")
    phone.close()
    del client.headers["x-csrf-token"]
    refused = client.delete(f"/api/sessions/{session['id']}")
    assert refused.status_code == 403
    # An API client has no form to reload: the message says what to send.
    assert refused.json()["error"] == {
        "code": "forbidden",
        "message": "Send the X-CSRF-Token header with the csrf_token your login returned.",
    }
    stale = client.delete(f"/api/sessions/{session['id']}", headers={"x-csrf-token": "an old one"})
    assert stale.status_code == 403 and stale.json()["error"]["message"] == (
        "The X-CSRF-Token header is not this login's csrf_token; log in again for one."
    )
    assert rows_of_session(url, session["id"])["answer"] == 3
    deleted = client.delete(f"/api/sessions/{session['id']}", headers={"x-csrf-token": token})
    assert deleted.status_code == 200 and deleted.json() == {"deleted": session["id"]}
    assert set(rows_of_session(url, session["id"]).values()) == {0}
    assert (
        client.delete(f"/api/sessions/{session['id']}", headers={"x-csrf-token": token}).status_code
        == 404
    )


def test_no_address_is_stored_and_logs_hold_no_message_contents(
    console: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _, phone = run_a_session(console, "Private")
    # Bad messages carrying the text are refused without logging it either.
    assert phone.ws is not None
    phone.ws.send_text('{"type": "answer", "value": "' + SECRET_COMMENT + '"')
    assert json.loads(receive_text(phone.ws))["code"] == "invalid_message"
    phone.ws.send_text(json.dumps({"type": SECRET_COMMENT}))
    assert json.loads(receive_text(phone.ws))["code"] == "invalid_message"
    assert phone.answer("comment", SECRET_COMMENT * 3)["code"] == "invalid_answer"
    phone.close()
    stored = dump_with_columns(settings.effective_database_url)
    assert SECRET_COMMENT in repr(stored["answer"])  # it was stored, so it passed by
    assert caplog.records, "nothing was logged at all: the capture is broken"
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert "Zebra-Quokka" not in logged
    # The test client's address ("testclient") appears in no stored value, and no
    # column is meant for an address or a browser fingerprint.
    assert "testclient" not in repr(stored)
    columns = {c for cols, _ in stored.values() for c in cols}
    assert not {c for c in columns if "ip" in c.split("_") or "address" in c or "agent" in c}


def test_the_data_directory_and_database_files_are_the_owners_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask, which leaves new files world-readable
    try:
        settings = make_settings(tmp_path)
        with TestClient(create_app(settings), base_url=ORIGIN) as client:
            db = Database(settings.effective_database_url)
            db.call(lambda s: accounts.add_facilitator(s, "alice", "a long password"), write=True)
            db.dispose()
            client.headers["x-csrf-token"] = login(client, password="a long password")
            _, phone = run_a_session(client, "Files")
            phone.close()
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in settings.data_dir.iterdir()}
    finally:
        os.umask(previous)
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    assert modes == {
        "strategyroom.sqlite3": 0o600,
        "strategyroom.sqlite3-shm": 0o600,
        "strategyroom.sqlite3-wal": 0o600,
    }


@pytest.fixture
def worker_on_own_redis(tmp_path: Path) -> Iterator[tuple[LiveServer, RedisProcess]]:
    server = RedisProcess(tmp_path).start()
    try:
        with postgres_database() as database_url:
            env = {
                "DATABASE_URL": database_url,
                "REDIS_URL": server.url,
                "STRATEGYROOM_PRESENCE_TTL": "3",
            }
            worker = LiveServer(tmp_path / "worker", TEST_DECKS, env=env)
            worker.cli("facilitator", "add", "maria", "--password-stdin", stdin="a long password\n")
            worker.start()
            try:
                yield worker, server
            finally:
                worker.stop()
    finally:
        server.stop()


def test_a_killed_workers_presence_expires_from_redis(
    worker_on_own_redis: tuple[LiveServer, RedisProcess],
) -> None:
    worker, server = worker_on_own_redis
    facilitator = ApiFacilitator(worker.url, "maria", "a long password")
    phone = Phone(worker.url, facilitator.open_session())
    phone.connect()
    facilitator.wait_connected(1)
    keys = redis.Redis(port=server.port)
    key = f"presence:{facilitator.session_id}"
    try:
        assert keys.zcard(key) == 1
        assert 0 < keys.pttl(key) <= 3000  # refreshed by the worker's heartbeat
        assert worker.process is not None
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(10)
        deadline = time.monotonic() + 30
        while keys.exists(key):
            assert time.monotonic() < deadline, f"{key} is still in Redis"
            time.sleep(0.2)
        assert keys.keys("presence:*") == []
    finally:
        keys.close()
        phone.close()
        facilitator.close()
