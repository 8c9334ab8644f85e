"""Redis stops and starts in the middle of a session: answers given meanwhile are
stored exactly once, and once Redis is back every screen catches up, on every
worker, whichever worker the facilitator acts on."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.web.app import create_app, prepare_database
from tests.conftest import (
    ORIGIN,
    PASSWORD,
    TEST_DECKS,
    act,
    login,
    make_settings,
    open_session,
    postgres_database,
)
from tests.live import ApiFacilitator, LiveServer, Phone, RedisProcess, two_live_workers
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
        act(
            console, sid, "show_card", card=4, close_open=True
        )  # closes the question; nobody hears it yet

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


@pytest.fixture
def two_workers(
    tmp_path: Path, redis_server: RedisProcess
) -> Iterator[tuple[LiveServer, LiveServer]]:
    with postgres_database() as database_url:
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis_server.url}
        with two_live_workers(tmp_path, TEST_DECKS, env, PASSWORD) as pair:
            yield pair


def times_back(workers: tuple[LiveServer, ...]) -> list[int]:
    """How often each worker has logged that Redis is back."""
    return [w.log.read_text().count("is back") for w in workers]


def wait_until_back(workers: tuple[LiveServer, ...], before: list[int]) -> None:
    """Until every worker has logged once more than ``before`` that Redis is back."""
    deadline = time.monotonic() + 30
    while True:
        counts = times_back(workers)
        if all(now > then for now, then in zip(counts, before, strict=True)):
            return
        assert time.monotonic() < deadline, f"workers logged Redis back {counts} times"
        time.sleep(0.1)


def console_socket(server: LiveServer, facilitator: ApiFacilitator) -> ClientConnection:
    cookie = "; ".join(f"{k}={v}" for k, v in facilitator.http.cookies.items())
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/console/{facilitator.session_id}",
        origin=Origin(server.url),
        additional_headers={"Cookie": cookie},
        proxy=None,
    )


def wait_answered(console: ClientConnection, expected: int) -> None:
    """Until the console shows ``expected`` answers (it is sent when the count changes)."""
    deadline = time.monotonic() + 30
    seen = None
    while seen != expected:
        assert time.monotonic() < deadline, f"the console shows {seen} answered, not {expected}"
        try:
            frame = str(console.recv(timeout=deadline - time.monotonic()))
        except TimeoutError:
            continue
        found = re.search(r'id="count-answered">(\d+)<', frame)
        if found:
            seen = int(found.group(1))


def test_every_phone_on_two_workers_gets_every_card_across_redis_restarts(
    two_workers: tuple[LiveServer, LiveServer], redis_server: RedisProcess
) -> None:
    a, b = two_workers
    facilitator = ApiFacilitator(a.url, "maria", PASSWORD)
    code = facilitator.open_session()
    phones = [Phone(a.url, code) for _ in range(2)] + [Phone(b.url, code) for _ in range(2)]
    shown: list[int] = []

    def show(card: int) -> None:
        facilitator.act("show_card", card=card)
        shown.append(card)

    def every_phone_has_every_card() -> None:
        for number, phone in enumerate(phones):
            while phone.cards != shown:
                assert len(phone.cards) < len(shown), (phone.cards, shown)
                try:
                    phone.receive()
                except TimeoutError:
                    worker = "A" if phone.base_url == a.url else "B"
                    pytest.fail(f"phone {number} on {worker} has cards {phone.cards} of {shown}")

    with contextlib.ExitStack() as stack:
        for phone in phones:
            phone.connect()
            stack.callback(phone.close)
        consoles = [stack.enter_context(console_socket(w, facilitator)) for w in (a, b)]
        show(0)
        every_phone_has_every_card()
        # Four restarts, each between two facilitator actions on worker A; in
        # two of them the facilitator also acts while Redis is away.
        for while_away, card in ((5, 1), (None, 2), (6, 4), (None, 3)):
            before = times_back((a, b))
            redis_server.stop()
            if while_away is not None:
                show(while_away)  # stored, but nobody hears of it now
            time.sleep(1)
            redis_server.start()
            wait_until_back((a, b), before)
            show(card)
            every_phone_has_every_card()

        # Answers given on worker A while Redis is away reach both consoles' counts.
        facilitator.act("open", question="street")
        for phone in phones:
            phone.until("event", "question_opened")
        before = times_back((a, b))
        redis_server.stop()
        for phone, choice in zip(phones[:2], ["main", "church"], strict=True):
            assert phone.answer("street", choice)["status"] == "stored"
        time.sleep(1)
        redis_server.start()
        wait_until_back((a, b), before)
        for console in consoles:
            wait_answered(console, 2)
    facilitator.close()
