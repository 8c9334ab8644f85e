"""A table's shared draft on several phones at once, in a real browser: the
submitted answer replaces the form on every device at the table (live and on
reload), a submission is confirmed first, and every phone's form follows the
draft as it changes without wiping what its member is typing.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.a11y import check_phone_page
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer
from tests.test_browser_tables import join_table, submit_for_table

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
SOLAR = DECK.question("solar-site")  # single choice, answered by each table


def _label(index: int) -> str:
    return DECK.text(SOLAR.options[index].label, "en")  # type: ignore[union-attr]


def _table_at_solar_site(
    server: LiveServer, chromium: Browser, question: str = SOLAR.id
) -> tuple[Page, list[Page]]:
    """A console with table 1 open on a table question (solar-site), two phones
    and the table's tablet at it."""
    console, code = open_console(chromium, server, 1100)
    console.fill("#table-count", "1")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(1)
    devices = [
        join_table(chromium, f"{server.url}/join/{code}/1"),
        join_table(chromium, f"{server.url}/join/{code}/1"),
        join_table(chromium, f"{server.url}/join/{code}/1", tablet=True),
    ]
    console.locator(".card-button").nth(DECK.question_card(question)).click()
    console.get_by_role("button", name="Open question").click()
    for device in devices:
        expect(device.locator("#draft-form")).to_be_visible()
    return console, devices


def test_the_submitted_answer_replaces_the_form_at_every_device(
    server: LiveServer, chromium: Browser
) -> None:
    console, (first, second, tablet) = _table_at_solar_site(server, chromium)
    first.locator("#draft-form .choice").nth(2).click()
    first.get_by_role("button", name="Save our table's draft").click()
    expect(second.locator("#table-draft-value")).to_have_text(f"Draft: {_label(2)}")

    submit_for_table(second)
    for device in (first, second, tablet):
        expect(device.locator("#table-answer")).to_have_text(_label(2))
        expect(device.locator("#table-draft")).to_contain_text(
            "Submitted for the table by member 2"
        )
        expect(device.locator("#draft-form")).to_have_count(0)
        expect(device.get_by_role("button", name="Save our table's draft")).to_have_count(0)
        assert device.evaluate("window.__sameDocument") == "yes"
    first.reload()
    expect(first.locator("#table-answer")).to_have_text(_label(2))
    expect(first.locator("#draft-form")).to_have_count(0)
    for device in (first, second, tablet):
        device.context.close()
    console.close()


def test_submitting_asks_for_confirmation_after_the_question(
    server: LiveServer, chromium: Browser
) -> None:
    console, (first, second, tablet) = _table_at_solar_site(server, chromium)
    # Before any draft there is nothing to submit.
    expect(first.locator("#table-submit summary")).to_have_count(0)
    first.locator("#draft-form .choice").nth(1).click()
    first.get_by_role("button", name="Save our table's draft").click()
    expect(second.locator("#table-draft-value")).to_have_text(f"Draft: {_label(1)}")

    # The step comes after the question's form, and a first tap only asks.
    step = second.locator("#table-submit")
    after = second.evaluate(
        "document.getElementById('draft-form')"
        ".compareDocumentPosition(document.getElementById('table-submit'))"
    )
    assert after & 4  # DOCUMENT_POSITION_FOLLOWING
    confirm = second.get_by_role("button", name="Yes, submit it for the table")
    expect(confirm).to_be_hidden()
    step.locator("summary").click()
    expect(confirm).to_be_visible()
    expect(step).to_contain_text("You are about to submit this answer for table 1:")
    expect(second.locator("#table-submit-value")).to_have_text(_label(1))
    check_phone_page(second, "the table's submit step, opened")
    SHOTS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(SHOTS / "table-submit-confirm.png"), full_page=True)
    # Nothing is submitted yet: every device still has the draft form.
    for device in (first, second, tablet):
        expect(device.locator("#draft-form")).to_be_visible()
        expect(device.locator("#table-answer")).to_have_count(0)

    # Closing the step is the way back; with the keyboard, it opens and confirms.
    step.locator("summary").click()
    expect(confirm).to_be_hidden()
    step.locator("summary").focus()
    second.keyboard.press("Enter")
    expect(confirm).to_be_visible()
    confirm.focus()
    second.keyboard.press("Enter")
    for device in (first, second, tablet):
        expect(device.locator("#table-answer")).to_have_text(_label(1))
        expect(device.locator("#table-submit summary")).to_have_count(0)
    for device in (first, second, tablet):
        device.context.close()
    console.close()


def test_every_form_follows_the_draft_and_keeps_what_its_member_changed(
    server: LiveServer, chromium: Browser
) -> None:
    console, (first, second, tablet) = _table_at_solar_site(server, chromium)
    choices = {page: page.locator("#draft-form input[name=value]") for page in (first, second)}

    # Member 1 saves a draft: member 2's untouched form takes it, on its revision.
    choices[first].nth(2).check()
    first.get_by_role("button", name="Save our table's draft").click()
    expect(second.locator("#table-draft-value")).to_have_text(f"Draft: {_label(2)}")
    expect(choices[second].nth(2)).to_be_checked()
    expect(second.locator("#draft-form input[name=base]")).to_have_value("1")
    expect(second.locator("#draft-form .field-changed")).to_have_count(0)
    expect(tablet.locator("#draft-form input[name=value]").nth(2)).to_be_checked()

    # Member 2 picks another site without saving; member 1 saves a third one
    # meanwhile. Member 2's choice is kept, marked, and the conflict is explained.
    choices[second].nth(3).check()
    expect(second.locator("#draft-form fieldset.field-changed")).to_have_count(1)
    choices[first].nth(0).check()
    first.get_by_role("button", name="Save our table's draft").click()
    expect(second.locator("#table-draft-value")).to_have_text(f"Draft: {_label(0)}")
    expect(second.locator("#answer-status")).to_have_text(
        "Member 1 changed the table's answer while you were typing. "
        "Your answer is kept in the form: check it and save again."
    )
    expect(second.locator("#answer-status")).to_have_class("status status-error")
    expect(choices[second].nth(3)).to_be_checked()
    expect(second.locator("#draft-form fieldset.field-changed")).to_have_count(1)
    expect(second.locator("#draft-form input[name=base]")).to_have_value("2")
    # The tablet, untouched, simply follows.
    expect(tablet.locator("#draft-form input[name=value]").nth(0)).to_be_checked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(SHOTS / "table-draft-conflict.png"), full_page=True)

    # Member 2 saves, on the current revision: stored, not refused as stale.
    second.get_by_role("button", name="Save our table's draft").click()
    expect(second.locator("#answer-status")).to_have_text(
        "Your table's draft is saved; everyone at your table sees it."
    )
    expect(first.locator("#table-draft-value")).to_have_text(f"Draft: {_label(3)}")
    expect(choices[first].nth(3)).to_be_checked()
    # A save by the tablet, which never reloaded, is not stale either.
    tablet.get_by_role("button", name="Save our table's draft").click()
    expect(tablet.locator("#answer-status")).to_have_text(
        "Your table's draft is saved; everyone at your table sees it."
    )
    expect(first.locator("#table-draft-changed")).to_contain_text(
        "Last changed by the table's tablet"
    )
    expect(first.locator("#table-draft-changed")).to_contain_text("(version 4)")
    for device in (first, second, tablet):
        assert device.evaluate("window.__sameDocument") == "yes"
        device.context.close()
    console.close()


def test_untouched_options_follow_the_draft_and_ticked_ones_are_kept(
    server: LiveServer, chromium: Browser
) -> None:
    """A multiple choice (the table's plan): each option is a field of its own."""
    console, (first, second, tablet) = _table_at_solar_site(server, chromium, "table-plan")
    boxes = {page: page.locator("#draft-form input[name=value]") for page in (first, second)}
    save = "Save our table's draft"
    boxes[first].nth(1).check()
    first.get_by_role("button", name=save).click()
    expect(boxes[second].nth(1)).to_be_checked()

    # Member 2 ticks a package and has not saved; member 1 adds another meanwhile.
    boxes[second].nth(2).check()
    expect(second.locator("#draft-form label.field-changed")).to_have_count(1)
    boxes[first].nth(3).check()
    first.get_by_role("button", name=save).click()
    expect(second.locator("#table-draft-changed")).to_contain_text("(version 2)")
    expect(second.locator("#answer-status")).to_have_text(
        "Member 1 saved a new version of the draft: the form shows it, "
        "and keeps your unsaved changes (marked)."
    )
    checked = [boxes[second].nth(i).is_checked() for i in range(6)]
    assert checked == [False, True, True, True, False, False]
    expect(second.locator("#draft-form label.field-changed")).to_have_count(1)
    expect(second.locator("#draft-form label.field-changed input")).to_have_value(
        DECK.question("table-plan").options[2].id  # type: ignore[union-attr]
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(SHOTS / "table-draft-kept.png"), full_page=True)

    # Member 2's save is the plan with all three, not refused.
    second.get_by_role("button", name=save).click()
    expect(second.locator("#answer-status")).to_have_text(
        "Your table's draft is saved; everyone at your table sees it."
    )
    expect(first.locator("#table-draft-changed")).to_contain_text("(version 3)")
    expect(boxes[first].nth(2)).to_be_checked()
    expect(first.locator("#draft-form label.field-changed")).to_have_count(0)
    for device in (first, second, tablet):
        device.context.close()
    console.close()
