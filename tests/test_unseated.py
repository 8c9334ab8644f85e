"""Devices at no table (they joined before there were tables): the table
overview's JSON lists them, and the move action seats them. The console's page
shows the same list (tests/test_browser_console.py)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.conftest import act, open_session
from tests.protocol import JsonParticipant

DECK = "tables-test.yaml"


def unseated(console: TestClient, session_id: str) -> list[dict[str, Any]]:
    overview = console.get(f"/api/sessions/{session_id}/tables").json()
    return list(overview["unseated"])


def test_devices_at_no_table_are_listed_until_seated(console: TestClient) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    phone, other = JsonParticipant(console, code), JsonParticipant(console, code)
    assert unseated(console, sid) == []  # no tables: nowhere to seat anyone yet

    act(console, sid, "tables", count=2)
    assert unseated(console, sid) == [
        {"participant": phone.id, "number": 1, "device": "phone"},
        {"participant": other.id, "number": 2, "device": "phone"},
    ]
    seated = JsonParticipant(console, code, table=1)
    act(console, sid, "move", participant=phone.id, table=2)
    assert unseated(console, sid) == [{"participant": other.id, "number": 2, "device": "phone"}]
    overview = console.get(f"/api/sessions/{sid}/tables").json()["tables"]
    assert {t["table"]: [m["participant"] for m in t["members"]] for t in overview} == {
        1: [seated.id],
        2: [phone.id],
    }
