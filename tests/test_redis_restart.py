"""Redis stops and starts in the middle of a session: answers given meanwhile are
stored exactly once, and once Redis is back every screen catches up."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.web.app import create_app, prepare_database
from tests.conftest import (
    ORIGIN,
    PASSWORD,
    act,
    login,
    make_settings,
    open_session,
    postgres_database,
)
from tests.live import RedisProcess
from tests.protocol import JsonParticipant

pytestmark = pytest.mark.scaleout


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def scaleout_settings(tmp_path: Path, redis_server: RedisProcess) -> Iterator[Settings]:
    with postgres_database() as url:
        settings = dataclasses.replace(
            make_settings(tmp_path, "scaleout", database_url=url), redis_url=redis_server.url
        )
        db = prepare_database(settings)
        db.call(lambda s: accounts.add_facilitator(s, "alice", PASSWORD), write=True)
        db.dispose()
        yield settings


def test_screens_catch_up_after_redis_comes_back(
    scaleout_settings: Settings, redis_server: RedisProcess
) -> None:
    with TestClient(create_app(scaleout_settings), base_url=ORIGIN) as console:
        console.headers["x-csrf-token"] = login(console)
        session = open_session(console)
        sid = session["id"]
        people = [JsonParticipant(console, session["join_code"]) for _ in range(3)]
        for person in people:
            person.connect()
        act(console, sid, "show_card", card=3)
        act(console, sid, "open", question="street")
        for person in people:
            person.expect_event("question_opened")

        redis_server.stop()
        # Answers are stored and acknowledged while Redis is away.
        for person, choice in zip(people, ["main", "church", "main"], strict=True):
            assert person.answer("street", choice)["status"] == "stored"
        retry = people[0].answer("street", "none", answer_id="while-down")
        assert people[0].answer("street", "none", answer_id="while-down")["status"] == "duplicate"
        assert retry["status"] == "stored"
        act(console, sid, "show_card", card=4)  # closes the question; nobody hears it yet

        redis_server.start()
        fresh = None
        for person in people:
            shown = person.expect_event("card_shown")  # replayed from the database
            assert shown["data"]["card"] == 4
            fresh = console.get(f"/api/sessions/{sid}").json()
            assert person.state == fresh["state"]
        assert fresh is not None
        street = fresh["questions"]["street"]
        assert street["answers"] == 3
        assert {o["option_id"]: o["count"] for o in street["results"]["options"]} == {
            "main": 1,
            "church": 1,
            "none": 1,
        }
        for person in people:
            person.close()
