"""Logout ends the login on the server (docs/security.md): a copy of the login
cookie taken before logging out opens nothing afterwards, on any worker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.store.models import (
    LibraryDeck,
    ReportJob,
    SessionEvent,
    SessionFacilitator,
)
from tests.conftest import ORIGIN, PASSWORD, csrf_of, login, open_session
from tests.protocol import receive_text
from tests.test_ownership import logged_in

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


def in_app_db(client: TestClient, work: Callable[[Session], Any], write: bool = False) -> Any:
    """Work on the database through the running app's own handle: a second
    handle in this process would open and close the SQLite file, and closing
    any descriptor of a file drops every POSIX lock the process holds on it
    (the app's too), after which another process may delete its write-ahead log."""
    return client.app.state.services.db.call(work, write=write)  # type: ignore[attr-defined]


def add_accounts(client: TestClient, *names: str) -> None:
    for name in names:
        in_app_db(client, lambda s, n=name: accounts.add_facilitator(s, n, PASSWORD), write=True)


def remove(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`strategyroom facilitator remove …` on the test's database, as an admin runs it."""
    env = {
        **os.environ,
        "STRATEGYROOM_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.effective_database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "strategyroom", "facilitator", "remove", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_removing_a_facilitator_ends_their_logins_and_hands_on_their_sessions(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings
) -> None:
    # Bob is added last: SQLite may give his id to the next account added.
    add_accounts(console, "carol", "bob")
    bob = logged_in(browser, "bob")
    bobs = open_session(bob, title="Bob's evening")["id"]
    alices = open_session(console, title="Alice's evening")["id"]
    assert (
        console.post(f"/api/sessions/{alices}/facilitators", json={"username": "bob"}).status_code
        == 200
    )
    assert (
        bob.post(f"/api/sessions/{bobs}/facilitators", json={"username": "alice"}).status_code
        == 200
    )
    assert (
        bob.post(f"/api/sessions/{bobs}/facilitators", json={"username": "carol"}).status_code
        == 200
    )
    acted = bob.post(f"/api/sessions/{bobs}/actions", json={"action": "show_card", "card": 0})
    assert acted.status_code == 200
    share = bob.post("/api/shares", json={"sessions": [bobs], "days": 7}).json()
    link = share["url"].removeprefix("http://testserver")
    bob_id = in_app_db(console, lambda s: accounts.find_facilitator(s, "bob")).id
    # Things the library and the reports keep of him by his account's id.
    in_app_db(
        console,
        lambda s: (
            s.add(LibraryDeck(id="bobs-deck", title="Bob's deck", created_by=bob_id)),
            s.add(
                ReportJob(
                    id="bobs-job", key="k", session_ids=[bobs], language="en", created_by=bob_id
                )
            ),
            s.commit(),
        ),
        write=True,
    )

    # He still owns a session: refused, and nothing changes.
    refused = remove(settings, "bob")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "error: 'bob' owns 1 session; name the facilitator who takes them over with "
        "--sessions-to OTHER; nothing was changed\n"
    )
    unknown = remove(settings, "bobb", "--sessions-to", "alice")
    assert unknown.returncode == 1
    assert unknown.stderr == (
        "error: there is no facilitator called 'bobb' (did you mean 'bob'?); nothing was changed\n"
    )
    himself = remove(settings, "bob", "--sessions-to", "bob")
    assert himself.returncode == 1
    assert himself.stderr == (
        "error: --sessions-to must name another facilitator than 'bob'; nothing was changed\n"
    )
    nobody = remove(settings, "bob", "--sessions-to", "alicia")
    assert nobody.returncode == 1
    assert nobody.stderr == (
        "error: --sessions-to: there is no facilitator called 'alicia' (did you mean 'alice'?); "
        "nothing was changed\n"
    )
    assert [s["id"] for s in bob.get("/api/sessions").json()["sessions"]] == [alices, bobs]
    assert bob.get(f"/api/sessions/{bobs}/facilitators").json() == {
        "owner": "bob",
        "facilitators": ["alice", "carol"],
    }

    copied = bob.cookies.get(COOKIE)
    assert copied
    removed = remove(settings, "bob", "--sessions-to", "alice")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout == (
        "Facilitator 'bob' removed; their open logins have ended.\n"
        "1 session moved to 'alice'.\n"
        "1 co-facilitator invitation dropped.\n"
        "Report share links they made: 1, kept working (listed for whoever runs their sessions).\n"
    )

    # His logged-in console is refused at its next request, everywhere.
    assert bob.get("/api/sessions").status_code == 401
    page = bob.get(f"/console/{bobs}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert not console_socket_opens(bob, bobs)
    wrong = bob.post("/api/login", json={"username": "bob", "password": PASSWORD})
    assert wrong.status_code == 401
    # An account added next (perhaps with his old id) is not opened by his cookie.
    add_accounts(console, "dave")
    dave_id = in_app_db(console, lambda s: accounts.find_facilitator(s, "dave")).id
    assert dave_id == bob_id or not settings.is_sqlite  # SQLite gave dave bob's old id
    kept_copy = with_cookie(browser, copied, bob.headers["x-csrf-token"])
    assert kept_copy.get("/api/sessions").status_code == 401

    # Alice owns his session now: she sees it, acts on it and does what only an owner does.
    assert [s["id"] for s in console.get("/api/sessions").json()["sessions"]] == [alices, bobs]
    assert console.get(f"/api/sessions/{bobs}/facilitators").json() == {
        "owner": "alice",
        "facilitators": ["carol"],
    }
    acted = console.post(f"/api/sessions/{bobs}/actions", json={"action": "show_card", "card": 1})
    assert acted.status_code == 200 and acted.json()["state"]["current_card"] == 1
    invited = console.post(f"/api/sessions/{bobs}/facilitators", json={"username": "dave"})
    assert invited.json() == {"owner": "alice", "facilitators": ["carol", "dave"]}
    # His invitation to her session is gone.
    assert console.get(f"/api/sessions/{alices}/facilitators").json() == {
        "owner": "alice",
        "facilitators": [],
    }
    # His share link still opens, and the session's facilitators list and withdraw it.
    assert browser().get(link).status_code == 200
    assert [s["id"] for s in console.get(f"/api/shares?session={bobs}").json()["shares"]] == [
        share["id"]
    ]
    # The audit log keeps his name; the library and the report job keep no author.
    actors, deck, job, invitations = in_app_db(
        console,
        lambda s: (
            list(
                s.exec(
                    select(SessionEvent.actor).where(
                        SessionEvent.session_id == bobs, SessionEvent.actor == "bob"
                    )
                ).all()
            ),
            s.get_one(LibraryDeck, "bobs-deck"),
            s.get_one(ReportJob, "bobs-job"),
            list(s.exec(select(SessionFacilitator)).all()),
        ),
    )
    assert actors and set(actors) == {"bob"}
    assert deck.created_by is None and job.created_by is None
    assert sorted((i.session_id, i.facilitator_id) for i in invitations) == sorted(
        (bobs, f.id)
        for f in in_app_db(
            console, lambda s: [accounts.find_facilitator(s, n) for n in ("carol", "dave")]
        )
    )
