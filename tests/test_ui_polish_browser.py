"""Small things in a real browser: a split table is told so on its phones
beside the impact meter.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import SHOTS, module_chromium, module_server, open_console  # noqa: F401 (fixtures)
from tests.live import LiveServer
from tests.test_browser_tables import join_table

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
OWN = DECK.question("plan-budget")  # each resident's own budget over the six packages
PLAN = DECK.question("table-plan")  # then the table's plan of the same packages


def test_a_split_table_sees_it_beside_its_meter(server: LiveServer, chromium: Browser) -> None:
    console, code = open_console(chromium, server, 1100)
    console.fill("#table-count", "2")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(2)
    first = join_table(chromium, f"{server.url}/join/{code}/1")
    second = join_table(chromium, f"{server.url}/join/{code}/1")

    # Each puts the whole 30 million on a different package: as split as can be (0).
    console.locator(".card-button").nth(DECK.question_card(OWN.id)).click()
    console.get_by_role("button", name="Open question").click()
    for phone, option in (
        (first, "Buses, bikes and a calmer centre"),
        (second, "Leaving gas and oil"),
    ):
        phone.get_by_label(option).fill("30")
        phone.get_by_role("button", name="Send answer").click()
        expect(phone.locator("#answer-status")).to_contain_text("Your answer is counted.")
    expect(console.locator("#table-row-1 .table-agreement")).to_have_text("0 split")

    # Moving on closes (and so reveals) the own budgets; the table builds its plan.
    console.locator(".card-button").nth(DECK.question_card(PLAN.id)).click()
    console.get_by_role("button", name="Open question").click()
    flag = second.locator("#table-split")
    expect(flag).to_have_text(
        "Agreement at your table on your own answers to "
        "“Split 30 million DKK a year between the six areas.”: 0 split "
        "Your table is split on this. Talk about where you differ before you submit.",
        use_inner_text=True,
    )
    first.locator("#draft-form .choice").nth(2).click()
    first.get_by_role("button", name="Save our table's draft").click()
    # The meter follows the draft without a reload, and the flag stays beside it.
    expect(second.locator("#impact-meter .impact-value")).to_have_text(["11,000", "3"])
    expect(second.locator("#table-split .badge")).to_have_text("split")
    assert second.evaluate("window.__sameDocument") == "yes"
    SHOTS.mkdir(parents=True, exist_ok=True)
    second.locator("#table-split").scroll_into_view_if_needed()
    second.screenshot(path=str(SHOTS / "table-split-phone.png"), full_page=True)
