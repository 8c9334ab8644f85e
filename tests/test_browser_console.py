"""The facilitator console in a real browser: its live parts speak the page's
language, follow the tables' answers, and let the facilitator seat people who
joined before there were tables.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import PASSWORD, open_console
from tests.live import LiveServer
from tests.test_browser_tables import join_table, submit_for_table

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
TABLE_QUESTION = DECK.question("solar-site")  # answered by each table together


def swedish_console(chromium: Browser, server: LiveServer) -> Page:
    """maria's console in a browser set to Swedish, a session just opened; the
    forms are found by what they are, not by their (Swedish) button texts."""
    context = chromium.new_context(locale="sv-SE", viewport={"width": 1400, "height": 1000})
    console = context.new_page()
    console.goto(server.url + "/console")
    console.fill("#username", "maria")
    console.fill("#password", PASSWORD)
    console.locator("form[action='/login'] button[type=submit]").click()
    console.fill("#title", "Norra sidan")
    console.locator("form[action='/console/sessions'] button[type=submit]").click()
    expect(console.locator("#join-code")).to_be_visible()
    return console


def test_the_console_follows_the_browsers_language(server: LiveServer, chromium: Browser) -> None:
    console = swedish_console(chromium, server)
    expect(console.locator("html")).to_have_attribute("lang", "sv")
    expect(console.locator("#current-heading")).to_have_text("Väntrum: inget kort visas än")
    # The facilitator shows the first card: the live update that draws it is Swedish.
    console.locator(".card-button").first.click()
    expect(console.locator("#current-heading")).to_have_text(re.compile(r"^Visar kort 1 av \d+$"))
    # A reconnecting socket is greeted with the whole console, in Swedish too.
    console.add_init_script(
        "window.__frames = 0;"
        "document.addEventListener('htmx:wsAfterMessage', () => { window.__frames += 1; });"
    )
    console.reload()
    console.wait_for_function("() => window.__frames >= 1")
    expect(console.locator("#current-heading")).to_have_text(re.compile(r"^Visar kort 1 av \d+$"))
    expect(console.locator("#console-tables")).to_contain_text("Inga bord än")
    console.context.close()


def test_the_console_counts_the_tables_answers_as_they_come(
    server: LiveServer, chromium: Browser
) -> None:
    console, code = open_console(chromium, server, 1100)
    console.fill("#table-count", "2")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(2)
    phones = [join_table(chromium, f"{server.url}/join/{code}/{n}") for n in (1, 2)]
    console.locator(".card-button").nth(DECK.question_card(TABLE_QUESTION.id)).click()
    console.get_by_role("button", name="Open question").click()
    expect(console.locator("#count-answered")).to_have_text("0")

    # Each table saves its draft and submits it; the console counts each table
    # as it submits, without a reload.
    for answered, (phone, option) in enumerate(zip(phones, (1, 2), strict=True), start=1):
        expect(phone.locator("#draft-form")).to_be_visible()
        phone.locator("#draft-form .choice").nth(option).click()
        phone.get_by_role("button", name="Save our table's draft").click()
        expect(phone.locator("#answer-status")).to_contain_text("Your table's draft is saved")
        submit_for_table(phone)
        expect(phone.locator("#table-draft")).to_contain_text("Submitted for the table")
        expect(console.locator("#count-answered")).to_have_text(str(answered))
        expect(console.locator("#console-result-figures .results-respondents")).to_have_text(
            f"{answered} answer" + ("s" if answered > 1 else "")
        )
    labels = [DECK.text(TABLE_QUESTION.options[n].label, "en") for n in (1, 2)]  # type: ignore[union-attr]
    for label in labels:
        expect(console.locator("#console-result-figures")).to_contain_text(label)
    expect(console.locator("#console-result-figures")).to_contain_text("50")
    for phone in phones:
        phone.context.close()
    console.close()


def test_people_who_joined_before_the_tables_are_seated_from_the_console(
    server: LiveServer, chromium: Browser
) -> None:
    console, code = open_console(chromium, server, 1100)
    early = [join_table(chromium, f"{server.url}/join/{code}") for _ in range(2)]
    expect(console.locator("#count-joined")).to_have_text("2")
    console.fill("#table-count", "3")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(3)
    expect(console.locator("#unseated-heading")).to_have_text("Not at a table")
    expect(console.locator("#unseated-devices summary")).to_have_text("2 phones")
    console.locator(".card-button").nth(DECK.question_card(TABLE_QUESTION.id)).click()
    console.get_by_role("button", name="Open question").click()
    expect(early[0].locator("#stage .question")).to_be_visible()
    expect(early[0].locator("#stage .seat")).to_have_count(0)

    # The facilitator picks table 2 for member 1; a phone joining meanwhile
    # redraws the overview, which keeps the open list, the pick and the focus.
    console.locator("#unseated-devices summary").click()
    first = console.locator("#unseated-devices li", has_text="Member 1")
    first.locator("select").select_option("2")
    first.locator("select").focus()
    console.evaluate("document.getElementById('console-tables').dataset.before = 'yes'")
    late = join_table(chromium, f"{server.url}/join/{code}/1")
    expect(console.locator("#table-row-1 td.table-connected")).to_have_text("1 / 1")
    assert console.evaluate("document.getElementById('console-tables').dataset.before") is None
    expect(console.locator("#unseated-devices")).to_have_attribute("open", "")
    expect(first.locator("select")).to_have_value("2")
    expect(first.locator("select")).to_be_focused()

    first.get_by_role("button", name="Seat").click()
    expect(early[0].locator("#stage .seat")).to_have_text("You are at table 2.")
    expect(early[0].locator("#draft-form")).to_be_visible()
    expect(console.locator("#table-row-2 td.table-connected")).to_have_text("1 / 1")
    expect(console.locator("#unseated-devices summary")).to_have_text("1 phone")
    # Member 2 goes to the table offered first.
    console.locator("#unseated-devices li", has_text="Member 2").get_by_role(
        "button", name="Seat"
    ).click()
    expect(early[1].locator("#stage .seat")).to_have_text("You are at table 1.")
    expect(console.locator("#table-row-1 td.table-connected")).to_have_text("2 / 2")
    expect(console.locator("#unseated-heading")).to_have_count(0)
    for phone in [*early, late]:
        phone.context.close()
    console.close()
