"""A package question shows what each option costs and achieves, in the deck's
units, and what the ticked options add up to against the cap before sending;
a refusal names the unit (tests/test_ui_polish.py). Driven over HTTP as a
phone's browser and its htmx requests do; tests/test_browser_phone.py taps it."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.conftest import act, open_session
from tests.test_ui_polish import phone_at

DECK = "polish-test.yaml"  # X: 400 t and 1,234.5 k; Y: 300 t and 1,300 k; Z: 100 t and 100 k
NBSP = "\u00a0"


def test_a_package_shows_its_costs_and_its_running_total(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    danish = browser()
    stage = phone_at(danish, code, 1, "da")
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="mine")
    page = danish.get(stage).text
    figures = [p.split("</small>")[0] for p in page.split('<small class="option-figures">')[1:]]
    assert figures == [
        "Sparet CO2: 400 t/year · Pris: 1.234,5 k/year",
        "Sparet CO2: 300 t/year · Pris: 1.300 k/year",
        "Sparet CO2: 100 t/year · Pris: 100 k/year",
    ]
    assert (
        '<output id="package-total-mine" aria-live="polite">'
        "Pris i alt: 0 k/year af højst 2.500 k/year.</output>"
    ) in page

    def total(*chosen: str) -> str:
        query = [("question", "mine"), *(("value", c) for c in chosen)]
        return danish.get(f"/s/{code}/package-total", params=query).text

    assert total("x", "z") == "Pris i alt: 1.334,5 k/year af højst 2.500 k/year."
    assert total("x", "y") == (
        "Pris i alt: 2.534,5 k/year af højst 2.500 k/year. "
        '<strong class="package-over">Det er over grænsen: Tag noget ud, før du sender.</strong>'
    )

    # The table's shared draft of its package shows the same figures.
    act(console, sid, "show_card", card=2, close_open=True)
    act(console, sid, "open", question="ours")
    page = danish.get(stage).text
    draft = page.split('id="draft-form"')[1].split("</form>")[0]
    assert draft.count('<small class="option-figures">') == 3
    assert "Pris i alt: 0 k/year af højst 2.500 k/year." in page
