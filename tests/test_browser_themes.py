"""The console's themes panel in a real browser (docs/aggregates.md, "Themes"):
comments typed on phones appear grouped on the console without a reload, in
the console's language, and the page's Content Security Policy lets the
panel's polling run."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.a11y import assert_accessible
from tests.browsers import open_console
from tests.live import LiveServer
from tests.test_browser import phone

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
COMMENTS = ["More buses to the villages please", "The bus should come every 15 minutes"]


def test_the_console_groups_the_comments_as_they_come(
    server: LiveServer, chromium: Browser
) -> None:
    console, code = open_console(chromium, server, 1000)
    errors: list[str] = []
    console.on("pageerror", lambda error: errors.append(str(error)))
    console.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phones = [phone(chromium, server, code, "English") for _ in COMMENTS]
    console.locator(".card-button").nth(DECK.question_card("plan-comment")).click()
    console.get_by_role("button", name="Open question").click()
    for page, text in zip(phones, COMMENTS, strict=True):
        page.locator("#stage textarea").fill(text)
        page.get_by_role("button", name="Send answer").click()
        expect(page.locator("#answer-status")).to_have_text("Your answer is counted.")
    panel = console.locator("#console-themes")
    # The panel asks every 5 seconds: wait for the refresh that has both comments.
    expect(panel).to_contain_text("from 2 comments", timeout=30_000)
    expect(panel.locator(".themes > li")).to_have_count(1)
    expect(panel.locator(".themes strong")).to_contain_text("bus")
    expect(panel.locator(".quotes li")).to_have_count(2)
    assert_accessible(console, "console with themes")
    # The facilitator names the theme on the editing page; the console says so.
    console.get_by_role("link", name="Rename themes or move comments…").click()
    assert_accessible(console, "themes editing page")
    console.fill("#name-1", "Buses to the villages")
    console.get_by_role("button", name="Rename").click()
    expect(console.locator("#theme-1 h2")).to_contain_text("Buses to the villages (edited by hand)")
    console.get_by_role("link", name="Back to the console").click()
    expect(console.locator("#console-themes .themes strong")).to_have_text(
        "Buses to the villages", timeout=30_000
    )
    assert errors == []
    for page in phones:
        page.context.close()
    console.close()
