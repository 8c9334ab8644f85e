"""One rounding rule for every screen and the report (strategyroom/rounding.py,
docs/aggregates.md): ties away from zero, whole percentages, at most two
decimals, and a goal never shown as met before it is. Driven over HTTP: what a
phone and the council's report print."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from starlette.testclient import TestClient

from strategyroom import i18n, rounding
from tests.conftest import act, open_session
from tests.protocol import JsonParticipant
from tests.test_ui_polish import phone_at

DECK = "rounding-test.yaml"
NBSP = "\u00a0"


def test_the_rule() -> None:
    assert rounding.rounded(1.85, 1) == Decimal("1.9")  # the float is a bit below 1.85
    assert rounding.rounded(-1.85, 1) == Decimal("-1.9")  # away from zero
    assert rounding.rounded(2.675) == Decimal("2.68")
    assert rounding.percent(62.5) == 63
    assert rounding.percent(Fraction(200, 3)) == 67
    assert rounding.goal_percent(0.9968) == 99
    assert rounding.goal_percent(0.99999) == 99
    assert rounding.goal_percent(1) == 100
    assert rounding.goal_percent(1.005) == 101  # 100.5 % is a tie: away from zero
    assert i18n.format_number(1.85, "da") == "1,85"
    assert i18n.format_number(1234.5, "sv") == f"1{NBSP}234,5"
    assert i18n.format_number(0.125, "en") == "0.13"
    assert i18n.format_percent(62.5, "da") == f"63{NBSP}%"
    assert i18n.format_goal(0.9968, "en") == "99%"
    assert i18n.format_currency(0.125, "DKK", "da") == f"0,13{NBSP}kr."


def test_phones_and_the_report_round_the_same_way(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    danish = browser()
    stage = phone_at(danish, code, 1, "da")

    # The deck's 1.85 kr/kWh, as the deck wrote it.
    act(console, sid, "show_card", card=0)
    figure = (
        '<strong class="evidence-value">1,85 <span class="evidence-unit">kr/kWh</span></strong>'
    )
    assert figure in danish.get(stage).text

    # 5 of 8 say yes: 62.5 %, a tie, shown as 63 % (Babel alone says 62 %).
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="pick")
    for value in ["yes"] * 5 + ["no"] * 3:
        person = JsonParticipant(console, code)
        person.connect()
        sockets.append(person)
        assert person.answer("pick", value)["type"] == "ack"
    act(console, sid, "close", question="pick")
    page = danish.get(stage).text
    assert f'<span class="result-figure">5 · 63{NBSP}%</span>' in page
    assert f'<span class="result-figure">3 · 38{NBSP}%</span>' in page

    # The table's plan saves 2,492 of the 2,500 t goal: 99.68 %, shown as 99 %.
    act(console, sid, "show_card", card=2)
    act(console, sid, "open", question="plan")
    drafter = JsonParticipant(console, code, table=1)
    drafter.connect()
    sockets.append(drafter)
    assert drafter.draft("plan", 1, 0, ["a"])["revision"] == 1
    page = danish.get(stage).text
    assert f'<p class="impact-progress"><strong>99{NBSP}%</strong> af målet' in page
    assert drafter.submit("plan", 1, 1)["type"] == "table_ack"
    act(console, sid, "close", question="plan")

    report = console.get(f"/console/report?session={sid}&lang=da").text
    assert f"63{NBSP}% (5)" in report
    assert f"Sparet CO2: 2.492 t; 99{NBSP}% af målet" in report
