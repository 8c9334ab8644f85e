"""What the browser tests share: Debian's Chromium launched through Playwright,
a live server with a facilitator account, and where screenshots go. A plugin
(conftest's `pytest_plugins`): its fixtures need no import.

Screenshots go to test-artifacts/screenshots, or to the folder named by
STRATEGYROOM_SCREENSHOTS (`docs/screenshots` refreshes the README's pictures).

Give `page.wait_for_function` a function ("() => ..."), never a bare expression:
Playwright polls a bare expression with eval, which the app's Content-Security-Policy
refuses, so such a wait fails whenever its condition is not already true (on a busy
machine).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / os.environ.get("STRATEGYROOM_SCREENSHOTS", "test-artifacts/screenshots")
PASSWORD = "a long facilitator password"
# How long an expectation waits for the page to get there (Playwright's default
# is 5 s). A bound on waiting, not a timing assertion: a loaded 2-core CI machine
# has been seen to need more than 5 s for a websocket update to arrive.
expect.set_options(timeout=15_000)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Any) -> Browser:
    browser: Browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
    )
    return browser


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """Debian's Chromium, closed (with Playwright) when the block ends."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@contextmanager
def live_server(data_dir: Path, decks_dir: Path | None = None) -> Iterator[LiveServer]:
    """A started server on `data_dir` with the facilitator maria, stopped at the end."""
    live = LiveServer(data_dir, decks_dir=decks_dir)
    live.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    live.start()
    try:
        yield live
    finally:
        live.stop()


def open_console(chromium: Browser, server: LiveServer, height: int) -> tuple[Page, str]:
    """maria's console, 1400 px wide, with the session "Northside, 12 March" just
    opened; and that session's join code."""
    console = chromium.new_page(viewport={"width": 1400, "height": height})
    console.goto(server.url + "/console")
    console.fill("#username", "maria")
    console.fill("#password", PASSWORD)
    console.get_by_role("button", name="Log in").click()
    console.fill("#title", "Northside, 12 March")
    console.get_by_role("button", name="Open session").click()
    return console, console.locator("#join-code").inner_text()


# Module-scoped: one browser and one server for all the tests of a module that
# asks for them. A module can define its own `server` or `chromium` instead
# (test_reliability_browser.py starts a fresh pair for each test).
@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    name = request.module.__name__.rpartition(".")[2]
    with live_server(tmp_path_factory.mktemp(name)) as live:
        yield live


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser
