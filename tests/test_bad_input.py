"""Bad input gets a clear message and a 4xx or an error frame, never a 500, never
a dropped connection for anyone else, and nothing stored is lost."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import ORIGIN, act, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_text


def test_wrong_join_codes_get_clear_pages(client: TestClient) -> None:
    response = client.get("/join?code=0OIL1x", headers={"accept-language": "da"})
    assert response.status_code == 400
    assert "Det er ikke en gyldig kode. Koden har 6 tegn – bogstaver og tal." in response.text
    unknown = client.get("/join/ABCDEF")
    assert unknown.status_code == 404
    assert "No session has the code ABCDEF. Please check it." in unknown.text
    assert (
        client.get("/join?code=ab-cd ef", follow_redirects=False).headers["location"]
        == "/join/ABCDEF"
    )
    api = client.post("/api/join", json={"code": "ABCDEF"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert (
        client.post(
            "/api/join", content=b"not json", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    assert client.post("/api/join", data={"code": "ABCDEF"}).status_code == 400


def test_unknown_pages_and_sessions(console: TestClient) -> None:
    assert console.get("/no/such/page").status_code == 404
    assert console.get("/console/0123456789abcdef0123456789abcdef").status_code == 404
    missing = console.get("/api/sessions/nope")
    assert (
        missing.status_code == 404
        and missing.json()["error"]["message"] == "There is no such session."
    )
    assert console.get("/p/ZZZZZZ").status_code == 404


def test_a_deck_with_errors_is_listed_not_used(console: TestClient) -> None:
    decks = {d["file"]: d for d in console.get("/api/decks").json()["decks"]}
    assert decks["broken.yaml"]["errors"] == ["card 1 (id: q): a question card needs a question"]
    assert decks["town-test.yaml"]["errors"] == []
    page = console.get("/console").text
    assert "The deck file broken.yaml has errors and cannot be used:" in page
    assert 'value="broken.yaml"' not in page
    refused = console.post("/api/sessions", json={"deck": "broken.yaml"})
    assert refused.status_code == 400
    assert "a question card needs a question" in refused.json()["error"]["message"]
    response = console.post("/api/sessions", json={"deck": "nope.yaml"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "There is no deck called nope.yaml."


def test_illegal_facilitator_actions_are_refused(console: TestClient) -> None:
    session = open_session(console)
    sid = session["id"]

    def api(action: str, **fields: Any) -> Any:
        return console.post(f"/api/sessions/{sid}/actions", json={"action": action, **fields})

    refused = api("open", question="street")
    assert refused.status_code == 409
    assert (
        refused.json()["error"]["message"]
        == "Show the question's card before opening the question."
    )
    assert (
        api("close", question="street").json()["error"]["message"]
        == "This question has not been opened yet."
    )
    assert api("show_card", card=99).json()["error"]["message"] == (
        "There is no card 99: the deck's cards are numbered 0 to 10."
    )
    assert api("show_card", card="three").status_code == 400
    assert api("open", question="nope").status_code == 404
    assert api("dance").json()["error"]["message"] == "Unknown action."
    assert api("show_card", card=3).status_code == 200
    assert api("open", question="street").status_code == 200
    assert api("open", question="street").status_code == 200  # idempotent
    assert api("close", question="street").status_code == 200
    assert api("open", question="street").json()["error"]["message"] == (
        "This question is closed; its answers are locked."
    )
    assert api("end").status_code == 200
    assert api("end").status_code == 200  # idempotent
    assert api("show_card", card=0).json()["error"]["code"] == "illegal_transition"
    # The console's form, without htmx, redirects back with the error page.
    page = console.post(f"/console/{sid}/actions", data={"action": "show_card", "card": "1"})
    assert page.status_code == 409 and "This session has ended." in page.text


def test_malformed_socket_messages_get_error_frames(console: TestClient) -> None:
    session = open_session(console)
    act(console, session["id"], "show_card", card=3)
    act(console, session["id"], "open", question="street")
    person = JsonParticipant(console, session["join_code"])
    other = JsonParticipant(console, session["join_code"])
    person.connect()
    other.connect()
    assert person.answer("street", "main")["status"] == "stored"
    ws = person.ws
    assert ws is not None

    def error_for(text: str) -> dict[str, Any]:
        ws.send_text(text)
        frame: dict[str, Any] = json.loads(receive_text(ws))
        assert frame["type"] == "error"
        return frame

    assert error_for("{not json")["message"] == "That message is not valid JSON."
    assert error_for("[1, 2]")["message"] == "A message must be a JSON object."
    assert (
        error_for(
            json.dumps(
                {"type": "answer", "question": "street", "answer_id": "x", "value": "a" * 70_000}
            )
        )["message"]
        == "That message is too large."
    )
    assert error_for('{"type": "dance"}')["message"] == "Unknown message type."
    assert (
        error_for('{"type": "answer", "question": "street", "value": "main"}')["code"]
        == "invalid_message"
    )
    assert (
        error_for(
            '{"type": "answer", "question": "street", "answer_id": "no spaces", "value": "main"}'
        )["code"]
        == "invalid_message"
    )
    assert (
        error_for('{"type": "answer", "question": 5, "answer_id": "ok", "value": "main"}')["code"]
        == "invalid_message"
    )
    ws.send_bytes(b"\x00\x01")
    assert json.loads(receive_text(ws))["message"] == "Messages must be JSON text."
    ws.send_text('{"type": "ping"}')
    assert json.loads(receive_text(ws)) == {"type": "pong"}
    # The other participant was not disturbed, and the stored answer is intact.
    assert other.answer("street", "church")["status"] == "stored"
    detail = console.get(f"/api/sessions/{session['id']}").json()["questions"]["street"]
    assert detail["answers"] == 2
    person.close()
    other.close()


def test_sockets_refuse_strangers(console: TestClient, browser: Any) -> None:
    session = open_session(console)
    code, sid = session["join_code"], session["id"]
    # A JSON client without a valid token is told to join, then closed.
    with console.websocket_connect(f"/ws/participant/{code}?format=json") as ws:
        ws.send_text(json.dumps({"type": "hello", "token": "forged"}))
        assert json.loads(ws.receive_text())["code"] == "not_joined"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 4401
    with console.websocket_connect("/ws/participant/ZZZZZZ?format=json") as ws:
        assert json.loads(ws.receive_text())["code"] == "not_found"
    # A page on another site cannot open the console socket with the cookie.
    with (
        pytest.raises(WebSocketDisconnect),
        console.websocket_connect(f"/ws/console/{sid}", headers={"origin": "https://evil.example"}),
    ):
        pass
    with (
        pytest.raises(WebSocketDisconnect),
        console.websocket_connect(
            f"/ws/console/{sid}", headers={"origin": ORIGIN + ".evil.example"}
        ),
    ):
        pass
    # Nor can a visitor without a login.
    stranger = browser()
    with (
        pytest.raises(WebSocketDisconnect),
        stranger.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN}),
    ):
        pass


def test_facilitator_pages_need_login_and_csrf(client: TestClient, browser: Any) -> None:
    assert (
        client.get("/console", follow_redirects=False).headers["location"] == "/login?next=/console"
    )
    assert client.get("/api/sessions").status_code == 401
    assert client.post("/api/sessions", json={"deck": "town-test.yaml"}).status_code == 401
    wrong = client.post(
        "/login",
        data={
            "username": "alice",
            "password": "nope",
            "csrf_token": csrf_of(client.get("/login").text),
        },
    )
    assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    no_token = client.post("/login", data={"username": "alice", "password": "x"})
    assert no_token.status_code == 403
    assert "This form has expired" in no_token.text


def test_logout_closes_the_console_socket(console: TestClient) -> None:
    session = open_session(console)
    with console.websocket_connect(
        f"/ws/console/{session['id']}", headers={"origin": ORIGIN}
    ) as ws:
        receive_text(ws)
        console.post("/logout", data={"csrf_token": console.headers["x-csrf-token"]})
        with pytest.raises(WebSocketDisconnect):
            for _ in range(10):
                receive_text(ws)
    assert console.get("/console", follow_redirects=False).status_code == 303


def test_deeply_nested_json_bodies_get_a_clear_400(client: TestClient) -> None:
    for path in ("/api/join", "/api/login"):
        for depth in (17, 5_000, 30_000):
            body = '{"code": ' + "[" * depth + "]" * depth + "}"
            response = client.post(path, content=body, headers={"content-type": "application/json"})
            assert response.status_code == 400, (path, depth)
            assert response.json()["error"] == {
                "code": "invalid_message",
                "message": "That message is nested too deeply.",
            }
        invalid = client.post(
            path, content=b"\xff\xfe{}", headers={"content-type": "application/json"}
        )
        assert invalid.status_code == 400
        assert invalid.json()["error"]["message"] == "That message is not valid JSON."


def test_a_hello_with_a_broken_token_is_told_to_join(console: TestClient) -> None:
    session = open_session(console)
    for token in ("\ud800", "x\x00", "é" * 10, "t" * 10_000, ["list"]):
        with console.websocket_connect(f"/ws/participant/{session['join_code']}?format=json") as ws:
            ws.send_text(json.dumps({"type": "hello", "token": token}))
            assert json.loads(receive_text(ws))["code"] == "not_joined", token
            with pytest.raises(WebSocketDisconnect) as closed:
                receive_text(ws)
            assert closed.value.code == 4401
