"""A resident ordering a ranking on a slow phone: no tap is lost while the list
is being drawn again (docs/reliability.md, "Answers").

Each tap asks the server for the reordered list (htmx), which replaces the
list. A tap made while an earlier one is still on its way used to send the
list as it was before that earlier tap, and its answer then drew that old list
over the earlier tap's; and the page's greeting over the websocket put the
kept places back and asked for the list again, racing the resident's taps.

The test holds the server's answers itself (Playwright routes for the ranking
requests and the websocket), so what arrives when is decided by the test, not
by the machine's load: nothing here waits for time to pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, WebSocketRoute, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import PASSWORD
from tests.live import ApiFacilitator, LiveServer

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}
SAMPLE = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
TRANSPORT = SAMPLE.question("transport-priorities")
BUS, CYCLE, CHARGERS, CALL_UP = "more-buses", "cycle-routes", "ev-chargers", "call-up-bus"


@dataclass
class Held:
    """The ranking requests the test holds back, and whether it holds them."""

    holding: bool = False
    routes: list[Route] = field(default_factory=list)

    def route(self, route: Route) -> None:
        # A tap is held; a redraw of the list as it is (the greeting's, after a
        # restore) goes through: it is not what the test orders.
        query = parse_qs(urlsplit(route.request.url).query)
        if self.holding and ("pick" in query or "move" in query):
            self.routes.append(route)
        else:
            route.continue_()

    def picks(self) -> list[str]:
        """What each held request taps ("" for a redraw of the list as it is)."""
        return [_pick(route.request.url) for route in self.routes]

    def release(self) -> None:
        """Let every held request through, in the order they were made, and the
        ones to come."""
        self.holding = False
        while self.routes:
            self.routes.pop(0).continue_()


def _pick(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("pick", [""])[0]


@dataclass
class Greeting:
    """The live page's websocket, with what the server says held back while
    ``holding``: the greeting comes when the test lets it."""

    holding: bool = True
    waiting: list[str | bytes] = field(default_factory=list)
    page_side: WebSocketRoute | None = None

    def connect(self, socket: WebSocketRoute) -> None:
        self.page_side = socket
        server = socket.connect_to_server()
        server.on_message(self._from_server)
        socket.on_message(server.send)

    def _from_server(self, message: str | bytes) -> None:
        if self.holding or self.page_side is None:
            self.waiting.append(message)
        else:
            self.page_side.send(message)

    def release(self) -> None:
        self.holding = False
        assert self.page_side is not None
        while self.waiting:
            self.page_side.send(self.waiting.pop(0))


def until(page: Page, done: Callable[[], bool], seen: Callable[[], object] = lambda: None) -> None:
    """Let Playwright deliver the page's requests to the test until ``done``
    (a bound on waiting, as for expect; not a timing assertion)."""
    for _ in range(750):
        if done():
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"the page never made the request the test waits for: {seen()}")


def open_ranking(server: LiveServer, chromium: Browser) -> tuple[Page, Held, Greeting]:
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session("green-transition.yaml")
    facilitator.act("show_card", card=SAMPLE.question_card(TRANSPORT.id))
    facilitator.act("open", question=TRANSPORT.id)
    page = chromium.new_page(viewport=PHONE)
    held, greeting = Held(), Greeting()
    page.route("**/s/*/ranking?*", held.route)
    page.route_web_socket("**/ws/participant/*", greeting.connect)
    page.goto(f"{server.url}/join/{code}")
    page.get_by_label("English").check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(f"#ranking-{TRANSPORT.id}")).to_be_visible()
    until(page, lambda: greeting.page_side is not None)
    return page, held, greeting


def let_greeting_in(page: Page, greeting: Greeting) -> None:
    """Let the held greeting in and wait until it has drawn the stage again."""
    page.evaluate("() => { document.getElementById('stage').dataset.before = 'yes'; }")
    greeting.release()
    page.wait_for_function("() => !document.getElementById('stage').dataset.before")


def tap(page: Page, option: str) -> None:
    page.locator(f"#rank-pick-{TRANSPORT.id}-{option}").click()


def have_order(page: Page, *order: str, placed: int) -> None:
    fields = page.locator(f"#ranking-{TRANSPORT.id} input[name=value]")
    expect(fields).to_have_count(len(order))
    for index, option in enumerate(order):
        expect(fields.nth(index)).to_have_value(option)
    expect(page.locator(f"#ranking-{TRANSPORT.id} input[name=placed]")).to_have_value(str(placed))
    expect(page.locator(".rank-placed")).to_have_count(placed)


def test_a_tap_while_the_last_one_is_on_its_way_is_kept(
    server: LiveServer, chromium: Browser
) -> None:
    page, held, greeting = open_ranking(server, chromium)
    let_greeting_in(page, greeting)

    # The first tap's answer is held back; the second tap comes before it.
    held.holding = True
    tap(page, CALL_UP)
    until(page, lambda: held.picks() == [CALL_UP], held.picks)
    tap(page, CHARGERS)
    held.release()

    have_order(page, CALL_UP, CHARGERS, BUS, CYCLE, placed=2)
    expect(page.locator("#stage-news")).to_have_text("Chargers for electric cars: place 2 of 4.")

    # Three taps on the way at once: each lands on the one before.
    held.holding = True
    tap(page, CYCLE)
    until(page, lambda: held.picks() == [CYCLE])
    tap(page, BUS)
    page.locator(f"#rank-up-{TRANSPORT.id}-{CYCLE}").click()
    held.release()
    have_order(page, CALL_UP, CYCLE, CHARGERS, BUS, placed=4)


def test_the_greeting_does_not_draw_the_list_over_a_tap(
    server: LiveServer, chromium: Browser
) -> None:
    page, held, greeting = open_ranking(server, chromium)
    # A tap before the socket's greeting has come: the places are kept on the
    # device (unsent), and the greeting draws the stage again.
    tap(page, CALL_UP)
    have_order(page, CALL_UP, BUS, CYCLE, CHARGERS, placed=1)

    held.holding = True
    let_greeting_in(page, greeting)
    tap(page, CHARGERS)
    until(page, lambda: CHARGERS in held.picks())
    held.release()

    have_order(page, CALL_UP, CHARGERS, BUS, CYCLE, placed=2)
