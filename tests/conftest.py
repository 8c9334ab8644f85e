"""Shared fixtures: an app on a temporary data directory, logged-in facilitators,
and browsers with their own cookies (sharing the app's event loop)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.web.app import create_app, prepare_database

TEST_DECKS = Path(__file__).parent / "decks"
ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        public_url=ORIGIN,
        decks_dir=TEST_DECKS,
        secret_key="test-secret-key",
    )


@pytest.fixture
def facilitator(settings: Settings) -> str:
    db = prepare_database(settings)
    db.call(lambda s: accounts.add_facilitator(s, "alice", PASSWORD), write=True)
    db.dispose()
    return "alice"


@pytest.fixture
def client(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=ORIGIN) as test_client:
        yield test_client


@pytest.fixture
def browser(client: TestClient) -> Callable[[], TestClient]:
    """Another browser (its own cookie jar) on the same running app."""

    def make() -> TestClient:
        other = TestClient(client.app, base_url=ORIGIN)
        other.portal = client.portal  # share the app's event loop and lifespan
        return other

    return make


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, username: str = "alice", password: str = PASSWORD) -> str:
    """Log in through the form, as a browser does; returns the CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/console"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console").text)


@pytest.fixture
def console(client: TestClient) -> TestClient:
    """The main client, logged in as the facilitator."""
    client.headers["x-csrf-token"] = login(client)
    return client


def open_session(console: TestClient, deck: str = "town-test.yaml", title: str = "Test") -> dict:
    response = console.post(
        "/console/sessions",
        data={"deck": deck, "title": title, "csrf_token": console.headers["x-csrf-token"]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    session_id = response.headers["location"].rsplit("/", 1)[1]
    return console.get(f"/api/sessions/{session_id}").json()


def act(console: TestClient, session_id: str, action: str, **fields: object) -> None:
    """A facilitator action, as the console's htmx buttons send it."""
    response = console.post(
        f"/console/{session_id}/actions",
        data={"action": action, **{k: str(v) for k, v in fields.items()}},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200, response.text
