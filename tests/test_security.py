"""Security promises (docs/security.md): exact Origin checks, participants kept to
their own answers in their own session, join codes that cannot be brute-forced
and stop working when a session ends."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from strategyroom.config import Settings
from strategyroom.web.app import create_app
from strategyroom.web.limits import JoinGuard
from tests.conftest import ORIGIN, act, login, open_session
from tests.protocol import JsonParticipant, receive_text, receive_until

LOOK_ALIKES = [
    "http://testserver.evil",
    "http://evil-testserver",
    "http://evil.testserver",
    "https://testserver",
    "http://testserver:8080",
    "http://TESTSERVER.evil.example",
    "null",
]


def refused(client: TestClient, path: str, origin: str) -> bool:
    """The socket is not served: its handshake is refused, or (a participant's
    page) it is only told the public URL's link, and closed for good."""
    try:
        with client.websocket_connect(path, headers={"origin": origin}) as ws:
            frame = receive_text(ws)
            if f'<a href="{ORIGIN}/join/' not in frame or 'id="stage"' not in frame:
                return False
            with pytest.raises(WebSocketDisconnect) as closed:
                receive_text(ws)
            return closed.value.code == 4403
    except WebSocketDisconnect:
        return True


def joined_browser(browser: Callable[[], TestClient], code: str) -> TestClient:
    """A resident's browser that joined through the join page (cookie, no login)."""
    phone = browser()
    page = phone.get(f"/join/{code}")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    joined = phone.post(f"/join/{code}", data={"csrf_token": token, "language": "en"})
    assert joined.status_code == 200 and 'id="stage"' in joined.text
    return phone


def test_cross_site_handshakes_are_refused_even_with_valid_cookies(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    phone = joined_browser(browser, session["join_code"])
    console_path = f"/ws/console/{session['id']}"
    participant_path = f"/ws/participant/{session['join_code']}"
    projector_path = f"/ws/projector/{session['join_code']}"
    for origin in LOOK_ALIKES:
        assert refused(console, console_path, origin), origin
        assert refused(phone, participant_path, origin), origin
        assert refused(phone, projector_path, origin), origin
    # The same cookies from our own origin are let in.
    assert not refused(console, console_path, ORIGIN)
    assert not refused(phone, participant_path, ORIGIN)


def test_a_participant_reaches_nothing_of_the_facilitator(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    sid, code = session["id"], session["join_code"]
    phone = joined_browser(browser, code)
    assert phone.get("/console", follow_redirects=False).status_code == 303
    assert phone.get(f"/console/{sid}", follow_redirects=False).status_code == 303
    assert phone.get(f"/console/{sid}/delete", follow_redirects=False).status_code == 303
    assert phone.get("/api/sessions").status_code == 401
    assert phone.get(f"/api/sessions/{sid}").status_code == 401
    assert phone.post(f"/api/sessions/{sid}/actions", json={"action": "end"}).status_code == 401
    assert phone.delete(f"/api/sessions/{sid}").status_code == 401
    assert phone.post("/api/sessions", json={"deck": "town-test.yaml"}).status_code == 401
    form = phone.post(
        f"/console/{sid}/actions",
        data={"action": "end"},
        headers={"hx-request": "true"},
        follow_redirects=False,
    )
    assert form.status_code == 303 and form.headers["location"].startswith("/login")
    assert refused(phone, f"/ws/console/{sid}", ORIGIN)
    assert console.get(f"/api/sessions/{sid}").json()["state"]["status"] == "lobby"


def test_every_socket_message_acts_only_as_its_participant_in_its_session(
    console: TestClient,
) -> None:
    """Whatever ids a message carries, it can only answer for its own socket."""
    first = open_session(console, title="First")
    second = open_session(console, title="Second")
    for room in (first, second):
        act(console, room["id"], "show_card", card=3)
        act(console, room["id"], "open", question="street")
    victim = JsonParticipant(console, first["join_code"])
    attacker = JsonParticipant(console, first["join_code"])
    elsewhere = JsonParticipant(console, second["join_code"])
    for person in (victim, attacker, elsewhere):
        person.connect()
    assert victim.answer("street", "main", answer_id="victim-1")["status"] == "stored"
    assert elsewhere.answer("street", "none", answer_id="other-1")["status"] == "stored"
    before = console.get(f"/api/sessions/{first['id']}").json()
    hostile: list[dict[str, Any]] = [
        {"type": "action", "action": "end"},
        {"type": "show_card", "card": 9},
        {"type": "close", "question": "street"},
        {"type": "delete"},
        {"type": "hello", "token": victim.token},
        {"type": "answers", "participant": "x"},
    ]
    for message in hostile:
        assert attacker.ws is not None
        attacker.ws.send_text(json.dumps(message))
        frame = json.loads(receive_text(attacker.ws))
        assert frame["type"] == "error" and frame["code"] == "invalid_message", frame
    # Ids of someone else, of another session, or the victim's answer id: the
    # answer is stored as the attacker's own, or refused; never the victim's.
    forged = attacker.answer(
        "street",
        "church",
        answer_id="victim-1",
    )
    assert forged["status"] == "stored"
    assert attacker.ws is not None
    attacker.ws.send_text(
        json.dumps(
            {
                "type": "answer",
                "question": "street",
                "answer_id": "a-2",
                "value": "none",
                "participant": victim.state["session"],
                "session": second["id"],
                "token": victim.token,
            }
        )
    )
    assert json.loads(receive_until(attacker.ws, '"ack"'))["status"] == "stored"
    assert attacker.answer("priorities", ["heat", "solar", "trees"])["code"] == "question_not_open"
    assert attacker.answer("no-such-question", "x")["code"] == "not_found"
    # A token of one session does not open a socket of another.
    with console.websocket_connect(f"/ws/participant/{second['join_code']}?format=json") as ws:
        ws.send_text(json.dumps({"type": "hello", "token": victim.token}))
        assert json.loads(ws.receive_text())["code"] == "not_joined"
    after = console.get(f"/api/sessions/{first['id']}").json()
    assert after["state"] == before["state"]
    results = after["questions"]["street"]["results"]
    assert {o["option_id"]: o["count"] for o in results["options"]} == {
        "main": 1,
        "church": 0,
        "none": 1,
    }
    other = console.get(f"/api/sessions/{second['id']}").json()["questions"]["street"]
    assert other["answers"] == 1
    for person in (victim, attacker, elsewhere):
        person.close()


@pytest.fixture
def strict(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    """An app with small limits, so the tests reach them quickly."""
    small = replace(
        settings,
        join_attempts_per_minute=5,
        max_participants=3,
        socket_messages_per_second=2.0,
        sockets_per_participant=2,
    )
    with TestClient(create_app(small), base_url=ORIGIN) as client:
        client.headers["x-csrf-token"] = login(client)
        yield client


def test_wrong_join_codes_are_rate_limited_per_address(strict: TestClient) -> None:
    session = open_session(strict)
    code = session["join_code"]
    guesser = TestClient(strict.app, base_url=ORIGIN, client=("203.0.113.7", 4000))
    guesser.portal = strict.portal
    neighbour = TestClient(strict.app, base_url=ORIGIN, client=("203.0.113.8", 4000))
    neighbour.portal = strict.portal
    # Right codes are never counted: a venue shares one address.
    for _ in range(10):
        assert guesser.get(f"/join/{code}").status_code == 200
    wrong = [c for c in ("ABCDEF", "GHJKMN", "PQRSTU", "VWXYZ2", "345678") if c != code]
    for guess in wrong:
        assert guesser.get(f"/join/{guess}").status_code == 404
    blocked = guesser.get(f"/join/{code}", headers={"accept-language": "da"})
    assert blocked.status_code == 429
    assert "Too many wrong codes" not in blocked.text  # translated
    assert "Vent et minut, og prøv igen." in blocked.text
    api = guesser.post("/api/join", json={"code": code})
    assert api.status_code == 429 and api.json()["error"]["code"] == "rate_limited"
    with guesser.websocket_connect(f"/ws/participant/{code}?format=json") as ws:
        assert json.loads(ws.receive_text())["code"] == "rate_limited"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 4429
    # Another address is not affected.
    assert neighbour.get(f"/join/{code}").status_code == 200


def test_join_guard_forgets_failures_after_a_minute() -> None:
    now = [1000.0]
    guard = JoinGuard(2, clock=lambda: now[0])
    guard.failed("a")
    guard.failed("a")
    with pytest.raises(Exception, match="Too many wrong codes"):
        guard.check("a")
    guard.check("b")
    now[0] += 60.5
    guard.check("a")


def test_codes_stop_working_when_the_session_ends(console: TestClient) -> None:
    session = open_session(console)
    code = session["join_code"]
    assert console.post("/api/join", json={"code": code}).status_code == 201
    act(console, session["id"], "end")
    ended = console.post("/api/join", json={"code": code})
    assert ended.status_code == 410 and ended.json()["error"]["code"] == "session_ended"
    stranger = TestClient(console.app, base_url=ORIGIN)
    stranger.portal = console.portal
    page = stranger.get(f"/join/{code}")
    assert page.status_code == 410 and "This session has ended." in page.text


def test_participants_per_session_are_limited(strict: TestClient) -> None:
    session = open_session(strict)
    for _ in range(3):
        assert strict.post("/api/join", json={"code": session["join_code"]}).status_code == 201
    full = strict.post(
        "/api/join", json={"code": session["join_code"]}, headers={"accept-language": "sv"}
    )
    assert full.status_code == 409
    assert full.json()["error"] == {
        "code": "session_full",
        "message": "Den här sessionen är full (3 deltagare).",
    }


def test_sockets_per_participant_are_limited(strict: TestClient) -> None:
    session = open_session(strict)
    phone = JsonParticipant(strict, session["join_code"])
    first = JsonParticipant(strict, session["join_code"])
    first.token = phone.token
    second = JsonParticipant(strict, session["join_code"])
    second.token = phone.token
    first.connect()
    second.connect()
    with strict.websocket_connect(phone.socket_path) as ws:
        ws.send_text(json.dumps({"type": "hello", "token": phone.token}))
        assert json.loads(ws.receive_text())["code"] == "rate_limited"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 4429
    first.close()
    phone.connect()  # a socket freed is a socket available
    phone.close()
    second.close()


def test_a_flooding_socket_is_throttled_while_others_are_answered(strict: TestClient) -> None:
    session = open_session(strict)
    act(strict, session["id"], "show_card", card=3)
    act(strict, session["id"], "open", question="street")
    flooder = JsonParticipant(strict, session["join_code"])
    calm = JsonParticipant(strict, session["join_code"])
    flooder.connect()
    calm.connect()
    assert flooder.ws is not None
    for _ in range(300):
        flooder.ws.send_text('{"type": "ping"}')
    # Everyone else is answered as usual while the flood is being read.
    assert calm.answer("street", "main")["status"] == "stored"
    frames = []
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(300):
            frames.append(json.loads(receive_text(flooder.ws)))
    assert closed.value.code == 4429
    codes = [f.get("code") for f in frames if f["type"] == "error"]
    assert codes and set(codes) == {"rate_limited"}
    assert 10 <= sum(f["type"] == "pong" for f in frames) < 300
    with contextlib.suppress(WebSocketDisconnect):
        flooder.close()
    assert calm.answer("street", "church")["status"] == "stored"
    detail = strict.get(f"/api/sessions/{session['id']}").json()
    assert detail["questions"]["street"]["answers"] == 1
    calm.close()
