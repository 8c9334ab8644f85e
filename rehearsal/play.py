"""The evening itself: the console's real buttons, phones and the tablet
through the real join pages and forms, a screenshot of every screen after every
step, and the checks of rehearsal/checks.py on each of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Locator, expect
from playwright.sync_api import Error as PlaywrightError

from rehearsal.answers import fill
from rehearsal.checks import projector_misfits, projector_small_text, sideways_scroll
from rehearsal.devices import TABLES, Device, Screen, open_screen
from rehearsal.residents import Resident, fill_tables
from rehearsal.server import PASSWORD, USER
from strategyroom.aggregate import MIN_GROUP
from strategyroom.decks.schema import Card, Deck, Question

# How long a screen may take to get where a step takes it (Playwright's default
# is 5 s): a bound on waiting on a loaded machine, not a measurement.
expect.set_options(timeout=20_000)


@dataclass(frozen=True)
class Failure:
    card: int | None  # 1-based, as the console numbers cards; None before the first
    step: str
    device: str
    what: str

    def __str__(self) -> str:
        card = f"card {self.card}, " if self.card is not None else ""
        return f"{card}{self.step}, {self.device}: {self.what}"


@dataclass
class Step:
    number: int
    card: int | None
    name: str  # what just happened: "shown", "answered", "results", ...
    title: str
    shots: dict[str, str] = field(default_factory=dict)  # device name -> file name


@dataclass
class Evening:
    browser: Browser
    url: str
    deck: Deck
    deck_file: str  # the deck's file in the decks folder (the console lists it by its id)
    devices: list[Device]
    out: Path | None  # where the screenshots go; None takes none (only the checks)
    screens: list[Screen] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    residents: list[Resident] = field(default_factory=list)
    code: str = ""

    # -- the screens ------------------------------------------------------------------

    def screen(self, name: str) -> Screen:
        return next(s for s in self.screens if s.device.name == name)

    def of_kind(self, *kinds: str) -> list[Screen]:
        return [s for s in self.screens if s.device.kind in kinds]

    def open(self) -> None:
        """The facilitator logs in, opens a session with its tables; the projectors,
        phones and tablet join it, and residents without a screen make each
        table big enough for its own figures (rehearsal/residents.py)."""
        for device in self.devices:
            self.screens.append(open_screen(self.browser, device))
        console = self.screen("console").page
        console.goto(self.url + "/console")
        console.fill("#username", USER)
        console.fill("#password", PASSWORD)
        console.locator("#password").press("Enter")
        console.locator("#deck").select_option(self.deck.id)
        # No title of its own: every screen shows the deck's title in its language.
        console.locator("#title").press("Enter")
        self.code = console.locator("#join-code").inner_text()
        console.fill("#table-count", str(TABLES))
        console.locator("#table-count").press("Enter")
        expect(console.locator("#table-overview tbody tr")).to_have_count(TABLES)
        for screen in self.of_kind("projector"):
            screen.page.goto(f"{self.url}/p/{self.code}?lang={screen.device.language}")
        for screen in self.of_kind("phone", "tablet"):
            self._join(screen)
        seated = {table: 0 for table in range(1, TABLES + 1)}
        for screen in self.of_kind("phone"):
            seated[screen.device.table or 1] += 1
        self.residents = fill_tables(
            self.url, self.code, seated, self.deck.default_language, MIN_GROUP
        )
        expect(console.locator("#count-connected")).to_have_text(
            str(len(self.of_kind("phone", "tablet")) + len(self.residents))
        )

    def _join(self, screen: Screen) -> None:
        page, device = screen.page, screen.device
        if device.kind == "tablet":
            page.goto(f"{self.url}/join/{self.code}/{device.table}")
            page.check('input[name="device"][value="tablet"]')
        else:
            page.goto(self.url + "/")
            page.fill("#code", self.code.lower())
            page.locator('form[action="/join"] button[type=submit]').click()
            page.check(f'input[name="table"][value="{device.table}"]')
        page.check(f'input[name="language"][value="{device.language}"]')
        page.locator("form.stack button[type=submit]").click()
        expect(page.locator("#stage")).to_be_visible()

    # -- one step ---------------------------------------------------------------------

    def console_click(self, action: str) -> None:
        """Press a console button (by its action) and wait until every screen shows
        the new state of the session."""
        console = self.screen("console").page
        if action == "end":
            console.once("dialog", lambda dialog: dialog.accept())
        self._everywhere(console.locator(f'button[name="action"][value="{action}"]'))

    def show_card(self, index: int) -> None:
        """The next card, as the facilitator steps through the deck."""
        console = self.screen("console").page
        self._everywhere(console.locator(f'.deck-nav button[name="card"][value="{index}"]').first)

    def _everywhere(self, button: Locator) -> None:
        """Click, then wait until every screen has drawn a later state than before
        (each stage carries the session's sequence number in ``data-seq``)."""
        before = {s.device.name: self._seq(s) for s in self.screens}
        button.click()
        for screen in self.screens:
            screen.page.wait_for_function(
                "([selector, seq]) => {"
                " const stage = document.querySelector(selector);"
                " return stage !== null && Number(stage.dataset.seq) > seq; }",
                arg=[screen.device.stage, before[screen.device.name]],
            )

    def _seq(self, screen: Screen) -> int:
        value = screen.page.locator(screen.device.stage).get_attribute("data-seq")
        return int(value or 0)

    def record(self, card: int | None, name: str, title: str) -> None:
        """Screenshots of every screen, and every check on each."""
        step = Step(len(self.steps) + 1, card, name, title)
        self.steps.append(step)
        number = card + 1 if card is not None else None
        for screen in self.screens:
            device, page = screen.device, screen.page
            if self.out is not None:
                file = f"{step.number:03d}-{name}-{device.name}.png"
                full_page = device.kind in ("phone", "tablet")
                page.screenshot(path=str(self.out / file), full_page=full_page)
                step.shots[device.name] = file
            found = screen.take_heard()
            if device.kind == "projector":
                found += projector_misfits(page) + projector_small_text(page)
            elif device.kind in ("phone", "tablet"):
                found += sideways_scroll(page)
            self.failures += [Failure(number, name, device.name, what) for what in found]

    # -- the evening --------------------------------------------------------------------

    def play(self, cards: int) -> None:
        """The whole evening; a step that cannot be done (a button or a screen that
        never comes) ends it, as a failure of that card."""
        card: int | None = None
        try:
            self.open()
            self.record(None, "waiting", "Waiting room")
            for card, content in enumerate(self.deck.cards[:cards]):
                self.play_card(card, content)
            card = None
            self.console_click("end")
            self.record(None, "ended", "The end")
        except (PlaywrightError, AssertionError, RuntimeError, OSError) as exc:
            number = card + 1 if card is not None else None
            what = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.failures.append(
                Failure(number, "stopped", "rehearsal", f"could not go on: {what}")
            )

    def play_card(self, index: int, card: Card) -> None:
        title = self.deck.text(card.title, self.deck.default_language)
        self.show_card(index)
        if card.timer:
            self.screen("console").page.locator('button[value="timer_start"]').click()
            for screen in self.of_kind("projector", "phone", "tablet"):
                expect(screen.page.locator("#timer")).to_have_class("timer timer-running")
        self.record(index, f"c{index + 1:02d}-shown", title)
        question = card.question
        if question is None:
            return
        self.console_click("open")
        self.answer(question)
        self.record(index, f"c{index + 1:02d}-answered", title)
        self.console_click("close")
        if question.reveal == "manual":
            self.record(index, f"c{index + 1:02d}-closed", title)
            self.console_click("reveal")
        self.record(index, f"c{index + 1:02d}-results", title)

    def answer(self, question: Question) -> None:
        if question.scope == "table":
            # Each table with a screen submits (an evening may seat screens at
            # one table only, as the projector-fit test does).
            seated = {s.device.table for s in self.of_kind("tablet", "phone")}
            for table in range(1, TABLES + 1):
                if table in seated:
                    self.submit_for(table, question)
            return
        for resident in self.residents:
            if problem := resident.answer(question):
                number = self.deck.question_card(question.id) + 1
                name = f"resident at table {resident.table}"
                self.failures.append(Failure(number, "answered", name, problem))
        phones = self.of_kind("phone")
        for variant, screen in enumerate(phones):
            form = screen.page.locator("#answer-form")
            fill(form, question, variant, screen.device.language)
            form.locator("button[type=submit]").click()
            expect(screen.page.locator("#answer-status.status-ok")).to_be_visible()
        console = self.screen("console").page
        answered = len(phones) + len(self.residents)
        expect(console.locator("#count-answered")).to_have_text(str(answered))

    def submit_for(self, table: int, question: Question) -> None:
        """A table's answer, from its tablet or else its first phone: the draft
        saved, then submitted through the step that asks first."""
        at_table = [s for s in self.of_kind("tablet", "phone") if s.device.table == table]
        at_table.sort(key=lambda s: s.device.kind != "tablet")
        screen = at_table[0]
        page = screen.page
        fill(page.locator("#draft-form"), question, table - 1, screen.device.language)
        page.locator("#draft-form button[type=submit]").click()
        # Submitting asks first: open the step, then confirm what it shows. The
        # draft's own live update may draw the step again, closed: open it again.
        for _ in range(10):
            if not page.locator("#table-submit details").evaluate("d => d.open"):
                page.locator("#table-submit summary").click()
            try:
                page.locator("#submit-form button[type=submit]").click(timeout=5_000)
                break
            except PlaywrightError:
                continue
        for member in at_table:
            expect(member.page.locator("#table-answer")).to_be_visible()

    def close(self) -> None:
        for resident in self.residents:
            resident.close()
