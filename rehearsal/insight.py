"""The rehearsal's insight steps, after the evening: a second session of the same
deck that a crowd (rehearsal/crowd.py) answers in three camps, then the
console's themes and opinion-groups panels, and each put on the projector with
their buttons: the projectors' screenshots and checks are the evening's
(``Evening.record``). The phones stay on the first session's last screen."""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from rehearsal.crowd import Crowd
from rehearsal.play import Evening, Failure
from strategyroom.decks.schema import (
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
)

CAMPS = 3
CAMP_SIZE = 8  # 24 residents: three groups over the minimum size, three themes


def play(evening: Evening) -> None:
    """The insight steps; a step that cannot be done ends them, as a failure."""
    try:
        _play(evening)
    except (PlaywrightError, AssertionError, OSError, TimeoutError) as exc:
        what = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        evening.failures.append(Failure(None, "insight", "rehearsal", f"could not go on: {what}"))


def _counted(question: Question | None) -> bool:
    """A question the crowd answers: each resident's own, and not a budget."""
    return question is not None and question.scope != "table" and not isinstance(question, Budget)


def _play(evening: Evening) -> None:
    deck = evening.deck
    console = evening.screen("console").page
    console.goto(evening.url + "/console")
    console.locator("#deck").select_option(deck.id)
    console.fill("#title", "Rehearsal: insight")
    console.locator("#title").press("Enter")
    code = console.locator("#join-code").inner_text()
    crowd = Crowd(evening.url, code, CAMPS, CAMP_SIZE, deck.default_language)
    try:
        texts = [i for i, card in enumerate(deck.cards) if isinstance(card.question, FreeText)]
        for index, card in enumerate(deck.cards):
            question = card.question
            if not _counted(question) or question is None:
                continue
            _act(console, console.locator(f'.deck-nav button[name="card"][value="{index}"]'))
            _act(console, console.locator('button[name="action"][value="open"]'))
            crowd.answer(question)
            _act(console, console.locator('button[name="action"][value="close"]'))
            if question.reveal == "manual":
                _act(console, console.locator('button[name="action"][value="reveal"]'))
        projectors = evening.of_kind("projector")
        for screen in projectors:
            screen.page.goto(f"{evening.url}/p/{code}?lang={screen.device.language}")
        if texts:
            _themes(evening, console, texts[0])
        _common_ground(evening, console)
    finally:
        crowd.close()


def _act(console: Page, button: Locator) -> None:
    """Press a console button and wait until the console has drawn the new state."""
    stage = console.locator("#console-live")
    before = int(stage.get_attribute("data-seq") or 0)
    button.first.click()
    console.wait_for_function(
        "(seq) => Number(document.querySelector('#console-live').dataset.seq) > seq",
        arg=before,
    )


def _themes(evening: Evening, console: Page, card: int) -> None:
    title = evening.deck.text(evening.deck.cards[card].title, evening.deck.default_language)
    _act(console, console.locator(f'.deck-nav button[name="card"][value="{card}"]'))
    panel = console.locator("#console-themes")
    expect(panel.locator("ol.themes > li")).to_have_count(CAMPS)
    panel.scroll_into_view_if_needed()
    evening.record(card, "insight-themes-console", title)
    _act(console, panel.locator("#project-themes"))
    for screen in evening.of_kind("projector"):
        expect(screen.page.locator(".projector-theme")).to_have_count(CAMPS)
    evening.record(card, "insight-themes-projector", title)


def _groups_expected(evening: Evening) -> int:
    """The crowd's camps, when the deck asks a question that opinion groups
    count (a choice, scale or ranking, not a profile question); else none."""
    for card in evening.deck.cards:
        question = card.question
        if not _counted(question) or (isinstance(question, SingleChoice) and question.profile):
            continue
        if isinstance(question, (SingleChoice, MultipleChoice, Scale, Ranking)):
            return CAMPS
    return 0


def _common_ground(evening: Evening, console: Page) -> None:
    groups = _groups_expected(evening)
    panel = console.locator("#console-insight")
    # The panel is polled every few seconds: until it shows the crowd's groups.
    expect(panel.locator(".insight-group")).to_have_count(groups)
    expect(panel.locator("#project-common-ground")).to_be_visible()
    panel.scroll_into_view_if_needed()
    evening.record(None, "insight-groups-console", "Opinion groups")
    _act(console, panel.locator("#project-common-ground"))
    for screen in evening.of_kind("projector"):
        # Computed at most every few seconds: until the crowd's groups are in.
        page = screen.page
        expect(page.locator("#projector-groups .cg-group")).to_have_count(groups)
        shown = "#projector-groups" if groups else "#projector-no-groups"
        expect(page.locator(shown)).to_be_visible()
    evening.record(None, "insight-common-ground-projector", "Common ground")
    _act(console, console.locator("#project-card"))
