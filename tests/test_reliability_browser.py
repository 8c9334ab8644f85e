"""Fault tests with a real browser (docs/reliability.md): a reload keeps the
answer; the server is SIGKILLed and started again on the same data directory
while a phone is open; an answer given while the server is away shows "Not sent
yet" and is delivered, counted once, when the page reconnects by itself; if the
question closed meanwhile, the phone says so; and a phone that goes offline
(Chromium's network emulation) answers, shows "Not sent yet" and has its answer
counted once when it is back online.

Killing the server closes every socket for sure. Going offline does not: in this
Chromium, `set_offline(True)` leaves an open websocket open, holding what the
page sends (and what the server sends) until the network is back, when it is
delivered. Only the page's receipt wait (static/live-status.js) notices; the
socket it then opens fails at once, which shows the banner."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browsers import PASSWORD, chromium_browser, live_server
from tests.conftest import TEST_DECKS
from tests.live import ApiFacilitator, LiveServer, free_port

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


def kill(server: LiveServer) -> None:
    assert server.process is not None
    server.process.kill()  # SIGKILL: no goodbye to any socket
    server.process.wait()
    server.process = None


def join(chromium: Browser, server: LiveServer, code: str) -> Page:
    page = chromium.new_context(viewport={"width": 375, "height": 812}).new_page()
    page.goto(f"{server.url}/join/{code}")
    page.get_by_label("English").check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#stage")).to_be_visible()
    return page


def stored(server: LiveServer, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(server.data_dir / "strategyroom.sqlite3") as db:
        return db.execute(sql).fetchall()


def assert_one_church(server: LiveServer, facilitator: ApiFacilitator, revision: int) -> None:
    """The phone's answer to "street" is "church", counted once by the API and
    stored once in SQL, after ``revision`` answers (one receipt each)."""
    detail = facilitator.detail()
    assert detail["questions"]["street"]["answers"] == 1
    counts = {
        o["option_id"]: o["count"] for o in detail["questions"]["street"]["results"]["options"]
    }
    assert counts == {"main": 0, "church": 1, "none": 0}
    assert stored(server, "SELECT value, revision FROM answer") == [('"church"', revision)]
    assert stored(server, "SELECT COUNT(*) FROM answer_receipt") == [(revision,)]


def phone_on_street(server: LiveServer, chromium: Browser) -> tuple[ApiFacilitator, Page]:
    """A session showing the open question "street", and a phone that joined it."""
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session()
    facilitator.act("show_card", card=3)
    facilitator.act("open", question="street")
    return facilitator, join(chromium, server, code)


def answer(page: Page, option: str) -> None:
    page.locator(f"input[name=value][value={option}]").check()
    page.locator("#answer-form button[type=submit]").click()


def test_a_page_survives_a_server_kill_and_sends_its_offline_answer(
    server: LiveServer, chromium: Browser
) -> None:
    facilitator, page = phone_on_street(server, chromium)
    answer(page, "main")
    expect(page.locator("#answer-status")).to_have_text("Your answer is counted.")
    # A reload mid-question shows the answer already given.
    page.reload()
    expect(page.locator("input[value=main]")).to_be_checked()
    expect(page.locator("#answer-status")).to_contain_text("Your answer is counted.")
    page.evaluate("window.__sameDocument = 'yes'")

    kill(server)
    expect(page.locator(".connection-banner")).to_be_visible(timeout=WAIT_MS)
    answer(page, "church")
    expect(page.locator("#answer-status")).to_have_text(
        "Not sent yet — retrying. Keep this page open."
    )
    assert stored(server, "SELECT value FROM answer") == [('"main"',)]

    server.start()  # the same data directory and port
    expect(page.locator("#answer-status")).to_have_text("Your answer is counted.", timeout=WAIT_MS)
    expect(page.locator(".connection-banner")).to_be_hidden()
    expect(page.locator("input[value=church]")).to_be_checked()
    assert page.evaluate("window.__sameDocument") == "yes"  # reconnected, not reloaded
    # The session resumed at the same card with every answer, each stored once.
    detail = facilitator.detail()
    assert detail["state"]["current_card"] == 3
    assert detail["questions"]["street"]["state"] == "open"
    assert_one_church(server, facilitator, revision=2)
    facilitator.close()


def test_an_offline_answer_to_a_question_closed_meanwhile_is_refused_visibly(
    server: LiveServer, chromium: Browser
) -> None:
    facilitator, page = phone_on_street(server, chromium)
    kill(server)
    expect(page.locator(".connection-banner")).to_be_visible(timeout=WAIT_MS)
    answer(page, "none")
    expect(page.locator("#answer-status")).to_contain_text("Not sent yet")
    # While the phone cannot reach its server, the facilitator closes the
    # question (through the same data directory, served on another port).
    other = LiveServer(server.data_dir, decks_dir=TEST_DECKS, port=free_port()).start()
    closer = ApiFacilitator(other.url, "maria", PASSWORD)
    closer.session_id = facilitator.session_id
    closer.act("close", question="street")
    closer.close()
    other.stop()
    server.start()
    expect(page.locator("#answer-status")).to_have_text(
        "This question has closed; answers are locked.", timeout=WAIT_MS
    )
    assert page.locator("#answer-form").count() == 0
    assert stored(server, "SELECT COUNT(*) FROM answer") == [(0,)]
    assert facilitator.detail()["questions"]["street"]["answers"] == 0
    facilitator.close()


def test_an_answer_given_offline_shows_not_sent_and_is_counted_once_back_online(
    server: LiveServer, chromium: Browser
) -> None:
    facilitator, page = phone_on_street(server, chromium)
    page.evaluate("window.__sameDocument = 'yes'")

    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    expect(page.locator(".connection-banner")).to_be_visible()
    answer(page, "church")
    # The browser knows it is offline, so the page says so as the answer is
    # sent, not "Sending…" (read at once: the status is set in the submit's
    # own event handler). The socket still looks open; when no receipt comes
    # within its wait the page tries a new socket, which cannot connect offline.
    not_sent = "Not sent yet — retrying. Keep this page open."
    assert page.locator("#answer-status").text_content() == not_sent
    expect(page.locator("#answer-status")).to_have_text(not_sent, timeout=WAIT_MS)
    expect(page.locator(".connection-banner")).to_be_visible()
    assert stored(server, "SELECT COUNT(*) FROM answer") == [(0,)]

    page.context.set_offline(False)
    expect(page.locator("#answer-status")).to_have_text("Your answer is counted.", timeout=WAIT_MS)
    expect(page.locator(".connection-banner")).to_be_hidden()
    expect(page.locator("input[value=church]")).to_be_checked()
    assert page.evaluate("window.__sameDocument") == "yes"  # reconnected, not reloaded
    # The held frame and the resend carry the same answer id: stored once.
    assert_one_church(server, facilitator, revision=1)
    facilitator.close()


def test_a_replaced_socket_closing_late_does_not_show_the_banner(
    server: LiveServer, chromium: Browser
) -> None:
    """After the receipt wait the page replaces its socket; on a dead network the
    old one may report its close only when the network is back, after the new
    one opened. That close must not bring back "Connection lost"."""
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session()
    context = chromium.new_context(viewport={"width": 375, "height": 812})
    # Keep every WebSocket the page makes, so the test can name the current one.
    context.add_init_script(
        "window.__sockets = []; const Native = window.WebSocket;"
        "window.WebSocket = class extends Native {"
        " constructor(...args) { super(...args); window.__sockets.push(this); } };"
    )
    page = context.new_page()
    page.goto(f"{server.url}/join/{code}")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Join").click()
    page.wait_for_function("() => window.__sockets.some(s => s.readyState === WebSocket.OPEN)")
    banner = page.locator(".connection-banner")
    expect(banner).to_be_hidden()

    def close_event(of_current_socket: bool) -> None:
        """The htmx extension's close event, for the page's socket or another."""
        page.evaluate(
            "mine => document.body.dispatchEvent(new CustomEvent('htmx:wsClose', {"
            " bubbles: true, detail: {event: {"
            " target: mine ? window.__sockets.at(-1) : new EventTarget() }}}))",
            of_current_socket,
        )

    close_event(of_current_socket=False)  # a socket the page has replaced
    expect(banner).to_be_hidden()
    assert page.evaluate("document.body.classList.contains('offline')") is False
    close_event(of_current_socket=True)
    expect(banner).to_be_visible()
    facilitator.close()
