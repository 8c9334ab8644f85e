"""The deck library in a real browser: a facilitator goes from the console's
start page to the Decks page, uploads a zip bundle, downloads it again, opens a
session from a version, and sees the version on the console; the pages pass
axe-core in English and Danish."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.a11y import assert_accessible
from tests.browsers import PASSWORD
from tests.conftest import TEST_DECKS
from tests.live import LiveServer

pytestmark = pytest.mark.browser

TOWN = (TEST_DECKS / "town-test.yaml").read_text(encoding="utf-8")


def test_a_facilitator_uploads_downloads_and_runs_a_deck(
    server: LiveServer, chromium: Browser, tmp_path: Path
) -> None:
    bundle = tmp_path / "harbour.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("deck.yaml", TOWN.replace("id: town-test", "id: harbour", 1))
        archive.writestr("media/quay.jpg", b"\xff\xd8 a photo of the quay")
    page = chromium.new_page()
    page.goto(server.url + "/console")
    page.fill("#username", "maria")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="The deck library: upload, download and copy decks").click()
    expect(page.get_by_role("heading", name="Decks", exact=True)).to_be_visible()
    assert_accessible(page, "the decks page")

    page.set_input_files("#deck-file", str(bundle))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("Added as version 1.")
    assert_accessible(page, "a deck's page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Zip of version 1").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "harbour-v1.zip"
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        assert archive.namelist() == ["deck.yaml", "media/quay.jpg"]
        assert archive.read("media/quay.jpg") == b"\xff\xd8 a photo of the quay"

    # The same file again: nothing new. A broken file: its problems, in Danish.
    page.goto(server.url + "/console/decks")
    page.set_input_files("#deck-file", str(saved))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text(
        "Nothing changed: version 1 has this content already."
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: Bad Id\nversion: '1'\ntitle: T\ncards: []\n")
    page.goto(server.url + "/console/decks")
    page.select_option("#language-select", "da")
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.set_input_files("#deck-file", str(broken))
    page.get_by_role("button", name="Upload").click()
    alert = page.locator("#upload-problems")
    expect(alert).to_contain_text("Kortsættet blev ikke tilføjet:")
    expect(alert.locator("li")).to_have_count(2)
    assert_accessible(page, "the decks page with an upload's problems, in Danish")

    page.select_option("#language-select", "en")
    page.locator(".language-form button").click()
    page.goto(server.url + "/console/decks/harbour")
    page.get_by_role("button", name="Open a session with version 1").click()
    expect(page.locator("#deck-line")).to_have_text("Deck: Test town, version 1")
    page.close()
