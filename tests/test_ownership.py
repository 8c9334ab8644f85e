"""Facilitators are separated (docs/security.md): a session belongs to the
facilitator who created it and to those they invited; to every other
facilitator it answers exactly as an id that never existed (404), on every
console page, API call, report, share link and the console socket."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.store.db import Database
from strategyroom.store.models import ReportShare
from tests.conftest import ORIGIN, PASSWORD, csrf_of, login, open_session
from tests.protocol import receive_text


def add_facilitators(settings: Settings, *names: str) -> None:
    db = Database(settings.effective_database_url)
    try:
        for name in names:
            db.call(lambda s, n=name: accounts.add_facilitator(s, n, PASSWORD), write=True)
    finally:
        db.dispose()


def logged_in(browser: Callable[[], TestClient], name: str) -> TestClient:
    other = browser()
    other.headers["x-csrf-token"] = login(other, name)
    return other


def share_rows(settings: Settings) -> list[ReportShare]:
    db = Database(settings.effective_database_url)
    try:
        return db.call(lambda s: list(s.exec(select(ReportShare)).all()))
    finally:
        db.dispose()


def requests_on(sid: str, other: str, csrf: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every facilitator request that names a session (``other`` is a session
    the caller may act on, for the reports over several sessions)."""
    form = {"csrf_token": csrf}
    return [
        ("GET", f"/console/{sid}", {}),
        ("POST", f"/console/{sid}/actions", {"data": {**form, "action": "end"}}),
        ("GET", f"/console/{sid}/tables/cards", {}),
        ("GET", f"/console/{sid}/delete", {}),
        ("POST", f"/console/{sid}/delete", {"data": {**form, "confirm": "ABCDEF"}}),
        ("POST", f"/console/{sid}/facilitators", {"data": {**form, "username": "carol"}}),
        ("GET", f"/console/report?session={sid}", {}),
        ("GET", f"/console/report.json?session={other}&session={sid}", {}),
        ("GET", f"/console/report.csv?session={sid}", {}),
        ("POST", "/console/report/shares", {"data": {**form, "session": [sid], "days": "7"}}),
        ("GET", f"/api/sessions/{sid}", {}),
        ("POST", f"/api/sessions/{sid}/actions", {"json": {"action": "end"}}),
        ("GET", f"/api/sessions/{sid}/tables", {}),
        ("GET", f"/api/sessions/{sid}/facilitators", {}),
        ("POST", f"/api/sessions/{sid}/facilitators", {"json": {"username": "carol"}}),
        ("DELETE", f"/api/sessions/{sid}/facilitators/carol", {}),
        ("DELETE", f"/api/sessions/{sid}", {}),
        ("GET", f"/api/shares?session={sid}", {}),
        ("POST", "/api/shares", {"json": {"sessions": [other, sid], "days": 7}}),
    ]


def test_another_facilitators_session_is_not_found_anywhere(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings
) -> None:
    add_facilitators(settings, "bob", "carol")
    mine = open_session(console, title="Alice's evening")
    bob = logged_in(browser, "bob")
    bobs = open_session(bob, title="Bob's evening")

    # Bob's lists hold his session only.
    assert [s["id"] for s in bob.get("/api/sessions").json()["sessions"]] == [bobs["id"]]
    assert "Alice&#39;s evening" not in bob.get("/console").text
    assert "Bob&#39;s evening" in bob.get("/console").text

    # Alice's session answers Bob exactly as an id that was never used.
    never = uuid.uuid4().hex
    csrf = bob.headers["x-csrf-token"]
    for (method, path, body), (_, unknown_path, unknown_body) in zip(
        requests_on(mine["id"], bobs["id"], csrf), requests_on(never, bobs["id"], csrf), strict=True
    ):
        theirs = bob.request(method, path, follow_redirects=False, **body)
        unknown = bob.request(method, unknown_path, follow_redirects=False, **unknown_body)
        assert theirs.status_code == 404, (method, path, theirs.status_code)
        assert unknown.status_code == 404, (method, unknown_path)
        assert theirs.text.replace(mine["id"], never) == unknown.text, (method, path)
    with (
        pytest.raises(WebSocketDisconnect),
        bob.websocket_connect(f"/ws/console/{mine['id']}", headers={"origin": ORIGIN}),
    ):
        pass
    # Nothing Bob sent changed Alice's session.
    detail = console.get(f"/api/sessions/{mine['id']}").json()
    assert detail["status"] == "lobby" and detail["state"]["seq"] == 0
    assert console.get(f"/api/sessions/{mine['id']}/facilitators").json() == {
        "owner": "alice",
        "facilitators": [],
    }


def test_the_owner_invites_a_co_facilitator_by_account_name(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings
) -> None:
    add_facilitators(settings, "bob", "carol")
    mine = open_session(console, title="Alice's evening")
    sid = mine["id"]
    bob = logged_in(browser, "bob")
    carol = logged_in(browser, "carol")
    assert bob.get(f"/api/sessions/{sid}").status_code == 404

    # From the API.
    invited = console.post(f"/api/sessions/{sid}/facilitators", json={"username": "bob"})
    assert invited.status_code == 200
    assert invited.json() == {"owner": "alice", "facilitators": ["bob"]}
    again = console.post(f"/api/sessions/{sid}/facilitators", json={"username": "bob"})
    assert again.json() == {"owner": "alice", "facilitators": ["bob"]}
    nobody = console.post(f"/api/sessions/{sid}/facilitators", json={"username": "zed"})
    assert nobody.status_code == 404
    assert nobody.json()["error"]["message"] == "There is no facilitator called zed."

    # Bob now runs it with Alice: pages, API, socket.
    assert [s["id"] for s in bob.get("/api/sessions").json()["sessions"]] == [sid]
    assert bob.get(f"/console/{sid}").status_code == 200
    acted = bob.post(f"/api/sessions/{sid}/actions", json={"action": "show_card", "card": 0})
    assert acted.status_code == 200 and acted.json()["state"]["current_card"] == 0
    with bob.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN}) as ws:
        assert receive_text(ws)  # accepted: the console's first screen
    assert bob.get(f"/console/report.json?session={sid}").status_code == 200
    # Only the owner invites and deletes.
    refused = bob.post(f"/api/sessions/{sid}/facilitators", json={"username": "carol"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "owner_only"
    assert bob.delete(f"/api/sessions/{sid}").status_code == 403
    assert bob.get(f"/console/{sid}/delete").status_code == 403
    assert "/facilitators" not in bob.get(f"/console/{sid}").text

    # From the console: the form on the session's page.
    page = console.get(f"/console/{sid}").text
    assert 'action="/console/' + sid + '/facilitators"' in page
    posted = console.post(
        f"/console/{sid}/facilitators",
        data={"csrf_token": csrf_of(page), "username": "carol"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"] == f"/console/{sid}"
    assert carol.get(f"/api/sessions/{sid}").status_code == 200
    assert "carol" in console.get(f"/console/{sid}").text

    # Taken off again, Bob finds nothing, and his open console closes.
    with bob.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN}) as ws:
        receive_text(ws)
        removed = console.delete(f"/api/sessions/{sid}/facilitators/bob")
        assert removed.json() == {"owner": "alice", "facilitators": ["carol"]}
        with pytest.raises(WebSocketDisconnect):
            for _ in range(10):
                receive_text(ws)
    assert bob.get(f"/api/sessions/{sid}").status_code == 404


def test_share_links_are_named_by_a_random_id_and_kept_to_their_facilitators(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings
) -> None:
    add_facilitators(settings, "bob")
    mine = open_session(console, title="North")
    sid = mine["id"]
    made = console.post("/api/shares", json={"sessions": [sid], "days": 7})
    assert made.status_code == 201
    share = made.json()
    assert set(share) == {
        "id",
        "url",
        "sessions",
        "status",
        "created_at",
        "expires_at",
        "revoked_at",
    }
    assert share["sessions"] == [sid] and share["status"] == "active"
    assert share["revoked_at"] is None and len(share["id"]) >= 20 and not share["id"].isdigit()
    assert share["url"].startswith("http://testserver/r/")
    officer = browser()
    link = share["url"].removeprefix("http://testserver")
    assert officer.get(link).status_code == 200

    # The report page offers the withdrawal under the random id, not the row id.
    page = console.get(f"/console/report?session={sid}").text
    assert f'action="/console/report/shares/{share["id"]}/revoke"' in page
    row_id = share_rows(settings)[0].id
    csrf = console.headers["x-csrf-token"]
    by_row_id = console.post(f"/console/report/shares/{row_id}/revoke", data={"csrf_token": csrf})
    assert by_row_id.status_code == 404

    listed = console.get("/api/shares").json()["shares"]
    assert [s["id"] for s in listed] == [share["id"]] and "url" not in listed[0]
    assert console.get(f"/api/shares?session={sid}").json()["shares"] == listed

    # Another facilitator neither sees nor withdraws it.
    bob = logged_in(browser, "bob")
    assert bob.get("/api/shares").json() == {"shares": []}
    theirs = bob.delete(f"/api/shares/{share['id']}")
    unknown = bob.delete("/api/shares/no-such-link")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert officer.get(link).status_code == 200

    # Withdrawing needs the CSRF header; then the link is gone (410).
    assert (
        console.delete(f"/api/shares/{share['id']}", headers={"x-csrf-token": ""}).status_code
        == 403
    )
    revoked = console.delete(f"/api/shares/{share['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "withdrawn" and revoked.json()["revoked_at"]
    assert officer.get(link).status_code == 410
    assert console.get("/api/shares").json()["shares"][0]["status"] == "withdrawn"
    bad = console.post("/api/shares", json={"sessions": [sid], "days": 0})
    assert bad.status_code == 400


def test_deleting_a_session_deletes_its_share_links(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings
) -> None:
    north, south = open_session(console, title="North"), open_session(console, title="South")
    alone = console.post("/api/shares", json={"sessions": [north["id"]], "days": 7}).json()
    both = console.post(
        "/api/shares", json={"sessions": [north["id"], south["id"]], "days": 7}
    ).json()
    kept = console.post("/api/shares", json={"sessions": [south["id"]], "days": 7}).json()
    officer = browser()
    assert console.delete(f"/api/sessions/{north['id']}").status_code == 200

    # The links over the deleted session are gone with it, even the one that
    # also covers South; South's own link still opens.
    remaining = share_rows(settings)
    assert [row.public_id for row in remaining] == [kept["id"]]
    for share in (alone, both):
        assert officer.get(share["url"].removeprefix("http://testserver")).status_code == 404
    assert officer.get(kept["url"].removeprefix("http://testserver")).status_code == 200
    assert [s["id"] for s in console.get("/api/shares").json()["shares"]] == [kept["id"]]

    # The console's delete form does the same.
    page = console.get(f"/console/{south['id']}/delete")
    done = console.post(
        f"/console/{south['id']}/delete",
        data={"csrf_token": csrf_of(page.text), "confirm": south["join_code"]},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert share_rows(settings) == []
