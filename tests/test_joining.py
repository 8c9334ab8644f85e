"""Joining counts the device in with one statement on the session row, and the
join code is looked up from the worker's memory after the first time: neither
may let in more devices than the limit, hand out a number twice, or keep
serving a session another worker deleted. A refused join speaks the language
the resident chose to join in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from httpx2 import Response
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from strategyroom.config import Settings
from strategyroom.store import migrate
from strategyroom.web.app import create_app
from tests.conftest import (
    ORIGIN,
    act,
    csrf_of,
    login,
    make_settings,
    open_session,
    postgres_database,
)

pytestmark = pytest.mark.both_modes


def _join_at_once(app: TestClient, code: str, count: int) -> list[Response]:
    """``count`` joins sent together, each from its own thread and client, into
    the running app's event loop, so the database threads run them side by side."""

    def join(_: int) -> Response:
        phone = TestClient(app.app, base_url=ORIGIN)
        phone.portal = app.portal  # the app's event loop and lifespan
        return phone.post("/api/join", json={"code": code})

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(join, range(count)))


def test_joins_at_once_stop_exactly_at_the_limit(settings: Settings, facilitator: str) -> None:
    with TestClient(create_app(replace(settings, max_participants=5)), base_url=ORIGIN) as app:
        app.headers["x-csrf-token"] = login(app)
        session = open_session(app)
        responses = _join_at_once(app, session["join_code"], 12)
        admitted = [r.json() for r in responses if r.status_code == 201]
        refused = [r.json() for r in responses if r.status_code != 201]
        assert len(admitted) == 5
        assert sorted(p["number"] for p in admitted) == [1, 2, 3, 4, 5]
        assert [r["error"]["code"] for r in refused] == ["session_full"] * 7
        assert app.get(f"/api/sessions/{session['id']}").json()["participants"]["joined"] == 5
        # The numbers go on where they stopped once there is room again.
        roomy = replace(settings, max_participants=7)
    with TestClient(create_app(roomy), base_url=ORIGIN) as app:
        again = [r.json() for r in _join_at_once(app, session["join_code"], 3)]
        assert sorted(r.get("number", 0) for r in again) == [0, 6, 7]


def test_an_ended_session_admits_nobody_though_its_code_is_remembered(
    settings: Settings, facilitator: str
) -> None:
    with TestClient(create_app(settings), base_url=ORIGIN) as app:
        app.headers["x-csrf-token"] = login(app)
        session = open_session(app)
        code = session["join_code"]
        assert app.post("/api/join", json={"code": code}).status_code == 201
        act(app, session["id"], "end")
        late = app.post("/api/join", json={"code": code}, headers={"accept-language": "da"})
        assert late.status_code == 410
        assert late.json()["error"]["code"] == "session_ended"
        assert app.get(f"/api/sessions/{session['id']}").json()["participants"]["joined"] == 1


FULL = {
    "en": "This session is full (2 participants).",
    "da": "Denne session er fuld (2 deltagere).",
    "sv": "Den här sessionen är full (2 deltagare).",
}


def test_a_joins_language_may_carry_a_region_and_anything_unknown_is_english(
    console: TestClient,
) -> None:
    code = open_session(console)["join_code"]
    for language, meant in (
        ("da-DK", "da"),
        ("SV_se", "sv"),
        ("sv", "sv"),
        ("xx", "en"),
        ("", "en"),
    ):
        joined = console.post("/api/join", json={"code": code, "language": language})
        assert joined.status_code == 201 and joined.json()["language"] == meant


def test_a_refused_join_speaks_the_language_chosen_to_join_in(
    settings: Settings, facilitator: str
) -> None:
    with TestClient(create_app(replace(settings, max_participants=2)), base_url=ORIGIN) as app:
        app.headers["x-csrf-token"] = login(app)
        code = open_session(app)["join_code"]
        for _ in range(2):
            assert app.post("/api/join", json={"code": code}).status_code == 201

        def phone(accept_language: str) -> TestClient:
            client = TestClient(
                app.app, base_url=ORIGIN, headers={"accept-language": accept_language}
            )
            client.portal = app.portal  # the same running app
            return client

        # A JSON client: the body's language, not Accept-Language.
        for language, other in (("da", "en"), ("sv", "da"), ("en", "sv")):
            refused = phone(other).post("/api/join", json={"code": code, "language": language})
            assert refused.status_code == 409
            assert refused.json()["error"] == {"code": "session_full", "message": FULL[language]}
        # A tag with a region counts as its language, whatever its case; an
        # unknown one falls back to English (protocol.md, section 1).
        for language, meant in (("da-DK", "da"), ("SV_se", "sv"), ("en-GB", "en")):
            refused = phone("sv").post("/api/join", json={"code": code, "language": language})
            assert refused.json()["error"]["message"] == FULL[meant]
        # No language in the body: Accept-Language, as before.
        refused = phone("sv").post("/api/join", json={"code": code})
        assert refused.json()["error"]["message"] == FULL["sv"]

        # A phone set to English whose resident picks Dansk on the join page.
        english = phone("en")
        form = english.get(f"/join/{code}")
        assert '<html lang="en"' in form.text
        refused = english.post(
            f"/join/{code}", data={"csrf_token": csrf_of(form.text), "language": "da"}
        )
        assert refused.status_code == 409
        assert '<html lang="da"' in refused.text
        assert f'<p class="status status-error" role="alert">{FULL["da"]}</p>' in refused.text
        # A Danish phone that chose English earlier (its cookie), now picking Svenska.
        danish = phone("da")
        start = danish.get("/")
        switched = danish.post(
            "/language",
            data={"csrf_token": csrf_of(start.text), "language": "en", "next": f"/join/{code}"},
        )
        assert '<html lang="en"' in switched.text
        refused = danish.post(
            f"/join/{code}", data={"csrf_token": csrf_of(switched.text), "language": "sv"}
        )
        assert refused.status_code == 409
        assert f'<p class="status status-error" role="alert">{FULL["sv"]}</p>' in refused.text
        # Its cookie still says English: the next page is English again.
        assert '<html lang="en"' in danish.get("/").text


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps on one PostgreSQL and one Redis, as two workers would be."""
    with postgres_database() as url:
        settings = make_settings(tmp_path, "scaleout", database_url=url)
        from strategyroom import accounts
        from strategyroom.web.app import prepare_database

        db = prepare_database(settings)
        db.call(lambda s: accounts.add_facilitator(s, "alice", "correct horse battery"), True)
        db.dispose()
        with (
            TestClient(create_app(settings), base_url=ORIGIN) as a,
            TestClient(create_app(settings), base_url=ORIGIN) as b,
        ):
            yield a, b


def test_a_session_deleted_on_another_worker_is_not_served_from_memory(
    two_workers: tuple[TestClient, TestClient],
) -> None:
    a, b = two_workers
    b.headers["x-csrf-token"] = login(b)
    session = open_session(b)
    code = session["join_code"]
    # Worker A learns the code (and keeps it) while a phone joins there.
    phone = a.post("/api/join", json={"code": code}).json()
    assert b.delete(f"/api/sessions/{session['id']}").json() == {"deleted": session["id"]}

    again = a.post("/api/join", json={"code": code})
    assert again.status_code == 404
    assert again.json()["error"]["message"] == "There is no such session."
    with a.websocket_connect(f"/ws/participant/{code}?format=json") as ws:
        frame = json.loads(ws.receive_text())
        assert (frame["code"], frame["message"]) == (
            "not_found",
            f"No session has the code {code}. Please check it.",
        )
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 4404
    assert phone["number"] == 1


def test_the_counter_is_filled_in_for_sessions_from_before(tmp_path: Path) -> None:
    """Migration 0006 sets each session's count from its participants."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(migrate.alembic_config(url), "0005")
    engine = sa.create_engine(url)
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO facilitator VALUES (1, 'alice', 'x', '2026-01-01')"))
        for session_id, code, people in (("s1", "AAAAAA", 3), ("s2", "BBBBBB", 0)):
            db.execute(
                sa.text(
                    "INSERT INTO room_session (id, join_code, title, deck_id, deck_version,"
                    " deck, status, seq, epoch, created_by, created_at)"
                    " VALUES (:id, :code, 't', 'd', 'v', '{}', 'RUNNING', 0, 'e', 1,"
                    " '2026-01-01')"
                ),
                {"id": session_id, "code": code},
            )
            for n in range(1, people + 1):
                db.execute(
                    sa.text(
                        "INSERT INTO participant (id, session_id, token_hash, language,"
                        " joined_at, number, device) VALUES (:id, :s, :h, 'en',"
                        " '2026-01-01', :n, 'PHONE')"
                    ),
                    {"id": f"{session_id}-{n}", "s": session_id, "h": f"{session_id}{n}", "n": n},
                )
    migrate.upgrade(url)
    with engine.connect() as db:
        counts = db.execute(sa.text("SELECT id, joined FROM room_session ORDER BY id")).all()
    engine.dispose()
    assert [tuple(row) for row in counts] == [("s1", 3), ("s2", 0)]
