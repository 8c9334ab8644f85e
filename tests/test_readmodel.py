"""One session, every screen: the figures the console page, the projector page,
a phone's page, the JSON API, a phone's websocket events and snapshot and the
report JSON show are the same, because they all come from the read model
(strategyroom/live/readmodel.py); and the ones an audience may not see are absent
from its screen (the room's before the reveal, other tables' on a phone)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from strategyroom import i18n
from tests.conftest import ORIGIN, act, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_text

pytestmark = pytest.mark.both_modes

DECK = "figures-test.yaml"


def join_page(client: TestClient, path: str) -> str:
    """Join through the pages as a phone's browser does; the stage's address."""
    page = client.get(path)
    joined = client.post(
        path, data={"csrf_token": csrf_of(page.text), "language": "en"}, follow_redirects=False
    )
    assert joined.status_code == 303, joined.text
    return str(joined.headers["location"])


def shown(html: str, element_id: str) -> list[str] | None:
    """The respondents line and each row's figure of the results drawn in the
    element ``element_id``; None when the page does not draw it."""
    if f'id="{element_id}"' not in html:
        return None
    block = html.split(f'id="{element_id}"')[1].split("</div>")[0]
    # The projector draws a row's share big and its count small beside it
    # (templates/projector/results.html); other screens "count · share".
    big = re.findall(
        r'class="result-figure"><strong>([^<]*)</strong> <small>(\d+) answers?</small>', block
    )
    figures = [f"{count} · {share}" for share, count in big] or re.findall(
        r'class="result-figure">([^<]*)<', block
    )
    return re.findall(r'class="results-respondents">([^<]*)<', block) + figures


def drawn(result: dict[str, Any]) -> list[str]:
    """How a page draws a choice result: the JSON figures, formatted in English."""
    answers = "1 answer" if result["respondents"] == 1 else f"{result['respondents']} answers"
    return [answers] + [
        f"{o['count']} · {i18n.format_percent(o['percent'], 'en')}" for o in result["options"]
    ]


def agreement_in(html: str, element_id: str) -> str:
    """The agreement a page shows in an element (two decimals)."""
    block = html.split(f'id="{element_id}"')[1]
    return block.split('class="agreement')[1].split(">")[1].split("<")[0]


def report_question(console: TestClient, sid: str, question: str) -> dict[str, Any]:
    report = console.get(f"/console/report.json?session={sid}").json()
    return next(q for q in report["questions"] if q["id"] == question)


def test_every_screen_shows_the_same_figures(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    phones: dict[int, list[JsonParticipant]] = {1: [], 2: []}
    # Table 1 has two members, fewer than policy.MIN_GROUP: its own figures are
    # shown nowhere. Table 2 has five.
    for table in (1, 1, 2, 2, 2, 2, 2):
        phone = JsonParticipant(console, code, table=table)
        phone.connect()
        sockets.append(phone)
        phones[table].append(phone)
    watcher = browser()  # a browser phone at table 2 that only looks
    stage_url = join_page(watcher, f"/join/{code}/2")
    small = browser()  # and one at table 1
    small_url = join_page(small, f"/join/{code}/1")

    # -- an individual question, revealed when it closes --------------------------
    act(console, sid, "show_card", card=2)
    act(console, sid, "open", question="pick")
    picks = ["a", "a", "a", "b", "a", "b", "a"]
    for phone, value in zip([*phones[1], *phones[2]], picks, strict=True):
        assert phone.answer("pick", value)["type"] == "ack"

    # Open: the console sees the live count; the room sees nothing yet.
    detail = console.get(f"/api/sessions/{sid}").json()["questions"]["pick"]
    live = detail["results"]
    assert [o["count"] for o in live["options"]] == [5, 2, 0] and detail["answers"] == 7
    assert shown(console.get(f"/console/{sid}").text, "console-result-figures") == drawn(live)
    assert shown(console.get(f"/p/{code}").text, "projector-results") is None
    phone_page = watcher.get(stage_url).text
    assert shown(phone_page, "room-results") is None and "Your table's answers" not in phone_page
    mine = phones[2][0]
    mine.close()
    snapshot = mine.connect()
    assert (snapshot["results"], snapshot["table_results"]) == (None, None)

    act(console, sid, "close", question="pick")
    closed = [phone.expect_event("question_closed") for phone in (*phones[1], *phones[2])]
    result = console.get(f"/api/sessions/{sid}").json()["questions"]["pick"]["results"]
    assert [frame["results"] for frame in closed] == [result] * 7  # the event carries them
    assert [(o["count"], o["percent"]) for o in result["options"]] == [
        (5, 500 / 7),
        (2, 200 / 7),
        (0, 0.0),
    ]
    console_page, projector_page = (
        console.get(f"/console/{sid}").text,
        console.get(f"/p/{code}").text,
    )
    phone_page = watcher.get(stage_url).text
    assert shown(console_page, "console-result-figures") == drawn(result)
    assert shown(projector_page, "projector-results") == drawn(result)
    assert shown(phone_page, "room-results") == drawn(result)
    mine.close()
    snapshot = mine.connect()
    assert snapshot["results"] == result
    report = report_question(console, sid, "pick")
    assert report["result"] == result and report["sessions"][0]["frozen"] is True

    # Each table's figures: the API's overview, the phone's snapshot (its own table
    # only), the report and the pages agree.
    overview = console.get(f"/api/sessions/{sid}/tables").json()
    figures = {t["table"]: t["figures"] for t in overview["tables"]}
    # Three a, two b of three options: 1 - H / ln 3.
    split = 1 + (0.6 * math.log(0.6) + 0.4 * math.log(0.4)) / math.log(3)
    assert figures[2]["agreement"] == pytest.approx(split, abs=1e-12)
    assert (figures[2]["respondents"], figures[2]["suppressed"]) == (5, False)
    # Table 1's two answers are not shown: beside one's own, they give the other's.
    assert figures[1] == {
        "table": 1,
        "respondents": None,  # not even its size (docs/privacy.md)
        "suppressed": True,
        "agreement": None,
        "results": None,
        "impact": None,
    }
    assert snapshot["table_results"] == figures[2]
    # The report, which leaves the room (share links), hides table 2 as well:
    # the room minus table 2 would be table 1's two answers (docs/privacy.md,
    # "Tables in reports"). The facilitator's console shows it.
    by_label = {g["group"]: g for g in report["tables"]}
    for number in (1, 2):
        assert by_label[str(number)]["suppressed"] is True
        assert by_label[str(number)]["result"] is None
        assert by_label[str(number)]["agreement"] is None
    assert shown(phone_page, "table-results-2") == drawn(figures[2]["results"])
    assert "table-results-1" not in phone_page  # another table's figures: not on this phone
    assert agreement_in(phone_page, "table-results") == f"{split:.2f}"
    assert agreement_in(console_page, "table-row-2") == f"{split:.2f}"
    assert "not enough answers" in console_page.split('id="table-row-1"')[1].split("</tr>")[0]
    # A phone at table 1 is told why it sees only the room's answers, over the
    # page and the websocket alike.
    small_page = small.get(small_url).text
    assert shown(small_page, "room-results") == drawn(result)
    assert "table-results-1" not in small_page
    assert (
        "Too few people at your table answered for your table's answers to be shown: "
        "they could give away someone's answer."
    ) in small_page
    with small.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        assert "table-results-hidden" in receive_text(ws)
    table_one = phones[1][0]
    table_one.close()
    assert table_one.connect()["table_results"] == figures[1]
    assert overview["room"]["agreement"] == report["agreement"]

    # -- a table package, revealed by hand after it closes -------------------------
    act(console, sid, "show_card", card=3)
    act(console, sid, "open", question="plan")
    for phone in (*phones[1], *phones[2]):
        phone.expect_event("question_opened")
    assert phones[1][0].draft("plan", 1, 0, ["y", "z"])["revision"] == 1
    assert phones[1][0].submit("plan", 1, 1)["status"] == "stored"
    assert phones[2][0].draft("plan", 2, 0, ["x", "y"])["revision"] == 1
    # A phone sees its own table's draft and impact meter, and no other table's.
    phone_page = watcher.get(stage_url).text
    assert 'id="table-draft-value"' in phone_page and 'id="impact-meter"' in phone_page
    mine.close()
    snapshot = mine.connect()
    draft = snapshot["table_draft"]
    assert (draft["table"], draft["value"], draft["impact"]["progress"]) == (2, ["x", "y"], 0.7)
    assert snapshot["results"] is None
    assert 'id="projector-packages"' not in console.get(f"/p/{code}").text

    act(console, sid, "close", question="plan")  # manual reveal: still hidden from the room
    closed = [phone.expect_event("question_closed") for phone in (*phones[1], *phones[2])]
    assert ["results" in frame for frame in closed] == [False] * 7
    detail = console.get(f"/api/sessions/{sid}").json()["questions"]["plan"]
    plan = detail["results"]
    assert (plan["respondents"], detail["revealed"]) == (1, False)
    assert [o["count"] for o in plan["options"]] == [0, 1, 1]  # table 1's submitted y + z
    assert shown(console.get(f"/console/{sid}").text, "console-result-figures") == drawn(plan)
    mine.close()
    assert mine.connect()["results"] is None
    assert 'id="projector-packages"' not in console.get(f"/p/{code}").text

    act(console, sid, "reveal", question="plan")
    revealed = [phone.expect_event("results_revealed") for phone in (*phones[1], *phones[2])]
    mine.close()
    snapshot = mine.connect()
    assert snapshot["results"] == plan
    assert [frame["results"] for frame in revealed] == [plan] * 7
    report = report_question(console, sid, "plan")
    assert report["result"] == plan and report["sessions"][0]["frozen"] is True
    # The projector compares the tables' packages with the impact the API reports.
    impact = {
        t["table"]: t["figures"]["impact"]
        for t in console.get(f"/api/sessions/{sid}/tables").json()["tables"]
    }
    assert snapshot["table_draft"]["impact"] == impact[2]
    projector_page = console.get(f"/p/{code}").text
    for number in (1, 2):
        column = projector_page.split(f'id="package-table-{number}"')[1].split("</section>")[0]
        progress = i18n.format_percent(impact[number]["progress"] * 100, "en")
        assert f"<strong>{progress}</strong>" in column
    answers = {a["table"]: a["value"] for a in report["table_answers"]}
    assert answers == {"1": ["y", "z"]}  # the report counts submissions, never drafts
