"""Logout ends the login on the server (docs/security.md): a copy of the login
cookie taken before logging out opens nothing afterwards, on any worker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import ORIGIN, PASSWORD, csrf_of, login, open_session
from tests.protocol import receive_text

pytestmark = pytest.mark.both_modes

COOKIE = "strategyroom"


def with_cookie(browser: Callable[[], TestClient], cookie: str, csrf: str) -> TestClient:
    """Another browser (an attacker's) carrying a copied login cookie."""
    other = browser()
    other.cookies.set(COOKIE, cookie)
    other.headers["x-csrf-token"] = csrf
    return other


def console_socket_opens(client: TestClient, session_id: str) -> bool:
    try:
        with client.websocket_connect(
            f"/ws/console/{session_id}", headers={"origin": ORIGIN}
        ) as ws:
            receive_text(ws)
    except WebSocketDisconnect:
        return False
    return True


def test_a_login_cookie_copied_before_logout_stops_working(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    sid = session["id"]
    csrf = console.headers["x-csrf-token"]
    copied = console.cookies.get(COOKIE)
    assert copied
    thief = with_cookie(browser, copied, csrf)
    # The copy works while the login lasts.
    assert thief.get("/api/sessions").status_code == 200
    assert console_socket_opens(thief, sid)

    out = console.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"

    assert thief.get("/api/sessions").status_code == 401
    assert thief.get(f"/api/sessions/{sid}").status_code == 401
    action = thief.post(f"/api/sessions/{sid}/actions", json={"action": "end"})
    assert action.status_code == 401
    assert action.json()["error"]["code"] == "login_required"
    form = thief.post(
        f"/console/{sid}/actions",
        data={"action": "end", "csrf_token": csrf},
        headers={"hx-request": "true"},
        follow_redirects=False,
    )
    assert form.status_code == 303 and form.headers["location"].startswith("/login")
    assert thief.get("/console", follow_redirects=False).headers["location"].startswith("/login")
    assert not console_socket_opens(thief, sid)

    # Logging in again gives a working login; the old copy stays dead.
    del console.headers["x-csrf-token"]  # the old login's; the form sends the new page's
    console.headers["x-csrf-token"] = login(console)
    assert console.get(f"/api/sessions/{sid}").json()["state"]["status"] == "lobby"
    assert console_socket_opens(console, sid)
    assert thief.get("/api/sessions").status_code == 401


def test_logout_ends_the_logins_of_the_account_on_every_device(
    client: TestClient, browser: Callable[[], TestClient]
) -> None:
    laptop, tablet = browser(), browser()
    laptop.headers["x-csrf-token"] = login(laptop)
    api = tablet.post("/api/login", json={"username": "alice", "password": PASSWORD})
    assert api.status_code == 200
    assert tablet.get("/api/sessions").status_code == 200
    laptop.post("/logout", data={"csrf_token": laptop.headers["x-csrf-token"]})
    assert tablet.get("/api/sessions").status_code == 401
    assert laptop.get("/api/sessions").status_code == 401
    # The login page still works for the browser whose login ended.
    assert csrf_of(tablet.get("/login").text)
