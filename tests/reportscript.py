"""A scripted session of the report-test deck, played through the app as a
facilitator and residents would (HTTP actions, participant websockets), and
the answers it gives, so the report tests can compute every figure themselves."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from strategyroom.decks import load_deck
from strategyroom.decks.schema import PREFER_NOT_TO_SAY
from tests.conftest import TEST_DECKS, act, open_session
from tests.protocol import JsonParticipant

DECK = load_deck(TEST_DECKS / "report-test.yaml")
QUESTIONS = ["age", "before", "street", "measures", "order", "split", "comment", "after"]
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'

# Twelve residents; None: that resident does not answer. Resident 11 leaves before
# the "after" question, so 11 pairs remain.
N = 12
PLAN: dict[str, list[Any]] = {
    "age": ["young"] * 7 + ["old"] * 3 + [PREFER_NOT_TO_SAY] * 2,
    "before": [2, 3, 3, 4, 1, 2, 3, 4, 5, 2, 3, 3],
    "street": ["main"] * 5 + ["church"] * 4 + ["none"] * 3,
    "measures": [["bus", "bike"], ["bike"], ["bus"], ["bike", "park"], ["bike"], ["bus", "bike"]]
    * 2,
    "order": [
        ["heat", "solar", "trees"],
        ["solar", "heat", "trees"],
        ["trees", "solar", "heat"],
        ["heat", "trees", "solar"],
    ]
    * 3,
    "split": [{"heat": i % 11, "solar": 10 - i % 11} for i in range(N)],
    "comment": [SCRIPT, FORMULA, "+1 more buses", "-2 cars & <b>vans</b>", "@home", "\tTabbed"]
    + [None] * 6,
    "after": [4, 3, 5, 4, 3, 2, 4, 5, 5, 3, 3, None],
}
# A package over the cap (bus 4 + park 6 = 10 mDKK > 8): refused, nothing stored.
OVER_CAP = ["bus", "park"]


def script_session(
    console: TestClient, title: str, plan: dict[str, list[Any]] | None = None
) -> dict[str, Any]:
    """Run the deck's questions with the planned answers; returns the session's API detail."""
    plan = plan or PLAN
    info = open_session(console, "report-test.yaml", title)
    people = [JsonParticipant(console, info["join_code"]) for _ in range(len(plan["age"]))]
    for question in QUESTIONS:
        act(console, info["id"], "show_card", card=DECK.question_card(question))
        act(console, info["id"], "open", question=question)
        for person, value in zip(people, plan[question], strict=True):
            if value is None:
                continue
            person.connect()
            if question == "measures" and person is people[0]:
                refused = person.answer(question, OVER_CAP)
                assert refused["type"] == "error" and refused["code"] == "invalid_answer"
            frame = person.answer(question, value)
            assert frame["type"] == "ack", frame
            person.close()
        act(console, info["id"], "close", question=question)
    return info


def answered(question: str, plan: dict[str, list[Any]] | None = None) -> list[Any]:
    return [v for v in (plan or PLAN)[question] if v is not None]
