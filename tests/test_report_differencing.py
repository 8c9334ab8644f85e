"""Small groups stay hidden across reports: no difference between any reports a
facilitator can make (every set of the three evenings) gives a group of fewer
than 5, neither between two reports nor within one (the room minus the shown
groups). docs/privacy.md, "Small groups in reports"."""

from __future__ import annotations

import itertools
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import act, open_session
from tests.evenings import PLANS, TITLES, three_evenings
from tests.protocol import JsonParticipant
from tests.reportscript import DECK


def groups_of(report: dict[str, Any], question: str) -> dict[str, dict[str, Any]]:
    q = next(q for q in report["questions"] if q["id"] == question)
    return {g["group"]: g for g in q["profiles"][0]["groups"]}


def test_the_issues_attack_recovers_nothing(console: TestClient) -> None:
    ids = three_evenings(console)

    def report(*titles: str) -> dict[str, Any]:
        query = "&".join(f"session={ids[t]}" for t in titles)
        response = console.get(f"/console/report.json?{query}")
        assert response.status_code == 200
        result: dict[str, Any] = response.json()
        return result

    # The attack of the issue: the combined report minus the other two evenings'
    # own reports. Nørrebro's 2 residents of 40 or older must not come out.
    combined = groups_of(report(*TITLES), "before")
    valby = groups_of(report("Valby"), "before")
    amager = groups_of(report("Amager"), "before")
    assert not valby["old"]["suppressed"] and not amager["old"]["suppressed"]
    assert combined["old"]["suppressed"] and combined["old"]["respondents"] is None
    assert combined["old"]["result"] is None
    # Nørrebro alone: its 2 are hidden, and so are its 6 young (otherwise the
    # evening's 8 minus the 6 shown would be the 2), sizes included.
    norrebro = groups_of(report("Nørrebro"), "before")
    assert all(g["suppressed"] and g["respondents"] is None for g in norrebro.values())

    # Every report a facilitator can make (each set of evenings), every question
    # broken down by age: each shown group is the sum of the evenings' own
    # groups, each of at least 5 (computed here from the plans), and the room
    # minus the shown groups is 0 or at least 5 people.
    for size in (1, 2, 3):
        for titles in itertools.combinations(TITLES, size):
            data = report(*titles)
            for question in data["questions"]:
                if not question["profiles"]:
                    continue
                shown = {
                    g["group"]: g["respondents"]
                    for g in question["profiles"][0]["groups"]
                    if not g["suppressed"]
                }
                for group, respondents in shown.items():
                    parts = [
                        sum(
                            1
                            for age, v in zip(
                                PLANS[t]["age"], PLANS[t][question["id"]], strict=True
                            )
                            if age == group and v is not None
                        )
                        for t in titles
                    ]
                    assert respondents == sum(parts)
                    assert all(p == 0 or p >= 5 for p in parts), (titles, question["id"], parts)
                rest = question["result"]["respondents"] - sum(shown.values())
                assert rest == 0 or rest >= 5, (titles, question["id"], rest)


def test_profiles_per_evening_show_what_each_evenings_own_report_shows(
    console: TestClient,
) -> None:
    ids = three_evenings(console)
    query = "&".join(f"session={ids[t]}" for t in TITLES)
    combined = console.get(f"/console/report.json?{query}").json()
    for question in combined["questions"]:
        for breakdown in question["profiles"]:
            assert [p["session_id"] for p in breakdown["sessions"]] == [ids[t] for t in TITLES]
            for title, part in zip(TITLES, breakdown["sessions"], strict=True):
                own = console.get(f"/console/report.json?session={ids[title]}").json()
                own_q = next(q for q in own["questions"] if q["id"] == question["id"])
                assert part["groups"] == own_q["profiles"][0]["groups"]
    # Valby's 5 under 40 and 5 of 40 or older are shown, with their own means.
    before = next(q for q in combined["questions"] if q["id"] == "before")
    valby = {g["group"]: g for g in before["profiles"][0]["sessions"][1]["groups"]}
    plan = PLANS["Valby"]
    for group in ("young", "old"):
        values = [v for a, v in zip(plan["age"], plan["before"], strict=True) if a == group]
        assert valby[group]["respondents"] == len(values) == 5
        assert valby[group]["result"]["mean"] == sum(values) / 5
    page = console.get(f"/console/report?{query}").text
    assert "By evening and answer to: How old are you?" in page


# -- tables ------------------------------------------------------------------------------

# An evening's "before" answers by table: tables 1 and 2 of 6 and 7 residents,
# table 3 of 2; ``unseated`` more residents answer without a table.
TABLE_PLAN = {1: [4, 4, 3, 5, 4, 4], 2: [2, 3, 3, 2, 3, 2, 3], 3: [1, 5]}


def _table_evening(console: TestClient, title: str, unseated: list[int]) -> str:
    info = open_session(console, "report-test.yaml", title)
    act(console, info["id"], "tables", count=3)
    residents = [
        (JsonParticipant(console, info["join_code"], table=table), value)
        for table, values in TABLE_PLAN.items()
        for value in values
    ] + [(JsonParticipant(console, info["join_code"]), value) for value in unseated]
    act(console, info["id"], "show_card", card=DECK.question_card("before"))
    act(console, info["id"], "open", question="before")
    for person, value in residents:
        person.connect()
        assert person.answer("before", value)["type"] == "ack"
        person.close()
    act(console, info["id"], "close", question="before")
    session_id: str = info["id"]
    return session_id


def _counts(figures: dict[str, Any]) -> dict[int, int]:
    return {step["value"]: step["count"] for step in figures["result"]["distribution"]}


def test_the_room_minus_the_shown_tables_reveals_no_small_table(console: TestClient) -> None:
    # Everyone seated: table 3's 2 residents are hidden, and so is table 1 (the
    # smallest shown), else the room's 15 minus tables 1 and 2 would be table 3.
    seated_id = _table_evening(console, "Seated", [])
    # 3 more answer unseated: the room minus the shown tables is 5 people, so
    # tables 1 and 2 stay shown.
    open_id = _table_evening(console, "Open", [5, 1, 4])
    reports = {
        "Seated": [seated_id],
        "Open": [open_id],
        "Both": [seated_id, open_id],
    }
    shown_in: dict[str, set[str]] = {}
    for name, ids in reports.items():
        response = console.get("/console/report.json?" + "&".join(f"session={i}" for i in ids))
        assert response.status_code == 200
        before = next(q for q in response.json()["questions"] if q["id"] == "before")
        room = _counts(before)
        shown = [t for t in before["tables"] if not t["suppressed"]]
        hidden = [t for t in before["tables"] if t["suppressed"]]
        assert all(t["respondents"] is None and t["result"] is None for t in hidden)
        shown_in[name] = {t["group"] for t in shown}
        # The attack: the room's counts minus every shown table's.
        rest = {v: n - sum(_counts(t)[v] for t in shown) for v, n in room.items()}
        assert sum(rest.values()) == 0 or sum(rest.values()) >= 5, (name, rest)
        assert rest != {1: 1, 2: 0, 3: 0, 4: 0, 5: 1}  # table 3's own answers
        for t in shown:
            assert t["respondents"] >= 5
    assert shown_in["Seated"] == {"2"}
    assert shown_in["Open"] == {"1", "2"}
    assert shown_in["Both"] == {"Seated: 2", "Open: 1", "Open: 2"}
    # A shown table's figures are its own residents' answers.
    both = console.get(f"/console/report.json?session={seated_id}&session={open_id}").json()
    before = next(q for q in both["questions"] if q["id"] == "before")
    table = next(t for t in before["tables"] if t["group"] == "Open: 1")
    assert table["respondents"] == 6 and table["result"]["mean"] == sum(TABLE_PLAN[1]) / 6
