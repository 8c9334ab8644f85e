"""The discussion timer: started, paused and extended by the facilitator, stored
as a deadline in the database, and shown from it on every screen and after a
reload. Every figure is checked against the stored values, never a stopwatch."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.store.db import Database
from strategyroom.store.models import RoomSession, SessionEvent
from tests.conftest import ORIGIN, act, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_text

# Each test runs embedded and in scale-out mode (tests/modes.py).
pytestmark = pytest.mark.both_modes

LENGTH = 300  # the timer of card 1 in tests/decks/tables-test.yaml


def stored_timer(settings: Settings, sid: str) -> tuple[datetime | None, int | None, datetime]:
    """The stored deadline, the stored remaining seconds and the time of the last event."""
    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        room = s.get_one(RoomSession, sid)
        last = s.exec(
            select(SessionEvent)
            .where(SessionEvent.session_id == sid)
            .order_by(col(SessionEvent.seq).desc())
        ).first()
    db.dispose()
    assert last is not None
    return room.timer_ends_at, room.timer_remaining, last.created_at


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def test_timer_start_pause_extend_and_reload(
    console: TestClient, browser: Any, settings: Settings
) -> None:
    session = open_session(console, "tables-test.yaml")
    sid, code = session["id"], session["join_code"]
    person = JsonParticipant(console, code)
    person.connect()
    phone = browser()
    page = phone.get(f"/join/{code}")
    phone.post(f"/join/{code}", data={"csrf_token": csrf_of(page.text), "language": "en"})

    refused = console.post(f"/api/sessions/{sid}/actions", json={"action": "timer_start"})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "The card shown has no discussion timer."
    act(console, sid, "show_card", card=1)
    person.expect_event("card_shown")
    assert person.card is not None and person.card["timer"] == LENGTH
    assert "Agree at your table" in person.card["prompt"]
    # Not started: every screen shows the whole length.
    assert f'data-remaining="{LENGTH}"' in phone.get(f"/s/{code}").text

    # Start: the deadline is the moment of the action plus the length.
    act(console, sid, "timer_start")
    started = person.expect_event("timer_started")
    ends_at, remaining, at = stored_timer(settings, sid)
    assert ends_at == at + timedelta(seconds=LENGTH) and remaining is None
    assert datetime.fromisoformat(started["data"]["ends_at"]) == ends_at
    # While it runs, the server pushes the time left, computed from the stored deadline.
    tick = person.expect("timer")
    assert tick["ends_at"] == started["data"]["ends_at"] and 0 < tick["remaining"] <= LENGTH
    act(console, sid, "timer_start")  # already running: nothing happens
    # A reload draws the countdown from the stored deadline.
    reloaded = phone.get(f"/s/{code}").text
    assert f'data-ends-at="{started["data"]["ends_at"]}"' in reloaded
    shown = int(re.search(r'data-remaining="(\d+)"', reloaded).group(1))  # type: ignore[union-attr]
    assert 0 < shown <= LENGTH and f">{clock(shown)}<" in reloaded

    # Pause: the time left is the deadline minus the moment of the pause, rounded up.
    act(console, sid, "timer_pause")
    paused = person.expect_event("timer_paused")
    ends_before = ends_at
    _, remaining, at = stored_timer(settings, sid)
    assert ends_before is not None
    left = math.ceil((ends_before - at).total_seconds())
    assert remaining == left and paused["data"] == {"card": 1, "remaining": left}
    page = phone.get(f"/s/{code}").text
    assert f'data-remaining="{left}"' in page and f">{clock(left)}<" in page
    assert "paused" in page

    # Extend while paused: exactly 60 seconds more.
    act(console, sid, "timer_extend", seconds=60)
    extended = person.expect_event("timer_extended")
    _, remaining, _ = stored_timer(settings, sid)
    assert remaining == left + 60
    assert extended["data"] == {"card": 1, "seconds": 60, "ends_at": None, "remaining": left + 60}
    # Resume: the new deadline is the resume moment plus what was left.
    act(console, sid, "timer_start")
    person.expect_event("timer_started")
    ends_at, remaining, at = stored_timer(settings, sid)
    assert ends_at == at + timedelta(seconds=left + 60) and remaining is None
    # Extend while running: the deadline moves by exactly 30 seconds.
    act(console, sid, "timer_extend", seconds=30)
    running_extended = person.expect_event("timer_extended")
    later, _, _ = stored_timer(settings, sid)
    assert later == ends_at + timedelta(seconds=30)
    assert datetime.fromisoformat(running_extended["data"]["ends_at"]) == later
    bad = console.post(
        f"/api/sessions/{sid}/actions", json={"action": "timer_extend", "seconds": 0}
    )
    assert bad.json()["error"]["message"] == "Extend by 1 to 3,600 seconds."

    # The projector and the browser's socket show the timer; a new card resets it.
    projector = console.get(f"/p/{code}").text
    assert f'data-ends-at="{running_extended["data"]["ends_at"]}"' in projector
    with phone.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        assert "Discussion time" in receive_text(ws)
    fresh = console.get(f"/api/sessions/{sid}").json()["state"]
    assert (
        person.state == fresh and fresh["timer"]["ends_at"] == running_extended["data"]["ends_at"]
    )
    act(console, sid, "show_card", card=2)
    person.expect_event("card_shown")
    assert person.state["timer"] is None
    assert stored_timer(settings, sid)[:2] == (None, None)
    person.close()
