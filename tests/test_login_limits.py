"""Failed logins are limited per account and per client address
(docs/security.md): the excess gets 429 with Retry-After and a clear,
translated message, on the login form and on POST /api/login, and no password
is checked while a limit holds."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.web.app import create_app, prepare_database
from strategyroom.web.limits import FailureCounter
from tests.conftest import ORIGIN, PASSWORD, TEST_DECKS, csrf_of
from tests.live import LiveServer

PER_ACCOUNT, PER_ADDRESS = 3, 5


@pytest.fixture
def strict(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    db = prepare_database(settings)
    db.call(lambda s: accounts.add_facilitator(s, "bob", PASSWORD), write=True)
    db.dispose()
    small = replace(
        settings, login_failures_per_account=PER_ACCOUNT, login_failures_per_address=PER_ADDRESS
    )
    with TestClient(create_app(small), base_url=ORIGIN) as client:
        yield client


def from_address(client: TestClient, address: str) -> TestClient:
    other = TestClient(client.app, base_url=ORIGIN, client=(address, 4000))
    other.portal = client.portal
    return other


def api_login(client: TestClient, username: str, password: str, **headers: str) -> httpx.Response:
    return client.post(
        "/api/login", json={"username": username, "password": password}, headers=headers
    )


def form_login(client: TestClient, username: str, password: str, **headers: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/console"},
        headers=headers,
        follow_redirects=False,
    )


def test_failed_logins_are_limited_per_account(strict: TestClient) -> None:
    guesser = from_address(strict, "198.51.100.1")
    for _ in range(PER_ACCOUNT):
        assert api_login(guesser, "alice", "wrong password").status_code == 401
    # From now on nothing is checked, not even the right password.
    limited = api_login(guesser, "alice", PASSWORD, **{"accept-language": "da"})
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert re.fullmatch(
        r"For mange mislykkede login\. Prøv igen efter kl\. \d\d:\d\d\.",
        limited.json()["error"]["message"],
    )
    assert 0 < int(limited.headers["retry-after"]) <= 15 * 60
    # Another address does not help: the account is what is limited.
    elsewhere = from_address(strict, "198.51.100.2")
    form = form_login(elsewhere, "alice", PASSWORD, **{"accept-language": "sv"})
    assert form.status_code == 429
    assert 0 < int(form.headers["retry-after"]) <= 15 * 60
    assert re.search(
        r"För många misslyckade inloggningar\. Försök igen efter kl\. \d\d:\d\d\.", form.text
    )
    assert 'name="password"' in form.text  # the form is still there
    # Another account is not affected.
    assert api_login(elsewhere, "bob", PASSWORD).status_code == 200


def test_failed_logins_are_limited_per_address(strict: TestClient) -> None:
    guesser = from_address(strict, "198.51.100.3")
    # Different (made-up) accounts: only the address counter fills up.
    for n in range(PER_ADDRESS):
        assert api_login(guesser, f"user{n}", "wrong password").status_code == 401
    limited = form_login(guesser, "bob", PASSWORD)
    assert limited.status_code == 429 and "retry-after" in limited.headers
    assert re.search(r"Too many failed logins\. Please try again after \d\d:\d\d\.", limited.text)
    assert api_login(guesser, "bob", PASSWORD).status_code == 429
    # The same account from another address logs in.
    assert api_login(from_address(strict, "198.51.100.4"), "bob", PASSWORD).status_code == 200


def test_a_right_password_clears_the_accounts_failures(strict: TestClient) -> None:
    facilitator = from_address(strict, "198.51.100.5")
    # Two typos and the right password, twice: four failures in all, never
    # three in a row, so the account is never held.
    for _ in range(2):
        for _ in range(PER_ACCOUNT - 1):
            assert api_login(facilitator, "bob", "typo in it").status_code == 401
        assert api_login(facilitator, "bob", PASSWORD).status_code == 200
    # The address still counts every failure: the fifth reaches its limit.
    assert api_login(facilitator, "bob", "typo in it").status_code == 401
    assert api_login(facilitator, "bob", PASSWORD).status_code == 429


def test_parallel_wrong_logins_are_limited_too(tmp_path: Path) -> None:
    """400 wrong logins at once: no more than the limit get a password check."""
    server = LiveServer(
        tmp_path,
        TEST_DECKS,
        env={
            "STRATEGYROOM_LOGIN_FAILURES_PER_ACCOUNT": "10",
            "STRATEGYROOM_LOGIN_FAILURES_PER_ADDRESS": "1000",
        },
    )
    server.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()

    async def flood() -> list[int]:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=120) as http:
            body = {"username": "maria", "password": "wrong password"}
            replies = await asyncio.gather(
                *(http.post("/api/login", json=body) for _ in range(400))
            )
        return [reply.status_code for reply in replies]

    try:
        statuses = asyncio.run(flood())
        after = httpx.post(
            server.url + "/api/login",
            json={"username": "maria", "password": PASSWORD},
            trust_env=False,
        )
    finally:
        server.stop()
    assert set(statuses) == {401, 429}
    assert statuses.count(401) <= 10
    assert after.status_code == 429


def test_failures_are_forgotten_after_the_window() -> None:
    now = [1000.0]
    counter = FailureCounter(2, window=900, clock=lambda: now[0])
    counter.add("a")
    now[0] += 100
    counter.add("a")
    assert counter.retry_after("a") == 800
    assert counter.retry_after("b") == 0
    now[0] += 800.5
    assert counter.retry_after("a") == 0  # the first failure has left the window
    now[0] += 100
    assert counter.retry_after("a") == 0
    assert counter.count("a") == 0
