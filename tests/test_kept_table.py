"""A table question kept open while the next card shows (``show_card`` with
``keep_open``): every device at the table keeps its draft form and the submit
step under the new card, as a question each person answers does (test_flow.py),
and the table's drafts keep reaching its devices, HTML and JSON alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import ORIGIN, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_until

pytestmark = pytest.mark.both_modes

FIRST, SUPPORT = 1, 2  # cards of tests/decks/tables-test.yaml: a table question, then a scale


def _draft_form(stage: str) -> str:
    """The one draft form on a stage, which must be the kept question's."""
    assert stage.count('id="draft-form"') == 1, stage
    assert stage.count('id="answer-status"') == 1, stage
    form = stage.split('id="draft-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="question" value="first"' in form
    return form


def test_a_table_question_kept_open_keeps_its_draft_form(
    console: TestClient, browser: Any, sockets: list[Any]
) -> None:
    session = open_session(console, "tables-test.yaml")
    sid, code = session["id"], session["join_code"]

    def act(action: str, **fields: Any) -> None:
        response = console.post(f"/api/sessions/{sid}/actions", json={"action": action, **fields})
        assert response.status_code == 200, response.text

    act("tables", count=1)
    phone = browser()
    page = phone.get(f"/join/{code}/1")
    phone.post(f"/join/{code}/1", data={"csrf_token": csrf_of(page.text), "language": "en"})
    member = JsonParticipant(console, code, table=1)
    sockets.append(member)
    member.connect()
    with phone.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        receive_until(ws, 'id="stage"')
        act("show_card", card=FIRST)
        act("open", question="first")
        receive_until(ws, 'id="draft-form"')

        act("show_card", card=SUPPORT, keep_open=True)
        stage = receive_until(ws, "How much do you support it?")
        form = _draft_form(stage)
        assert 'name="table" value="1"' in form and 'name="base" value="0"' in form
        assert "What should the town do first?" in form
        assert (
            "This question from an earlier card is still open: your table can answer it "
            "until the facilitator closes it." in stage
        )
        # The shown card's own question waits for the kept one to close.
        assert "The facilitator will open this question soon." in stage

        # A JSON member saves the draft: it is the kept question's, and the
        # browser phone's form follows it live.
        member.close()
        assert member.connect()["table_draft"]["question"] == "first"
        saved = member.draft("first", 1, 0, "bikes")
        assert (saved["type"], saved["revision"], saved["value"]) == ("draft_saved", 1, "bikes")
        pushed = receive_until(ws, 'id="table-draft"')
        assert "Draft: Bike lanes" in pushed and 'data-revision="1"' in pushed
        assert 'id="table-submit"' in pushed  # the submit step, now that there is a draft

        # The browser phone submits it for the table, from under the new card.
        ws.send_text(
            json.dumps(
                {
                    "type": "submit_table",
                    "question": "first",
                    "table": "1",
                    "revision": "1",
                    "submission_id": "kept-1",
                    "HEADERS": {"HX-Request": "true", "HX-Trigger": "submit-form"},
                }
            )
        )
        submitted = receive_until(ws, "answer is submitted.")
        assert 'id="table-answer"' in submitted and 'id="draft-form"' not in submitted
        assert "How much do you support it?" in submitted
    # The JSON member gets the drafts as they change: saved, then submitted.
    drafts = [member.reply("table_draft")]
    if not drafts[-1]["submitted"]:
        drafts.append(member.reply("table_draft"))
    assert [(d["question"], d["revision"], d["submitted"]) for d in drafts][-1] == (
        "first",
        1,
        True,
    )

    # A page loaded afresh shows the submitted answer under the new card.
    again = phone.get(f"/s/{code}").text
    assert 'id="table-answer"' in again and "Bike lanes" in again

    # Closed, it leaves the screen; the shown card's question can open.
    act("close", question="first")
    again = phone.get(f"/s/{code}").text
    assert 'id="table-draft"' not in again and "What should the town do first?" not in again
    act("open", question="support")
