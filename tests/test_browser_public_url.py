"""A phone whose page is under another address than the server's public URL
(here: the server was restarted with a public URL under another host name) is
told where the session runs, with the link, instead of "reconnecting" forever."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browsers import PASSWORD, chromium_browser, live_server
from tests.conftest import TEST_DECKS
from tests.live import ApiFacilitator, LiveServer

pytestmark = pytest.mark.browser

WAIT_MS = 60_000  # reconnecting uses jittered backoff of up to several seconds


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "data", decks_dir=TEST_DECKS) as live:
        yield live


@pytest.fixture
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser


def test_a_page_under_another_address_says_where_the_session_runs(
    server: LiveServer, chromium: Browser
) -> None:
    code = ApiFacilitator(server.url, "maria", PASSWORD).open_session()
    page = chromium.new_context(viewport={"width": 375, "height": 812}).new_page()
    page.goto(f"{server.url}/join/{code}")
    page.get_by_label("English").check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#stage h1")).to_have_text("Welcome")

    # Noted after the page's own handlers of the same event have run.
    page.evaluate(
        "document.addEventListener('htmx:wsClose', e => { window.__closed = e.detail.event.code })"
    )

    # The server comes back under another host name: the page's address is no
    # longer the public URL, and its socket is not served there.
    server.stop()
    public = f"http://localhost:{server.port}"
    server.env["STRATEGYROOM_PUBLIC_URL"] = public
    server.start()
    expect(page.locator("#stage [role=alert]")).to_have_text(
        f"You opened this page at {server.url}, but the session runs at {public}. Join there:",
        timeout=WAIT_MS,
    )
    expect(page.locator("#stage a")).to_have_attribute("href", f"{public}/join/{code}")
    page.wait_for_function("() => window.__closed === 4403")
    expect(page.locator(".connection-banner")).to_be_hidden()
