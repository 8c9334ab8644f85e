"""A real browser: one facilitator and two phones in headless Chromium, driven
by Playwright against a live server process. Pages must update without a reload.

Screenshots go to test-artifacts/screenshots, or to the folder named by
STRATEGYROOM_SCREENSHOTS (`docs/screenshots` refreshes the README's pictures).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from strategyroom.decks import load_deck
from strategyroom.decks.schema import QuestionType
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")


def first_question(kind: QuestionType) -> tuple[int, str]:
    for index, card in enumerate(DECK.cards):
        if (
            card.question is not None
            and card.question.type is kind
            and card.question.scope == "individual"
        ):
            return index, card.question.id
    raise AssertionError(f"the sample deck has no {kind} question")


def phone(chromium: Browser, server: LiveServer, code: str, language_name: str) -> Page:
    context = chromium.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#code", code.lower())
    page.get_by_role("button", name="Join").click()
    page.get_by_label(language_name).check()
    page.locator("form.stack button[type=submit]").click()
    expect(page).to_have_url(f"{server.url}/s/{code}")
    expect(page.locator("#stage")).to_be_visible()
    # Set a marker: it survives only if the page is never reloaded.
    page.evaluate("window.__sameDocument = 'yes'")
    return page


def test_a_session_in_the_browser(server: LiveServer, chromium: Browser) -> None:
    console, code = open_console(chromium, server, 1000)
    assert len(code) == 6

    en, da = phone(chromium, server, code, "English"), phone(chromium, server, code, "Dansk")
    expect(en.locator("#stage h1")).to_have_text("Welcome")
    expect(da.locator("#stage h1")).to_have_text("Velkommen")
    expect(console.locator("#count-connected")).to_have_text("2")

    console.get_by_role("button", name="Start: show the first card").click()
    expect(en.locator("#stage .card-title")).to_have_text(DECK.text(DECK.cards[0].title, "en"))
    expect(da.locator("#stage .card-title")).to_have_text(DECK.text(DECK.cards[0].title, "da"))

    index, _ = first_question(QuestionType.SINGLE)
    console.locator(".card-button").nth(index).click()
    expect(en.locator("#stage .card-title")).to_have_text(DECK.text(DECK.cards[index].title, "en"))
    console.get_by_role("button", name="Open question").click()
    expect(en.locator("#answer-form")).to_be_visible()

    en.locator("#answer-form .choice").nth(0).click()
    en.get_by_role("button", name="Send answer").click()
    expect(en.locator("#answer-status")).to_have_text("Your answer is counted.")
    da.locator("#answer-form .choice").nth(1).click()
    da.locator("#answer-form button[type=submit]").click()
    expect(da.locator("#answer-status")).to_have_text("Dit svar er talt med.")
    expect(console.locator("#count-answered")).to_have_text("2")

    projector = chromium.new_page(viewport={"width": 1600, "height": 900})
    projector.goto(f"{server.url}/p/{code}")
    expect(projector.locator(".join-code")).to_have_text(code)

    console.get_by_role("button", name="Close question").click()
    expect(en.locator("#room-results")).to_be_visible()
    expect(projector.locator("#projector-results")).to_be_visible()
    expect(en.locator("#stage")).to_contain_text("answers are locked")

    # Neither phone was reloaded: every change arrived over the websocket.
    assert en.evaluate("window.__sameDocument") == "yes"
    assert da.evaluate("window.__sameDocument") == "yes"

    SHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=str(SHOTS / "console.png"), full_page=True)
    en.screenshot(path=str(SHOTS / "phone.png"), full_page=True)
    projector.screenshot(path=str(SHOTS / "projector.png"))

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End session").click()
    expect(en.locator("#stage h1")).to_have_text("Thank you!")
    expect(da.locator("#stage h1")).to_have_text("Tak!")
