"""Coming back: a JSON client resumes with its last sequence number, a browser
gets the whole stage again, and a reload keeps the answer already given."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from strategyroom.web.greeting import REPLAY_LIMIT
from tests.conftest import ORIGIN, act, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_text


def test_resume_replays_missed_events_in_order(console: TestClient) -> None:
    session = open_session(console)
    sid = session["id"]
    person = JsonParticipant(console, session["join_code"], "sv")
    person.connect()
    act(console, sid, "show_card", card=0)
    person.expect_event("card_shown")
    person.close()
    # Away while three cards are shown and a question opens.
    for card in (1, 2, 3):
        act(console, sid, "show_card", card=card)
    act(console, sid, "open", question="street")
    person.connect(resume=True)
    missed = [person.expect("event") for _ in range(4)]
    assert [f["seq"] for f in missed] == [2, 3, 4, 5]
    assert [f["event"] for f in missed] == ["card_shown"] * 3 + ["question_opened"]
    assert missed[0]["card"]["title"] == "Färre bilar i centrum"
    fresh = console.get(f"/api/sessions/{sid}").json()["state"]
    assert person.state == fresh
    # Nothing more is replayed: the next frame is the next live event.
    act(console, sid, "close", question="street")
    assert person.expect("event")["seq"] == 6
    person.close()


def test_resume_from_another_epoch_gets_a_snapshot(console: TestClient) -> None:
    session = open_session(console)
    person = JsonParticipant(console, session["join_code"])
    person.connect()
    act(console, session["id"], "show_card", card=3)
    person.expect_event("card_shown")
    person.close()
    person.state["epoch"] = "stale"
    person.connect(resume=True)
    snapshot = person.expect("snapshot")
    assert snapshot["current_card"] == 3 and snapshot["card"]["id"] == "q-single"
    assert person.state == console.get(f"/api/sessions/{session['id']}").json()["state"]
    person.close()


def test_resume_from_too_old_a_sequence_gets_the_snapshot_a_fresh_client_gets(
    console: TestClient,
) -> None:
    """More than REPLAY_LIMIT events behind, a client is not replayed to: it gets
    one snapshot, the same one a client connecting for the first time gets."""
    session = open_session(console)
    sid = session["id"]
    person = JsonParticipant(console, session["join_code"])
    person.connect()
    person.close()
    for step in range(REPLAY_LIMIT + 1):
        act(console, sid, "show_card", card=step % 2)
    act(console, sid, "show_card", card=3)
    act(console, sid, "open", question="street")
    newcomer = JsonParticipant(console, session["join_code"])
    try:
        person.connect(resume=True)
        snapshot = person.expect("snapshot")
        assert snapshot["seq"] == REPLAY_LIMIT + 3
        fresh = newcomer.connect()
        # The same screen; only the device's own seat (and answers, none yet) differ.
        assert snapshot.pop("seat")["number"] == 1
        assert fresh.pop("seat")["number"] == 2
        assert snapshot == fresh
        assert person.state == console.get(f"/api/sessions/{sid}").json()["state"]
    finally:
        person.close()
        newcomer.close()


def test_following_events_keeps_a_client_equal_to_a_fresh_snapshot(console: TestClient) -> None:
    """Zulip's verify_action: after every action, the state a client folded from
    events equals the state a new client gets."""
    session = open_session(console)
    sid = session["id"]
    follower = JsonParticipant(console, session["join_code"])
    follower.connect()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("tables", {"count": 1}),
        ("show_card", {"card": 3}),
        ("open", {"question": "street"}),
        ("reveal", {"question": "street"}),
        ("show_card", {"card": 5, "close_open": True}),
        ("open", {"question": "support"}),
        ("close", {"question": "support"}),
        ("reopen", {"question": "support"}),
        ("close", {"question": "support"}),
        ("reveal", {"question": "support"}),
        ("lock_joining", {}),
        ("show_card", {"card": 4}),
        ("open", {"question": "measures"}),
        ("show_card", {"card": 5, "keep_open": True}),
        ("unlock_joining", {}),
        ("end", {}),
    ]
    for action, fields in steps:
        before = follower.state["seq"]
        act(console, sid, action, **fields)
        after = console.get(f"/api/sessions/{sid}").json()["state"]["seq"]
        assert after > before, action
        for _ in range(after - before):
            follower.expect("event")
        fresh = console.get(f"/api/sessions/{sid}").json()["state"]
        assert follower.state == fresh, action
        if action != "end":
            # A newcomer sits at the table (its code admits while the door is
            # closed); its seat is one more event, which the follower reads next.
            newcomer = JsonParticipant(console, f"{session['join_code']}-1")
            newcomer.connect()
            assert newcomer.state == console.get(f"/api/sessions/{sid}").json()["state"]
            newcomer.close()
    follower.close()


def test_a_reload_shows_the_answer_already_given(console: TestClient, browser: Any) -> None:
    session = open_session(console)
    code, sid = session["join_code"], session["id"]
    phone = browser()
    csrf = csrf_of(phone.get(f"/join/{code}").text)
    phone.post(f"/join/{code}", data={"csrf_token": csrf, "language": "da"})
    act(console, sid, "show_card", card=5)
    act(console, sid, "open", question="support")
    page = phone.get(f"/s/{code}").text
    nonce = page.split('name="answer_id" value="')[1].split('"')[0]
    with phone.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        receive_text(ws)
        ws.send_text(
            json.dumps({"type": "answer", "question": "support", "answer_id": nonce, "value": "4"})
        )
        assert "Dit svar er talt med." in receive_text(ws)
    # Reload: the page, and the socket's first frame, show the answer.
    again = phone.get(f"/s/{code}").text
    assert 'value="4" checked' in again
    with phone.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        assert 'value="4" checked' in receive_text(ws)
    # Joining again from the same device keeps the same participant.
    assert phone.get(f"/join/{code}", follow_redirects=False).headers["location"] == f"/s/{code}"
    assert console.get(f"/api/sessions/{sid}").json()["participants"]["joined"] == 1
    # Switching language: the same card, now in Swedish.
    switched = phone.post(
        "/language", data={"csrf_token": csrf, "language": "sv", "code": code, "next": f"/s/{code}"}
    )
    assert switched.url.path == f"/s/{code}"
    assert '<html lang="sv"' in switched.text and 'value="4" checked' in switched.text
    with phone.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        stage = receive_text(ws)
        assert "Ändra svar" in stage and "Dit svar er talt" not in stage
    # A redirect target off the site is ignored.
    away = phone.post(
        "/language",
        data={"csrf_token": csrf, "language": "en", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/"
