"""The console on a laptop at a lectern, in a real browser: the shown question's
progress as "answered of who can answer" beside its buttons (a table's tablet is
not a person who answers; a table question counts the tables with someone
seated), updated live; the card and what comes next beside the tables, in one
column when zoomed in; and one line saying what to do now.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer
from tests.test_browser_tables import join_table, submit_for_table

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
SCALE = DECK.question("climate-importance-before")  # each participant answers, 1 to 5
TABLE_QUESTION = DECK.question("solar-site")  # each table answers together


def test_the_progress_counts_who_can_answer(server: LiveServer, chromium: Browser) -> None:
    console, code = open_console(chromium, server, 800)
    console.fill("#table-count", "3")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(3)
    # Three phones and a tablet: two phones and the tablet at table 1, one phone
    # at table 2, nobody at table 3.
    phones = [join_table(chromium, f"{server.url}/join/{code}/{n}") for n in (1, 1, 2)]
    tablet = join_table(chromium, f"{server.url}/join/{code}/1", tablet=True)
    expect(console.locator("#count-joined")).to_have_text("4")

    console.locator(".card-button").nth(DECK.question_card(SCALE.id)).click()
    expect(console.locator("#question-progress")).to_have_count(0)  # not opened yet
    console.get_by_role("button", name="Open question").click()
    progress = console.locator(".question-controls + #console-counts #question-progress")
    expect(progress).to_have_text("0 of 3 have answered")
    for answered, phone in enumerate(phones[:2], start=1):
        phone.locator("#answer-form .choice").nth(answered).click()
        phone.get_by_role("button", name="Send answer").click()
        expect(phone.locator("#answer-status")).to_have_text("Your answer is counted.")
        expect(progress).to_have_text(f"{answered} of 3 have answered")
    SHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-progress.png"))
    console.get_by_role("button", name="Close question").click()
    expect(progress).to_have_text("2 of 3 have answered")

    # A table question: tables 1 and 2 have someone seated, table 3 nobody.
    console.locator(".card-button").nth(DECK.question_card(TABLE_QUESTION.id)).click()
    # Exactly: "Reopen question" of the card just left contains the words too.
    console.get_by_role("button", name="Open question", exact=True).click()
    expect(progress).to_have_text("0 of 2 tables have submitted")
    expect(tablet.locator("#draft-form")).to_be_visible()
    tablet.locator("#draft-form .choice").nth(1).click()
    tablet.get_by_role("button", name="Save our table's draft").click()
    expect(tablet.locator("#answer-status")).to_contain_text("Your table's draft is saved")
    expect(progress).to_have_text("0 of 2 tables have submitted")  # a draft is no answer
    submit_for_table(tablet)
    expect(progress).to_have_text("1 of 2 tables have submitted")
    for page in (*phones, tablet):
        page.context.close()
    console.close()


@pytest.mark.parametrize("width, height", [(1280, 800), (1440, 900)])
def test_a_laptop_shows_the_card_its_next_and_the_tables_side_by_side(
    server: LiveServer, chromium: Browser, width: int, height: int
) -> None:
    console, _ = open_console(chromium, server, height)
    console.set_viewport_size({"width": width, "height": height})
    console.fill("#table-count", "4")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(4)
    expect(console.locator("#next-card")).to_have_text(
        "Next: card 1 · Welcome: Welcome to the Strategy Room"
    )
    console.get_by_role("button", name="Start: show the first card").click()
    expect(console.locator("#current-heading")).to_have_text(f"Showing card 1 of {len(DECK.cards)}")
    expect(console.locator("#next-card")).to_have_text(
        "Next: card 2 · Welcome: How the evening works"
    )
    console.get_by_role("button", name="Next card").click()
    expect(console.locator("#next-card")).to_have_text("Next: card 3 · Question: Before we start")
    # The tables sit beside the card, in view without scrolling, and stay in
    # view when the facilitator scrolls down the card list.
    current = console.locator(".console-current").bounding_box()
    tables = console.locator("#tables-heading").bounding_box()
    assert current is not None and tables is not None
    assert tables["x"] > current["x"] + current["width"]
    assert tables["y"] + tables["height"] < height
    console.locator(".cards li").last.scroll_into_view_if_needed()
    expect(console.locator("#tables-heading")).to_be_in_viewport()
    # "All cards" is a list that scrolls in its own box; closed, it stays closed
    # across the live updates that follow.
    cards = console.locator("#all-cards .cards").bounding_box()
    assert cards is not None and cards["height"] < 300
    console.locator("#all-cards summary").click()
    expect(console.locator(".card-button").first).to_be_hidden()
    console.get_by_role("button", name="Next card").click()
    expect(console.locator("#next-card")).to_contain_text("Next: card 4 · Scenario")
    expect(console.locator("#all-cards")).not_to_have_attribute("open", "")
    console.locator("#all-cards summary").click()
    expect(console.locator(".card-button").first).to_be_visible()
    console.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=str(SHOTS / f"console-lectern-{width}.png"))
    console.close()


def test_the_console_says_what_to_do_next(server: LiveServer, chromium: Browser) -> None:
    console, code = open_console(chromium, server, 800)
    guidance = console.locator("#guidance")
    # The waiting room: a checklist, its first step a link to the projector.
    expect(guidance.locator("li")).to_have_text(
        [
            "Open the projector screen",
            "Set up the tables (under Tables) and put a table card on each",
            f"Tell the room the join code: {code}",
            "Then show the first card",
        ]
    )
    link = guidance.get_by_role("link", name="Open the projector screen")
    expect(link).to_have_attribute("href", f"/p/{code}?lang=en")
    console.screenshot(path=str(SHOTS / "console-waiting-room.png"))

    console.get_by_role("button", name="Start: show the first card").click()
    expect(guidance).to_have_text("Go on to the next card when the room is ready.")
    console.locator(".card-button").nth(DECK.question_card(SCALE.id)).click()
    expect(guidance).to_have_text("Open the question when the room is ready.")
    console.get_by_role("button", name="Open question", exact=True).click()
    expect(guidance).to_have_text("Close the question when most have answered.")
    expect(console.locator("#question-progress")).to_have_text("0 of 0 have answered")
    console.get_by_role("button", name="Close question").click()
    expect(guidance).to_have_text("Show the results, or move on.")
    console.get_by_role("button", name="Show results to the room").click()
    expect(guidance).to_have_text("Go on to the next card when the room is ready.")

    # A table question with a discussion timer: the timer first, then the question.
    console.locator(".card-button").nth(DECK.question_card(TABLE_QUESTION.id)).click()
    expect(guidance).to_have_text("Start the discussion timer.")
    console.get_by_role("button", name="Start timer").click()
    expect(guidance).to_have_text("Open the question when the room is ready.")
    console.evaluate("window.scrollTo(0, 0)")
    console.screenshot(path=str(SHOTS / "console-guidance.png"))

    console.locator(".card-button").last.click()
    expect(guidance).to_have_text("This is the last card: end the session when you are done.")
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End session").click()
    expect(console.locator("#current-heading")).to_have_text("The session has ended")
    expect(guidance).to_have_count(0)
    console.close()


def test_zoomed_in_the_console_is_one_column(server: LiveServer, chromium: Browser) -> None:
    # 1280×800 at 200 %: 640×400 CSS pixels, each drawn with two device pixels.
    context = chromium.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    console, _ = open_console(chromium, server, 800)
    context.add_cookies(console.context.cookies())
    zoomed = context.new_page()
    zoomed.goto(console.url)
    zoomed.get_by_role("button", name="Start: show the first card").click()
    expect(zoomed.locator("#next-card")).to_contain_text("Next: card 2")
    current = zoomed.locator(".console-current").bounding_box()
    tables = zoomed.locator(".console-tables").bounding_box()
    assert current is not None and tables is not None
    assert tables["y"] > current["y"] + current["height"]
    assert zoomed.evaluate("document.documentElement.scrollWidth") <= 640
    zoomed.evaluate("window.scrollTo(0, 0)")
    zoomed.screenshot(path=str(SHOTS / "console-lectern-zoom-200.png"))
    context.close()
    console.close()


STEP_BUTTONS = """() => [...document.querySelectorAll(
  '#step-controls button:not([disabled])')].map(b => {
    const box = b.getBoundingClientRect();
    return [b.textContent.trim(), box.top, box.bottom];
})"""


@pytest.mark.parametrize("width, height", [(1366, 768), (1280, 800)])
def test_the_step_controls_are_in_reach_without_scrolling(
    server: LiveServer, chromium: Browser, width: int, height: int
) -> None:
    """Next and back, open, close and show results: at the top of the page on a
    laptop, above the card and its results, on the longest cards of the deck."""
    console, code = open_console(chromium, server, height)
    console.set_viewport_size({"width": width, "height": height})
    console.fill("#table-count", "4")
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(4)
    phone = join_table(chromium, f"{server.url}/join/{code}/1")

    def in_reach(*names: str) -> None:
        console.evaluate("window.scrollTo(0, 0)")
        buttons = console.evaluate(STEP_BUTTONS)
        assert sorted(name for name, _, _ in buttons) == sorted(names)
        for name, top, bottom in buttons:
            assert top >= 0 and bottom <= height, (name, top, bottom, height)
        results = console.locator("#console-results").bounding_box()
        assert results is not None
        assert max(bottom for _, _, bottom in buttons) <= results["y"]

    def show(card_id: str) -> None:
        index = next(i for i, card in enumerate(DECK.cards) if card.id == card_id)
        console.locator(".card-button").nth(index).click()
        expect(console.locator("#current-heading")).to_have_text(
            f"Showing card {index + 1} of {len(DECK.cards)}"
        )

    show("energy-evidence")  # seven facts
    in_reach("Previous card", "Next card")
    show("town-centre-question")  # six options, then their results
    console.get_by_role("button", name="Open question", exact=True).click()
    phone.locator("#answer-form .choice").nth(0).click()
    phone.get_by_role("button", name="Send answer").click()
    expect(console.locator("#count-answered")).to_have_text("1")
    in_reach(
        "Close question",
        "Show results to the room",
        "Previous card",
        "Close the question and go on",
        "Go on, keep it open",
    )
    console.get_by_role("button", name="Close question").click()  # the deck reveals on close
    expect(console.locator(".question-controls .badge").nth(1)).to_have_text("results shown")
    in_reach("Reopen question", "Previous card", "Next card")
    show("whole-plan-table")  # a table's package, with its discussion timer
    in_reach("Open question", "Start timer", "One more minute", "Previous card", "Next card")
    console.screenshot(path=str(SHOTS / f"console-steps-{width}.png"))
    phone.context.close()
    console.close()
