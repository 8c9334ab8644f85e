"""Small things a resident or facilitator sees, driven over HTTP and websockets:
amounts in error messages written the reader's way (1.234,5 in Danish)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.web.app import create_app
from tests.conftest import ORIGIN, act, csrf_of, login, open_session
from tests.modes import open_sockets  # noqa: F401 (fixtures)
from tests.protocol import JsonParticipant

DECK = "polish-test.yaml"  # measures X, Y, Z cost 1,234.5, 1,300 and 100; the cap is 2,500

# X + Y = 2,534.5 is over the cap of 2,500, in each interface language.
OVER_THE_LIMIT = {
    "en": "This package is over the limit: it adds up to 2,534.5, and at most 2,500 is allowed. "
    "Please leave something out.",
    "da": "Pakken er over grænsen: Den giver 2.534,5 i alt, og højst 2.500 er tilladt. "
    "Fjern venligst noget.",
    # Swedish groups thousands with a no-break space (U+00A0), as Babel's CLDR data says.
    "sv": "Paketet är över gränsen: det blir 2\u00a0534,5 totalt, "
    "och högst 2\u00a0500 är tillåtet. Ta bort något.",
}
SESSION_FULL = {
    "en": "This session is full (1,000 participants).",
    "da": "Denne session er fuld (1.000 deltagere).",
    "sv": "Den här sessionen är full (1\u00a0000 deltagare).",
}


def test_a_package_over_the_limit_is_refused_in_the_residents_language(
    console: TestClient, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    people = {}
    for language in OVER_THE_LIMIT:
        person = JsonParticipant(console, code, language=language, table=1)
        person.connect()
        sockets.append(person)
        people[language] = person

    # Each resident's own package (an individual question) ...
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="mine")
    for language, person in people.items():
        refused = person.answer("mine", ["x", "y"])
        assert (refused["type"], refused["code"]) == ("error", "invalid_answer")
        assert refused["message"] == OVER_THE_LIMIT[language]
        assert person.answer("mine", ["x", "z"])["type"] == "ack"  # 1,334.5 is within it

    # ... and the table's shared draft of its package.
    act(console, sid, "show_card", card=2)
    act(console, sid, "open", question="ours")
    for language, person in people.items():
        refused = person.draft("ours", 1, 0, ["x", "y"])
        assert (refused["type"], refused["code"]) == ("error", "invalid_answer")
        assert refused["message"] == OVER_THE_LIMIT[language]


@pytest.fixture
def roomy(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    """An app that takes 1,000 participants, so the refusal names a four-digit limit."""
    with TestClient(create_app(replace(settings, max_participants=1000)), base_url=ORIGIN) as app:
        app.headers["x-csrf-token"] = login(app)
        yield app


def test_a_full_session_names_its_limit_in_the_readers_language(roomy: TestClient) -> None:
    code = open_session(roomy, DECK)["join_code"]
    for _ in range(1000):
        assert roomy.post("/api/join", json={"code": code}).status_code == 201
    for language, message in SESSION_FULL.items():
        headers = {"accept-language": language}
        # A client of the JSON API ...
        refused = roomy.post("/api/join", json={"code": code}, headers=headers)
        assert refused.status_code == 409
        assert refused.json()["error"] == {"code": "session_full", "message": message}
        # ... and a phone's browser on the join page.
        phone = TestClient(roomy.app, base_url=ORIGIN, headers=headers)
        phone.portal = roomy.portal  # the same running app
        form = phone.get(f"/join/{code}")
        refused = phone.post(
            f"/join/{code}", data={"csrf_token": csrf_of(form.text), "language": language}
        )
        assert refused.status_code == 409
        assert f'<p class="status status-error" role="alert">{message}</p>' in refused.text
