"""The projector built for a room, in a real browser at 1920 x 1080: the key
figure of an evidence card is the biggest text on screen, above its label and
source; an open question shows how many have answered (never what) and counts
up live; free text is a wall of readable comments; the discussion timer is gone
once the results are up; the end screen says the deck's closing words."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import Browser, Page, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import PASSWORD
from tests.live import ApiFacilitator, LiveServer, Phone

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
U = 19.2  # projector.css's 1u on a 1920 x 1080 screen: 1/100 of its width

# Every text on the screen with its computed size, largest first.
TEXT_SIZES = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    const box = el.getBoundingClientRect();
    if (!node.data.trim() || box.width < 2 || box.height < 2) continue;
    found.push([el.className, parseFloat(getComputedStyle(el).fontSize)]);
  }
  return found.sort((a, b) => b[1] - a[1]);
}"""


def size(page: Page, selector: str) -> float:
    """The element's font size in px. A push may replace the stage between finding
    the element and reading it (a detached element has no style: NaN); read the
    new one then."""
    for _ in range(50):
        value: float = page.locator(selector).first.evaluate(
            "e => e.isConnected ? parseFloat(getComputedStyle(e).fontSize) : NaN"
        )
        if not math.isnan(value):
            return round(value, 2)
    raise AssertionError(f"{selector} was replaced 50 times while being read")


def card_index(card_id: str) -> int:
    return next(i for i, card in enumerate(DECK.cards) if card.id == card_id)


def test_the_projector_is_built_for_the_room(server: LiveServer, chromium: Browser) -> None:
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session("green-transition.yaml")
    projector = chromium.new_page(viewport={"width": 1920, "height": 1080})
    projector.goto(f"{server.url}/p/{code}")

    # Evidence with seven facts: figure 3.6u, label 1.4u, source 1.25u (24 px).
    facilitator.act("show_card", card=card_index("energy-evidence"))
    expect(projector.locator(".evidence-item")).to_have_count(7)
    figure, label, source = (
        size(projector, s) for s in (".evidence-value", ".evidence-label", ".evidence-source")
    )
    assert (figure, label, source) == (round(3.6 * U, 2), round(1.4 * U, 2), 24.0)
    biggest = projector.evaluate(TEXT_SIZES)[0]
    assert biggest == ["evidence-value", figure], biggest

    # An open question: the count of answers, live, and no results.
    facilitator.act("show_card", card=card_index("heating-question"))
    question = DECK.cards[card_index("heating-question")].question
    assert question is not None
    facilitator.act("open", question=question.id)
    count = projector.locator("#projector-count")
    expect(count).to_have_text("0 answers so far")
    phones = [Phone(server.url, code) for _ in range(3)]
    for number, phone in enumerate(phones, start=1):
        phone.connect()
        phone.answer(question.id, question.options[0].id)  # type: ignore[union-attr]
        expect(count).to_have_text(f"{number} answer{'s' if number > 1 else ''} so far")
    expect(projector.locator("#projector-results")).to_have_count(0)
    assert size(projector, "#projector-count") == round(4 * U, 2)
    facilitator.act("close", question=question.id)
    expect(projector.locator("#projector-results .result-row")).to_have_count(4)
    expect(projector.locator("#projector-count")).to_have_count(0)
    # Every answer on the first option: its bar is full, the others empty.
    first = question.options[0].id  # type: ignore[union-attr]
    expect(projector.locator(f"#bar-{question.id}-{first}")).to_have_attribute("width", "100.00")

    # Comments as a wall: the newest first, each at 2u.
    comment = DECK.cards[card_index("nature-land-comment")].question
    assert comment is not None
    facilitator.act("show_card", card=card_index("nature-land-comment"))
    facilitator.act("open", question=comment.id)
    for number, phone in enumerate(phones):
        phone.answer(comment.id, f"Comment number {number} about the woods by the lake.")
    facilitator.act("close", question=comment.id)
    wall = projector.locator("#projector-results .comment-wall .comment")
    expect(wall).to_have_text(
        [f"Comment number {n} about the woods by the lake." for n in (2, 1, 0)]
    )
    assert size(projector, ".comment-wall .comment") == round(2 * U, 2)

    # A table question with a running timer: the clock goes once results are up.
    table_card = card_index("energy-site-question")
    table_question = DECK.cards[table_card].question
    assert table_question is not None
    facilitator.act("show_card", card=table_card)
    facilitator.act("timer_start")
    expect(projector.locator("#timer .timer-state")).to_have_text("running")
    facilitator.act("open", question=table_question.id)
    facilitator.act("close", question=table_question.id)
    expect(projector.locator("#projector-results")).to_be_visible()
    expect(projector.locator("#timer")).to_be_hidden()

    # The end: the closing card's words, not a bare "Thank you!".
    closing = DECK.cards[-1]
    assert closing.body is not None
    facilitator.act("end")
    expect(projector.locator(".card-title")).to_have_text(DECK.text(closing.title, "en"))
    expect(projector.locator(".card-body")).to_have_text(DECK.text(closing.body, "en"))
    for phone in phones:
        phone.close()
    facilitator.close()
