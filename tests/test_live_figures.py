"""The live figures at tables: agreement per table beside the room's, the impact
meter on a table's package draft, the projector's comparison of the tables, and
the room's priorities overall and per table. Three tables (one with a shared
tablet) over real websockets; every figure is computed here by hand from the
formulas in docs/aggregates.md and compared exactly."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.store.db import Database
from strategyroom.store.models import QuestionRun, TableDraft
from tests.conftest import ORIGIN, act, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_until

pytestmark = pytest.mark.both_modes

DECK = "figures-test.yaml"


def entropy_agreement(counts: list[int], options: int) -> float:
    """1 - H / ln(k), the documented agreement of a single-choice question."""
    n = sum(counts)
    h = -sum(c / n * math.log(c / n) for c in counts if c)
    return min(1.0, max(0.0, 1 - h / math.log(options)))


def seat(
    console: TestClient, code: str, table: int, sockets: list[Any], **kw: Any
) -> JsonParticipant:
    person = JsonParticipant(console, code, table=table, **kw)
    person.connect()
    sockets.append(person)
    return person


def browser_join(client: TestClient, path: str) -> str:
    """Join through the pages as a phone's browser does; the stage's address."""
    page = client.get(path)
    joined = client.post(
        path,
        data={"csrf_token": csrf_of(page.text), "language": "en"},
        follow_redirects=False,
    )
    assert joined.status_code == 303, joined.text
    return str(joined.headers["location"])


def test_agreement_impact_and_priorities(
    console: TestClient,
    browser: Callable[[], TestClient],
    settings: Settings,
    sockets: list[Any],
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=3)
    tablet = seat(console, code, 1, sockets, device="tablet")
    # Five or six at each table: a table's own figures need policy.MIN_GROUP answers.
    t1 = [seat(console, code, 1, sockets) for _ in range(5)]
    t2 = [seat(console, code, 2, sockets) for _ in range(6)]
    t3 = [seat(console, code, 3, sockets) for _ in range(6)]
    # A browser phone at table 2 that does not answer: it sees the table's figures.
    watcher_page = browser()
    stage_url = browser_join(watcher_page, f"/join/{code}/2")

    # -- an individual question: agreement per table and in the room --------------
    act(console, sid, "show_card", card=2)
    act(console, sid, "open", question="pick")
    live = console.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN}).__enter__()
    sockets.append(live)
    receive_until(live, 'id="console-tables"')
    chosen = {1: ["a"] * 5, 2: ["a", "b"] * 3, 3: ["a", "b", "c"] * 2}
    for people, table in ((t1, 1), (t2, 2), (t3, 3)):
        for person, value in zip(people, chosen[table], strict=True):
            assert person.answer("pick", value)["type"] == "ack"
    overview = console.get(f"/api/sessions/{sid}/tables").json()
    by_table = {t["table"]: t["figures"] for t in overview["tables"]}
    expected = {
        1: 1.0,  # everyone chose A
        2: entropy_agreement([1, 1], 3),  # 1 - ln 2 / ln 3
        3: entropy_agreement([1, 1, 1], 3),  # evenly over all three: 0 up to rounding
    }
    assert {n: f["agreement"] for n, f in by_table.items()} == expected
    assert expected[2] == 1 - math.log(2) / math.log(3) and abs(expected[3]) < 1e-15
    assert {n: f["respondents"] for n, f in by_table.items()} == {1: 5, 2: 6, 3: 6}
    assert by_table[2]["results"]["options"] == [
        {"option_id": "a", "count": 3, "percent": 50.0},
        {"option_id": "b", "count": 3, "percent": 50.0},
        {"option_id": "c", "count": 0, "percent": 0.0},
    ]
    assert overview["room"]["agreement"] == entropy_agreement([10, 5, 2], 3)
    # The console's overview shows the same, and marks the split tables.
    page = console.get(f"/console/{sid}").text
    row3 = page.split('id="table-row-3"')[1].split("</tr>")[0]
    assert '<span class="agreement agreement-split">0</span>' in row3 and "split" in row3
    row2 = page.split('id="table-row-2"')[1].split("</tr>")[0]
    assert f">{expected[2]:.2f}<" in row2  # 0.37, shown with two decimals

    # The console's socket got the same overview live, with the coalesced tallies.
    pushed = receive_until(live, '<span class="agreement agreement-split">0</span>')
    assert f">{expected[2]:.2f}<" in pushed.split('id="table-row-2"')[1].split("</tr>")[0]
    assert 'id="priorities-measures"' in pushed

    # Priorities: a choice option's support is the share who chose it; the scenario's
    # support is its best measure's (it has no scale question).
    ranked = overview["priorities"]
    room = [(m["option_id"], m["support"]) for m in ranked["room"]["measures"]]
    assert room == [
        ("a", float(Fraction(1000, 17))),
        ("b", float(Fraction(500, 17))),
        ("c", float(Fraction(200, 17))),
    ]
    per_table = {
        n: [(m["option_id"], m["support"]) for m in p["measures"]]
        for n, p in ranked["tables"].items()
    }
    assert per_table == {
        "1": [("a", 100.0), ("b", 0.0), ("c", 0.0)],
        "2": [("a", 50.0), ("b", 50.0), ("c", 0.0)],
        "3": [
            ("a", float(Fraction(100, 3))),
            ("b", float(Fraction(100, 3))),
            ("c", float(Fraction(100, 3))),
        ],
    }
    assert ranked["room"]["scenarios"] == [
        {"scenario": "green", "support": float(Fraction(1000, 17)), "questions": ["pick"]}
    ]
    assert [p["scenarios"][0]["support"] for p in ranked["tables"].values()] == [
        100.0,
        50.0,
        float(Fraction(100, 3)),
    ]
    # The console's priorities table: room, then tables 1-3, one decimal.
    row = page.split('data-key="pick/a"')[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('class="support"')[1:]]
    assert cells == [">58.8", ' data-table="1">100', ' data-table="2">50', ' data-table="3">33.3']

    # The tables see their own distribution beside the room's once revealed (on close).
    assert "Your table's answers" not in watcher_page.get(stage_url).text
    act(console, sid, "close", question="pick")
    for person in t2:
        person.expect_event("question_closed")
    t2[0].close()
    snapshot = t2[0].connect()
    assert snapshot["table_results"] == by_table[2]
    stage = watcher_page.get(stage_url).text
    mine = stage.split('id="table-results"')[1]
    assert "Your table's answers" in mine and f">{expected[2]:.2f}<" in mine
    assert f">{overview['room']['agreement']:.2f}<" in mine  # the room's, beside it

    # -- a table package: the impact meter as the draft changes ------------------
    act(console, sid, "show_card", card=3)
    act(console, sid, "open", question="plan")
    for person in (tablet, *t1, *t2, *t3):
        person.expect_event("question_opened")
    saved = t2[0].draft("plan", 2, 0, ["x", "y"])
    assert saved["revision"] == 1
    pushed = t2[1].expect("table_draft")
    assert pushed["value"] == ["x", "y"]
    impact = pushed["impact"]
    # X + Y: 400 + 300 t CO2, 6 + 3 cost; 700 of the 1000 target.
    assert [(a["attribute"], a["total"]) for a in impact["totals"]] == [
        ("co2", 700.0),
        ("cost", 9.0),
    ]
    assert (impact["target_attribute"], impact["target_value"], impact["progress"]) == (
        "co2",
        1000.0,
        0.7,
    )
    assert (impact["cap_attribute"], impact["cap"], impact["over_cap"]) == ("cost", 10.0, False)

    # A package over the cap (6 + 3 + 2 = 11 > 10) is refused and nothing is stored.
    refused = t2[1].draft("plan", 2, 1, ["x", "y", "z"])
    assert (refused["type"], refused["code"]) == ("error", "invalid_answer")
    assert refused["message"] == (
        "This package is over the limit: it adds up to 11 m/year, and at most 10 m/year "
        "is allowed. Please leave something out."
    )
    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        stored = s.exec(select(TableDraft).where(TableDraft.session_id == sid)).all()
        assert [(d.table_number, d.revision, d.value) for d in stored] == [(2, 1, ["x", "y"])]
    db.dispose()

    # Table 1's tablet builds and submits Y + Z; table 3 drafts X alone.
    assert tablet.draft("plan", 1, 0, ["y", "z"])["revision"] == 1
    assert tablet.submit("plan", 1, 1)["status"] == "stored"
    assert t3[0].draft("plan", 3, 0, ["x"])["revision"] == 1
    figures = {
        t["table"]: t["figures"]["impact"]
        for t in console.get(f"/api/sessions/{sid}/tables").json()["tables"]
    }
    assert {n: ([a["total"] for a in i["totals"]], i["progress"]) for n, i in figures.items()} == {
        1: ([400.0, 5.0], 0.4),
        2: ([700.0, 9.0], 0.7),
        3: ([400.0, 6.0], 0.4),
    }

    # The projector compares the tables side by side once the question is revealed.
    assert 'id="projector-packages"' not in console.get(f"/p/{code}").text
    act(console, sid, "reveal", question="plan")
    projector = console.get(f"/p/{code}").text
    for number, (co2, cost, progress) in {
        1: ("400", "5", "40%"),
        2: ("700", "9", "70%"),
        3: ("400", "6", "40%"),
    }.items():
        column = projector.split(f'id="package-table-{number}"')[1].split("</section>")[0]
        values = [v.split("<")[0] for v in column.split('class="impact-value">')[1:]]
        assert values == [co2, cost], column
        assert f"<strong>{progress}</strong>" in column
    assert "submitted" in projector.split('id="package-table-1"')[1].split("</section>")[0]

    # Closing freezes the tables' submitted answers (only table 1's): the priorities,
    # like the report, read the frozen figures; tables 2 and 3 have no support.
    act(console, sid, "close", question="plan")
    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        run = s.get_one(QuestionRun, (sid, "plan"))
        assert run.frozen_results is not None and run.frozen_results["respondents"] == 1
    db.dispose()
    ranked = console.get(f"/api/sessions/{sid}/tables").json()["priorities"]
    plan = {
        (m["option_id"], m["support"])
        for m in ranked["room"]["measures"]
        if m["question_id"] == "plan"
    }
    assert plan == {("x", 0.0), ("y", 100.0), ("z", 100.0)}
    tables = {
        n: {m["option_id"]: m["support"] for m in p["measures"] if m["question_id"] == "plan"}
        for n, p in ranked["tables"].items()
    }
    assert tables == {
        "1": {"x": 0.0, "y": 100.0, "z": 100.0},
        "2": {"x": None, "y": None, "z": None},
        "3": {"x": None, "y": None, "z": None},
    }
