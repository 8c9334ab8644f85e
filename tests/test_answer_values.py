"""What an answer frame may carry: an answer id names one answer to one
question, and a value must have the documented JSON type (docs/protocol.md,
"Answering"); the HTML form's fields are converted explicitly, JSON is strict."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import act, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_until

# Each test runs embedded and in scale-out mode (tests/modes.py).
pytestmark = pytest.mark.both_modes


def answers_to(console: TestClient, session: dict[str, Any], question: str) -> int:
    detail = console.get(f"/api/sessions/{session['id']}").json()
    return int(detail["questions"][question]["answers"])


def test_an_answer_id_reused_on_another_question_is_refused_not_lost(
    console: TestClient,
) -> None:
    session = open_session(console)
    sid = session["id"]
    person = JsonParticipant(console, session["join_code"])
    person.connect()
    try:
        act(console, sid, "show_card", card=3)
        act(console, sid, "open", question="street")
        assert person.answer("street", "main", answer_id="one")["status"] == "stored"
        act(console, sid, "show_card", card=4, close_open=True)
        act(console, sid, "open", question="measures")
        refused = person.answer("measures", ["bus"], answer_id="one")
        assert refused == {
            "type": "error",
            "code": "answer_id_reused",
            "message": "This answer id was already used for another question. "
            "Send this answer with a new id.",
            "answer_id": "one",
        }
        assert answers_to(console, session, "measures") == 0
        # A retry on the question it was first used for is still a retry.
        again = person.answer("street", "church", answer_id="one")
        assert again["status"] == "duplicate" and again["value"] == "main"
        stored = person.answer("measures", ["bus"], answer_id="two")
        assert stored["status"] == "stored" and stored["value"] == ["bus"]
        assert answers_to(console, session, "measures") == 1
    finally:
        person.close()


# Card, question and a value of the wrong JSON type that the server used to coerce.
COERCED = [
    (5, "support", "4"),
    (5, "support", " 4 "),
    (5, "support", 4.0),
    (5, "support", True),
    (3, "street", ["main"]),
    (4, "measures", "bus"),
    (7, "priorities", "heat"),
    (8, "budget", {"heat": "60", "solar": "40"}),
    (8, "budget", {"heat": 60, "solar": None, "trees": 40}),
    (9, "comment", 5),
    (9, "comment", ["hello"]),
]
# The same questions answered with the documented types.
TYPED = {
    "support": 4,
    "street": "main",
    "measures": ["bus"],
    "priorities": ["heat", "solar", "trees"],
    "budget": {"heat": 60, "trees": 40},
    "comment": "hello",
}


def test_json_values_of_the_wrong_type_are_refused_not_coerced(console: TestClient) -> None:
    session = open_session(console)
    sid = session["id"]
    person = JsonParticipant(console, session["join_code"])
    person.connect()
    typed = dict(TYPED)
    try:
        shown = None
        for card, question, value in COERCED:
            if card != shown:
                act(console, sid, "show_card", card=card, close_open=True)
                act(console, sid, "open", question=question)
                shown = card
            refused = person.answer(question, value, answer_id="wrong")
            assert refused["type"] == "error", (question, value, refused)
            assert refused["code"] == "invalid_answer" and refused["answer_id"] == "wrong"
            # Nothing stored: the count is the typed answer's alone, once given.
            expected = 0 if question in typed else 1
            assert answers_to(console, session, question) == expected, (question, value)
            if question in typed:
                stored = person.answer(question, typed.pop(question))
                assert stored["status"] == "stored", (question, stored)
                if question == "budget":  # a missing option counts 0
                    assert stored["value"] == {"heat": 60, "solar": 0, "trees": 40}
    finally:
        person.close()


def test_the_html_form_sends_text_fields_and_they_are_converted(
    console: TestClient, browser: Any
) -> None:
    session = open_session(console)
    sid, code = session["id"], session["join_code"]
    phone = browser()
    csrf = csrf_of(phone.get(f"/join/{code}").text)
    assert phone.post(f"/join/{code}", data={"csrf_token": csrf}).url.path == f"/s/{code}"
    # What htmx's json-enc sends: every field a string, one checkbox a string,
    # an empty budget field "".
    forms = [
        (5, "support", {"value": "4"}, 4),
        (4, "measures", {"value": "bus"}, ["bus"]),
        (8, "budget", {"points:heat": "60", "points:solar": "", "points:trees": "40"}, None),
    ]
    with phone.websocket_connect(f"/ws/participant/{code}") as ws:
        receive_until(ws, 'id="stage"')
        for card, question, fields, _ in forms:
            act(console, sid, "show_card", card=card, close_open=True)
            act(console, sid, "open", question=question)
            # The open question's stage first, so later frames are the answer's own.
            receive_until(ws, "The question is open")
            ws.send_text(
                json.dumps(
                    {"type": "answer", "question": question, "answer_id": question, **fields}
                )
            )
            receive_until(ws, "Your answer is counted.")
            assert answers_to(console, session, question) == 1, question
        ws.send_text(
            json.dumps({"type": "answer", "question": "budget", "answer_id": "b2", "value": "x"})
        )
        assert "status-error" in receive_until(ws, 'id="answer-status"')
