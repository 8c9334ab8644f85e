"""Two worker processes, one PostgreSQL and one Redis: participants on both see
every card, aggregates are exact, and when a worker is killed its participants
carry on at the other one with nothing lost or counted twice."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from strategyroom.store.db import Database
from strategyroom.store.models import Answer, AnswerReceipt
from tests.conftest import TEST_DECKS, postgres_database, require_redis
from tests.live import ApiFacilitator, LiveServer, Phone, two_live_workers

pytestmark = pytest.mark.scaleout
PASSWORD = "a long facilitator password"


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer, str]]:
    with postgres_database() as database_url:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": require_redis(),
            "STRATEGYROOM_PRESENCE_TTL": "3",
        }
        with two_live_workers(tmp_path, TEST_DECKS, env, PASSWORD) as (a, b):
            yield a, b, database_url


def test_two_workers_one_session(workers: tuple[LiveServer, LiveServer, str]) -> None:
    a, b, database_url = workers
    facilitator = ApiFacilitator(a.url, "maria", PASSWORD)
    code = facilitator.open_session()
    act, detail = facilitator.act, facilitator.detail

    on_a = [Phone(a.url, code) for _ in range(2)]
    on_b = [Phone(b.url, code) for _ in range(3)]
    phones = on_a + on_b
    for phone in phones:
        phone.connect()
    for card in (0, 1, 2, 3):
        act("show_card", card=card)
    for phone in phones:
        while phone.cards != [0, 1, 2, 3]:
            phone.receive()
    facilitator.wait_connected(5)

    act("open", question="street")
    for phone in phones:
        phone.until("event", "question_opened")
    choices = ["main", "main", "church", "none", "main"]
    for phone, choice in zip(phones, choices, strict=True):
        assert phone.answer("street", choice)["status"] == "stored"

    # Kill worker B outright: its phones move to A and go on answering.
    assert b.process is not None
    b.process.send_signal(signal.SIGKILL)
    b.process.wait(10)
    for phone in on_b[:2]:
        phone.connect(a.url, resume=True)
    changed = on_b[0].answer("street", "church")
    assert changed["status"] == "stored"
    retry_id = uuid.uuid4().hex
    assert on_b[1].answer("street", "church", answer_id=retry_id)["status"] == "stored"
    assert on_b[1].answer("street", "church", answer_id=retry_id)["status"] == "duplicate"
    act("show_card", card=4, close_open=True)  # closes "street", shows the next card
    for phone in on_a + on_b[:2]:
        phone.until("event", "card_shown")
        assert phone.cards[-1] == 4

    results = detail()["questions"]["street"]
    final = ["main", "main", "church", "church", "main"]
    assert results["answers"] == 5
    assert {o["option_id"]: o["count"] for o in results["results"]["options"]} == {
        "main": final.count("main"),
        "church": final.count("church"),
        "none": final.count("none"),
    }

    db = Database(database_url)
    with Session(db.engine) as s:
        stored = s.exec(select(func.count()).select_from(Answer)).one()
        receipts = s.exec(select(func.count()).select_from(AnswerReceipt)).one()
    db.dispose()
    assert stored == 5 and receipts == 5 + 2  # two changed answers, the retry added none

    # The phone that never came back stops counting once its worker's entries expire.
    facilitator.wait_connected(4)
    for phone in phones:
        phone.close()
    facilitator.close()
