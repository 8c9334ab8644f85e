"""Text that cannot be stored or shown (a lone UTF-16 surrogate, a non-character,
a control character) is refused where it enters, with a clear error; a row that
holds such text anyway (stored before the check) is shown repaired on every page
and written back repaired by `strategyroom db repair-text`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.text import clean_text, load_stored_json, repair_json, repair_text
from tests.conftest import act, csrf_of, open_session
from tests.protocol import JsonParticipant

# Each test runs embedded and in scale-out mode (tests/modes.py).
pytestmark = pytest.mark.both_modes

COMMENT_CARD = 9
BROKEN = ["hi \ud800", "hi \udfff there", "no\ufdd0", "no\U0010ffff", "bell\x07", "nul\x00"]


def every_page(console: TestClient, phone: TestClient, session: dict[str, Any]) -> dict[str, Any]:
    """Every screen and report of the session: path -> response."""
    sid, code = session["id"], session["join_code"]
    pages = {
        f"/console/{sid}": console.get(f"/console/{sid}"),
        f"/api/sessions/{sid}": console.get(f"/api/sessions/{sid}"),
        f"/api/sessions/{sid}/tables": console.get(f"/api/sessions/{sid}/tables"),
        f"/p/{code}": phone.get(f"/p/{code}"),
        f"/s/{code}": phone.get(f"/s/{code}"),
    }
    for fmt in ("", ".pdf", ".csv", ".json"):
        path = f"/console/report{fmt}?session={sid}"
        pages[path] = console.get(path)
    return pages


def post_json(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    """A JSON body as a client writes it: a lone surrogate as its \\u escape."""
    return client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


def html_phone(browser: Callable[[], TestClient], code: str) -> TestClient:
    phone = browser()
    csrf = csrf_of(phone.get(f"/join/{code}").text)
    assert phone.post(f"/join/{code}", data={"csrf_token": csrf}).url.path == f"/s/{code}"
    return phone


def test_broken_text_is_refused_and_every_page_still_renders(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    sid = session["id"]
    phone = html_phone(browser, session["join_code"])
    person = JsonParticipant(console, session["join_code"])
    person.connect()
    act(console, sid, "show_card", card=COMMENT_CARD)
    act(console, sid, "open", question="comment")
    try:
        for value in BROKEN:
            refused = person.answer("comment", value, answer_id="bad")
            assert refused["type"] == "error", value
            assert refused["code"] == "invalid_answer"
            assert refused["answer_id"] == "bad"
            assert refused["message"].startswith("This text contains a character that cannot")
        # Lines and tabs are fine in a comment; CRLF becomes LF, and the text is NFC.
        stored = person.answer("comment", "Cafe\u0301\r\nand\ttea")
        assert stored["status"] == "stored" and stored["value"] == "Caf\u00e9\nand\ttea"
        act(console, sid, "reveal", question="comment")
        for path, response in every_page(console, phone, session).items():
            assert response.status_code == 200, (path, response.text[:300])
        report = console.get(f"/console/report.json?session={sid}").text
        assert "Caf\u00e9\\nand\\ttea" in report or "Caf\u00e9\nand\ttea" in json.dumps(
            json.loads(report), ensure_ascii=False
        )
    finally:
        person.close()


def test_broken_text_in_titles_names_and_logins_gets_a_clear_error(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    created = post_json(console, "/api/sessions", {"deck": "town-test.yaml", "title": "A\ud800"})
    assert created.status_code == 422, created.text
    assert created.json()["error"]["code"] == "invalid_answer"
    form = console.post(
        "/console/sessions",
        data={
            "deck": "town-test.yaml",
            "title": "tab\there",
            "csrf_token": console.headers["x-csrf-token"],
        },
    )
    assert form.status_code == 422 and "cannot be stored" in form.text
    session = open_session(console, title="Cafe\u0301")
    assert session["title"] == "Caf\u00e9"
    named = post_json(
        console, f"/api/sessions/{session['id']}/actions", {"action": "add_table", "name": "x\x00"}
    )
    assert named.status_code == 422 and named.json()["error"]["code"] == "invalid_answer"
    # An id that is not one is refused before it can reach the database.
    moved = post_json(
        console,
        f"/api/sessions/{session['id']}/actions",
        {"action": "move", "participant": "\ud800", "table": 1},
    )
    assert moved.status_code == 400 and moved.json()["error"]["code"] == "invalid_message"
    stranger = browser()
    login = post_json(stranger, "/api/login", {"username": "alice\udc80", "password": "x"})
    assert login.status_code == 422 and login.json()["error"]["code"] == "invalid_answer"
    page = stranger.post(
        "/login",
        data={
            "username": "alice",
            "password": "\x7f",
            "csrf_token": csrf_of(stranger.get("/login").text),
        },
    )
    assert page.status_code == 422 and "cannot be stored" in page.text
    # An unknown deck named with a broken character is still a clear 404.
    missing = post_json(console, "/api/sessions", {"deck": "nope\ud800.yaml"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "There is no deck called nope\ufffd.yaml."


def test_a_broken_row_already_stored_is_shown_repaired_and_repaired_for_good(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings
) -> None:
    session = open_session(console)
    sid = session["id"]
    phone = html_phone(browser, session["join_code"])
    person = JsonParticipant(console, session["join_code"])
    person.connect()
    act(console, sid, "show_card", card=COMMENT_CARD)
    act(console, sid, "open", question="comment")
    try:
        assert person.answer("comment", "placeholder")["status"] == "stored"
    finally:
        person.close()
    # Written past the check, as an older version stored it: the JSON text holds
    # the escape of a lone surrogate, which both databases keep.
    url = settings.effective_database_url
    engine = create_engine(url)
    cast = "CAST(:value AS json)" if url.startswith("postgresql") else ":value"
    with engine.begin() as db:
        db.execute(
            text(f"UPDATE answer SET value = {cast} WHERE question_id = 'comment'"),
            {"value": '"hi \\ud800 there"'},
        )
    act(console, sid, "reveal", question="comment")
    for path, response in every_page(console, phone, session).items():
        assert response.status_code == 200, (path, response.text[:300])
    shown = console.get(f"/api/sessions/{sid}").json()["questions"]["comment"]["results"]
    assert [c["text"] for c in shown["comments"]] == ["hi \ufffd there"]

    env = {**os.environ, "DATABASE_URL": settings.database_url}
    command = [sys.executable, "-m", "strategyroom", "--data-dir", str(settings.data_dir)]
    repaired = subprocess.run(
        [*command, "db", "repair-text"], capture_output=True, text=True, env=env, timeout=60
    )
    assert repaired.returncode == 0, repaired.stderr
    assert "answer.value: 1 row repaired" in repaired.stdout
    with engine.connect() as db:
        raw = db.execute(
            text("SELECT CAST(value AS TEXT) FROM answer WHERE question_id = 'comment'")
        ).scalar()
    assert json.loads(raw) == "hi \ufffd there"
    again = subprocess.run(
        [*command, "db", "repair-text"], capture_output=True, text=True, env=env, timeout=60
    )
    assert again.returncode == 0 and again.stdout.strip() == "No stored text needed repair."
    engine.dispose()


@pytest.mark.parametrize(
    "raw",
    [
        "ok",
        "hi \ud800",
        "a\r\nb\rc",
        "e\u0301",
        "\x00\x1f\x7f\x9f",
        "\ufffe\U0001ffff",
        "\t\n",
        "æ 😀 \\b \\u0000",
    ],
)
def test_repaired_text_passes_the_check_unchanged(raw: str) -> None:
    repaired = repair_text(raw)
    assert clean_text(repaired, lines=True) == repaired
    assert repair_json({raw: [raw, 1, None]}) == {repaired: [repaired, 1, None]}
    # What the database engine reads, from JSON with or without ASCII escapes.
    for ascii_only in (True, False):
        stored = json.dumps({raw: [raw, 1, None]}, ensure_ascii=ascii_only)
        assert load_stored_json(stored) == {repaired: [repaired, 1, None]}
