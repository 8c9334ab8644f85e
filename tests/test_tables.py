"""Three tables over real websockets: table 1 with a shared tablet and a phone,
tables 2 and 3 with phones (one of them a browser). Table questions with live
drafts and concurrent edits, submission, a move, bad input, and the overview;
every stored and shown value checked against what the test computes itself.
Runs embedded (SQLite, in-process broker) and scale-out (PostgreSQL, Redis)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.store.db import Database
from strategyroom.store.models import Participant, TableAnswer, TableDraft
from tests.conftest import ORIGIN, act, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_text

pytestmark = pytest.mark.both_modes

DECK = "tables-test.yaml"


def stored(settings: Settings, model: Any) -> list[Any]:
    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        rows = list(s.exec(select(model)).all())
    db.dispose()
    return rows


def browser_join(client: TestClient, path: str, **fields: str) -> str:
    """Join through the pages as a phone's browser does; returns the join code."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    joined = client.post(
        path,
        data={"csrf_token": csrf_of(page.text), "language": "en", **fields},
        follow_redirects=False,
    )
    assert joined.status_code == 303, joined.text
    return str(joined.headers["location"]).rsplit("/", 1)[1]


def frames_until(ws: Any, needle: str) -> str:
    for _ in range(100):
        frame = receive_text(ws)
        if needle in frame:
            return frame
    raise AssertionError(f"no frame with {needle!r}")


def test_three_tables_answer_together(
    console: TestClient, browser: Any, settings: Settings, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    watcher = JsonParticipant(console, code)  # not at a table: sees every event
    watcher.connect()
    sockets.append(watcher)

    # -- tables, created up front and on the fly ---------------------------------
    act(console, sid, "tables", count=2)
    act(console, sid, "tables", count=2)  # idempotent: still two
    act(console, sid, "add_table", name="By the window")
    act(console, sid, "add_table", name="By the window")  # a named table exists once
    created = [watcher.expect_event("table_created")["data"] for _ in range(3)]
    assert created == [
        {"table": 1, "label": ""},
        {"table": 2, "label": ""},
        {"table": 3, "label": "By the window"},
    ]

    # -- joining: with a table's link, choosing a table, and a bad table -----------
    missing = console.post("/api/join", json={"code": code, "table": 9})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "This session has no table 9."
    assert browser().get(f"/join/{code}/9").status_code == 404
    tablet = JsonParticipant(console, code, table=1, device="tablet")
    one = JsonParticipant(console, code, "da", table=1)
    two_a, two_b = JsonParticipant(console, code, table=2), JsonParticipant(console, code, table=2)
    three_a, three_b = (
        JsonParticipant(console, code, table=3),
        JsonParticipant(console, code, table=3),
    )
    people = [tablet, one, two_a, two_b, three_a, three_b]
    for person in people:
        person.connect()
        sockets.append(person)
    assert tablet.seat == {
        "participant": tablet.id,
        "number": tablet.number,
        "table": 1,
        "device": "tablet",
    }
    # The browser phone joins with the general code and chooses table 2 on the join page.
    phone_client = browser()
    join_form = phone_client.get(f"/join/{code}").text
    assert 'name="table" value="3"' in join_form and "By the window" in join_form
    browser_join(phone_client, f"/join/{code}", table="2")
    phone = phone_client.websocket_connect(
        f"/ws/participant/{code}", headers={"origin": ORIGIN}
    ).__enter__()
    sockets.append(phone)
    assert "waiting room" in receive_text(phone)
    # The typed table code leads to the table's join page.
    typed = console.get(f"/join?code={code.lower()}-3", follow_redirects=False)
    assert typed.headers["location"] == f"/join/{code}/3"
    members = {t["table"]: t for t in console.get(f"/api/sessions/{sid}/tables").json()["tables"]}
    assert {n: (t["phones"], t["tablets"]) for n, t in members.items()} == {
        1: (1, 1),
        2: (3, 0),
        3: (2, 0),
    }
    assert members[2]["code"] == f"{code}-2" and members[2]["join_url"] == f"{ORIGIN}/join/{code}/2"

    # -- a table question: drafts, the stale-revision rule, submission -------------
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="first")
    for person in [watcher, *people]:
        person.expect_event("question_opened")
    stage = frames_until(phone, 'id="draft-form"')
    assert "Table 2's answer" in stage and "No draft yet" in stage
    refused = two_a.answer("first", "buses")
    assert (
        refused["message"] == "Your table answers this question together: edit your table's draft."
    )

    first = two_a.draft("first", 2, 0, "buses")
    assert (first["revision"], first["value"], first["changed_by"]) == (
        1,
        "buses",
        {"number": two_a.number, "device": "phone"},
    )
    # The browser phone at table 2 sees the draft without reloading.
    pushed = frames_until(phone, 'id="table-draft"')
    assert "Draft: More buses" in pushed and f"member {two_a.number} at" in pushed
    # Two members edit at the same moment, both based on revision 1.
    two_a.send({"type": "draft", "question": "first", "table": 2, "base": 1, "value": "bikes"})
    two_b.send({"type": "draft", "question": "first", "table": 2, "base": 1, "value": "trees"})
    replies = {"a": two_a.reply("draft_saved"), "b": two_b.reply("draft_saved")}
    won = [k for k, r in replies.items() if r["type"] == "draft_saved"]
    lost = [k for k, r in replies.items() if r["type"] == "error"]
    assert len(won) == 1 and len(lost) == 1
    winner, loser = replies[won[0]], replies[lost[0]]
    assert winner["revision"] == 2
    assert loser["code"] == "stale_draft" and loser["draft"]["revision"] == 2
    assert loser["draft"]["value"] == winner["value"]  # the loser sees what won, and who
    winner_person = two_a if won[0] == "a" else two_b
    assert loser["draft"]["changed_by"] == {"number": winner_person.number, "device": "phone"}
    # The loser decides again, on the current revision: nothing was lost silently.
    loser_person = two_b if won[0] == "a" else two_a
    loser_value = "trees" if won[0] == "a" else "bikes"
    again = loser_person.draft("first", 2, 2, loser_value)
    assert again["revision"] == 3 and again["value"] == loser_value
    # The browser phone's stale form (base 1) is refused, keeping its own choice.
    phone.send_text(
        json.dumps(
            {"type": "draft", "question": "first", "table": "2", "base": "1", "value": "buses"}
        )
    )
    stale = frames_until(phone, 'id="answer-status"')
    assert "Someone at your table changed the draft before you saved" in stale
    assert 'name="base" value="3"' in stale and 'value="buses" checked' in stale

    # Bad input at tables: another table's draft, a tablet answering alone.
    elsewhere = three_a.draft("first", 2, 3, "buses")
    assert elsewhere["code"] == "not_at_table"
    assert elsewhere["message"] == "You are not at table 2, so you cannot answer for it."
    # Table 1: the tablet writes and submits; a phone at table 1 then cannot edit.
    assert tablet.draft("first", 1, 0, "trees")["revision"] == 1
    submission = tablet.submit("first", 1, 1, submission_id="tablet-1")
    assert (submission["type"], submission["status"], submission["value"]) == (
        "table_ack",
        "stored",
        "trees",
    )
    assert tablet.submit("first", 1, 1, submission_id="tablet-1")["status"] == "duplicate"
    late_edit = one.draft("first", 1, 1, "buses")
    assert late_edit["code"] == "already_submitted"
    assert late_edit["message"] == "Jeres bord har sendt sit svar, og det kan ikke længere ændres."

    # -- a move: three_b goes from table 3 to table 2 ------------------------------
    three_a.draft("first", 3, 0, "bikes")
    act(console, sid, "move", participant=three_b.id, table=2)
    moved = three_b.expect_event("participant_moved")
    assert moved["data"] == {"participant": three_b.id, "table": 2} and three_b.seat["table"] == 2
    assert three_b.draft("first", 3, 1, "buses")["code"] == "not_at_table"
    stale_submit = three_b.submit("first", 2, 2)
    assert stale_submit["code"] == "stale_draft" and stale_submit["draft"]["revision"] == 3
    final = three_b.submit("first", 2, 3)
    assert final["status"] == "stored" and final["value"] == loser_value
    assert final["submitted_by"] == {"number": three_b.number, "device": "phone"}
    # The browser phone sees its table's answer submitted, live.
    submitted = frames_until(phone, "Submitted for the table by")
    assert f"member {three_b.number}" in submitted

    overview = {t["table"]: t for t in console.get(f"/api/sessions/{sid}/tables").json()["tables"]}
    assert {n: (t["phones"], t["tablets"]) for n, t in overview.items()} == {
        1: (1, 1),
        2: (4, 0),
        3: (1, 0),
    }
    answers = {n: t["table_answer"] for n, t in overview.items()}
    assert answers[1]["submitted"] and answers[1]["value"] == "trees"
    assert answers[2]["submitted"] and answers[2]["value"] == loser_value
    assert not answers[3]["submitted"] and answers[3]["revision"] == 1

    # -- close: a submit after close changes nothing ------------------------------
    act(console, sid, "close", question="first")
    three_a.expect_event("question_closed")
    after = three_a.submit("first", 3, 1)
    assert after["code"] == "question_not_open"
    assert after["message"] == "This question has closed; answers are locked."
    rows = {
        a.table_number: (a.value, a.revision, a.submission_id)
        for a in stored(settings, TableAnswer)
    }
    assert rows == {1: ("trees", 1, "tablet-1"), 2: (loser_value, 3, rows[2][2])}
    drafts = {d.table_number: (d.value, d.revision) for d in stored(settings, TableDraft)}
    # The question's results count the tables' submitted answers, one per table.
    results = console.get(f"/api/sessions/{sid}").json()["questions"]["first"]
    submitted = ["trees", loser_value]
    assert results["answers"] == 2
    assert {o["option_id"]: o["count"] for o in results["results"]["options"]} == {
        option: submitted.count(option) for option in ("buses", "bikes", "trees")
    }
    assert drafts == {1: ("trees", 1), 2: (loser_value, 3), 3: ("bikes", 1)}

    # -- an individual question: progress per table -------------------------------
    act(console, sid, "show_card", card=2)
    act(console, sid, "open", question="support")
    for person in people:
        person.expect_event("question_opened")
    refused_tablet = tablet.answer("support", 3)
    assert refused_tablet["code"] == "invalid_message"
    for person, score in ((one, 4), (two_a, 5), (three_b, 2), (three_a, 3)):
        assert person.answer("support", score)["status"] == "stored"
    overview = {t["table"]: t for t in console.get(f"/api/sessions/{sid}/tables").json()["tables"]}
    # Answered / phones: table 1 one of one, table 2 two of four, table 3 one of one.
    assert {n: (t["answered"], t["phones"]) for n, t in overview.items()} == {
        1: (1, 1),
        2: (2, 4),
        3: (1, 1),
    }
    assert {n: t["connected"] for n, t in overview.items()} == {1: 2, 2: 4, 3: 1}
    screen = console.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN})
    screen = screen.__enter__()
    sockets.append(screen)
    overview_html = " ".join(frames_until(screen, 'id="console-tables"').split())
    cells = re.findall(r'<td class="table-progress"> (\S+ / \S+) </td>', overview_html)
    assert cells == ["1 / 1", "2 / 4", "1 / 1"]

    # The facilitator moves the tablet to table 3; it now answers for table 3.
    act(console, sid, "move", participant=tablet.id, table=3)
    assert tablet.expect_event("participant_moved")["data"] == {
        "participant": tablet.id,
        "table": 3,
    }
    overview = {t["table"]: t for t in console.get(f"/api/sessions/{sid}/tables").json()["tables"]}
    assert {n: t["tablets"] for n, t in overview.items()} == {1: 0, 2: 0, 3: 1}

    # Every follower's folded state equals a fresh snapshot.
    fresh = console.get(f"/api/sessions/{sid}").json()["state"]
    assert [t["table"] for t in fresh["tables"]] == [1, 2, 3]
    for person in [watcher, *people]:
        while person.state["seq"] < fresh["seq"]:
            person.expect("event")
        assert person.state == fresh
    seats = {p.id: p.table_number for p in stored(settings, Participant)}
    assert seats[three_b.id] == 2 and seats[tablet.id] == 3 and seats[watcher.id] is None


def table_forms(html: str) -> str | None:
    """The console's table forms in a page or reply, or None."""
    if 'id="table-forms"' not in html:
        return None
    return html.split('id="table-forms"')[1].split("</div>")[0]


def test_the_table_forms_are_not_in_the_live_updates(
    console: TestClient, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    page = console.get(f"/console/{sid}").text
    assert table_forms(page) is not None and 'name="count"' in page
    live = console.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN})
    live = live.__enter__()
    sockets.append(live)
    assert table_forms(frames_until(live, 'id="console-tables"')) is None

    # Without JavaScript: the form posts, and the page it leads to has the forms.
    added = console.post(
        f"/console/{sid}/actions",
        data={"action": "add_table", "name": "By the window"},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == f"/console/{sid}"
    # With htmx: the reply draws the forms again, out of band, for the new count.
    reply = console.post(
        f"/console/{sid}/actions",
        data={"action": "tables", "count": "3"},
        headers={"hx-request": "true"},
    ).text
    forms = table_forms(reply)
    assert forms is not None and forms.startswith(' hx-swap-oob="true">')
    assert 'id="table-count" name="count" type="number" min="1" max="100" ' in forms
    assert 'inputmode="numeric" value="3"' in forms
    # Phones joining, tables added: the live updates leave the forms alone.
    person = JsonParticipant(console, code, table=2)
    person.connect()
    sockets.append(person)
    frame = frames_until(live, '<td class="table-connected">1 / 1</td>')
    assert table_forms(frame) is None and "1 · By the window" in frame
    assert 'id="table-row-3"' in frame
    assert 'id="table-name"' not in frame

    # An ended session has no forms: the update that ends it takes them away.
    act(console, sid, "end")
    ended = frames_until(live, "The session has ended")
    assert table_forms(ended) == ">\n"  # an empty <div id="table-forms">
    assert table_forms(console.get(f"/console/{sid}").text) == ">\n"
