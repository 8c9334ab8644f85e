"""The facilitator's flow over the JSON protocol: moving on while a question is
open asks first (close it without revealing, or keep it open), a closed
question can be reopened (its totals unfrozen, frozen again at the next close,
the audit log records it), and revealing never happens as a side effect."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.store.db import Database
from strategyroom.store.models import QuestionRun, SessionEvent
from tests.conftest import ORIGIN, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_text, receive_until

pytestmark = pytest.mark.both_modes

STREET, MEASURES, SUPPORT = 3, 4, 5  # cards of tests/decks/town-test.yaml


class Facilitator:
    def __init__(self, console: TestClient, session_id: str) -> None:
        self.console, self.id = console, session_id

    def act(self, action: str, status: int = 200, **fields: Any) -> dict[str, Any]:
        response = self.console.post(
            f"/api/sessions/{self.id}/actions", json={"action": action, **fields}
        )
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def detail(self) -> dict[str, Any]:
        body: dict[str, Any] = self.console.get(f"/api/sessions/{self.id}").json()
        return body


def frozen(settings: Settings, session_id: str, question: str) -> dict[str, Any] | None:
    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        run = s.get_one(QuestionRun, (session_id, question))
        value = run.frozen_results
    db.dispose()
    return value


def audit(settings: Settings, session_id: str) -> list[tuple[str, dict[str, Any], str | None]]:
    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        rows = s.exec(
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id)
            .order_by(col(SessionEvent.seq))
        ).all()
        found = [(r.name, r.data, r.actor) for r in rows]
    db.dispose()
    return found


def test_moving_on_asks_closes_without_revealing_and_reopens(
    console: TestClient, settings: Settings, sockets: list[Any]
) -> None:
    session = open_session(console)
    boss = Facilitator(console, session["id"])
    en = JsonParticipant(console, session["join_code"])
    da = JsonParticipant(console, session["join_code"], "da")
    for person in (en, da):
        sockets.append(person)
        person.connect()
    boss.act("show_card", card=STREET)
    boss.act("open", question="street")
    assert en.answer("street", "main")["status"] == "stored"

    # "Next card" with the question open is refused, in the facilitator's words.
    refused = boss.act("show_card", status=409, card=MEASURES)
    assert refused["error"]["code"] == "question_open"
    assert refused["error"]["message"] == (
        "A question is still open. Close it and go on, or go on and keep it open."
    )
    assert boss.act("show_card", 400, card=MEASURES, close_open=True, keep_open=True)
    assert boss.detail()["state"]["current_card"] == STREET

    # Close it and go on: closed WITHOUT revealing, although the deck reveals at close.
    boss.act("show_card", card=MEASURES, close_open=True)
    closed = en.expect_event("question_closed")
    assert closed["data"] == {"question": "street", "revealed": False}
    assert "results" not in closed
    assert en.expect_event("card_shown")["data"] == {"card": MEASURES}
    assert frozen(settings, session["id"], "street") is not None
    assert da.answer("street", "church")["code"] == "question_not_open"

    # Reopening needs the question's card on the screens.
    wrong_card = boss.act("reopen", 409, question="street")
    assert wrong_card["error"]["message"] == (
        "Show the question's card before opening the question."
    )
    assert boss.act("reopen", 409, question="support")["error"]["message"] == (
        "This question has not been opened yet."
    )
    boss.act("show_card", card=STREET)
    boss.act("reopen", question="street")
    assert en.expect_event("question_reopened")["data"] == {"question": "street"}
    assert en.state["questions"]["street"] == {"state": "open", "revealed": False}
    assert frozen(settings, session["id"], "street") is None
    before = boss.detail()["state"]["seq"]
    boss.act("reopen", question="street")  # already open: nothing happens
    assert boss.detail()["state"]["seq"] == before

    # Answers are taken again; the question's own Close reveals, as the deck says.
    assert da.answer("street", "church")["status"] == "stored"
    boss.act("close", question="street")
    closed = en.expect_event("question_closed")
    assert closed["data"] == {"question": "street", "revealed": True}
    assert [o["count"] for o in closed["results"]["options"]] == [1, 1, 0]
    refrozen = frozen(settings, session["id"], "street")
    assert refrozen is not None and refrozen["respondents"] == 2
    assert boss.detail()["questions"]["street"]["results"]["respondents"] == 2

    log = [(name, data, actor) for name, data, actor in audit(settings, session["id"])]
    assert [name for name, _, _ in log if "question" in name] == [
        "question_opened",
        "question_closed",
        "question_reopened",
        "question_closed",
    ]
    assert ("question_reopened", {"question": "street"}, "alice") in log

    # Every client's folded state equals a fresh snapshot.
    fresh = boss.detail()["state"]
    for person in (en, da):
        while person.state["seq"] < fresh["seq"]:
            person.expect("event")
        assert person.state == fresh


def test_keeping_a_question_open_while_the_next_card_shows(
    console: TestClient, sockets: list[Any]
) -> None:
    session = open_session(console)
    boss = Facilitator(console, session["id"])
    en = JsonParticipant(console, session["join_code"])
    sockets.append(en)
    en.connect()
    boss.act("show_card", card=MEASURES)
    boss.act("open", question="measures")
    en.expect_event("question_opened")

    boss.act("show_card", card=SUPPORT, keep_open=True)
    assert en.expect_event("card_shown")["data"] == {"card": SUPPORT}
    assert en.state["questions"]["measures"] == {"state": "open", "revealed": False}
    # A phone half-way through still gets its answer in.
    assert en.answer("measures", ["bus"])["status"] == "stored"

    # One question is open at a time: the next one waits for the first to close.
    refused = boss.act("open", 409, question="support")
    assert refused["error"]["message"] == "Another question is still open: close it first."
    boss.act("close", question="measures")
    assert en.expect_event("question_closed")["data"] == {
        "question": "measures",
        "revealed": True,
    }
    boss.act("open", question="support")
    assert en.answer("support", 4)["status"] == "stored"

    # Ending the session closes the open question without revealing it.
    boss.act("end")
    closed = en.expect_event("question_closed")
    assert closed["data"] == {"question": "support", "revealed": False}
    en.expect_event("session_ended")
    assert en.state == boss.detail()["state"]


def _form_of(stage: str, question: str) -> str:
    """The answer form on a phone's stage, which must be for ``question``."""
    assert stage.count('id="answer-form"') == 1, stage
    assert stage.count('id="answer-status"') == 1, stage
    form = stage.split('id="answer-form"', 1)[1].split("</form>", 1)[0]
    assert f'name="question" value="{question}"' in form
    return form


def test_a_phone_answers_a_question_kept_open_on_its_page(
    console: TestClient, browser: Any
) -> None:
    """A question kept open while the next card shows keeps its form on the
    HTML phone (the page, the live update, the receipt), under the new card."""
    session = open_session(console)
    boss = Facilitator(console, session["id"])
    code = session["join_code"]
    phone = browser()
    page = phone.get(f"/join/{code}")
    phone.post(f"/join/{code}", data={"csrf_token": csrf_of(page.text), "language": "da"})
    with phone.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        receive_text(ws)
        boss.act("show_card", card=MEASURES)
        boss.act("open", question="measures")
        receive_until(ws, 'id="answer-form"')

        boss.act("show_card", card=SUPPORT, keep_open=True)
        stage = receive_until(ws, 'id="stage"')
        form = _form_of(stage, "measures")
        assert "Hvilke tiltag" not in form  # the deck has no Danish prompt: English
        assert "Which measures do you support?" in form
        assert (
            "Spørgsmålet fra et tidligere kort er stadig åbent: "
            "Du kan svare, indtil mødelederen lukker det." in stage
        )
        # The shown card's own question waits for the kept one to close.
        assert "Mødelederen åbner snart spørgsmålet." in stage
        assert "How much do you support fewer cars?" in stage

        nonce = form.split('name="answer_id" value="')[1].split('"')[0]
        ws.send_text(
            json.dumps(
                {
                    "type": "answer",
                    "question": "measures",
                    "answer_id": nonce,
                    "value": ["bus", "park"],
                    "HEADERS": {"HX-Request": "true", "HX-Trigger": "answer-form"},
                }
            )
        )
        receipt = receive_until(ws, 'id="answer-status"')
        form = _form_of(receipt, "measures")
        assert "Dit svar er talt med." in receipt
        assert 'value="bus" checked' in form and 'value="park" checked' in form
        assert 'value="bike" checked' not in form

    # The page loaded afresh shows the form with the counted answer.
    again = phone.get(f"/s/{code}").text
    form = _form_of(again, "measures")
    assert 'value="bus" checked' in form and 'value="park" checked' in form
    assert "Ændr svar" in form
    assert boss.detail()["questions"]["measures"]["answers"] == 1

    # Closed, it leaves the phone's screen; the shown card's question can open.
    boss.act("close", question="measures")
    again = phone.get(f"/s/{code}").text
    assert 'id="answer-form"' not in again and "Which measures" not in again
    boss.act("open", question="support")
    assert 'name="question" value="support"' in _form_of(phone.get(f"/s/{code}").text, "support")
