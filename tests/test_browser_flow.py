"""The facilitator's flow on the console, in a real browser: "Next card" with a
question open asks first (two buttons that say what happens to the question),
a question kept open is answered on the phones under the next card and can be
closed from any card, and a closed question can be reopened, after which a
phone shows its form again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.a11y import check_phone_page
from tests.browsers import open_console
from tests.live import LiveServer
from tests.test_browser import phone

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
HEATING = 9  # a single-choice question, results revealed at its close


def test_next_card_asks_and_a_closed_question_reopens(
    server: LiveServer, chromium: Browser
) -> None:
    assert DECK.cards[HEATING].question is not None
    title = DECK.text(DECK.cards[HEATING].title, "en")
    following = DECK.text(DECK.cards[HEATING + 1].title, "en")
    console, code = open_console(chromium, server, 1000)
    en = phone(chromium, server, code, "English")
    console.get_by_role("button", name="Start: show the first card").click()
    console.locator(".card-button").nth(HEATING).click()
    expect(en.locator("#stage .card-title")).to_have_text(title)
    console.get_by_role("button", name="Open question").click()
    expect(en.locator("#answer-form")).to_be_visible()

    # With the question open, "Next card" became the choice, stated on the buttons.
    expect(console.get_by_role("button", name="Next card")).to_have_count(0)
    close_and_go = console.get_by_role("button", name="Close the question and go on")
    keep_and_go = console.get_by_role("button", name="Go on, keep it open")
    expect(close_and_go).to_be_visible()
    expect(keep_and_go).to_be_visible()
    # Jumping to another card from the list asks in words instead.
    console.locator(".card-button").nth(HEATING + 2).click()
    expect(console.locator("#flash")).to_have_text(
        "A question is still open. Close it and go on, or go on and keep it open."
    )

    keep_and_go.click()
    expect(en.locator("#stage .card-title")).to_have_text(following)
    kept = console.locator("#kept-open")
    expect(kept).to_contain_text("Still open:")
    # The phone answers the kept question under the new card, and is counted.
    kept_form = en.locator(".kept-open #answer-form")
    expect(kept_form).to_contain_text(DECK.text(DECK.cards[HEATING].question.prompt, "en"))
    kept_form.locator(".choice").nth(1).click()
    kept_form.get_by_role("button", name="Send answer").click()
    expect(en.locator("#answer-status")).to_have_text("Your answer is counted.")
    expect(kept_form.get_by_role("button", name="Change answer")).to_be_visible()
    check_phone_page(en, "a question kept open under the next card")
    expect(en.locator("#stage .card-title")).to_have_text(following)
    kept.get_by_role("button", name="Close question").click()
    expect(kept).to_have_count(0)
    expect(en.locator("#answer-form")).to_have_count(0)
    expect(console.get_by_role("button", name="Next card")).to_be_visible()

    # Back on its card, the closed question can be reopened: the phone's form returns.
    console.locator(".card-button").nth(HEATING).click()
    expect(en.locator("#stage .card-title")).to_have_text(title)
    expect(en.locator("#answer-form")).to_have_count(0)
    console.get_by_role("button", name="Reopen question").click()
    expect(en.locator("#answer-form")).to_be_visible()
    expect(console.locator(".question-prompt .badge").first).to_have_text("open")
    # The answer sent while the question was kept open is still counted.
    expect(en.locator("#answer-form .choice input").nth(1)).to_be_checked()
    en.locator("#answer-form .choice").nth(0).click()
    en.get_by_role("button", name="Change answer").click()
    expect(en.locator("#answer-status")).to_have_text("Your answer is counted.")

    # Closing by moving on does not reveal: the console still offers to show them.
    console.get_by_role("button", name="Close the question and go on").click()
    expect(en.locator("#stage .card-title")).to_have_text(following)
    expect(en.locator("#room-results")).to_have_count(0)
    console.get_by_role("button", name="Previous card").click()
    expect(console.get_by_role("button", name="Show results to the room")).to_be_visible()
    expect(console.get_by_role("button", name="Reopen question")).to_be_visible()


def test_the_console_closes_the_door_to_new_participants(
    server: LiveServer, chromium: Browser
) -> None:
    console, code = open_console(chromium, server, 1000)
    console.get_by_role("button", name="Stop new participants joining").click()
    expect(console.locator("#door")).to_contain_text(
        "New participants cannot join with the session's code"
    )
    late = chromium.new_page(viewport={"width": 375, "height": 812})
    late.goto(server.url + "/")
    late.fill("#code", code.lower())
    late.get_by_role("button", name="Join").click()
    # Said on the join page, before anything is chosen or typed in vain.
    expect(late.locator("[role=alert]")).to_have_text(
        "This session is not taking new participants; ask a facilitator."
    )
    expect(late.get_by_label("English")).to_have_count(0)
    expect(late.get_by_label("A table's code still lets you in")).to_have_value(f"{code}-")
    check_phone_page(late, "the join page with the door closed")

    console.get_by_role("button", name="Let new participants join again").click()
    expect(console.get_by_role("button", name="Stop new participants joining")).to_be_visible()
    en = phone(chromium, server, code, "English")
    expect(en.locator("#stage")).to_be_visible()
