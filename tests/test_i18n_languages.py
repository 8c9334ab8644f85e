"""Everyone reads in their own language: a participant picks one on joining and
may switch at any time; the console and the projector each have their own;
numbers, amounts and dates are written the reader's way (Babel).

Expected strings are written out by hand (what a Dane, a Swede or a Briton
writes), not computed with the functions under test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.testclient import TestClient

from strategyroom import i18n
from tests.conftest import ORIGIN, act, csrf_of, open_session
from tests.protocol import receive_text

NBSP, NNBSP = "\xa0", "\u202f"
SCENARIO, EVIDENCE, SINGLE = 1, 2, 3  # card numbers in tests/decks/town-test.yaml
DA_MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
SV_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def join(phone: TestClient, code: str, language: str) -> str:
    csrf = csrf_of(phone.get(f"/join/{code}").text)
    page = phone.post(f"/join/{code}", data={"csrf_token": csrf, "language": language})
    assert page.url.path == f"/s/{code}"
    return page.text


def switch(client: TestClient, language: str, next_path: str, code: str = "") -> str:
    csrf = csrf_of(client.get(next_path).text)
    page = client.post(
        "/language",
        data={"csrf_token": csrf, "language": language, "next": next_path, "code": code},
    )
    assert page.url.path == next_path
    return page.text


def test_a_participant_switches_language_and_sees_the_same_card(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    code = session["join_code"]
    act(console, session["id"], "show_card", card=SCENARIO)
    phone = browser()
    page = join(phone, code, "da")
    assert '<html lang="da" dir="ltr">' in page
    assert "Færre biler i midtbyen" in page

    page = switch(phone, "sv", f"/s/{code}", code)
    assert '<html lang="sv" dir="ltr">' in page
    assert "Färre bilar i centrum" in page and "Færre" not in page

    # The room moves on; the phone follows in Swedish, falling back to the
    # deck's English where the deck has no Swedish text.
    act(console, session["id"], "show_card", card=SINGLE)
    act(console, session["id"], "open", question="street")
    with phone.websocket_connect(f"/ws/participant/{code}", headers={"origin": ORIGIN}) as ws:
        stage = receive_text(ws)
    assert "Skicka svar" in stage
    # Fallback text says which language it is in (WCAG 3.1.2, language of parts).
    assert '<legend class="question-prompt"><span lang="en">Which street first?</span>' in stage
    assert '<span><span lang="en">Church Lane</span></span>' in stage
    assert "Plats" not in stage  # a single choice has no places

    page = switch(phone, "da", f"/s/{code}", code)
    assert '<legend class="question-prompt">Hvilken gade først?</legend>' in page
    assert "<span>Hovedgaden</span>" in page and "Send svar" in page
    # The participant's choice is stored: the JSON API's facilitator view is unchanged.
    assert console.get(f"/api/sessions/{session['id']}").json()["participants"]["joined"] == 1


def test_console_and_projector_have_their_own_language(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    code = session["join_code"]
    projector = browser()
    page = projector.get(f"/p/{code}?lang=sv")
    assert '<html lang="sv"' in page.text
    assert f'ws-connect="/ws/projector/{code}?lang=sv"' in page.text
    assert "Gå med via mobilen" in page.text
    with projector.websocket_connect(
        f"/ws/projector/{code}?lang=da", headers={"origin": ORIGIN}
    ) as ws:
        assert "Deltag med din mobil" in receive_text(ws)

    console_page = console.get(f"/console/{session['id']}").text
    assert '<html lang="en"' in console_page and "Open the projector screen" in console_page
    console_page = switch(console, "sv", f"/console/{session['id']}")
    assert '<html lang="sv"' in console_page and "Öppna projektorvyn" in console_page
    assert '<option value="sv" lang="sv" selected>Svenska</option>' in console_page
    # The projector keeps the language it was opened with.
    assert '<html lang="da"' in projector.get(f"/p/{code}?lang=da").text


def test_amounts_in_evidence_follow_the_reader(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    act(console, session["id"], "show_card", card=EVIDENCE)
    expected = {
        "da": f"2.500.000,00{NBSP}kr.",
        "sv": f"2{NBSP}500{NBSP}000,00{NBSP}Dkr",
        "en": "DKK2,500,000.00",
    }
    for language, amount in expected.items():
        page = join(browser(), session["join_code"], language)
        assert f'<strong class="evidence-value">{amount}</strong>' in page, language


def test_babel_formats_numbers_amounts_and_dates_per_locale() -> None:
    assert i18n.format_currency(2_500_000, "DKK", "da") == f"2.500.000,00{NBSP}kr."
    assert i18n.format_currency(1234.5, "SEK", "sv") == f"1{NBSP}234,50{NBSP}kr"
    assert i18n.format_currency(1200, "GBP", "en") == "£1,200.00"
    assert i18n.format_currency(99.9, "EUR", "en") == "€99.90"
    assert i18n.format_currency(99.9, "EUR", "da") == f"99,90{NBSP}€"
    assert i18n.format_currency(99.9, "EUR", "sv") == f"99,90{NBSP}€"
    assert i18n.format_number(1_234_567.25, "da", 2) == "1.234.567,25"
    assert i18n.format_number(1_234_567.25, "sv", 2) == f"1{NBSP}234{NBSP}567,25"
    assert i18n.format_number(1_234_567.25, "en", 2) == "1,234,567.25"
    assert i18n.format_percent(42.0, "en") == "42%"
    assert i18n.format_percent(42.0, "da") == f"42{NBSP}%"
    moment = datetime(2026, 3, 12, 18, 5)
    assert i18n.format_datetime(moment, "da") == "12. marts 2026 18.05 UTC"
    assert i18n.format_datetime(moment, "sv") == "12 mars 2026 18:05 UTC"
    assert i18n.format_datetime(moment, "en") == f"March 12, 2026 6:05{NNBSP}PM UTC"
    assert i18n.format_date(moment, "da") == "12. marts 2026"


def test_the_session_list_dates_follow_the_facilitator(console: TestClient) -> None:
    session = open_session(console)
    opened = datetime.fromisoformat(session["created_at"])
    day, year = opened.day, opened.year
    page = switch(console, "da", "/console")
    assert f"<td>{day}. {DA_MONTHS[opened.month - 1]} {year} {opened:%H.%M} UTC</td>" in page
    page = switch(console, "sv", "/console")
    assert f"<td>{day} {SV_MONTHS[opened.month - 1]} {year} {opened:%H:%M} UTC</td>" in page
