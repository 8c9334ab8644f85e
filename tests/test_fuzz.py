"""Hostile input at every endpoint (hypothesis): random and malformed websocket
frames and form posts. The server stays up, another participant is unaffected,
and nothing stored changes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.routing import Route
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.web.app import create_app
from tests.conftest import ORIGIN, act, login, open_session
from tests.dbdump import dump
from tests.protocol import JsonParticipant, receive_text

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["answer", "hello", "ping", "action", "", "ANSWER"]),
        "question": st.one_of(st.sampled_from(["street", "measures", "comment"]), values),
        "answer_id": st.one_of(st.text(max_size=70), values),
        "value": values,
        "points:heat": values,
        "token": values,
    },
)
frames = st.one_of(
    messages.map(json.dumps),
    st.text(max_size=200),
    st.binary(max_size=200),
    values.map(json.dumps),
)
form_fields = st.dictionaries(
    st.sampled_from(
        [
            "code",
            "language",
            "next",
            "action",
            "card",
            "question",
            "csrf_token",
            "confirm",
            "username",
            "password",
            "deck",
            "title",
            "value",
        ]
    ),
    st.text(max_size=30),
    max_size=6,
)


@pytest.fixture
def fuzzed(settings: Settings, facilitator: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """A session whose only question is closed, so no frame can be a valid answer;
    no rate limits, so that hypothesis can send as fast as it likes."""
    relaxed = replace(settings, socket_messages_per_second=1e6, join_attempts_per_minute=10**6)
    with TestClient(create_app(relaxed), base_url=ORIGIN) as client:
        client.headers["x-csrf-token"] = login(client)
        session = open_session(client)
        act(client, session["id"], "show_card", card=3)
        act(client, session["id"], "open", question="street")
        yield client, session


def test_random_frames_and_posts_change_nothing(
    fuzzed: tuple[TestClient, dict[str, Any]], settings: Settings
) -> None:
    console, session = fuzzed
    code, sid = session["join_code"], session["id"]
    bystander = JsonParticipant(console, code)
    bystander.connect()
    assert bystander.answer("street", "main")["status"] == "stored"
    act(console, sid, "close", question="street")
    attacker = JsonParticipant(console, code)
    attacker.connect()
    stranger = TestClient(console.app, base_url=ORIGIN)
    stranger.portal = console.portal
    url = settings.effective_database_url
    before = dump(url)
    # Every path parameter of every route, a real value where there is one.
    paths = {"code": code, "session_id": sid, "table": "1", "fmt": "csv", "token": "x" * 20}

    @settings_for_speed
    @given(frame=frames)
    def socket_frames(frame: str | bytes) -> None:
        assert attacker.ws is not None
        if isinstance(frame, bytes):
            attacker.ws.send_bytes(frame)
        else:
            attacker.ws.send_text(frame)
        # Every frame gets exactly one reply; news of the session may come between.
        reply = json.loads(receive_text(attacker.ws))
        while reply["type"] not in ("error", "pong", "ack"):
            reply = json.loads(receive_text(attacker.ws))
        assert reply["type"] in ("error", "pong"), reply

    @settings_for_speed
    @example(route=("POST", "/join/{code}"), fields={"csrf_token": "\x80"}, raw=None)
    @given(
        route=st.sampled_from(http_routes(console)),
        fields=form_fields,
        raw=st.one_of(st.none(), st.binary(max_size=100)),
    )
    def posts(route: tuple[str, str], fields: dict[str, str], raw: bytes | None) -> None:
        method, path = route
        target = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: paths.get(m[1], "1"), path)
        if method == "GET":
            response = stranger.get(target, params=fields, follow_redirects=False)
        elif raw is not None:
            response = stranger.request(method, target, content=raw, follow_redirects=False)
        else:
            response = stranger.request(method, target, data=fields, follow_redirects=False)
        assert response.status_code < 500, (method, target, response.text[:200])

    try:
        socket_frames()
        posts()
        assert console.get("/").status_code == 200
        assert bystander.ws is not None
        bystander.ws.send_text('{"type": "ping"}')
        assert bystander.expect("pong") == {"type": "pong"}
        assert dump(url) == before
    finally:
        # Open sockets would keep the app from shutting down in the fixture's teardown.
        attacker.close()
        bystander.close()


settings_for_speed = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def http_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the app, except the static files."""
    found = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                found.append((method, route.path))
    return found
