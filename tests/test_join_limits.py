"""Joins per client address are limited (docs/security.md, "Joins per
address"): enough for a venue's phones behind one address, too few for a script
with the projector's code to fill a session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.web.app import create_app
from strategyroom.web.limits import JoinRate
from tests.conftest import ORIGIN, csrf_of, login, open_session

BURST = 4


@pytest.fixture
def strict(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    small = replace(settings, joins_per_address=BURST, joins_per_address_per_minute=1)
    with TestClient(create_app(small), base_url=ORIGIN) as client:
        client.headers["x-csrf-token"] = login(client)
        yield client


def from_address(client: TestClient, address: str) -> TestClient:
    other = TestClient(client.app, base_url=ORIGIN, client=(address, 4000))
    other.portal = client.portal
    return other


def form_join(phone: TestClient, code: str, **headers: str) -> int:
    token = csrf_of(phone.get(f"/join/{code}").text)
    response = phone.post(
        f"/join/{code}",
        data={"csrf_token": token, "language": "sv"},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


def test_joins_per_address_are_limited(strict: TestClient) -> None:
    session = open_session(strict)
    code = session["join_code"]
    script = from_address(strict, "203.0.113.20")
    for _ in range(BURST - 1):
        assert script.post("/api/join", json={"code": code}).status_code == 201
    # A browser from the same address joins with the form (the last one allowed),
    # and can come back to its page and post the form again without joining twice.
    phone = from_address(strict, "203.0.113.20")
    assert form_join(phone, code) == 303
    assert form_join(phone, code) == 303
    full = script.post("/api/join", json={"code": code, "language": "da"})
    assert full.status_code == 429
    assert 0 < int(full.headers["retry-after"]) <= 60
    assert full.json()["error"] == {
        "code": "rate_limited",
        "message": "Der er lige kommet mange enheder ind fra jeres netværk. "
        "Prøv igen om et øjeblik.",
    }
    other_phone = from_address(strict, "203.0.113.20")
    token = csrf_of(other_phone.get(f"/join/{code}").text)
    page = other_phone.post(
        f"/join/{code}", data={"csrf_token": token, "language": "sv"}, follow_redirects=False
    )
    assert page.status_code == 429 and "retry-after" in page.headers
    assert re.search(r"Många enheter från ert nätverk har just anslutit\.", page.text)
    # Other addresses join as before; nobody was counted in twice.
    neighbour = from_address(strict, "203.0.113.21")
    assert neighbour.post("/api/join", json={"code": code}).status_code == 201
    detail = strict.get(f"/api/sessions/{session['id']}").json()
    assert detail["participants"]["joined"] == BURST + 1


def test_the_join_rate_refills_over_time() -> None:
    now = [0.0]
    rate = JoinRate(burst=2, per_minute=30, clock=lambda: now[0])
    assert rate.retry_after("a") == 0
    rate.take("a")
    rate.take("a")
    assert rate.retry_after("a") == pytest.approx(2.0)  # one join every two seconds
    assert rate.retry_after("b") == 0
    now[0] += 2.0
    assert rate.retry_after("a") == 0
    rate.take("a")
    assert rate.retry_after("a") == pytest.approx(2.0)
