"""Closing the door: the facilitator stops new joins with the session's code; a
table's own code still seats a late arrival, and devices that joined already
reconnect as before."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import ORIGIN, csrf_of, open_session
from tests.protocol import JsonParticipant, receive_until

pytestmark = pytest.mark.both_modes

LOCKED = "This session is not taking new participants; ask a facilitator."


def test_a_locked_session_refuses_the_session_code_but_seats_at_a_table(
    console: TestClient, browser: Any, sockets: list[Any]
) -> None:
    session = open_session(console, "tables-test.yaml")
    sid, code = session["id"], session["join_code"]

    def act(action: str, **fields: Any) -> dict[str, Any]:
        response = console.post(f"/api/sessions/{sid}/actions", json={"action": action, **fields})
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()["state"]
        return state

    act("tables", count=2)
    early = JsonParticipant(console, code)
    sockets.append(early)
    assert early.connect()["joining_locked"] is False

    assert act("lock_joining")["joining_locked"] is True
    assert early.expect_event("joining_locked")["data"] == {}
    before = console.get(f"/api/sessions/{sid}").json()["state"]["seq"]
    act("lock_joining")  # already locked: nothing happens
    assert console.get(f"/api/sessions/{sid}").json()["state"]["seq"] == before

    refused = console.post("/api/join", json={"code": code, "language": "da"})
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "joining_locked",
        "message": "Sessionen tager ikke imod nye deltagere; spørg en mødeleder.",
    }
    english = console.post("/api/join", json={"code": code, "language": "en"})
    assert english.json()["error"]["message"] == LOCKED

    # A plain table number is refused like the session's code, as a table
    # picked from the join page's list is: only the table's own code passes.
    for device in ("phone", "tablet"):
        numbered = console.post(
            "/api/join", json={"code": code, "table": 2, "device": device, "language": "en"}
        )
        assert numbered.status_code == 403
        assert numbered.json()["error"] == {"code": "joining_locked", "message": LOCKED}
    assert console.get(f"/api/sessions/{sid}").json()["participants"]["joined"] == 1

    # A table's code still seats a late arrival, over the API and in a browser.
    late = JsonParticipant(console, f"{code}-2", table=2)
    sockets.append(late)
    assert late.connect()["seat"]["table"] == 2
    tablet = console.post("/api/join", json={"code": f"{code}-1", "device": "tablet"})
    assert tablet.status_code == 201 and tablet.json()["table"] == 1
    phone = browser()
    page = phone.get(f"/join/{code}/1")
    # A join page loaded before the door closed is refused when sent.
    typed = phone.post(f"/join/{code}", data={"csrf_token": csrf_of(page.text), "language": "en"})
    assert typed.status_code == 403 and LOCKED in typed.text
    seated = phone.post(
        f"/join/{code}/1",
        data={"csrf_token": csrf_of(page.text), "language": "en"},
        follow_redirects=False,
    )
    assert seated.status_code == 303 and seated.headers["location"] == f"/s/{code}"

    # A device that joined before reconnects as before, and sees the door closed.
    early.close()
    assert early.connect()["joining_locked"] is True

    assert act("unlock_joining")["joining_locked"] is False
    assert late.expect_event("joining_unlocked")["data"] == {}
    assert console.post("/api/join", json={"code": code}).status_code == 201
    assert late.state == console.get(f"/api/sessions/{sid}").json()["state"]


def test_the_door_shows_on_the_projector_and_the_join_page(
    console: TestClient, browser: Any
) -> None:
    """Closed, the projector strikes out its join code under a note in the room's
    language, live, and the join page says so before anything is typed, asking
    for a table's code, which still seats; reopened, both are as before."""
    session = open_session(console, "tables-test.yaml")
    sid, code = session["id"], session["join_code"]

    def act(action: str, **fields: Any) -> None:
        response = console.post(f"/api/sessions/{sid}/actions", json={"action": action, **fields})
        assert response.status_code == 200, response.text

    act("tables", count=2)
    swedish = "Det är stängt för nya deltagare; fråga en samtalsledare."
    phone = browser()
    phone.headers["accept-language"] = "da"
    projector = browser()
    with projector.websocket_connect(
        f"/ws/projector/{code}?lang=sv", headers={"origin": ORIGIN}
    ) as screen:
        first = receive_until(screen, 'id="projector-stage"')
        assert swedish not in first and f'<p class="join-code">{code}</p>' in first

        act("lock_joining")
        closed = receive_until(screen, 'id="projector-stage"')
        assert swedish in closed
        assert 'class="projector-join join-closed"' in closed
        assert f'<p class="join-code"><s>{code}</s></p>' in closed
        page = projector.get(f"/p/{code}?lang=sv").text
        assert swedish in page and f"<s>{code}</s>" in page

        # The join page says it first, and asks for a table's code instead.
        door = phone.get(f"/join/{code}")
        assert door.status_code == 200
        assert "Sessionen tager ikke imod nye deltagere; spørg en mødeleder." in door.text
        assert 'method="post"' not in door.text  # nothing to type in vain
        assert "Skriv koden fra bordkortet på dit bord." in door.text
        assert f'name="code" value="{code}-"' in door.text
        found = phone.get("/join", params={"code": f"{code}-2"}, follow_redirects=False)
        assert found.headers["location"] == f"/join/{code}/2"
        table = phone.get(f"/join/{code}/2")
        assert (
            "Nye deltagere kan ikke længere komme ind med sessionens kode, "
            "men det kan de stadig med bordets kode." in table.text
        )
        seated = phone.post(
            f"/join/{code}/2",
            data={"csrf_token": csrf_of(table.text), "language": "da"},
            follow_redirects=False,
        )
        assert seated.headers["location"] == f"/s/{code}"

        act("unlock_joining")
        opened = receive_until(screen, 'id="projector-stage"')
        assert swedish not in opened and f'<p class="join-code">{code}</p>' in opened
        again = browser().get(f"/join/{code}")
        assert 'method="post"' in again.text and "spørg en mødeleder" not in again.text
        assert "mødeleder" not in phone.get(f"/join/{code}/1").text


def test_a_table_picked_on_the_join_page_does_not_pass_a_closed_door(
    console: TestClient, browser: Any
) -> None:
    """The join page lists the tables to sit at; a page loaded before the door
    closed and sent after, with a table picked, is refused as the session's code
    is (only the table's own link or code passes) and seats no one."""
    session = open_session(console, "tables-test.yaml")
    sid, code = session["id"], session["join_code"]

    def act(action: str, **fields: Any) -> None:
        response = console.post(f"/api/sessions/{sid}/actions", json={"action": action, **fields})
        assert response.status_code == 200, response.text

    act("tables", count=2)
    early = browser()
    page = early.get(f"/join/{code}")  # loaded before the door closed
    assert 'name="table" value="1"' in page.text
    act("lock_joining")

    for device in ("phone", "tablet"):
        refused = early.post(
            f"/join/{code}",
            data={
                "csrf_token": csrf_of(page.text),
                "language": "en",
                "table": "1",
                "device": device,
            },
            follow_redirects=False,
        )
        assert refused.status_code == 403 and LOCKED in refused.text
    assert early.get(f"/s/{code}", follow_redirects=False).headers["location"] == f"/join/{code}"
    state = console.get(f"/api/sessions/{sid}").json()
    assert state["participants"]["joined"] == 0

    # The table's own link still seats.
    phone = browser()
    table = phone.get(f"/join/{code}/1")
    seated = phone.post(
        f"/join/{code}/1",
        data={"csrf_token": csrf_of(table.text), "language": "en"},
        follow_redirects=False,
    )
    assert seated.headers["location"] == f"/s/{code}"
    assert console.get(f"/api/sessions/{sid}").json()["participants"]["joined"] == 1
