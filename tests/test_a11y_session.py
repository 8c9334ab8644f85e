"""A whole session in Danish and one in Swedish on a 320 px phone, answered with
the keyboard alone, with axe-core run on every screen the participant sees.

For each question type of the sample deck the phone is checked open and closed
with results (axe-core: nothing serious or critical; no sideways scrolling at
320 px; every button, field and choice at least 44 x 44 px). The answers are
given with Tab, Space, Enter and the arrow keys (digits and words typed where a
number or a comment is asked for), never a click, and must be stored exactly.

Screenshots go to test-artifacts/screenshots, or to STRATEGYROOM_SCREENSHOTS
(`docs/screenshots` refreshes the ones in the docs).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from strategyroom.decks import load_deck
from strategyroom.decks.schema import QuestionType
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.a11y import check_phone_page, phone_context, wait_for_greeting
from tests.browsers import PASSWORD, SHOTS
from tests.live import ApiFacilitator, LiveServer

pytestmark = pytest.mark.browser

DECK = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
ORDER = [
    QuestionType.SCALE,
    QuestionType.RANKING,
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.BUDGET,
    QuestionType.TEXT,
]
# What each phone answers, and so what the database must hold, per language.
ANSWERS: dict[str, dict[QuestionType, Any]] = {
    "da": {
        QuestionType.SCALE: 4,
        QuestionType.RANKING: ["cycle-routes", "call-up-bus", "more-buses", "ev-chargers"],
        QuestionType.SINGLE: 1,
        QuestionType.MULTIPLE: [0, 2],
        QuestionType.BUDGET: {
            "rewet-valley": 40,
            "new-forest": 35,
            "wilder-green-spaces": 0,
            "farm-hedges": 25,
        },
        QuestionType.TEXT: "Ådalen ved Møllebakken – der går jeg tur hver søndag.",
    },
    "sv": {
        QuestionType.SCALE: 2,
        QuestionType.RANKING: ["ev-chargers", "more-buses", "call-up-bus", "cycle-routes"],
        QuestionType.SINGLE: 0,
        QuestionType.MULTIPLE: [1],
        QuestionType.BUDGET: {
            "rewet-valley": 0,
            "new-forest": 50,
            "wilder-green-spaces": 30,
            "farm-hedges": 20,
        },
        QuestionType.TEXT: "Skogen vid sjön, där jag plockar svamp på hösten.",
    },
}
TEXT = {
    "da": {
        "welcome": "Velkommen",
        "counted": "Dit svar er talt med.",
        "left": "0 point tilbage at fordele",  # the deck names its unit: "point"
        "thanks": "Tak!",
    },
    "sv": {
        "welcome": "Välkommen",
        "counted": "Ditt svar är registrerat.",
        "left": "0 poäng kvar att fördela",
        "thanks": "Tack!",
    },
}


def question_card(kind: QuestionType) -> tuple[int, Any]:
    for index, card in enumerate(DECK.cards):
        if (
            card.question is not None
            and card.question.type is kind
            and card.question.scope == "individual"
        ):
            return index, card.question
    raise AssertionError(f"the sample deck has no {kind} question")


# -- the keyboard alone -----------------------------------------------------------


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focus is on an element matching ``selector``."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def press(page: Page, key: str, times: int) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def rank_with_arrow_buttons(page: Page, question: Any, wanted: list[str]) -> None:
    """Move each option up to its place with its "move up" button and Enter.

    The focus must stay on the button of the option being moved, and the polite
    region must say where it went."""
    order = [o.id for o in question.options]
    for place, option_id in enumerate(wanted):
        at = order.index(option_id)
        if at == place:
            continue
        button = f"rank-up-{question.id}-{option_id}"
        tab_to(page, f"#{button}")
        while at > place:
            page.keyboard.press("Enter")
            order[at - 1], order[at] = order[at], order[at - 1]
            at -= 1
            expect(page.locator(f"#ranking-{question.id} input[name=value]").nth(at)).to_have_value(
                option_id
            )
            page.wait_for_function("(id) => document.activeElement?.id === id", arg=button)
            # A person is slower than htmx's settling of the new buttons; a test is not.
            page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-added')")
        label = DECK.text(
            question.options[[o.id for o in question.options].index(option_id)].label, "sv"
        )
        expect(page.locator("#stage-news")).to_have_text(
            f"{label}: plats {place + 1} av {len(order)}."
        )


def rank_by_tapping(page: Page, question: Any, wanted: list[str]) -> None:
    """Press each option's own button (Enter) in the order wanted: each goes to
    the next place. The focus stays on the pressed button, wherever it went."""
    for place, option_id in enumerate(wanted[:-1]):
        button = f"rank-pick-{question.id}-{option_id}"
        tab_to(page, f"#{button}")
        page.keyboard.press("Enter")
        values = page.locator(f"#ranking-{question.id} input[name=value]")
        expect(values.nth(place)).to_have_value(option_id)
        page.wait_for_function("(id) => document.activeElement?.id === id", arg=button)
        page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-added')")
    # The last option's place follows: every place is taken.
    expect(page.locator(f"#ranking-{question.id} .rank-placed")).to_have_count(len(wanted))


def answer_by_keyboard(page: Page, question: Any, wanted: Any, arrows: bool = False) -> None:
    kind = question.type
    form = "#answer-form"
    if kind in (QuestionType.SINGLE, QuestionType.SCALE):
        # Tab lands on the first radio of the group; Space checks it, arrows move on.
        tab_to(page, f"{form} input[type=radio]")
        page.keyboard.press("Space")
        steps = wanted - question.min if kind is QuestionType.SCALE else wanted
        press(page, "ArrowDown", steps)
    elif kind is QuestionType.MULTIPLE:
        tab_to(page, f"{form} input[type=checkbox]")
        for index in range(len(question.options)):
            if index in wanted:
                page.keyboard.press("Space")
            if index + 1 < len(question.options):
                page.keyboard.press("Tab")
    elif kind is QuestionType.RANKING and arrows:
        rank_with_arrow_buttons(page, question, wanted)
    elif kind is QuestionType.RANKING:
        rank_by_tapping(page, question, wanted)
    elif kind is QuestionType.BUDGET:
        for option_id, points in wanted.items():
            tab_to(page, f'{form} input[name="points:{option_id}"]')
            # Tab selects the field's text, so typing replaces the 0.
            page.keyboard.type(str(points))
    else:
        tab_to(page, f"{form} textarea")
        page.keyboard.type(wanted)
    tab_to(page, f"{form} button[type=submit]")
    page.keyboard.press("Enter")


def stored(server: LiveServer, session_id: str) -> dict[str, Any]:
    """The answers in the database, by question id (one participant per session)."""
    with sqlite3.connect(server.data_dir / "strategyroom.sqlite3") as db:
        rows = db.execute(
            "SELECT question_id, value FROM answer WHERE session_id = ?", (session_id,)
        ).fetchall()
    # SQLite gives a JSON number back as a number (column affinity), the rest as text.
    return {q: json.loads(v) if isinstance(v, str) else v for q, v in rows}


def expected_value(question: Any, wanted: Any) -> Any:
    if question.type is QuestionType.SINGLE:
        return question.options[wanted].id
    if question.type is QuestionType.MULTIPLE:
        return [question.options[i].id for i in sorted(wanted)]
    return wanted


# -- the session ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["da", "sv"])
def test_a_session_by_keyboard_at_320_px(
    server: LiveServer, chromium: Browser, language: str
) -> None:
    words = TEXT[language]
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session("green-transition.yaml")
    context = phone_context(chromium)
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{server.url}/join/{code}?lang={language}")
    check_phone_page(page, f"join ({language})")
    page.locator(f"input[name=language][value={language}]").check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#stage h1")).to_have_text(words["welcome"])
    wait_for_greeting(page)
    check_phone_page(page, f"waiting room ({language})")
    page.evaluate("window.__sameDocument = 'yes'")

    expected: dict[str, Any] = {}
    for kind in ORDER:
        index, question = question_card(kind)
        facilitator.act("show_card", card=index)
        facilitator.act("open", question=question.id)
        expect(page.locator("#answer-form")).to_be_visible()
        check_phone_page(page, f"{kind.value} question, open ({language})")

        wanted = ANSWERS[language][kind]
        # Swedish ranks with the arrow buttons, Danish by pressing the options in order.
        answer_by_keyboard(page, question, wanted, arrows=language == "sv")
        if kind is QuestionType.BUDGET:
            expect(page.locator(f"#budget-left-{question.id}")).to_have_text(words["left"])
        expect(page.locator("#answer-status")).to_have_text(words["counted"])
        # Said politely, and the focus is back on the send button, not lost.
        expect(page.locator("#stage-news")).to_have_text(words["counted"])
        page.wait_for_function(
            "() => document.activeElement?.matches('#answer-form button[type=submit]')"
        )
        expected[question.id] = expected_value(question, wanted)
        if kind is QuestionType.RANKING:
            page.screenshot(path=str(SHOTS / f"phone-{language}-ranking.png"), full_page=True)

        facilitator.act("close", question=question.id)
        if question.reveal == "manual":
            facilitator.act("reveal", question=question.id)
        expect(page.locator("#room-results")).to_be_visible()
        check_phone_page(page, f"{kind.value} question, closed with results ({language})")
        if kind is QuestionType.BUDGET:
            page.screenshot(path=str(SHOTS / f"phone-{language}-results.png"), full_page=True)

    assert stored(server, facilitator.session_id) == expected
    facilitator.act("end")
    expect(page.locator("#stage h1")).to_have_text(words["thanks"])
    check_phone_page(page, f"ended ({language})")
    assert page.evaluate("window.__sameDocument") == "yes"
    context.close()
    facilitator.close()
