"""A table's draft edit based on an older revision, over real websockets: it is
merged into the newer draft field by field when it says what its base held
(docs/protocol.md, "Tables"), and refused naming the fields when two members
changed the same one. Runs embedded and scale-out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import ORIGIN, act, open_session
from tests.protocol import JsonParticipant
from tests.test_tables import browser_join, frames_until

pytestmark = pytest.mark.both_modes

BUDGET = "budget"  # tables-test.yaml: 10 points over buses, bikes, trees, solar


def points(buses: int, bikes: int, trees: int, solar: int) -> dict[str, int]:
    return {"buses": buses, "bikes": bikes, "trees": trees, "solar": solar}


def edit(person: JsonParticipant, base: int, base_value: Any, value: Any) -> dict[str, Any]:
    person.send(
        {
            "type": "draft",
            "question": BUDGET,
            "table": 1,
            "base": base,
            "base_value": base_value,
            "value": value,
        }
    )
    return person.reply("draft_saved")


def test_an_edit_on_an_older_revision_is_merged_or_explained(
    console: TestClient, browser: Any, sockets: list[Any]
) -> None:
    session = open_session(console, "tables-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    ana, bo, cy = (JsonParticipant(console, code, table=1) for _ in range(3))
    for person in (ana, bo, cy):
        person.connect()
        sockets.append(person)
    phone_client = browser()
    browser_join(phone_client, f"/join/{code}/1")
    phone = phone_client.websocket_connect(
        f"/ws/participant/{code}", headers={"origin": ORIGIN}
    ).__enter__()
    sockets.append(phone)
    act(console, sid, "show_card", card=3)
    act(console, sid, "open", question=BUDGET)
    stage = frames_until(phone, 'id="draft-form"')
    assert 'name="base_value" value="null"' in stage

    first = points(4, 4, 2, 0)
    assert edit(ana, 0, None, first)["revision"] == 1
    # Bo moves 2 points from buses to trees, on revision 1.
    assert edit(bo, 1, first, points(2, 4, 4, 0))["value"] == points(2, 4, 4, 0)
    # Cy, still on revision 1, moves 2 from bikes to solar: no field both
    # changed, so it is merged into Bo's revision and stored as revision 3.
    merged = edit(cy, 1, first, points(4, 2, 2, 2))
    assert merged["type"] == "draft_saved"
    assert (merged["revision"], merged["value"]) == (3, points(2, 2, 4, 2))
    assert merged["changed_by"] == {"number": cy.number, "device": "phone"}

    # Ana, also still on revision 1, changes buses and trees, which Bo changed
    # too: refused, naming the fields and who changed them; nothing is stored.
    refused = edit(ana, 1, first, points(3, 4, 3, 0))
    assert refused["code"] == "stale_draft"
    assert refused["conflicts"] == ["buses", "trees"]
    assert refused["message"] == (
        f"Member {cy.number} changed “More buses”, “Trees” while you were typing. "
        "Your choice is kept in the form: check it and save again."
    )
    assert (refused["draft"]["revision"], refused["draft"]["value"]) == (3, points(2, 2, 4, 2))
    # Without what its base held, an old edit cannot be merged: refused as before.
    cy.send({"type": "draft", "question": BUDGET, "table": 1, "base": 2, "value": first})
    assert cy.reply("draft_saved")["conflicts"] == []

    # A browser phone's form says what its revision held; its save on revision 2
    # (2 points from trees to buses) is merged, and its stage shows the merged draft.
    phone.send_text(
        json.dumps(
            {
                "type": "draft",
                "question": BUDGET,
                "table": "1",
                "base": "2",
                "base_value": json.dumps(points(2, 4, 4, 0)),
                **{f"points:{k}": str(v) for k, v in points(4, 4, 2, 0).items()},
            }
        )
    )
    saved = frames_until(phone, "Your table&#39;s draft is saved")
    assert 'name="base" value="4"' in saved
    for option, value in points(4, 2, 2, 2).items():
        assert f'name="points:{option}" min="0" max="10"' in saved
        assert f'value="{value}" aria-describedby' in saved.split(f'name="points:{option}"')[1]
    # Every device at the table is sent the merged draft.
    for person in (ana, bo, cy):
        pushed = [f for f in person.pushed if f["type"] == "table_draft"]
        draft = pushed[-1] if pushed else person.expect("table_draft")
        while draft["revision"] < 4:
            draft = person.expect("table_draft")
        assert draft["value"] == points(4, 2, 2, 2)


def test_a_merge_that_is_no_answer_says_why(
    console: TestClient, browser: Any, sockets: list[Any]
) -> None:
    """Two edits that each spend the 10 points, together 12: the refusal names no
    field (nobody changed the same one), so it must say what is wrong instead."""
    session = open_session(console, "tables-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    ana = JsonParticipant(console, code, table=1)
    bo = JsonParticipant(console, code, table=1, language="da")
    for person in (ana, bo):
        person.connect()
        sockets.append(person)
    act(console, sid, "show_card", card=3)
    act(console, sid, "open", question=BUDGET)
    first = points(4, 2, 2, 2)
    assert edit(ana, 0, None, first)["revision"] == 1
    # Ana moves the 2 bike points to buses; Bo, on the same revision, to trees.
    assert edit(ana, 1, first, points(6, 0, 2, 2))["revision"] == 2
    refused = edit(bo, 1, first, points(4, 0, 4, 2))
    assert refused["code"] == "stale_draft" and refused["conflicts"] == []
    assert refused["message"] == (
        "Nogen ved dit bord ændrede udkastet, før du gemte, og med begge ændringer ville "
        "det ikke være et gyldigt svar: Pointene skal give 10 i alt – dine giver 12. "
        "Din ændring er ikke gemt: se det nuværende udkast, og ret det, så det passer."
    )
    assert (refused["draft"]["revision"], refused["draft"]["value"]) == (2, points(6, 0, 2, 2))
