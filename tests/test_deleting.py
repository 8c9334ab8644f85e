"""Deleting a session stops everything this worker was doing for it: a card's
running discussion timer no longer ticks (it used to log a traceback on every
tick until the timer ran out, because the session it drew was gone)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import open_session
from tests.protocol import JsonParticipant, receive_text

TICKS = 10


def test_deleting_a_session_stops_its_timer_ticking(
    console: TestClient, sockets: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    hub = console.app.state.services.hub  # type: ignore[attr-defined]
    hub.pushes.tick_seconds = 0.05  # many ticks in the wait below, instead of one per 5 s
    session = open_session(console, "tables-test.yaml")
    sid = session["id"]
    person = JsonParticipant(console, session["join_code"])
    sockets.append(person)
    person.connect()
    for action in ("show_card", "timer_start"):
        response = console.post(f"/api/sessions/{sid}/actions", json={"action": action, "card": 1})
        assert response.status_code == 200, response.text
    assert person.expect("timer")["card"] == 1  # the countdown is ticking

    assert console.delete(f"/api/sessions/{sid}").status_code == 200
    # The phone's socket stays open on its side for a while (the close handshake).
    assert person.ws is not None
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            receive_text(person.ws)
    assert closed.value.code == 1000
    caplog.set_level(logging.ERROR)
    time.sleep(TICKS * hub.pushes.tick_seconds)  # not a timing assertion: ticks that may come
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
