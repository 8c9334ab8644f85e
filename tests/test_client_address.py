"""Whose address a limit counts (docs/security.md, "Client addresses"):
`X-Forwarded-For` is believed only from the proxies listed in
STRATEGYROOM_TRUSTED_PROXIES (none by default, loopback included), and a
phone that already joined is never shut out by its address's join-guess limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from strategyroom.config import ConfigError, Settings
from strategyroom.web.app import create_app
from tests.conftest import ORIGIN, login, open_session

LIMIT = 3
WRONG = ["ABCDEF", "GHJKMN", "PQRSTU", "VWXYZ2"]


def app_client(settings: Settings, **changes: object) -> Iterator[TestClient]:
    small = replace(settings, join_attempts_per_minute=LIMIT, **changes)
    with TestClient(create_app(small), base_url=ORIGIN) as client:
        client.headers["x-csrf-token"] = login(client)
        yield client


@pytest.fixture
def untrusting(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    yield from app_client(settings)


@pytest.fixture
def behind_proxy(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    yield from app_client(settings, trusted_proxies=("10.0.0.2",))


def from_address(client: TestClient, address: str) -> TestClient:
    other = TestClient(client.app, base_url=ORIGIN, client=(address, 4000))
    other.portal = client.portal
    return other


def guess(client: TestClient, forwarded: str | None = None) -> list[int]:
    """Wrong codes, each (optionally) claiming another forwarded address."""
    statuses = []
    for n, code in enumerate(WRONG):
        headers = {"x-forwarded-for": f"{forwarded}{n}"} if forwarded else {}
        statuses.append(client.get(f"/join/{code}", headers=headers).status_code)
    return statuses


def test_forwarded_for_is_not_believed_by_default_even_from_loopback(
    untrusting: TestClient,
) -> None:
    guesser = from_address(untrusting, "127.0.0.1")
    # A new X-Forwarded-For each time does not make a new guesser.
    assert guess(guesser, forwarded="198.51.100.") == [404] * LIMIT + [429]


def test_forwarded_for_is_believed_from_a_trusted_proxy_only(behind_proxy: TestClient) -> None:
    session = open_session(behind_proxy)
    proxy = from_address(behind_proxy, "10.0.0.2")
    # Two residents behind the proxy: the one guessing is limited, not the other.
    for code in WRONG[:LIMIT]:
        headers = {"x-forwarded-for": "198.51.100.7"}
        assert proxy.get(f"/join/{code}", headers=headers).status_code == 404
    limited = proxy.get(f"/join/{WRONG[0]}", headers={"x-forwarded-for": "198.51.100.7"})
    assert limited.status_code == 429
    neighbour = {"x-forwarded-for": "198.51.100.8"}
    assert proxy.get(f"/join/{session['join_code']}", headers=neighbour).status_code == 200
    # The proxy appends the address it saw: what the resident wrote before it is ignored.
    forged = {"x-forwarded-for": "203.0.113.1, 198.51.100.7"}
    assert proxy.get(f"/join/{WRONG[0]}", headers=forged).status_code == 429
    # Someone else, not the proxy, cannot claim an address.
    stranger = from_address(behind_proxy, "10.0.0.3")
    assert guess(stranger, forwarded="198.51.100.") == [404] * LIMIT + [429]


def test_a_joined_phone_reconnects_while_its_address_is_limited(untrusting: TestClient) -> None:
    session = open_session(untrusting)
    code = session["join_code"]
    venue = from_address(untrusting, "192.0.2.50")  # a venue's one public address
    joined = venue.post("/api/join", json={"code": code, "language": "da"})
    assert joined.status_code == 201
    token = joined.json()["token"]
    browser = from_address(untrusting, "192.0.2.50")
    form = browser.get(f"/join/{code}").text
    csrf = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert browser.post(f"/join/{code}", data={"csrf_token": csrf}).status_code == 200
    # Someone else at the venue guesses codes: the address is limited.
    assert guess(venue) == [404] * LIMIT + [429]
    # The resident's browser reloads its page; a stranger's gets the refusal
    # (not the join page, which would tell it the code is right).
    assert 'id="stage"' in browser.get(f"/s/{code}").text
    stranger = from_address(untrusting, "192.0.2.50")
    assert stranger.get(f"/s/{code}", follow_redirects=False).status_code == 429
    # The phone that joined comes back (a wifi hiccup): it is let in.
    with venue.websocket_connect(f"/ws/participant/{code}?format=json") as ws:
        ws.send_text(json.dumps({"type": "hello", "token": token}))
        assert json.loads(ws.receive_text())["type"] == "snapshot"
    # A socket without a valid token learns nothing about the code: it is
    # refused as a guess would be, not told the code exists.
    hellos = [{"type": "hello", "token": "made-up"}, {"type": "ping"}]
    for path_code, hello in [(c, h) for c in (code, WRONG[0]) for h in hellos]:
        with venue.websocket_connect(f"/ws/participant/{path_code}?format=json") as ws:
            ws.send_text(json.dumps(hello))
            frame = json.loads(ws.receive_text())
            assert frame["code"] == "rate_limited", frame
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
            assert closed.value.code == 4429


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    env = {"STRATEGYROOM_TRUSTED_PROXIES": "127.0.0.1, 172.28.0.0/24 ,::1"}
    assert Settings.from_env(env).trusted_proxies == ("127.0.0.1", "172.28.0.0/24", "::1")
    assert Settings.from_env({}).trusted_proxies == ()
    for bad in ("*", "proxy.example.org", "10.0.0.300"):
        with pytest.raises(ConfigError, match="STRATEGYROOM_TRUSTED_PROXIES"):
            Settings.from_env({"STRATEGYROOM_TRUSTED_PROXIES": bad})
