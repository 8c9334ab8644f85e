"""What a resident sees on a 320 px phone while answering, in a real browser:
a change to a counted answer looks unsent until it is sent, and an answer the
server refused is not sent again behind the resident's back (only silence is
retried, docs/reliability.md).

The refused answer's test runs the page on Playwright's fake clock, so "no
second send after the 8 s receipt wait" is checked by moving the page's clock
on, not by waiting."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, WebSocket, expect

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.browsers import PASSWORD, SHOTS, live_server
from tests.conftest import TEST_DECKS
from tests.live import ApiFacilitator, LiveServer

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}
COUNTED = "Dit svar er talt med."  # the receipt, right after sending
UNSENT = "Ikke sendt endnu: Din ændring tæller først, når du trykker på “Ændr svar”."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("phone"), decks_dir=TEST_DECKS) as live:
        yield live


def session(server: LiveServer, card: int, question: str) -> tuple[ApiFacilitator, str]:
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session()
    facilitator.act("show_card", card=card)
    facilitator.act("open", question=question)
    return facilitator, code


def join(page: Page, server: LiveServer, code: str, language: str = "Dansk") -> None:
    page.goto(f"{server.url}/join/{code}")
    page.get_by_label(language).check()
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#answer-form")).to_be_visible()


def stored(server: LiveServer, facilitator: ApiFacilitator, question: str) -> list[str]:
    """The answers to ``question`` stored in the facilitator's session."""
    with sqlite3.connect(server.data_dir / "strategyroom.sqlite3") as db:
        rows = db.execute(
            "SELECT value FROM answer WHERE session_id = ? AND question_id = ?",
            (facilitator.session_id, question),
        )
        return [row[0] for row in rows]


# What the page keeps of unsent answers in this tab (htmx keeps its own keys too).
KEPT = "Object.keys(sessionStorage).filter(k => k.startsWith('unsent:'))"


def have_values(fields: Locator, *values: str) -> None:
    expect(fields).to_have_count(len(values))
    for index, value in enumerate(values):
        expect(fields.nth(index)).to_have_value(value)


def test_a_change_that_is_not_sent_looks_unsent(server: LiveServer, chromium: Browser) -> None:
    facilitator, code = session(server, card=3, question="street")
    page = chromium.new_page(viewport=PHONE)
    join(page, server, code)
    status = page.locator("#answer-status")
    page.get_by_label("Hovedgaden").check()
    page.get_by_role("button", name="Send svar").click()
    expect(status).to_have_text(COUNTED)

    # Another choice, not sent: the phone must not say it is counted.
    page.get_by_label("Church Lane").check()
    expect(status).to_have_text(UNSENT)
    expect(status).to_have_class("status status-unsent")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-da-unsent.png"), full_page=True)
    # Back to what was sent: counted again, as it is.
    page.get_by_label("Hovedgaden").check()
    expect(status).to_have_text(COUNTED)
    assert stored(server, facilitator, "street") == ['"main"']

    page.get_by_label("Church Lane").check()
    page.get_by_role("button", name="Ændr svar").click()
    expect(status).to_have_text(COUNTED)
    assert stored(server, facilitator, "street") == ['"church"']

    # Typed budget figures too, once an allocation is counted.
    facilitator.act("show_card", card=8, close_open=True)
    facilitator.act("open", question="budget")
    fields = page.locator("#answer-form input[type=number]")
    expect(fields).to_have_count(3)
    for field, points in zip(fields.all(), ("50", "30", "20"), strict=True):
        field.fill(points)
    page.get_by_role("button", name="Send svar").click()
    expect(status).to_have_text(COUNTED)
    fields.nth(0).fill("40")
    expect(status).to_have_text(UNSENT)
    fields.nth(0).fill("050")  # the same number as sent
    expect(status).to_have_text(COUNTED)
    facilitator.close()


def test_a_refused_answer_is_not_sent_again(server: LiveServer, chromium: Browser) -> None:
    facilitator, code = session(server, card=8, question="budget")
    page = chromium.new_page(viewport=PHONE)
    page.clock.install()
    sent: list[dict[str, object]] = []

    def record(socket: WebSocket) -> None:
        def frame(payload: str | bytes) -> None:
            message = json.loads(payload)
            if message.get("type") == "answer":
                sent.append(message)

        socket.on("framesent", frame)

    page.on("websocket", record)
    join(page, server, code, language="English")
    page.locator("#answer-form input[type=number]").first.fill("50")
    page.get_by_role("button", name="Send answer").click()
    refusal = "The points must add up to 100; these add up to 50."
    expect(page.locator("#answer-status[role=alert]")).to_have_text(refusal)
    assert len(sent) == 1

    # Well past the receipt wait (8 s): nothing more is sent, the refusal stays.
    page.clock.run_for(30_000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
    assert len(sent) == 1
    expect(page.locator("#answer-status[role=alert]")).to_have_text(refusal)
    assert stored(server, facilitator, "budget") == []
    facilitator.close()


def test_a_package_adds_up_as_options_are_tapped(server: LiveServer, chromium: Browser) -> None:
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session("polish-test.yaml")
    facilitator.act("show_card", card=1)
    facilitator.act("open", question="mine")
    page = chromium.new_page(viewport=PHONE)
    join(page, server, code)
    total = page.locator("#package-total-mine")
    expect(total).to_have_text("Pris i alt: 0 k/year af højst 2.500 k/year.")
    page.get_by_label("Tiltag X").check()
    expect(total).to_have_text("Pris i alt: 1.234,5 k/year af højst 2.500 k/year.")
    page.get_by_label("Tiltag Y").check()
    expect(total).to_have_text(
        "Pris i alt: 2.534,5 k/year af højst 2.500 k/year. "
        "Det er over grænsen: Tag noget ud, før du sender."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-da-package.png"), full_page=True)
    page.get_by_label("Tiltag Y").uncheck()
    expect(total).to_have_text("Pris i alt: 1.234,5 k/year af højst 2.500 k/year.")
    facilitator.close()


def test_unsent_input_survives_a_reload_and_a_language_switch(
    server: LiveServer, chromium: Browser
) -> None:
    facilitator, code = session(server, card=8, question="budget")
    page = chromium.new_page(viewport=PHONE)
    join(page, server, code)
    fields = page.locator("#answer-form input[type=number]")
    fields.nth(0).fill("50")
    fields.nth(1).fill("30")

    page.reload()
    have_values(fields, "50", "30", "0")
    page.locator("#language-select").select_option("sv")
    page.get_by_role("button", name="Skift").click()
    expect(page.get_by_role("button", name="Skicka svar")).to_be_visible()
    have_values(fields, "50", "30", "0")

    assert page.evaluate(KEPT) == [f"unsent:/s/{code}:budget"]

    # Sent and counted: nothing is kept on the device any more.
    fields.nth(2).fill("20")
    page.get_by_role("button", name="Skicka svar").click()
    expect(page.locator("#answer-status")).to_have_text("Ditt svar är registrerat.")
    assert stored(server, facilitator, "budget") == ['{"heat": 50, "solar": 30, "trees": 20}']
    assert page.evaluate(KEPT) == []
    page.reload()
    have_values(fields, "50", "30", "20")
    facilitator.close()


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with the sample deck, whose ranking has the longest labels."""
    with live_server(tmp_path_factory.mktemp("phone-sample")) as live:
        yield live


SAMPLE = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
TRANSPORT = SAMPLE.question("transport-priorities")


def labels_fit(page: Page) -> list[str]:
    """The ranking's labels that do not show whole inside the phone's width."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.rank-label')].filter(label => {
             const box = label.getBoundingClientRect();
             return label.scrollWidth > label.clientWidth + 1 || box.left < 0
                 || box.right > document.documentElement.clientWidth;
           }).map(label => label.textContent)"""
    )


# The ranking's words that a line break cuts in two ("Ladestander|e").
BROKEN_WORDS = """
() => [...document.querySelectorAll('.rank-label')].flatMap(label => {
  const text = label.firstChild;
  const broken = [];
  for (const match of text.data.matchAll(/\\S+/g)) {
    const word = document.createRange();
    word.setStart(text, match.index);
    word.setEnd(text, match.index + match[0].length);
    const lines = new Set([...word.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) broken.push(match[0]);
  }
  return broken;
})
"""


def test_a_ranking_is_ordered_by_tapping_with_every_label_whole(
    sample_server: LiveServer, chromium: Browser
) -> None:
    facilitator = ApiFacilitator(sample_server.url, "maria", PASSWORD)
    code = facilitator.open_session("green-transition.yaml")
    facilitator.act("show_card", card=SAMPLE.question_card(TRANSPORT.id))
    facilitator.act("open", question=TRANSPORT.id)
    page = chromium.new_page(viewport=PHONE)
    join(page, sample_server, code, language="Svenska")
    labels = page.locator(".rank-label")
    expect(labels).to_have_text(
        [
            "Tätare busstrafik",
            "Säkra cykelvägar",
            "Laddstolpar för elbilar",
            "Anropsstyrd trafik på landsbygden",
        ]
    )
    assert labels_fit(page) == []
    assert page.evaluate(BROKEN_WORDS) == []

    # Tap three in order; the fourth's place follows.
    tapped = ["Anropsstyrd trafik på landsbygden", "Laddstolpar för elbilar", "Säkra cykelvägar"]
    for label in tapped:
        page.locator(".rank-pick", has_text=label).click()
        expect(page.locator("#stage-news")).to_contain_text(f"{label}: plats")
    values = page.locator(f"#ranking-{TRANSPORT.id} input[name=value]")
    wanted = ["call-up-bus", "ev-chargers", "cycle-routes", "more-buses"]
    have_values(values, *wanted)
    expect(page.locator(".rank-placed")).to_have_count(4)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-sv-ranking-tapped.png"), full_page=True)

    # Unsent, the order survives a reload; at 200 % text every label is still whole.
    page.reload()
    expect(labels).to_have_text([*tapped, "Tätare busstrafik"])
    expect(page.locator(".rank-placed")).to_have_count(4)
    have_values(values, *wanted)
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert labels_fit(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(SHOTS / "phone-sv-ranking-200.png"), full_page=True)
    page.evaluate("() => { document.documentElement.style.fontSize = ''; }")

    # And a language switch: the same order, in Danish, no word cut in two.
    page.locator("#language-select").select_option("da")
    page.get_by_role("button", name="Byt").click()
    expect(labels).to_have_text(
        [
            "Flextur i landsbyerne",
            "Ladestandere til elbiler",
            "Sikre cykelstier",
            "Flere busafgange",
        ]
    )
    expect(page.locator(".rank-placed")).to_have_count(4)
    assert page.evaluate(BROKEN_WORDS) == []
    assert labels_fit(page) == []

    page.get_by_role("button", name="Send svar").click()
    expect(page.locator("#answer-status")).to_have_text("Dit svar er talt med.")
    with sqlite3.connect(sample_server.data_dir / "strategyroom.sqlite3") as db:
        rows = db.execute(
            "SELECT value FROM answer WHERE session_id = ?", (facilitator.session_id,)
        ).fetchall()
    assert [json.loads(row[0]) for row in rows] == [wanted]
    facilitator.close()
