"""The impact meter in a real browser: two phones at table 1 build the sample
deck's table plan; the second phone's meter follows the first one's draft
without a reload, with the figures the test adds up from the deck. The tablet
at table 2 builds another plan, and the projector compares the tables once
the facilitator shows the results.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from playwright.sync_api import Browser, expect

from strategyroom.decks import load_deck
from strategyroom.decks.schema import MultipleChoice
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer
from tests.test_browser_tables import join_table, submit_for_table

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
CARD = DECK.question_card("table-plan")
QUESTION = DECK.question("table-plan")


def figures(chosen: list[int]) -> tuple[str, str, str]:
    """CO2 and cost of the chosen options, and progress toward the deck's target,
    as the page writes them (English: 25,900 · 14 · 64%: short of the goal,
    progress is rounded down, docs/aggregates.md)."""
    assert isinstance(QUESTION, MultipleChoice) and DECK.target is not None
    options = [QUESTION.options[i] for i in chosen]
    co2 = sum(Fraction(o.attributes["co2_tonnes"]) for o in options)
    cost = sum(Fraction(str(o.attributes["cost_mdkk"])) for o in options)
    share = co2 * 100 / Fraction(DECK.target.value)
    progress = math.floor(share) if share < 100 else round(share)
    return f"{float(co2):,.0f}", f"{float(cost):g}", f"{progress}%"


def test_the_impact_meter_follows_the_draft(server: LiveServer, chromium: Browser) -> None:
    console, code = open_console(chromium, server, 1100)
    console.fill("#table-count", "2")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(2)
    first = join_table(chromium, f"{server.url}/join/{code}/1")
    second = join_table(chromium, f"{server.url}/join/{code}/1")
    tablet = join_table(chromium, f"{server.url}/join/{code}/2", tablet=True)

    console.locator(".card-button").nth(CARD).click()
    console.get_by_role("button", name="Open question").click()
    expect(first.locator("#draft-form")).to_be_visible()

    # Member 1 puts heating, solar and wind, and nature in the plan.
    plan = [1, 2, 4]
    for i in plan:
        first.locator("#draft-form .choice").nth(i).click()
    first.get_by_role("button", name="Save our table's draft").click()
    co2, cost, progress = figures(plan)
    meter = second.locator("#impact-meter")
    expect(meter.locator(".impact-progress strong")).to_have_text(progress)
    expect(meter.locator(".impact-value")).to_have_text([co2, cost])
    assert second.evaluate("window.__sameDocument") == "yes"
    SHOTS.mkdir(parents=True, exist_ok=True)
    second.locator("#impact-meter").scroll_into_view_if_needed()
    second.screenshot(path=str(SHOTS / "impact-meter-phone.png"), full_page=True)

    # Table 2's tablet: solar and wind, and greener buying; then submits.
    other = [2, 5]
    for i in other:
        tablet.locator("#draft-form .choice").nth(i).click()
    tablet.get_by_role("button", name="Save our table's draft").click()
    expect(tablet.locator("#impact-meter .impact-progress strong")).to_have_text(figures(other)[2])
    submit_for_table(tablet)
    expect(tablet.locator("#table-draft")).to_contain_text("Submitted for the table")

    # The projector compares both tables once the results are shown to the room.
    projector = chromium.new_page(viewport={"width": 1600, "height": 900})
    projector.goto(f"{server.url}/p/{code}")
    console.get_by_role("button", name="Show results to the room").click()
    for number, chosen in ((1, plan), (2, other)):
        column = projector.locator(f"#package-table-{number}")
        expect(column.locator(".impact-value")).to_have_text(list(figures(chosen)[:2]))
        expect(column.locator(".impact-progress strong")).to_have_text(figures(chosen)[2])
    projector.screenshot(path=str(SHOTS / "projector-packages.png"), full_page=True)
    # The console's overview shows each table's meter beside its draft or answer.
    expect(console.locator("#table-impact-1 .impact-value")).to_have_text(list(figures(plan)[:2]))
    expect(console.locator("#table-impact-2 .impact-progress strong")).to_have_text(
        figures(other)[2]
    )
    console.locator("#console-tables").scroll_into_view_if_needed()
    console.screenshot(path=str(SHOTS / "tables-console-impact.png"), full_page=True)
