"""Small things in a real browser: a split table is told so on its phones
beside the impact meter, the projector shows each table's agreement beside
its plan once the results are shown, and the console's table overview keeps
its column headings whole at 1,400 px.

Screenshots go where tests/test_browser.py puts them (STRATEGYROOM_SCREENSHOTS).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.a11y import axe_violations
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer
from tests.test_browser_tables import join_table

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
OWN = DECK.question("plan-budget")  # each resident's own budget over the six packages
PLAN = DECK.question("table-plan")  # then the table's plan of the same packages


def add_tables(console: Page, count: int) -> None:
    console.fill("#table-count", str(count))
    console.get_by_role("button", name="Set up numbered tables").click()
    expect(console.locator("#table-overview tbody tr")).to_have_count(count)


def test_a_split_table_sees_it_beside_its_meter(server: LiveServer, chromium: Browser) -> None:
    console, code = open_console(chromium, server, 1100)
    add_tables(console, 2)
    # Five at the table: a table's own figures need policy.MIN_GROUP answers.
    phones = [join_table(chromium, f"{server.url}/join/{code}/1") for _ in range(5)]
    first, second = phones[:2]

    # Each puts the whole 30 million on a different package: as split as can be (0).
    console.locator(".card-button").nth(DECK.question_card(OWN.id)).click()
    console.get_by_role("button", name="Open question").click()
    labels = [DECK.text(o.label, "en") for o in OWN.options]  # type: ignore[union-attr]
    assert labels[:2] == ["Buses, bikes and a calmer centre", "Leaving gas and oil"]
    for phone, option in zip(phones, labels, strict=False):
        phone.get_by_label(option).fill("30")
        phone.get_by_role("button", name="Send answer").click()
        expect(phone.locator("#answer-status")).to_contain_text("Your answer is counted.")
    expect(console.locator("#table-row-1 .table-agreement")).to_have_text("0 split")

    # Closing reveals the own budgets (the deck reveals at close); the table builds its plan.
    console.get_by_role("button", name="Close question").click()
    expect(console.get_by_role("button", name="Reopen question")).to_be_visible()
    plan_card = DECK.question_card(PLAN.id)
    console.locator(".card-button").nth(plan_card).click()
    expect(console.locator("#current-heading")).to_contain_text(f"Showing card {plan_card + 1} ")
    console.get_by_role("button", name="Open question").click()
    expect(console.get_by_role("button", name="Close question")).to_be_visible()
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
    assert axe_violations(second) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    second.locator("#table-split").scroll_into_view_if_needed()
    second.screenshot(path=str(SHOTS / "table-split-phone.png"), full_page=True)

    # The projector: each table's agreement in its column once the plans are shown.
    projector = chromium.new_page(viewport={"width": 1600, "height": 900})
    projector.goto(f"{server.url}/p/{code}")
    expect(projector.locator("#projector-stage .question-prompt")).to_be_visible()
    expect(projector.locator(".package-agreement")).to_have_count(0)
    console.get_by_role("button", name="Show results to the room").click()
    agreement = projector.locator(".package-agreement")
    expect(agreement).to_have_text(["Agreement: 0 split", "Agreement: not enough answers"])
    # Readable across a hall: 2u, where 1u is 1/100 of the screen's 16:9 width
    # (16 px on this 1600 x 900 screen, static/projector.css).
    size = agreement.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size == 16 * 2, size
    badge = agreement.first.locator(".badge").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert round(badge, 2) == round(size * 0.7, 2), badge  # the word "split", not a speck
    assert axe_violations(projector) == []
    projector.screenshot(path=str(SHOTS / "projector-agreement.png"), full_page=True)


# Each heading's text: its rendered height, its line height, and the places
# where a new line starts between two letters (inside a word).
HEADINGS = """
() => [...document.querySelectorAll('#table-overview thead th')].map(th => {
  const whole = document.createRange();
  whole.selectNodeContents(th);
  const chars = [];
  const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const one = document.createRange();
      one.setStart(node, i);
      one.setEnd(node, i + 1);
      const rect = one.getClientRects()[0];
      if (rect) chars.push({ch: node.data[i], top: Math.round(rect.top)});
    }
  }
  const inWord = [];
  for (let i = 1; i < chars.length; i++) {
    const [a, b] = [chars[i - 1], chars[i]];
    if (b.top > a.top && /\\S/.test(a.ch) && /\\S/.test(b.ch)) inWord.push(a.ch + b.ch);
  }
  return {
    text: th.innerText,
    height: whole.getBoundingClientRect().height,
    lineHeight: parseFloat(getComputedStyle(th).lineHeight),
    inWord: inWord,
  };
})
"""


def test_the_table_overview_headings_wrap_between_words_at_1400_px(
    server: LiveServer, chromium: Browser
) -> None:
    # The widest overview: an individual package question, with each table's
    # agreement, distribution and impact meter (the sample deck's town centre).
    console, code = open_console(chromium, server, 1100)
    add_tables(console, 3)
    # Five at table 3: a table's figures need policy.MIN_GROUP answers.
    seats = (1, 2, 3, 3, 3, 3, 3)
    phones = [join_table(chromium, f"{server.url}/join/{code}/{n}") for n in seats]
    question = DECK.question("centre-measures")
    console.locator(".card-button").nth(DECK.question_card(question.id)).click()
    console.get_by_role("button", name="Open question").click()
    for phone, choice in zip(phones, (1, 2, 2, 4, 2, 4, 1), strict=True):
        phone.locator("#answer-form .choice").nth(choice).click()
        phone.get_by_role("button", name="Send answer").click()
        expect(phone.locator("#answer-status")).to_contain_text("Your answer is counted.")
    expect(console.locator("#table-impact-3 .impact-value").first).to_be_visible()
    headings = console.locator("#table-overview thead th")
    expect(headings).to_have_text(
        ["Table", "Connected", "Answered", "Agreement", "The table's answers", "Impact", "Devices"]
    )
    assert console.viewport_size == {"width": 1400, "height": 1100}
    for heading in console.evaluate(HEADINGS):
        # The lectern layout gives the tables the right-hand column: a heading of
        # three words may take three lines there, but never breaks inside a word.
        assert heading["height"] <= 3 * heading["lineHeight"], heading
        assert heading["inWord"] == [], heading  # lines break between words only
    assert axe_violations(console) == []
    console.locator("#console-tables").scroll_into_view_if_needed()
    console.screenshot(path=str(SHOTS / "tables-console-headings.png"), full_page=True)
