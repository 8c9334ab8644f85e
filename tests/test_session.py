"""A whole session over real websockets: a facilitator, three JSON participants
(en, da, sv) and one browser participant, through every question type, with
changed answers, retries and bad input, checked against figures computed here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from statistics import median
from typing import Any

import pytest
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from strategyroom.store.models import Answer, AnswerReceipt, SessionEvent
from tests.conftest import ORIGIN, act, open_session
from tests.protocol import JsonParticipant, receive_text, receive_until

# Each test runs embedded and in scale-out mode (tests/modes.py).
pytestmark = pytest.mark.both_modes

CARD = {
    "hello": 0,
    "evidence": 2,
    "street": 3,
    "measures": 4,
    "support": 5,
    "priorities": 7,
    "budget": 8,
    "comment": 9,
}


def percent(count: int, total: int) -> float:
    return float(Fraction(100 * count, total))


class Room:
    """The facilitator, the participants and the console socket of one session."""

    def __init__(self, console: TestClient, browser_client: TestClient) -> None:
        self.console = console
        self.info = open_session(console)
        self.id = self.info["id"]
        self.code = self.info["join_code"]
        self.people = {
            lang: JsonParticipant(console, self.code, lang) for lang in ("en", "da", "sv")
        }
        for person in self.people.values():
            snapshot = person.connect()
            assert snapshot["status"] == "lobby" and snapshot["card"] is None
        # A browser participant, joining through the pages with its own cookies.
        self.browser = browser_client
        join_page = self.browser.get(f"/join/{self.code.lower()}")
        assert join_page.status_code == 200
        csrf = join_page.text.split('name="csrf_token" value="')[1].split('"')[0]
        joined = self.browser.post(
            f"/join/{self.code}",
            data={"csrf_token": csrf, "language": "en"},
            follow_redirects=False,
        )
        assert joined.headers["location"] == f"/s/{self.code}"
        page = self.browser.get(f"/s/{self.code}")
        assert f'ws-connect="/ws/participant/{self.code}"' in page.text
        self.phone = self.browser.websocket_connect(
            f"/ws/participant/{self.code}", headers={"origin": ORIGIN}
        ).__enter__()
        self.stage = receive_text(self.phone)
        assert "waiting room" in self.stage
        self.screen = console.websocket_connect(
            f"/ws/console/{self.id}", headers={"origin": ORIGIN}
        ).__enter__()
        assert 'id="console-live"' in receive_text(self.screen)

    def disconnect(self) -> None:
        for person in self.people.values():
            person.close()
        self.phone.__exit__(None, None, None)
        self.screen.__exit__(None, None, None)

    def show(self, name: str) -> None:
        act(self.console, self.id, "show_card", card=CARD[name])
        for person in self.people.values():
            frame = person.expect_event("card_shown")
            assert frame["data"]["card"] == CARD[name]

    def open(self, question: str) -> None:
        act(self.console, self.id, "open", question=question)
        for person in self.people.values():
            person.expect_event("question_opened")
        self.phone_until('id="answer-form"')

    def phone_until(self, needle: str) -> str:
        """Read the browser participant's frames until one contains ``needle``,
        remembering the newest stage (its form carries the answer id)."""
        while True:
            frame = receive_text(self.phone)
            if 'id="stage"' in frame:
                self.stage = frame
            if needle in frame:
                return frame

    def close(self, question: str) -> list[dict[str, Any]]:
        act(self.console, self.id, "close", question=question)
        return [person.expect_event("question_closed") for person in self.people.values()]

    def phone_answer(self, question: str, **fields: Any) -> str:
        """Answer from the browser page the way htmx's ws-send does: form fields as JSON."""
        nonce = self.stage.split('name="answer_id" value="')[1].split('"')[0]
        message = {
            "type": "answer",
            "question": question,
            "answer_id": nonce,
            **fields,
            "HEADERS": {"HX-Request": "true", "HX-Trigger": "answer-form"},
        }
        self.phone.send_text(json.dumps(message))
        while True:
            reply = receive_text(self.phone)
            if 'id="stage"' in reply:
                self.stage = reply
            if 'id="answer-status"' in reply:
                return reply

    def results(self, question: str) -> dict[str, Any]:
        detail = self.console.get(f"/api/sessions/{self.id}").json()
        return detail["questions"][question]


@pytest.fixture
def room(console: TestClient, browser: Any) -> Iterator[Room]:
    room = Room(console, browser())
    yield room
    room.disconnect()


def test_cards_reach_every_screen_in_its_language(room: Room) -> None:
    act(room.console, room.id, "show_card", card=0)
    titles = {
        lang: p.expect_event("card_shown")["card"]["title"] for lang, p in room.people.items()
    }
    assert titles == {"en": "Welcome", "da": "Velkommen", "sv": "Välkommen"}
    assert '<h1 class="card-title">Welcome</h1>' in room.phone_until('id="stage"')
    assert "Showing card 1 of 11" in receive_until(room.screen, 'id="console-live"')

    # Jump ahead to the evidence card, then go back one.
    room.show("evidence")
    evidence = room.people["en"].card["evidence"]
    assert [e["value"] for e in evidence] == [2500000, 120, None]
    assert evidence[2]["text"] == "Shops, residents & <b>drivers</b>"
    stage = room.phone_until("What it costs")
    assert "Shops, residents &amp; &lt;b&gt;drivers&lt;/b&gt;" in stage
    act(room.console, room.id, "show_card", card=1)
    assert room.people["da"].expect_event("card_shown")["card"]["title"] == "Færre biler i midtbyen"

    # Showing the card already shown changes nothing: no new event.
    before = room.console.get(f"/api/sessions/{room.id}").json()["state"]["seq"]
    act(room.console, room.id, "show_card", card=1)
    assert room.console.get(f"/api/sessions/{room.id}").json()["state"]["seq"] == before


def test_whole_session_every_question_type(room: Room, settings: Any) -> None:
    en, da, sv = room.people["en"], room.people["da"], room.people["sv"]
    act(room.console, room.id, "show_card", card=0)
    for person in room.people.values():
        person.expect_event("card_shown")

    # -- single choice, with a changed answer, a retry and bad input ----------------
    room.show("street")
    assert en.answer("street", "main")["code"] == "question_not_open"
    room.open("street")
    first = en.answer("street", "main", answer_id="en-street-1")
    assert first == {
        "type": "ack",
        "answer_id": "en-street-1",
        "question": "street",
        "status": "stored",
        "value": "main",
    }
    retry = en.answer("street", "main", answer_id="en-street-1")
    assert retry["status"] == "duplicate"
    assert da.answer("street", "church")["status"] == "stored"
    assert da.answer("street", "main")["status"] == "stored"  # changed her mind
    assert sv.answer("street", "none")["status"] == "stored"
    bad = en.answer("street", "bus")
    assert bad["code"] == "invalid_answer" and bad["message"] == "That is not one of the options."
    assert da.answer("street", "bus")["message"] == "Det er ikke en af mulighederne."
    assert en.answer("nonsense", "x")["code"] == "not_found"
    stage = room.phone_answer("street", value="church")
    assert "Your answer is counted." in stage and 'value="church" checked' in stage
    # The console's live counts reach the exact total, and it shows the same
    # figures as text beside each bar. (The count and the figures are read one
    # after the other, so one update may have the fourth answer in one but not
    # the other; the next update, due after every commit, has it in both.)
    figures = [
        f'<span class="result-label">{label}</span> <span class="result-figure">{figure}</span>'
        for label, figure in (
            ("Main Street", "2 · 50%"),
            ("Church Lane", "1 · 25%"),
            ("Neither", "1 · 25%"),
        )
    ]
    screen = ""
    while 'id="count-answered">4<' not in screen or not all(f in screen for f in figures):
        screen = " ".join(receive_text(room.screen).split())
    live = room.results("street")
    assert live["answers"] == 4
    assert live["results"]["options"] == [
        {"option_id": "main", "count": 2, "percent": 50.0},
        {"option_id": "church", "count": 1, "percent": 25.0},
        {"option_id": "none", "count": 1, "percent": 25.0},
    ]
    closed = room.close("street")
    assert all(frame["data"]["revealed"] for frame in closed)
    assert closed[0]["results"]["options"][0]["count"] == 2
    late = en.answer("street", "main")
    assert late["code"] == "question_not_open"
    assert late["message"] == "This question has closed; answers are locked."
    assert "answers are locked" in room.phone_until("answers are locked")

    # -- multiple choice with a maximum ------------------------------------------------
    room.show("measures")
    room.open("measures")
    assert en.answer("measures", ["bus", "bike"])["value"] == ["bus", "bike"]
    assert da.answer("measures", ["bike"])["status"] == "stored"
    assert (
        en.answer("measures", ["bus", "bike", "park"])["message"]
        == "Please choose at most 2 options."
    )
    assert sv.answer("measures", ["bike", "bike"])["code"] == "invalid_answer"
    assert sv.answer("measures", ["park", "bike"])["value"] == ["bike", "park"]
    room.close("measures")
    assert room.results("measures")["results"]["options"] == [
        {"option_id": "bus", "count": 1, "percent": percent(1, 3)},
        {"option_id": "bike", "count": 3, "percent": 100.0},
        {"option_id": "park", "count": 1, "percent": percent(1, 3)},
    ]

    # -- scale, revealed by hand -------------------------------------------------------
    room.show("support")
    room.open("support")
    scores = {"en": 5, "da": 4, "sv": 2}
    assert en.answer("support", 6)["message"] == "Please choose a value from 1 to 5."
    assert en.answer("support", "abc")["message"] == "Please give a whole number."
    for lang, score in scores.items():
        assert room.people[lang].answer("support", score)["status"] == "stored"
    assert "Your answer is counted." in room.phone_answer("support", value="4")
    closed = room.close("support")
    assert not closed[0]["data"]["revealed"] and "results" not in closed[0]
    act(room.console, room.id, "reveal", question="support")
    revealed = en.expect_event("results_revealed")
    values = [5, 4, 2, 4]
    assert revealed["results"]["mean"] == sum(values) / 4
    assert revealed["results"]["median"] == median(values)
    assert [s["count"] for s in revealed["results"]["distribution"]] == [0, 1, 0, 2, 1]

    # -- ranking ---------------------------------------------------------------------
    room.show("priorities")
    room.open("priorities")
    assert en.answer("priorities", ["heat", "heat", "trees"])["message"] == (
        "Each option can have only one place in the ranking."
    )
    assert en.answer("priorities", ["heat", "solar"])["message"] == (
        "Please give every option a place in the ranking."
    )
    orders = {
        "en": ["heat", "solar", "trees"],
        "da": ["solar", "heat", "trees"],
        "sv": ["trees", "solar", "heat"],
    }
    for lang, order in orders.items():
        assert room.people[lang].answer("priorities", order)["status"] == "stored"
    room.close("priorities")
    ranking = {r["option_id"]: r for r in room.results("priorities")["results"]["options"]}
    for option in ("heat", "solar", "trees"):
        places = [order.index(option) + 1 for order in orders.values()]
        assert ranking[option]["borda"] == sum(3 - place for place in places)
        assert ranking[option]["mean_rank"] == pytest.approx(sum(places) / 3)

    # -- budget -----------------------------------------------------------------------
    room.show("budget")
    room.open("budget")
    assert en.answer("budget", {"heat": 50, "solar": 40})["message"] == (
        "The points must add up to 100; these add up to 90."
    )
    assert (
        en.answer("budget", {"heat": 110, "solar": -10})["message"] == "Points cannot be negative."
    )
    assert en.answer("budget", {"heat": 100, "wind": 0})["code"] == "invalid_answer"
    assert en.answer("budget", {"heat": 50, "solar": 50})["value"] == {
        "heat": 50,
        "solar": 50,
        "trees": 0,
    }
    assert da.answer("budget", {"heat": 20, "solar": 30, "trees": 50})["status"] == "stored"
    stage = room.phone_answer(
        "budget", **{"points:heat": "10", "points:solar": "10", "points:trees": "70"}
    )
    assert "add up to 100; these add up to 90" in stage and 'role="alert"' in stage
    room.close("budget")
    budget = {r["option_id"]: r for r in room.results("budget")["results"]["options"]}
    assert {k: (v["sum"], v["mean"], v["share"]) for k, v in budget.items()} == {
        "heat": (70, 35.0, 35.0),
        "solar": (80, 40.0, 40.0),
        "trees": (50, 25.0, 25.0),
    }

    # -- free text, with hostile text ---------------------------------------------------
    room.show("comment")
    room.open("comment")
    assert (
        en.answer("comment", "x" * 51)["message"] == "Please keep it to 50 characters (this is 51)."
    )
    assert en.answer("comment", "   ")["message"] == "Please write a short comment."
    assert en.answer("comment", "<script>alert(1)</script>")["status"] == "stored"
    assert da.answer("comment", "Mere cykelsti =HYPERLINK()")["status"] == "stored"
    screen = receive_until(room.screen, "Mere cykelsti")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in screen and "<script>alert" not in screen
    room.close("comment")
    comments = room.results("comment")["results"]["comments"]
    assert [c["text"] for c in comments] == [
        "Mere cykelsti =HYPERLINK()",
        "<script>alert(1)</script>",
    ]

    # -- the end --------------------------------------------------------------------------
    act(room.console, room.id, "end")
    for person in room.people.values():
        person.expect_event("session_ended")
    assert "Thank you!" in room.phone_until("Thank you!")
    gone = room.console.post("/api/join", json={"code": room.code, "language": "en"})
    assert gone.status_code == 410

    # Every participant's folded state equals a fresh snapshot.
    fresh = room.console.get(f"/api/sessions/{room.id}").json()["state"]
    for person in room.people.values():
        assert person.state == fresh

    # What was stored: one current answer per participant and question, and one
    # receipt per accepted submission (the retry added none).
    from strategyroom.store.db import Database

    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        per_question = dict(
            s.exec(select(Answer.question_id, func.count()).group_by(Answer.question_id)).all()
        )
        receipts = s.exec(select(func.count()).select_from(AnswerReceipt)).one()
        actors = set(s.exec(select(SessionEvent.actor)).all())
    db.dispose()
    assert per_question == {
        "street": 4,
        "measures": 3,
        "support": 4,
        "priorities": 3,
        "budget": 2,
        "comment": 2,
    }
    # street: en, da x2, sv, phone; support: +phone; budget: phone failed, so not stored.
    assert receipts == 5 + 3 + 4 + 3 + 2 + 2
    assert actors == {"alice"}
