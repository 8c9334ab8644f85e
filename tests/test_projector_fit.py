"""Every card of every deck (sessions/ and tests/decks/) fits the projector at
1920 x 1080 and at 1280 x 720, in each of the deck's languages: shown, with
its question open, and with the room's results (a table's plan too), with text
no smaller than the floor. A projector cannot scroll. A card's picture or
video is drawn whole in the height its text leaves. The evening is played by
the rehearsal (rehearsal/play.py) on a console, one phone and (for a deck with
a table's question) a table's tablet, with the rehearsal's checks on every
projector after every step."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from websockets.sync.client import connect

from rehearsal.answers import pick
from rehearsal.checks import projector_misfits, projector_small_text
from rehearsal.crowd import Crowd, comments
from rehearsal.devices import CONSOLE_SIZE, PROJECTOR_SIZES, Device
from rehearsal.play import Evening, Failure
from rehearsal.server import PASSWORD, USER, Server
from strategyroom.decks import load_deck
from strategyroom.decks.schema import Deck, MultipleChoice, Question, Scale
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import SHOTS
from tests.conftest import TEST_DECKS
from tests.live import ApiFacilitator

pytestmark = pytest.mark.browser

DECKS = sorted(
    path
    for path in [*SAMPLE_DECKS_DIR.glob("*.yaml"), *TEST_DECKS.glob("*.yaml")]
    if path.name != "broken.yaml"  # the deck with errors on purpose
)


def screens(deck: Deck) -> list[Device]:
    """The console, one projector per language (at the first projector size; the
    others are checked on the same page, see TwoSizes), a phone to answer, and the
    table's tablet when a question is the table's to answer."""
    default = deck.default_language
    width, height = PROJECTOR_SIZES[0]
    found = [Device("console", "console", *CONSOLE_SIZE, default)]
    for language in deck.languages:
        found.append(Device(f"projector-{language}", "projector", width, height, language))
    found.append(Device(f"phone-{default}-375", "phone", 375, 667, default, table=1))
    if any(card.question is not None and card.question.scope == "table" for card in deck.cards):
        found.append(Device("tablet", "tablet", 768, 1024, default, table=1))
    return found


class TwoSizes(Evening):
    """An evening whose projectors are checked at every projector size after every
    step: the page is resized in place rather than a second page kept per size
    (which halves the pages every step has to wait for). The projector's layout is
    CSS alone (no script measures the window), so a resized page lays out exactly
    as a page opened at that size."""

    def record(self, card: int | None, name: str, title: str) -> None:
        super().record(card, name, title)  # the first size, and every other screen
        number = card + 1 if card is not None else None
        for screen in self.of_kind("projector"):
            page, device = screen.page, screen.device
            for width, height in PROJECTOR_SIZES[1:]:
                page.set_viewport_size({"width": width, "height": height})
                found = projector_misfits(page) + projector_small_text(page)
                where = f"{device.name}-{width}"
                self.failures += [Failure(number, name, where, what) for what in found]
            page.set_viewport_size({"width": device.width, "height": device.height})


@pytest.fixture(scope="module")
def deck_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], Server]]:
    """One rehearsal server per decks folder for the whole module, started when a
    test first needs it (two servers, not one per deck): each evening opens a
    session of its own, so the evenings do not meet."""
    servers: dict[Path, Server] = {}
    with ExitStack() as stack:

        def server_for(folder: Path) -> Server:
            if folder not in servers:
                data = tmp_path_factory.mktemp(f"decks-{folder.name}") / "data"
                servers[folder] = stack.enter_context(Server(data, folder))
            return servers[folder]

        yield server_for


@pytest.mark.parametrize("path", DECKS, ids=[path.name for path in DECKS])
def test_every_card_fits_the_projector(
    path: Path, chromium: Browser, deck_server: Callable[[Path], Server]
) -> None:
    deck = load_deck(path)
    server = deck_server(path.parent)
    evening = TwoSizes(chromium, server.url, deck, path.name, screens(deck), None)
    try:
        evening.play(len(deck.cards))
    finally:
        for screen in evening.screens:
            screen.page.context.close()
    # What a projector showed, and any step the evening could not take.
    found = [str(f) for f in evening.failures if f.device.startswith(("projector", "rehearsal"))]
    assert found == [], "\n".join(found)
    shown = [step.name for step in evening.steps]
    assert shown[0] == "waiting" and shown[-1] == "ended"
    assert len([name for name in shown if name.endswith("-shown")]) == len(deck.cards)
    questions = [card for card in deck.cards if card.question is not None]
    assert len([name for name in shown if name.endswith("-results")]) == len(questions)


class Tablet:
    """A table's tablet speaking the JSON protocol (docs/protocol.md, section 9)."""

    def __init__(self, base_url: str, code: str, table: int) -> None:
        self.table = table
        joined = httpx.post(
            base_url + "/api/join",
            json={"code": code, "language": "en", "table": table, "device": "tablet"},
            trust_env=False,
        )
        assert joined.status_code == 201, joined.text
        url = base_url.replace("http://", "ws://") + joined.json()["socket"]
        self.sockets = ExitStack()
        self.ws = self.sockets.enter_context(connect(url, proxy=None, open_timeout=10))
        self.ws.send(json.dumps({"type": "hello", "token": joined.json()["token"]}))
        self.until("snapshot")

    def until(self, kind: str) -> dict[str, Any]:
        for _ in range(100):
            frame: dict[str, Any] = json.loads(self.ws.recv(timeout=10))
            assert frame["type"] != "error", frame
            if frame["type"] == kind:
                return frame
        raise AssertionError(f"no {kind}")

    def submit(self, question: str, value: Any) -> None:
        """Save the table's draft, then submit it."""
        draft = {"type": "draft", "question": question, "table": self.table, "base": 0}
        self.ws.send(json.dumps({**draft, "value": value}))
        revision = self.until("draft_saved")["revision"]
        submit = {"type": "submit_table", "question": question, "table": self.table}
        self.ws.send(json.dumps({**submit, "revision": revision, "submission_id": uuid4().hex}))
        assert self.until("table_ack")["status"] == "stored"


# Every table's plan is submitted, as each projector says in its language.
STATE = {"en": "submitted", "da": "sendt", "sv": "skickat"}


def sizes(page: Page) -> Iterator[tuple[int, int]]:
    """Each projector size in turn, the page resized to it (see TwoSizes)."""
    for width, height in PROJECTOR_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        yield width, height


@pytest.mark.parametrize("count", [8, 12])
def test_the_tables_plans_fit_side_by_side(
    count: int, chromium: Browser, deck_server: Callable[[Path], Server]
) -> None:
    """The evening's table plan compared across eight tables (a column each) and
    twelve (a row each, projector.css), every plan submitted, with the
    discussion timer running, in each language at both sizes."""
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    card = deck.question_card("table-plan")
    question = deck.question("table-plan")
    assert isinstance(question, MultipleChoice)
    server = deck_server(SAMPLE_DECKS_DIR)
    facilitator = ApiFacilitator(server.url, USER, PASSWORD)
    code = facilitator.open_session("green-transition.yaml")
    facilitator.act("tables", count=count)
    projectors = []
    for language in deck.languages:
        # Bars drawn at their length at once (no growing), as in the rehearsal.
        page = chromium.new_page(reduced_motion="reduce")
        page.goto(f"{server.url}/p/{code}?lang={language}")
        projectors.append((page, language))
    facilitator.act("show_card", card=card)
    facilitator.act("timer_start")
    facilitator.act("open", question=question.id)
    tablets = [Tablet(server.url, code, table) for table in range(1, count + 1)]
    for variant, tablet in enumerate(tablets):
        chosen = [question.options[i].id for i in pick(question, variant)]
        tablet.submit(question.id, chosen)
    facilitator.act("reveal", question=question.id)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page, language in projectors:
        expect(page.locator("#projector-packages .package-state")).to_have_count(count)
        expect(page.locator("[id^=projector-impact-]")).to_have_count(count)
        expect(page.locator(".package-state").last).to_have_text(STATE[language])
        for width, _ in sizes(page):
            page.screenshot(path=str(SHOTS / f"projector-plans-{count}-{language}-{width}.png"))
            found = projector_misfits(page) + projector_small_text(page)
            assert found == [], f"{page.url} at {page.viewport_size}:\n" + "\n".join(found)
        page.close()
    for tablet in tablets:
        tablet.sockets.close()
    facilitator.close()


def test_a_cards_picture_and_video_fit_the_projector(
    chromium: Browser, deck_server: Callable[[Path], Server]
) -> None:
    """A card's picture takes the height its text leaves and is drawn whole,
    inside the screen, and a video card with its captions fits too, in each
    language at both sizes; a sample deck's chart likewise."""
    media = load_deck(TEST_DECKS / "media-test.yaml")
    sample = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    cases = [
        (TEST_DECKS, "media-test.yaml", media, media.card_index("emissions"), (1600, 900)),
        (TEST_DECKS, "media-test.yaml", media, media.card_index("bus-film"), None),
        (
            SAMPLE_DECKS_DIR,
            "green-transition.yaml",
            sample,
            sample.card_index("transport-buses"),
            (1200, 600),
        ),
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder, name, deck, card, natural in cases:
        server = deck_server(folder)
        facilitator = ApiFacilitator(server.url, USER, PASSWORD)
        code = facilitator.open_session(name)
        facilitator.act("show_card", card=card)
        for language in deck.languages:
            page = chromium.new_page()
            page.goto(f"{server.url}/p/{code}?lang={language}")
            title = deck.cards[card].title[language]
            expect(page.locator(".card-title")).to_have_text(title)
            shown = page.locator(".card-image" if natural else ".card-video")
            expect(shown).to_be_visible()
            if natural:
                page.wait_for_function("() => document.querySelector('.card-image').complete")
                drawn = shown.evaluate("img => [img.naturalWidth, img.naturalHeight]")
                assert drawn == list(natural)
            for width, height in sizes(page):
                box = shown.bounding_box()
                assert box is not None
                assert box["y"] + box["height"] <= height and box["height"] > height / 4
                page.screenshot(path=str(SHOTS / f"projector-media-{card}-{language}-{width}.png"))
                found = projector_misfits(page) + projector_small_text(page)
                assert found == [], f"{page.url} at {width}:\n" + "\n".join(found)
            page.close()
        facilitator.close()


# The note over the struck-out join code, in each of the sample deck's languages.
DOOR_CLOSED = {
    "en": "Joining is closed; ask a facilitator.",
    "da": "Der er lukket for nye deltagere; spørg en mødeleder.",
    "sv": "Det är stängt för nya deltagare; fråga en samtalsledare.",
}


def test_a_closed_door_fits_the_projector(
    chromium: Browser, deck_server: Callable[[Path], Server]
) -> None:
    """With joining locked the projector's note fits beside the waiting room and
    beside the deck's fullest card, in each language at both sizes, and goes
    when the door opens again."""
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    fullest = next(i for i, card in enumerate(deck.cards) if card.id == "energy-evidence")
    server = deck_server(SAMPLE_DECKS_DIR)
    facilitator = ApiFacilitator(server.url, USER, PASSWORD)
    code = facilitator.open_session("green-transition.yaml")
    projectors = []
    for language in deck.languages:
        page = chromium.new_page()
        page.goto(f"{server.url}/p/{code}?lang={language}")
        projectors.append((page, language))
    facilitator.act("lock_joining")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for step in ("waiting", "card"):
        if step == "card":
            facilitator.act("show_card", card=fullest)
        for page, language in projectors:
            expect(page.locator(".join-closed-note")).to_have_text(DOOR_CLOSED[language])
            if step == "card":
                expect(page.locator(".evidence-item")).to_have_count(7)
            for width, _ in sizes(page):
                found = projector_misfits(page) + projector_small_text(page)
                assert found == [], f"{page.url} at {page.viewport_size}:\n" + "\n".join(found)
                shot = f"projector-door-closed-{step}-{language}-{width}.png"
                page.screenshot(path=str(SHOTS / shot))
    facilitator.act("unlock_joining")
    for page, _ in projectors:
        expect(page.locator(".join-closed-note")).to_have_count(0)
        expect(page.locator(".join-code")).to_have_text(code)
        page.close()
    facilitator.close()


# Names a facilitator might give the themes, as long as the form takes (100
# characters) and with the longest words of each language.
LONG_NAMES = {
    "da": [
        "Bedre og billigere kollektiv trafik til landsbyerne, også om aftenen og i weekenderne",
        "Sammenhængende cykelstinetværk med cykelparkeringsfaciliteter ved alle stationer",
        "Fjernvarmeudbygning og varmepumpetilskud til husstande uden for byzonegrænsen",
        "Økonomisk hjælp til lavindkomstfamilier, pensionister og studerende i omstillingen",
        "Flere grønne områder, bynatur og klimatilpasningsløsninger i boligkvartererne",
    ],
    "sv": [
        "Bättre och billigare kollektivtrafik till byarna, även på kvällar och under helgerna",
        "Sammanhängande cykelvägnät med cykelparkeringsanläggningar vid samtliga stationer",
        "Fjärrvärmeutbyggnad och värmepumpsbidrag till hushåll utanför tätortsgränsen",
        "Ekonomiskt stöd till låginkomstfamiljer, pensionärer och studerande i omställningen",
        "Fler grönområden, stadsnatur och klimatanpassningslösningar i bostadsområdena",
    ],
}
CAMPS, CAMP_SIZE = 5, 10  # five groups, and fifty comments: five themes


def fullest(question: Question, camp: int, member: int, language: str) -> object:
    """Five camps apart on both scales; every camp supports every measure."""
    if isinstance(question, Scale):
        return question.min + camp
    if isinstance(question, MultipleChoice):
        return [option.id for option in question.options]
    found = comments(language, camp)
    return found[member % len(found)]


@pytest.mark.parametrize("language", ["da", "sv"])
def test_the_fullest_themes_and_common_ground_fit_the_projector(
    language: str, chromium: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five themes, each renamed as long as the form allows, and five groups
    with five long measures of common ground (and a sixth not shown), on the
    projector in Danish or Swedish at both sizes, with text no smaller than
    the floor."""
    monkeypatch.setenv("STRATEGYROOM_JOINS_PER_ADDRESS_PER_MINUTE", "1000")
    deck = load_deck(TEST_DECKS / "projector-insight-test.yaml")
    with Server(tmp_path, TEST_DECKS) as server:
        facilitator = ApiFacilitator(server.url, USER, PASSWORD)
        code = facilitator.open_session("projector-insight-test.yaml")
        crowd = Crowd(server.url, code, CAMPS, CAMP_SIZE, language)
        for card, content in enumerate(deck.cards):
            question = content.question
            assert question is not None
            facilitator.act("show_card", card=card)
            facilitator.act("open", question=question.id)
            crowd.answer(question, fullest)
            facilitator.act("close", question=question.id)
        crowd.close()
        console = chromium.new_page(viewport={"width": CONSOLE_SIZE[0], "height": CONSOLE_SIZE[1]})
        console.goto(server.url + "/login")
        console.fill("#username", USER)
        console.fill("#password", PASSWORD)
        console.locator("#password").press("Enter")
        console.goto(f"{server.url}/console/{facilitator.session_id}/themes/edit")
        expect(console.locator("article.theme")).to_have_count(CAMPS)
        for number, name in enumerate(LONG_NAMES[language], start=1):
            # Renamed themes move in the list (largest first, then by label).
            theme = console.locator("article.theme").filter(has_not=console.locator("small")).first
            theme.locator('input[name="name"]').fill(name)
            theme.locator("form").first.locator("button").click()
            expect(console.locator("article.theme small")).to_have_count(number)
        console.close()
        SHOTS.mkdir(parents=True, exist_ok=True)
        for view in ("themes", "common_ground"):
            facilitator.act("project", view=view)
            for width, height in PROJECTOR_SIZES:
                page = chromium.new_page(viewport={"width": width, "height": height})
                page.goto(f"{server.url}/p/{code}?lang={language}")
                if view == "themes":
                    expect(page.locator(".projector-theme")).to_have_count(CAMPS)
                    expect(page.locator(".theme-quote")).to_have_count(2)
                    labels = page.locator(".theme-label").all_inner_texts()
                    assert sorted(labels) == sorted(LONG_NAMES[language])
                else:
                    expect(page.locator("#projector-groups .cg-group")).to_have_count(CAMPS)
                    rows = page.locator("#projector-common-ground tbody tr")
                    expect(rows).to_have_count(5)
                    expect(page.locator("#projector-common-ground thead th")).to_have_count(7)
                    expect(page.locator(".projector-content > .status").last).to_be_visible()
                page.screenshot(path=str(SHOTS / f"projector-{view}-{language}-{width}.png"))
                found = projector_misfits(page) + projector_small_text(page)
                assert found == [], f"{view} at {width}:\n" + "\n".join(found)
                page.close()
        facilitator.close()
