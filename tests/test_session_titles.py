"""A session's title on every screen: a session opened without a title of its own
is titled by its deck, in each reader's language; a title the facilitator typed
is shown as typed, in every language (strategyroom/decks/titles.py).

tests/decks/town-test.yaml is titled "Test town", "Testby" and "Testort".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from starlette.testclient import TestClient

from tests.conftest import ORIGIN, act, open_session
from tests.protocol import JsonParticipant, receive_text
from tests.test_i18n_languages import join, switch

TITLES = {"en": "Test town", "da": "Testby", "sv": "Testort"}


def test_an_untitled_session_is_titled_by_its_deck_in_each_readers_language(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console, title="")
    code, sid = session["join_code"], session["id"]

    # A Danish phone: the join page and the participant page.
    phone = browser()
    page = phone.get(f"/join/{code}?lang=da").text
    assert "<title>Testby · Strategy Room</title>" in page
    assert "<h1>Testby</h1>" in page
    page = join(phone, code, "da")
    assert "<title>Testby · Strategy Room</title>" in page
    assert '<span class="topbar-title">Testby · Member 1</span>' not in page
    assert '<span class="topbar-title">Testby · Deltager 1</span>' in page

    # A Swedish projector: its page and its stage over the socket.
    projector = browser()
    page = projector.get(f"/p/{code}?lang=sv").text
    assert "<title>Testort · Strategy Room</title>" in page
    assert '<h1 class="card-title">Testort</h1>' in page
    with projector.websocket_connect(
        f"/ws/projector/{code}?lang=da", headers={"origin": ORIGIN}
    ) as ws:
        assert '<h1 class="card-title">Testby</h1>' in receive_text(ws)

    # The console, in English and in Swedish; the session list in Danish.
    page = console.get(f"/console/{sid}").text
    assert '<h1 class="console-title">Test town</h1>' in page
    page = switch(console, "sv", f"/console/{sid}")
    assert '<h1 class="console-title">Testort</h1>' in page
    assert "<title>Bordskort · Testort</title>" in console.get(f"/console/{sid}/tables/cards").text
    page = switch(console, "da", "/console")
    assert f'<a href="/console/{sid}">Testby</a>' in page
    assert 'aria-label="Tag Testby med i en rapport"' in page
    assert "<h1>Slet “Testby”?</h1>" in console.get(f"/console/{sid}/delete").text

    # A Danish resident answers, for a row in the CSV export.
    resident = JsonParticipant(browser(), code, "da")
    resident.connect()
    try:
        act(console, sid, "show_card", card=3)
        act(console, sid, "open", question="street")
        assert resident.answer("street", "main")["status"] == "stored"
    finally:
        resident.close()

    # The report in Danish: its HTML, its JSON and its CSV.
    html = console.get(f"/console/report?session={sid}&lang=da").text
    assert '<th scope="row">Testby</th>' in html
    report = console.get(f"/console/report.json?session={sid}&lang=da").json()
    assert [s["title"] for s in report["sessions"]] == ["Testby"]
    exported = console.get(f"/console/report.csv?session={sid}&lang=da").content
    rows = csv.DictReader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";")
    assert [row["session_title"] for row in rows] == ["Testby"]


def test_a_typed_title_is_shown_as_typed_in_every_language(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console, title="Nordby, 12. marts")
    code, sid = session["join_code"], session["id"]
    for language in TITLES:
        phone = browser()
        page = phone.get(f"/join/{code}?lang={language}").text
        assert "<h1>Nordby, 12. marts</h1>" in page, language
        page = join(phone, code, language)
        assert "<title>Nordby, 12. marts · Strategy Room</title>" in page, language
        page = browser().get(f"/p/{code}?lang={language}").text
        assert '<h1 class="card-title">Nordby, 12. marts</h1>' in page, language
        html = console.get(f"/console/report?session={sid}&lang={language}").text
        assert '<th scope="row">Nordby, 12. marts</th>' in html, language
        report = console.get(f"/console/report.json?session={sid}&lang={language}").json()
        assert [s["title"] for s in report["sessions"]] == ["Nordby, 12. marts"], language
