"""The deck editor in a real browser: a facilitator makes a deck from the
template, changes a title in two languages, moves a card with the keyboard,
adds a scale question, sees its problems next to its fields, fixes them, saves
a version and opens a session from it; the exported zip passes the strict
checker, and the editor's pages pass axe-core. Then the issue's whole round:
a two-language deck with an uploaded image, previewed, published, run and
exported."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.a11y import assert_accessible
from tests.browsers import PASSWORD
from tests.live import LiveServer
from tests.test_browser import phone as phone_of

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "deck-editor"


def test_a_facilitator_writes_a_deck_in_the_editor(
    server: LiveServer, chromium: Browser, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/console")
    page.fill("#username", "maria")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(server.url + "/console/decks")
    page.get_by_label("The new deck's id (lower-case letters, digits, - and _)").first.fill(
        "harbour"
    )
    page.get_by_role("button", name="New deck from template").click()
    expect(page.get_by_role("heading", name="Editing harbour")).to_be_visible()
    expect(page.locator("#check-summary")).to_have_text("The checker finds no problem.")
    assert_accessible(page, "the deck editor")
    page.screenshot(path=str(SHOTS / "editor.png"), full_page=True)

    # The first card's title in English and Danish, side by side.
    page.get_by_role("link", name="Welcome", exact=True).click()
    page.get_by_role("textbox", name="English (en)").first.fill("Welcome to the harbour")
    page.get_by_role("textbox", name="Danish (da)").first.fill("Velkommen til havnen")
    page.get_by_role("button", name="Save the card").first.click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("#title-da")).to_have_value("Velkommen til havnen")
    assert_accessible(page, "a card's form")

    # Move it down with the keyboard, and back up.
    page.get_by_role("link", name="Back to the cards of harbour").click()
    page.get_by_role("button", name="Move down: Welcome to the harbour").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".editor-cards > li").nth(1)).to_contain_text("Welcome to the harbour")
    expect(page.get_by_role("button", name="Move up: Welcome to the harbour")).to_be_visible()
    page.get_by_role("button", name="Move up: Welcome to the harbour").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".editor-cards > li").first).to_contain_text("Welcome to the harbour")

    # A scale question: its empty texts are problems at their fields.
    page.select_option("#new-kind", "question:scale")
    page.get_by_role("button", name="Add a card").click()
    expect(page.get_by_role("heading", name="Card 9: question-1")).to_be_visible()
    expect(page.locator("#p-question-prompt")).to_have_text("prompt is missing")
    expect(page.locator("#question-prompt-en")).to_have_attribute(
        "aria-describedby", "p-question-prompt"
    )
    assert_accessible(page, "a scale question's form with its problems")
    page.screenshot(path=str(SHOTS / "card-problems.png"), full_page=True)

    for key, words in (
        ("title", "How do we like it?"),
        ("question-prompt", "How much do you like the harbour plan?"),
        ("question-min_label", "Not at all"),
        ("question-max_label", "Very much"),
    ):
        for code in ("en", "da", "sv"):
            page.fill(f"#{key}-{code}", f"{words} ({code})")
    page.get_by_role("button", name="Save the card").first.click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator(".field-problems")).to_have_count(0)

    page.get_by_role("link", name="Back to the cards of harbour").click()
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_role("status")).to_have_text("Added as version 1.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Zip of version 1").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        (tmp_path / "deck.yaml").write_bytes(archive.read("deck.yaml"))
    command = [sys.executable, "-m", "strategyroom", "deck", "check", "--strict"]
    checked = subprocess.run(
        [*command, "--language", "en", str(tmp_path / "deck.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert "ok (harbour 1.0, 9 cards)" in checked.stdout

    page.get_by_role("button", name="Open a session with version 1").click()
    expect(page.locator("#deck-line")).to_have_text("Deck: Template: a deck by example, version 1")
    page.close()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#1d4e89").save(out, "PNG")
    return out.getvalue()


def test_a_two_language_deck_with_an_image_is_written_previewed_and_run(
    server: LiveServer, chromium: Browser, tmp_path: Path
) -> None:
    """The issue's "done when": a small deck made in the editor (a scenario
    with an image and evidence, a question of each type from the template,
    English and Danish, a facilitator's note), a card previewed as a phone
    and the projector, a version, a session from it that a phone answers,
    and its exported zip passing the strict check."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/console")
    page.fill("#username", "maria")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(server.url + "/console/decks")
    page.get_by_label("The new deck's id (lower-case letters, digits, - and _)").first.fill(
        "riverside"
    )
    page.get_by_role("button", name="New deck from template").click()

    # Two languages: Swedish dropped, and its texts with it.
    page.fill("#languages", "en, da")
    page.get_by_role("button", name="Save the settings").first.click()
    expect(page.locator("#stray-sv")).to_contain_text(
        "Some texts are in Swedish (sv), which is not one of the deck's languages."
    )
    page.get_by_role("button", name="Remove the texts in Swedish (sv)").click()
    expect(page.locator("#check-summary")).to_have_text("The checker finds no problem.")

    # A scenario with an image, evidence and a note for the facilitator.
    page.select_option("#new-kind", "scenario")
    page.get_by_role("button", name="Add a card").click()
    expect(page.get_by_role("heading", name="Card 9: scenario-1")).to_be_visible()
    for key, en, da in (
        ("title", "The river in 2040", "Åen i 2040"),
        ("body", "Green banks and a cycle path.", "Grønne bredder og en cykelsti."),
        ("notes", "Two minutes; ask who walks there.", "To minutter; spørg, hvem der går der."),
        ("image-alt", "A blue river between trees.", "En blå å mellem træer."),
    ):
        page.fill(f"#{key}-en", en)
        page.fill(f"#{key}-da", da)
    page.get_by_label("Image file (PNG, JPEG or WebP)").set_input_files(
        {"name": "river.png", "mimeType": "image/png", "buffer": png(1600, 900)}
    )
    page.get_by_role("button", name="Add evidence").click()
    expect(page.locator("#image-file")).to_have_attribute(
        "aria-describedby", re.compile(r"now-image-file")
    )
    for key, en, da in (
        ("evidence-0-label", "Flood days a year", "Oversvømmelsesdage om året"),
        ("evidence-0-unit", "days", "dage"),
        (
            "evidence-0-source",
            "Climate atlas, https://klimaatlas.dk",
            "Klimaatlas, https://klimaatlas.dk",
        ),
    ):
        page.fill(f"#{key}-en", en)
        page.fill(f"#{key}-da", da)
    page.fill("#evidence-0-value", "6")
    page.get_by_role("button", name="Save the card").first.click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator(".field-problems")).to_have_count(0)
    assert_accessible(page, "a scenario's form with its image and evidence")

    # The draft's card as a phone and the projector, in English then Danish.
    page.get_by_role("link", name="Preview this card as it is saved").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Preview of card 9 of 9: The river in 2040"
    )
    expect(page.locator(".facilitator-notes .notes-text")).to_have_text(
        "Two minutes; ask who walks there."
    )
    phone = page.frame_locator('.preview-phone iframe[title="Phone (375 px)"]')
    expect(phone.locator(".card-title").first).to_have_text("The river in 2040")
    expect(phone.locator(".card-image")).to_have_attribute("alt", "A blue river between trees.")
    page.get_by_role("link", name="Danish").click()
    projector = page.frame_locator('.preview-projector iframe[title="Projector (1920 × 1080)"]')
    expect(projector.locator(".card-title").first).to_have_text("Åen i 2040")
    expect(projector.locator(".card-image")).to_have_attribute("alt", "En blå å mellem træer.")
    phone = page.frame_locator('.preview-phone iframe[title="Phone (375 px)"]')
    # The uploaded picture, decoded by the browser from the draft's own media.
    expect(phone.locator(".card-image")).to_have_js_property("naturalWidth", 1600)
    assert_accessible(page, "the draft's card preview")
    page.screenshot(path=str(SHOTS / "draft-preview-da.png"), full_page=True)

    # A version, its zip (with the image) passing --strict.
    page.get_by_role("link", name="Edit this card").click()
    page.get_by_role("link", name="Back to the cards of riverside").click()
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_role("status")).to_have_text("Added as version 1.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Zip of version 1").click()
    saved = tmp_path / "riverside.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unzipped")
    assert [n for n in names if n.startswith("media/")] == [
        n for n in names if re.fullmatch(r"media/scenario-1-image-[0-9a-f]{12}\.png", n)
    ]
    assert len(names) == 2
    command = [sys.executable, "-m", "strategyroom", "deck", "check", "--strict"]
    checked = subprocess.run(
        [*command, "--language", "en", str(tmp_path / "unzipped" / "deck.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert "ok (riverside 1.0, 9 cards)" in checked.stdout

    # A session from the version: the scenario shown, a question answered by a phone.
    page.get_by_role("button", name="Open a session with version 1").click()
    code = page.locator("#join-code").inner_text()
    resident = phone_of(chromium, server, code, "Dansk")
    page.get_by_role("button", name="Start: show the first card").click()
    page.locator(".card-button").nth(8).click()
    expect(resident.locator("#stage .card-title")).to_have_text("Åen i 2040")
    expect(resident.locator(".card-image")).to_have_attribute("alt", "En blå å mellem træer.")
    page.locator(".card-button").nth(2).click()
    page.get_by_role("button", name="Open question").click()
    form = resident.locator("#answer-form")
    expect(form).to_be_visible()
    form.locator(".choice").nth(0).click()
    form.get_by_role("button", name="Send svar").click()
    expect(resident.locator("#answer-status")).to_have_text("Dit svar er talt med.")
    resident.context.close()
    page.close()
