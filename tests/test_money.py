"""A budget of money speaks money: its hint, what is left to spread, the unit
beside each field, a refusal and the room's results name the deck's unit or the
currency, in the reader's language; a budget of points still counts points.
Driven over HTTP as a phone's browser and the form's htmx requests do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import act, open_session
from tests.protocol import JsonParticipant
from tests.test_ui_polish import phone_at

NBSP = "\u00a0"


def left(phone: TestClient, code: str, question: str, **points: int) -> str:
    """What the budget form's live region says after the fields are typed in."""
    query = {"question": question, **{f"points:{k}": str(v) for k, v in points.items()}}
    return phone.get(f"/s/{code}/budget-left", params=query).text


def test_a_money_budget_speaks_money_in_the_readers_language(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    session = open_session(console, "money-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    danish, swedish = browser(), browser()
    stage_da, stage_sv = phone_at(danish, code, 1, "da"), phone_at(swedish, code, 1, "sv")

    act(console, sid, "show_card", card=0)
    act(console, sid, "open", question="plan")
    page = danish.get(stage_da).text
    assert (
        "Fordel 30 mio. kr./år på mulighederne. Det skal give præcis 30 mio. kr./år i alt." in page
    )
    assert page.count('<span class="allocation-unit">mio. kr./år</span>') == 2
    assert ">30 mio. kr./år tilbage at fordele</output>" in page
    assert left(danish, code, "plan", buses=12) == "18 mio. kr./år tilbage at fordele"
    assert left(danish, code, "plan", buses=25, trees=10) == "5 mio. kr./år for meget"
    assert left(swedish, code, "plan", buses=25, trees=10) == "5 milj. DKK/år för mycket"

    resident = JsonParticipant(console, code, language="da")
    resident.connect()
    sockets.append(resident)
    refused = resident.answer("plan", {"buses": 20, "trees": 5})
    assert (
        refused["message"] == "Tilsammen skal det give 30 mio. kr./år – dit giver 25 mio. kr./år."
    )
    assert resident.answer("plan", {"buses": 21, "trees": 9})["type"] == "ack"
    act(console, sid, "close", question="plan")
    page = danish.get(stage_da).text
    assert f"gennemsnit 21 mio. kr./år · 70{NBSP}%" in page

    # Money without a unit: the currency, the reader's way.
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="purse")
    assert left(swedish, code, "purse", buses=500) == f"1{NBSP}500{NBSP}kr kvar att fördela"
    assert left(danish, code, "purse", buses=500) == f"1.500{NBSP}SEK tilbage at fordele"
    assert '<span class="allocation-unit">kr</span>' in swedish.get(stage_sv).text

    # Points are still points.
    act(console, sid, "show_card", card=2, close_open=True)
    act(console, sid, "open", question="points")
    assert left(danish, code, "points", buses=3) == "7 point tilbage"
    assert "allocation-unit" not in danish.get(stage_da).text
    refused = resident.answer("points", {"buses": 3})
    assert refused["message"] == "Pointene skal give 10 i alt – dine giver 3."
