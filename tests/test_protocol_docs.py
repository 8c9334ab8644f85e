"""The protocol as a client written from docs/protocol.md and docs/api.md alone
sees it: each place where such a client once had to guess, driven over HTTP and
websocket frames, with the exact frames the documents promise."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import act, open_session
from tests.protocol import JsonParticipant, receive_text

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
def participant(console: TestClient) -> Iterator[Callable[..., JsonParticipant]]:
    """Participants whose sockets are closed however the test ends (an open
    socket would keep the test client from shutting down)."""
    made: list[JsonParticipant] = []

    def make(code: str, language: str = "en") -> JsonParticipant:
        made.append(JsonParticipant(console, code, language))
        return made[-1]

    yield make
    for person in made:
        person.close()


def frame(person: JsonParticipant) -> dict[str, Any]:
    assert person.ws is not None
    return dict(json.loads(receive_text(person.ws)))


def test_a_resume_is_acknowledged_even_with_nothing_missed(
    console: TestClient, participant: Callable[..., JsonParticipant]
) -> None:
    session = open_session(console)
    person = participant(session["join_code"])
    person.connect()
    act(console, session["id"], "show_card", card=0)
    person.expect_event("card_shown")
    person.close()

    # Nothing happened meanwhile: the only frame says the resume was accepted.
    person.connect(resume=True)
    assert frame(person) == {"type": "resumed", "seq": 1}
    person.close()

    # Two events missed: they come first, then the same frame with the new seq.
    act(console, session["id"], "show_card", card=1)
    act(console, session["id"], "show_card", card=2)
    person.connect(resume=True)
    assert [frame(person)["seq"] for _ in range(2)] == [2, 3]
    assert frame(person) == {"type": "resumed", "seq": 3}
    person.close()


@pytest.mark.parametrize(
    "first",
    ["not json", '{"type": "answer", "question": "street"}', "[1, 2]"],
)
def test_a_first_message_that_is_not_a_hello_is_refused_then_closed(
    console: TestClient, participant: Callable[..., JsonParticipant], first: str
) -> None:
    session = open_session(console)
    person = participant(session["join_code"])
    with console.websocket_connect(person.socket_path) as ws:
        ws.send_text(first)
        error = json.loads(receive_text(ws))
        assert error["type"] == "error" and error["code"] == "invalid_message"
        assert error["message"] == "Start with a hello message carrying your token."
        with pytest.raises(WebSocketDisconnect) as closed:
            receive_text(ws)
        assert closed.value.code == 4401
    with console.websocket_connect(person.socket_path) as ws:
        ws.send_text(json.dumps({"type": "hello", "token": "not-a-token"}))
        assert json.loads(receive_text(ws))["code"] == "not_joined"
        with pytest.raises(WebSocketDisconnect) as closed:
            receive_text(ws)
        assert closed.value.code == 4401


def test_a_table_code_joins_that_table_and_every_socket_hears_of_it(
    console: TestClient,
    participant: Callable[..., JsonParticipant],
) -> None:
    session = open_session(console)
    code = session["join_code"]
    act(console, session["id"], "tables", count=3)
    watcher = participant(code)
    watcher.connect()

    # The code of table 2, typed as the start page takes it (§1, §9).
    joined = console.post("/api/join", json={"code": f"{code.lower()} - 2"})
    assert joined.status_code == 201
    assert (joined.json()["table"], joined.json()["device"]) == (2, "phone")
    moved = watcher.expect_event("participant_moved")
    assert moved["data"] == {"participant": joined.json()["participant"], "table": 2}
    # The same with the table in the body as well: they must agree.
    agreeing = console.post("/api/join", json={"code": f"{code}-3", "table": 3})
    assert agreeing.status_code == 201 and agreeing.json()["table"] == 3
    clash = console.post("/api/join", json={"code": f"{code}-3", "table": 1})
    assert clash.status_code == 400
    assert clash.json()["error"] == {
        "code": "invalid_message",
        "message": "The code is table 3's, but you asked for table 1.",
    }
    missing = console.post("/api/join", json={"code": f"{code}-9"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "This session has no table 9."
    watcher.close()


def test_cards_carry_help_descriptions_units_and_the_package_cap(
    console: TestClient, participant: Callable[..., JsonParticipant]
) -> None:
    session = open_session(console, deck="kiosk-test.yaml")
    person = participant(session["join_code"], language="da")
    person.connect()
    act(console, session["id"], "show_card", card=0)
    card = person.expect_event("card_shown")["card"]
    assert card["question"] == {
        "id": "spend",
        "type": "budget",
        "prompt": "Share out the money",
        "help": "Point over loftet afvises.",
        "scope": "individual",
        "reveal": "on_close",
        "options": [
            {
                "id": "bus",
                "label": "More buses",
                "description": "Hvert 10. minut",
                "attributes": {"co2": 300.0, "cost": 8.0},
            },
            {
                "id": "bike",
                "label": "Bike lanes",
                "description": "",
                "attributes": {"co2": 200.0, "cost": 2.0},
            },
        ],
        "total": 10,
        "currency": "DKK",
        "unit": "mio. kr.",
        "package": {
            "cap_attribute": "cost",
            "cap": 5.0,
            "label": "Udgift",
            "unit": "mDKK",
            "currency": "DKK",
        },
    }
    # With the cap and the attributes a client sees this answer is over it
    # (8 × 10 / 10 = 8 > 5) before sending; the server refuses it all the same.
    act(console, session["id"], "open", question="spend")
    assert person.answer("spend", {"bus": 10})["code"] == "invalid_answer"
    assert person.answer("spend", {"bus": 3, "bike": 7})["status"] == "stored"

    act(console, session["id"], "show_card", card=1, close_open=True)
    scale = person.expect_event("card_shown")["card"]["question"]
    assert (scale["reveal"], scale["help"], scale["options"]) == ("manual", "", [])
    person.close()


def test_a_manual_reveal_question_closes_unrevealed_until_revealed(
    console: TestClient, participant: Callable[..., JsonParticipant]
) -> None:
    session = open_session(console, deck="kiosk-test.yaml")
    person = participant(session["join_code"])
    person.connect()
    for action, fields in (("show_card", {"card": 1}), ("open", {"question": "support"})):
        act(console, session["id"], action, **fields)
    assert person.answer("support", 4)["status"] == "stored"
    act(console, session["id"], "close", question="support")
    closed = person.expect_event("question_closed")
    assert closed["data"] == {"question": "support", "revealed": False}
    assert "results" not in closed
    act(console, session["id"], "reveal", question="support")
    revealed = person.expect_event("results_revealed")
    assert revealed["results"]["respondents"] == 1
    person.close()


def test_refused_actions_say_why_with_a_documented_code(console: TestClient) -> None:
    session = open_session(console)  # town-test: 11 cards, 0 to 10
    sid = session["id"]
    beyond = console.post(f"/api/sessions/{sid}/actions", json={"action": "show_card", "card": 11})
    assert beyond.status_code == 400
    assert beyond.json()["error"] == {
        "code": "invalid_message",
        "message": "There is no card 11: the deck's cards are numbered 0 to 10.",
    }
    early = console.post(
        f"/api/sessions/{sid}/actions", json={"action": "open", "question": "street"}
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "illegal_transition"
    unknown = console.post(f"/api/sessions/{sid}/actions", json={"action": "open", "question": "x"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    api = (DOCS / "api.md").read_text(encoding="utf-8")
    for code in ("invalid_message", "illegal_transition", "not_found"):
        assert f"`{code}`" in api
