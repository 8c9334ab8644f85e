"""Tables in a real browser: two phones join table 1 by its link, one saves the
table's draft and the other sees it appear without a reload, then submits it for
the table; the console's overview and the printable table cards are shown. And
the console's table forms keep what the facilitator types while phones join.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
CARD = DECK.question_card("solar-site")
QUESTION = DECK.question("solar-site")
SCALE = DECK.question("climate-importance-before")  # an individual question, 1 to 5


def join_table(chromium: Browser, url: str, tablet: bool = False) -> Page:
    context = chromium.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(url)
    page.get_by_label("English").check()
    if tablet:
        page.get_by_label("This is the table's shared tablet").check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#stage")).to_be_visible()
    page.evaluate("window.__sameDocument = 'yes'")
    return page


def submit_for_table(page: Page) -> None:
    """Submit the table's draft as a member does: open the step after the
    question, then confirm."""
    page.locator("#table-submit summary").click()
    page.get_by_role("button", name="Yes, submit it for the table").click()


def test_a_tables_draft_reaches_the_other_phone(
    server: LiveServer, chromium: Browser, tmp_path: Path
) -> None:
    console, code = open_console(chromium, server, 1100)
    console.fill("#table-count", "3")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(3)

    first = join_table(chromium, f"{server.url}/join/{code}/1")
    second = join_table(chromium, f"{server.url}/join/{code}/1")
    tablet = join_table(chromium, f"{server.url}/join/{code}/2", tablet=True)
    expect(first.locator(".topbar-title")).to_contain_text("Member 1")
    expect(tablet.locator(".topbar-title")).to_contain_text("Table tablet")
    expect(console.locator("#table-row-1 .table-connected")).to_have_text("2 / 2")
    expect(console.locator("#table-row-2 .table-connected")).to_have_text("1 / 1")

    console.locator(".card-button").nth(CARD).click()
    expect(first.locator("#stage .seat")).to_contain_text("You are at table 1.")
    console.get_by_role("button", name="Start timer").click()
    expect(first.locator("#timer .timer-state")).to_have_text("running")
    console.get_by_role("button", name="Open question").click()
    expect(first.locator("#draft-form")).to_be_visible()

    # Member 1 saves a draft; member 2's phone shows it without a reload.
    label = DECK.text(QUESTION.options[1].label, "en")  # type: ignore[union-attr]
    first.locator("#draft-form .choice").nth(1).click()
    first.get_by_role("button", name="Save our table's draft").click()
    expect(first.locator("#answer-status")).to_contain_text("Your table's draft is saved")
    expect(second.locator("#table-draft-value")).to_have_text(f"Draft: {label}")
    expect(second.locator("#table-draft-changed")).to_contain_text("Last changed by member 1")
    expect(console.locator("#table-row-1 .table-progress")).to_contain_text("draft, version 1")

    SHOTS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(SHOTS / "table-draft-phone.png"), full_page=True)

    # Member 2 submits it for the table; member 1 sees that without a reload.
    submit_for_table(second)
    expect(first.locator("#table-draft")).to_contain_text("Submitted for the table by member 2")
    expect(console.locator("#table-row-1 .table-progress")).to_contain_text("submitted")
    expect(console.locator("#table-row-1 .table-progress")).to_contain_text(label)
    for phone in (first, second, tablet):
        assert phone.evaluate("window.__sameDocument") == "yes"
    console.locator("#console-tables").scroll_into_view_if_needed()
    console.screenshot(path=str(SHOTS / "tables-console.png"), full_page=True)

    # The sheet needs the facilitator's login: the console's cookies.
    printer = chromium.new_context(viewport={"width": 800, "height": 1100})
    printer.add_cookies(console.context.cookies())
    sheet = printer.new_page()
    sheet.goto(f"{server.url}/console/{console.url.rsplit('/', 1)[1]}/tables/cards")
    expect(sheet.locator(".table-card")).to_have_count(3)
    expect(sheet.locator(".table-card-code").first).to_have_text(f"{code}-1")
    sheet.screenshot(path=str(SHOTS / "table-cards.png"), full_page=True)
    # Printed, each card fills one A6 page (105 x 148 mm = 298 x 420 pt).
    pdf = tmp_path / "cards.pdf"
    sheet.pdf(path=str(pdf), prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"Pages:\s+3\n", info.stdout), info.stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert size, info.stdout
    # A6 in points; Chromium rounds the page to whole CSS pixels (under 1 pt).
    assert abs(float(size[1]) - 105 / 25.4 * 72) < 1 and abs(float(size[2]) - 148 / 25.4 * 72) < 1


def test_live_updates_keep_what_the_facilitator_types(
    server: LiveServer, chromium: Browser
) -> None:
    console, code = open_console(chromium, server, 1100)
    console.locator(".card-button").nth(DECK.question_card(SCALE.id)).click()
    console.get_by_role("button", name="Open question").click()
    # A second console (maria's other window: the same login) shows the session too.
    window = chromium.new_context(viewport={"width": 1400, "height": 1100})
    window.add_cookies(console.context.cookies())
    other = window.new_page()
    other.goto(console.url)
    expect(other.locator("#table-forms form")).to_have_count(2)

    name = "Bord ved vinduet – Ærø"
    console.fill("#table-name", name)
    console.fill("#table-count", "4")
    # Marks on the live region: gone once a live update has replaced it.
    console.evaluate("document.getElementById('console-tables').dataset.before = 'yes'")
    console.evaluate("document.getElementById('console-counts').dataset.before = 'yes'")

    # Phones join and answer while the facilitator is typing: each is a live update.
    phones = [join_table(chromium, f"{server.url}/join/{code}") for _ in range(3)]
    for score, phone in enumerate(phones, start=2):
        phone.locator("#answer-form .choice").nth(score - 1).click()
        phone.get_by_role("button", name="Send answer").click()
        expect(phone.locator("#answer-status")).to_have_text("Your answer is counted.")
    expect(console.locator("#count-joined")).to_have_text("3")
    expect(console.locator("#count-answered")).to_have_text("3")
    assert console.evaluate("document.getElementById('console-tables').dataset.before") is None
    assert console.evaluate("document.getElementById('console-counts').dataset.before") is None

    # What the facilitator typed is still there, and is what gets sent.
    expect(console.locator("#table-name")).to_have_value(name)
    expect(console.locator("#table-count")).to_have_value("4")
    console.get_by_role("button", name="Add a table").click()
    expect(console.locator("#table-row-1 th")).to_have_text(f"1 · {name}")
    # The forms are drawn again after the facilitator's own action: the name is
    # cleared, the count is the number of tables now.
    expect(console.locator("#table-name")).to_have_value("")
    expect(console.locator("#table-count")).to_have_value("1")
    expect(other.locator("#table-row-1 th")).to_have_text(f"1 · {name}")

    console.fill("#table-count", "4")
    phones.append(join_table(chromium, f"{server.url}/join/{code}/1"))
    expect(console.locator("#count-joined")).to_have_text("4")
    expect(console.locator("#table-count")).to_have_value("4")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody th")).to_have_text([f"1 · {name}", "2", "3", "4"])
    expect(console.locator("#table-count")).to_have_value("4")

    # Inside the overview, a live update keeps the device list the facilitator
    # opened, the table they picked to move a phone to, and the focus.
    console.locator("#table-devices-1 summary").click()
    move = console.locator("#table-devices-1 select")
    move.select_option("3")
    move.focus()
    console.evaluate("document.getElementById('console-tables').dataset.before = 'yes'")
    phones.append(join_table(chromium, f"{server.url}/join/{code}/2"))
    expect(console.locator("#count-joined")).to_have_text("5")
    expect(console.locator("#table-row-2 td.table-connected")).to_have_text("1 / 1")
    assert console.evaluate("document.getElementById('console-tables').dataset.before") is None
    expect(console.locator("#table-devices-1")).to_have_attribute("open", "")
    expect(move).to_have_value("3")
    expect(move).to_be_focused()
    console.locator("#table-devices-1 button", has_text="Move").click()
    expect(console.locator("#table-row-3 td.table-connected")).to_have_text("1 / 1")
    expect(console.locator("#table-row-1 td.table-connected")).to_have_text("0 / 0")

    # Once the session ends there are no table forms, on every console.
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End session").click()
    expect(console.locator("#current-heading")).to_have_text("The session has ended")
    expect(console.locator("#table-forms form")).to_have_count(0)
    expect(other.locator("#current-heading")).to_have_text("The session has ended")
    expect(other.locator("#table-forms form")).to_have_count(0)
    other.reload()
    expect(other.locator("#table-overview tbody tr")).to_have_count(4)
    expect(other.locator("#table-forms form")).to_have_count(0)
    for phone in phones:
        phone.context.close()
    window.close()
