"""A scripted session of the report-test deck, played through the app as a
facilitator and residents would (HTTP actions, participant websockets): three
tables made from the console (two numbered, one named), residents joining at
them, a shared tablet at table 1, and the answers everyone gives, so the report
tests can compute every figure themselves."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from strategyroom.decks import load_deck
from strategyroom.decks.schema import PREFER_NOT_TO_SAY
from tests.conftest import TEST_DECKS, act, open_session
from tests.protocol import JsonParticipant

DECK = load_deck(TEST_DECKS / "report-test.yaml")
QUESTIONS = [
    "age",
    "before",
    "street",
    "measures",
    "table-measures",
    "order",
    "split",
    "comment",
    "after",
]
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

# Tables: two numbered ones from the console's count, then a named one.
TABLES = 3
WINDOW = "By the window"
LABELS = ["1", "2", f"3 · {WINDOW}"]  # how the report names them (reports/data.py)
# The table question: the tablet submits table 1's package, a phone table 2's;
# table 3 drafts a package but never submits it, so it has no answer.
TABLE_PLAN = {1: ["bus", "bike"], 2: ["bike", "park"]}
UNSUBMITTED = ["park"]


def seat(resident: int, residents: int) -> int:
    """The table a resident joins at: the residents in order, in three even groups."""
    return 1 + resident * TABLES // residents


def seated(plan: dict[str, list[Any]] | None = None) -> dict[int, list[int]]:
    """Table number -> its residents (indexes into the plan)."""
    n = len((plan or PLAN)["age"])
    return {t: [i for i in range(n) if seat(i, n) == t] for t in range(1, TABLES + 1)}


def script_session(
    console: TestClient, title: str, plan: dict[str, list[Any]] | None = None
) -> dict[str, Any]:
    """Run the deck's questions with the planned answers; returns the session's API detail."""
    plan = plan or PLAN
    info = open_session(console, "report-test.yaml", title)
    act(console, info["id"], "tables", count=2)
    act(console, info["id"], "add_table", name=WINDOW)
    n, code = len(plan["age"]), info["join_code"]
    people = [JsonParticipant(console, code, table=seat(i, n)) for i in range(n)]
    tablet = JsonParticipant(console, code, table=1, device="tablet")
    for question in QUESTIONS:
        act(console, info["id"], "show_card", card=DECK.question_card(question))
        act(console, info["id"], "open", question=question)
        if question == "table-measures":
            _table_answers(tablet, [people[seated(plan)[t][0]] for t in (2, 3)])
            act(console, info["id"], "close", question=question)
            continue
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


def _table_answers(tablet: JsonParticipant, phones: list[JsonParticipant]) -> None:
    """Table 1 (the tablet) and table 2 (a phone) submit; table 3 only drafts."""
    for table, device in ((1, tablet), (2, phones[0]), (3, phones[1])):
        device.connect()
        draft = device.draft("table-measures", table, 0, TABLE_PLAN.get(table, UNSUBMITTED))
        assert draft["type"] == "draft_saved", draft
        if table in TABLE_PLAN:
            submitted = device.submit("table-measures", table, draft["revision"])
            assert (submitted["type"], submitted["status"]) == ("table_ack", "stored"), submitted
        device.close()


def answered(question: str, plan: dict[str, list[Any]] | None = None) -> list[Any]:
    return [v for v in (plan or PLAN)[question] if v is not None]
