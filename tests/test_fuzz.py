"""Hostile input at every endpoint (hypothesis): random and malformed websocket
frames, form posts and JSON bodies, with text that cannot be stored (lone
surrogates, non-characters, control characters), deeply nested JSON and frames
over the size limit. The server stays up and never answers 500, a socket is
never dropped without an error frame, another participant is unaffected,
nothing stored changes where nothing may be stored, and every page and report
still renders afterwards."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

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

# Characters no page, frame or row can hold or show, beside ordinary ones.
nasty_characters = st.one_of(
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.sampled_from(["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"]),
    st.characters(max_codepoint=0x9F, categories=["Cc"]),  # C0, DEL, C1
    st.sampled_from(["e", "\u0301", "\r", "\n", "\t", "\u202e", "<", "&"]),
    st.characters(),
)
nasty_text = st.text(alphabet=nasty_characters, max_size=40)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), nasty_text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(nasty_text, inner, max_size=4)
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


def nested(depth: int) -> str:
    return '{"type": "answer", "answer_id": "deep", "value": ' + "[" * depth + "]" * depth + "}"


def oversize(size: int) -> str:
    return json.dumps({"type": "answer", "answer_id": "big", "value": "x" * size})


frames = st.one_of(
    messages.map(json.dumps),
    st.text(max_size=200),
    st.binary(max_size=200),
    values.map(json.dumps),
    st.integers(10, 40_000).map(nested),
    st.integers(60 * 1024, 200 * 1024).map(oversize),
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
    nasty_text,
    max_size=6,
)
json_bodies = st.one_of(
    values.map(json.dumps),
    st.dictionaries(
        st.sampled_from(["username", "password", "title", "deck", "action", "name", "language"]),
        values,
        max_size=4,
    ).map(json.dumps),
    st.integers(10, 40_000).map(lambda depth: "[" * depth + "]" * depth),
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
    @example(route=("POST", "/api/login"), fields={}, raw='{"username": "\\ud800"}')
    @example(route=("POST", "/api/join"), fields={}, raw="[" * 30_000 + "]" * 30_000)
    @given(
        route=st.sampled_from(http_routes(console)),
        fields=form_fields,
        raw=st.one_of(st.none(), st.binary(max_size=100), json_bodies),
    )
    def posts(route: tuple[str, str], fields: dict[str, str], raw: bytes | str | None) -> None:
        method, path = route
        target = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: paths.get(m[1], "1"), path)
        # Encoded as a careless client would: a lone surrogate as its UTF-8 bytes.
        query = urlencode(fields, encoding="utf-8", errors="surrogatepass")
        if method == "GET":
            response = stranger.get(f"{target}?{query}", follow_redirects=False)
        elif isinstance(raw, bytes):
            response = stranger.request(method, target, content=raw, follow_redirects=False)
        elif isinstance(raw, str):
            json_type = {"content-type": "application/json"}
            response = stranger.request(
                method, target, content=raw, headers=json_type, follow_redirects=False
            )
        else:
            form_type = {"content-type": "application/x-www-form-urlencoded"}
            response = stranger.request(
                method, target, content=query, headers=form_type, follow_redirects=False
            )
        assert response.status_code < 500, (method, target, response.text[:200])

    try:
        socket_frames()
        posts()
        assert console.get("/").status_code == 200
        assert_every_page_renders(console, session)
        assert bystander.ws is not None
        bystander.ws.send_text('{"type": "ping"}')
        assert bystander.expect("pong") == {"type": "pong"}
        assert dump(url) == before
    finally:
        # Open sockets would keep the app from shutting down in the fixture's teardown.
        attacker.close()
        bystander.close()


@pytest.fixture
def open_comment(
    settings: Settings, facilitator: str
) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """A session with its text question open; no rate limits."""
    relaxed = replace(settings, socket_messages_per_second=1e6, join_attempts_per_minute=10**6)
    with TestClient(create_app(relaxed), base_url=ORIGIN) as client:
        client.headers["x-csrf-token"] = login(client)
        session = open_session(client)
        act(client, session["id"], "show_card", card=9)
        act(client, session["id"], "open", question="comment")
        yield client, session


def test_text_that_cannot_be_stored_never_breaks_a_page(
    open_comment: tuple[TestClient, dict[str, Any]],
) -> None:
    """Comments, table names and session titles of any characters: each is
    stored or refused with invalid_answer, and every page renders afterwards."""
    console, session = open_comment
    sid = session["id"]
    person = JsonParticipant(console, session["join_code"])
    person.connect()

    @settings_for_speed
    @example(text="hi \ud800")
    @example(text="\x00")
    @given(text=nasty_text)
    def typed(text: str) -> None:
        reply = person.answer("comment", text)
        if reply["type"] == "error":
            assert reply["code"] == "invalid_answer", reply
        else:
            assert reply["status"] == "stored", reply
        for path, body in (
            (f"/api/sessions/{sid}/actions", {"action": "add_table", "name": text}),
            ("/api/sessions", {"deck": "town-test.yaml", "title": text}),
        ):
            response = console.post(
                path, content=json.dumps(body), headers={"content-type": "application/json"}
            )
            assert response.status_code in (200, 201, 409, 422), (path, response.text[:200])

    try:
        typed()
        act(console, sid, "reveal", question="comment")
        assert_every_page_renders(console, session)
        for listed in console.get("/api/sessions").json()["sessions"]:
            assert_every_page_renders(console, listed)
    finally:
        person.close()


def assert_every_page_renders(console: TestClient, session: dict[str, Any]) -> None:
    sid, code = session["id"], session["join_code"]
    for path in (
        "/console",
        f"/console/{sid}",
        f"/console/{sid}/tables/cards",
        f"/api/sessions/{sid}",
        f"/api/sessions/{sid}/tables",
        f"/p/{code}",
        f"/console/report?session={sid}",
        f"/console/report.csv?session={sid}",
        f"/console/report.json?session={sid}",
    ):
        response = console.get(path)
        assert response.status_code == 200, (path, response.text[:300])


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
