"""A table calls for help from a 320 px phone and the facilitator answers on the
console, in a real browser: the button, the console's flag in words, "Help is
on the way" on the phone; axe-core, reflow and touch targets on both screens.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.a11y import assert_accessible, check_phone_page, phone_context, wait_for_greeting
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer

pytestmark = pytest.mark.browser


def test_a_phone_calls_for_help_and_the_console_answers(
    server: LiveServer, chromium: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    console, code = open_console(chromium, server, 1100)
    console.fill("#table-count", "2")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(2)
    console.locator(".card-button").nth(0).click()

    context = phone_context(chromium)
    phone = context.new_page()
    phone.goto(f"{server.url}/join/{code}/1")
    phone.get_by_label("English").check()
    phone.locator("form.stack button[type=submit]").click()
    wait_for_greeting(phone)
    button = phone.get_by_role("button", name="We need help")
    expect(button).to_be_visible()
    check_phone_page(phone, "the phone with the help button")

    button.click()
    expect(phone.locator("#table-help")).to_have_text(
        "Your table asked for help; the facilitator sees it on the console."
    )
    flag = console.locator("#help-flag-1")
    expect(flag).to_contain_text("Needs you: a member asked for help")
    expect(console.locator("#help-flag-2")).to_have_count(0)
    assert_accessible(console, "the console with a table's flag")
    console.screenshot(path=str(SHOTS / "help-console-flag.png"), full_page=True)
    phone.screenshot(path=str(SHOTS / "help-phone-asked.png"), full_page=True)

    console.get_by_role("button", name="On my way to table 1").click()
    expect(phone.locator("#table-help")).to_have_text("Help is on the way.")
    expect(flag).to_contain_text("Help on the way")
    check_phone_page(phone, "the phone told help is on the way")
    assert_accessible(console, "the console with help on the way")
    phone.screenshot(path=str(SHOTS / "help-phone-on-the-way.png"), full_page=True)

    # A reload keeps it: the call is stored, not only sent.
    phone.reload()
    expect(phone.locator("#table-help")).to_have_text("Help is on the way.")
    console.get_by_role("button", name="Mark table 1 helped").click()
    expect(phone.get_by_role("button", name="We need help")).to_be_visible()
    expect(console.locator("#help-flag-1")).to_have_count(0)
    context.close()
    console.close()
