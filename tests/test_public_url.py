"""Pages opened under another address than the public URL (the machine's LAN
address, ``localhost`` for ``127.0.0.1``): a phone's live socket is refused
there (its Origin must be the public URL's), so the phone must not join there
and then wait for a connection forever; it is told, with the right link."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import ORIGIN, csrf_of, open_session
from tests.protocol import receive_text

ELSEWHERE = "http://192.168.1.20:8000"


def joined(console: TestClient, session_id: str) -> int:
    detail = console.get(f"/api/sessions/{session_id}").json()
    return int(detail["participants"]["joined"])


def test_a_join_from_another_address_gets_the_public_link_instead(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    sid, code = session["id"], session["join_code"]
    phone = browser()
    form = {"csrf_token": csrf_of(phone.get(f"/join/{code}").text), "language": "da"}

    refused = phone.post(
        f"/join/{code}", data=form, headers={"origin": ELSEWHERE}, follow_redirects=False
    )
    assert refused.status_code == 400
    assert (
        f"Du åbnede siden på {ELSEWHERE}, men sessionen kører på {ORIGIN}. Deltag her:"
        in refused.text
    )
    assert f'<a href="{ORIGIN}/join/{code}">{ORIGIN}/join/{code}</a>' in refused.text
    assert joined(console, sid) == 0

    # Through the public URL the same form joins.
    accepted = phone.post(
        f"/join/{code}", data=form, headers={"origin": ORIGIN}, follow_redirects=False
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/s/{code}"
    assert joined(console, sid) == 1


def test_a_live_page_opened_elsewhere_is_told_the_link_not_left_reconnecting(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    code = session["join_code"]
    phone = browser()
    path = f"/ws/participant/{code}"
    headers = {"origin": ELSEWHERE, "accept-language": "sv-SE,sv;q=0.9"}
    with phone.websocket_connect(path, headers=headers) as ws:
        assert receive_text(ws) == (
            '<section id="stage" class="stage"><p class="status status-error" role="alert">'
            f"Du öppnade sidan på {ELSEWHERE}, men sessionen körs på {ORIGIN}. Gå med här:</p>"
            f'<p><a href="{ORIGIN}/join/{code}">{ORIGIN}/join/{code}</a></p></section>'
        )
        with pytest.raises(WebSocketDisconnect) as closed:
            receive_text(ws)
        assert closed.value.code == 4403  # a 4000 code: browsers do not retry it
    with phone.websocket_connect(f"{path}?format=json", headers={"origin": ELSEWHERE}) as ws:
        assert json.loads(receive_text(ws)) == {
            "type": "error",
            "code": "wrong_address",
            "message": f"You opened this page at {ELSEWHERE}, but the session runs at "
            f"{ORIGIN}. Join there:",
            "link": f"{ORIGIN}/join/{code}",
        }
        with pytest.raises(WebSocketDisconnect) as closed:
            receive_text(ws)
        assert closed.value.code == 4403
