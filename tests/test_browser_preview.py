"""Card previews in a real browser: a facilitator opens a scenario card with an
image as a 375 px phone and as the projector, in two of the deck's languages,
and sees the card's text and its picture (decoded, with its alt text) as the
live screens draw them; the preview page passes axe, and the projector's
screen fits 1920 x 1080 and 1280 x 720 with its image."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from rehearsal.checks import projector_misfits, projector_small_text
from strategyroom.decks import load_deck
from tests.a11y import assert_accessible, horizontal_overflow
from tests.browsers import PASSWORD, SHOTS, live_server
from tests.conftest import TEST_DECKS
from tests.live import LiveServer

pytestmark = pytest.mark.browser

DECK = load_deck(TEST_DECKS / "media-test.yaml")
CARD = 2  # the scenario card with the chart, counted from 1 as the preview does
SCENARIO = DECK.cards[CARD - 1]
PREVIEW = "/console/decks/media-test/preview"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("preview"), TEST_DECKS) as live:
        yield live


@pytest.fixture
def facilitator(chromium: Browser, server: LiveServer) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("#username", "maria")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Media test, version 1")).to_be_visible()
    page.close()
    yield context
    context.close()


def image_shown(page: Page) -> dict[str, object]:
    """The card's picture as the browser has it: decoded size, drawn size, alt."""
    image = page.locator(".card-image")
    expect(image).to_be_visible()
    shown: dict[str, object] = image.evaluate(
        """img => ({natural: [img.naturalWidth, img.naturalHeight], complete: img.complete,
                    drawn: [Math.round(img.getBoundingClientRect().width),
                            Math.round(img.getBoundingClientRect().height)],
                    alt: img.alt, src: new URL(img.src).pathname})"""
    )
    return shown


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_scenario_card_previewed_as_phone_and_projector(
    facilitator: BrowserContext, server: LiveServer, language: str
) -> None:
    title = SCENARIO.title[language]
    assert SCENARIO.image is not None and SCENARIO.image.alt is not None
    alt = SCENARIO.image.alt[language]
    media = "/console/decks/media-test/media/emissions.png"

    phone = facilitator.new_page()
    phone.set_viewport_size({"width": 375, "height": 667})
    phone.goto(f"{server.url}{PREVIEW}/{CARD}/phone?lang={language}")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    expect(phone.locator("#stage .card-title")).to_have_text(title)
    expect(phone.locator("#stage .card-body")).to_have_text(SCENARIO.body[language])
    expect(phone.locator(".discussion-prompt p").last).to_have_text(SCENARIO.prompt[language])
    expect(phone.locator(".seat")).to_be_visible()
    # Drawn as wide as the phone's column allows, whole: 1600 x 900 scaled.
    shown = image_shown(phone)
    assert shown["natural"] == [1600, 900] and shown["complete"] is True
    assert shown["alt"] == alt and shown["src"] == media
    width, height = shown["drawn"]  # type: ignore[misc]
    assert 300 <= width <= 375 and height == round(width * 900 / 1600)
    assert horizontal_overflow(phone) <= 0
    phone.screenshot(path=str(SHOTS / f"preview-phone-{language}.png"), full_page=True)
    phone.close()

    for width, height in ((1920, 1080), (1280, 720)):
        projector = facilitator.new_page()
        projector.set_viewport_size({"width": width, "height": height})
        projector.goto(f"{server.url}{PREVIEW}/{CARD}/projector?lang={language}")
        expect(projector.locator(".projector-content .card-title")).to_have_text(title)
        shown = image_shown(projector)
        assert shown["natural"] == [1600, 900] and shown["alt"] == alt
        drawn_width, drawn_height = shown["drawn"]  # type: ignore[misc]
        assert drawn_width > width / 3 and drawn_height > height / 3
        assert projector_misfits(projector) == []
        assert projector_small_text(projector) == []
        projector.screenshot(path=str(SHOTS / f"preview-projector-{width}-{language}.png"))
        projector.close()


def test_the_preview_page_shows_every_screen_and_passes_axe(
    facilitator: BrowserContext, server: LiveServer
) -> None:
    page = facilitator.new_page()
    page.goto(f"{server.url}/console")
    page.get_by_role("link", name="Media test, version 1").click()
    page.get_by_role("link", name="Scenario: Where our emissions come from").click()
    page.get_by_role("link", name="Swedish").click()
    expect(page.locator("h1")).to_have_text("Preview of card 2 of 4: Where our emissions come from")
    expect(page.locator(".facilitator-notes .notes-text")).to_have_text(SCENARIO.notes["sv"])
    titles = {
        "phone": "Phone (375 px)",
        "tablet": "Table tablet",
        "projector": "Projector (1920 × 1080)",
    }
    for screen, name in titles.items():
        frame = page.frame_locator(f'.preview-{screen} iframe[title="{name}"]')
        expect(frame.locator(".card-title").first).to_have_text(SCENARIO.title["sv"])
        expect(frame.locator(".card-image")).to_have_attribute("alt", SCENARIO.image.alt["sv"])
    page.screenshot(path=str(SHOTS / "preview-page-sv.png"), full_page=True)
    assert_accessible(page, "the card preview page")


def test_the_console_shows_the_notes_beside_the_card_and_passes_axe(
    facilitator: BrowserContext, server: LiveServer
) -> None:
    page = facilitator.new_page()
    page.goto(f"{server.url}/console")
    page.select_option("#deck", "media-test")
    page.get_by_role("button", name="Open session").click()
    page.get_by_role("button", name="Start: show the first card").click()
    welcome, emissions = DECK.cards[0], DECK.cards[1]
    assert welcome.notes is not None and emissions.notes is not None
    expect(page.locator("#current-notes .notes-text")).to_have_text(welcome.notes["en"])
    expect(page.locator("#next-notes .notes-text")).to_have_text(emissions.notes["en"])
    page.get_by_role("button", name="Next card").click()
    expect(page.locator("#current-notes .notes-text")).to_have_text(emissions.notes["en"])
    # The next card (the video) has no notes.
    expect(page.locator("#next-notes")).to_have_count(0)
    expect(page.locator(".card-preview .card-image")).to_have_attribute(
        "alt", SCENARIO.image.alt["en"] if SCENARIO.image and SCENARIO.image.alt else ""
    )
    page.screenshot(path=str(SHOTS / "console-notes.png"))
    assert_accessible(page, "the console with a card's notes")
