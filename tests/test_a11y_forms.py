"""The two helpers the participant's forms call through htmx, as plain HTTP:
what is left of a budget, and a ranking with one option moved or tapped into
its place (the browser side is in test_a11y_session.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from tests.conftest import act, open_session
from tests.test_i18n_languages import join

BUDGET, RANKING = 8, 7  # card numbers in tests/decks/town-test.yaml


def left(phone: TestClient, code: str, **points: str) -> str:
    params = {"question": "budget", **{f"points:{k}": v for k, v in points.items()}}
    response = phone.get(f"/s/{code}/budget-left", params=params)
    assert response.status_code == 200, response.text
    return response.text


def test_budget_left_is_said_in_the_readers_words(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    code = session["join_code"]
    act(console, session["id"], "show_card", card=BUDGET)
    act(console, session["id"], "open", question="budget")
    phone = browser()
    page = join(phone, code, "en")
    assert '<output id="budget-left-budget" aria-live="polite">100 points left' in page
    assert left(phone, code, heat="40", solar="59") == "1 point left"
    assert left(phone, code, heat="40", solar="60", trees="0") == "0 points left"
    assert left(phone, code, heat="1000", solar="250") == "1,150 points too many"
    # What is not a whole number counts as nothing (the answer check says why on sending).
    assert left(phone, code, heat="x", solar="-5", trees="2.5") == "100 points left"

    join(da := browser(), code, "da")
    assert left(da, code, heat="40", solar="60", trees="1000") == "1.000 point for meget"
    missing = da.get(f"/s/{code}/budget-left", params={"question": "street"})
    assert missing.status_code == 404
    assert "Der er intet budgetspørgsmål street." in missing.text


def places(html: str) -> list[str]:
    """The option in each place, in order (the form's hidden fields)."""
    return re.findall(r'<input type="hidden" name="value" value="([a-z]+)">', html)


def taken(html: str) -> int:
    """How many places the taps have taken."""
    return len(re.findall(r'<li class="rank rank-placed">', html))


def test_a_ranking_option_moves_one_place(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console)
    code = session["join_code"]
    act(console, session["id"], "show_card", card=RANKING)
    act(console, session["id"], "open", question="priorities")
    phone = browser()
    join(phone, code, "sv")

    def move(order: list[str], option: str, direction: str) -> str:
        params = {"question": "priorities", "value": order, "move": option}
        response = phone.get(f"/s/{code}/ranking", params={**params, "direction": direction})
        assert response.status_code == 200, response.text
        return response.text

    moved = move(["heat", "solar", "trees"], "trees", "up")
    assert places(moved) == ["heat", "trees", "solar"]
    # The deck has these options in English only: marked as English on a Swedish page.
    news = '<div id="stage-news" hx-swap-oob="innerHTML"><span lang="en">Trees</span>: plats 2'
    assert news in moved
    assert 'id="rank-up-priorities-heat"' in moved
    assert 'Flytta upp <span lang="en">Heat pumps</span>' in moved
    # At the top already: nothing moves, and the place is said again.
    assert places(move(["heat", "solar", "trees"], "heat", "up")) == ["heat", "solar", "trees"]
    # A repeat (from a client of its own) keeps the first place; the missing option goes last.
    assert places(move(["solar", "solar", "heat"], "heat", "down")) == ["solar", "trees", "heat"]

    # Tapping the options in order: each goes to the next place not taken yet.
    def pick(order: list[str], placed: int, option: str) -> str:
        params = {"question": "priorities", "value": order, "placed": placed, "pick": option}
        response = phone.get(f"/s/{code}/ranking", params=params)
        assert response.status_code == 200, response.text
        return response.text

    first = pick(["heat", "solar", "trees"], 0, "trees")
    assert (places(first), taken(first)) == (["trees", "heat", "solar"], 1)
    assert '<span lang="en">Trees</span>: plats 1 av 3.' in first
    # Two of three taken: the last one's place follows.
    second = pick(["trees", "heat", "solar"], 1, "solar")
    assert (places(second), taken(second)) == (["trees", "solar", "heat"], 3)
    # An option already placed stays where it is.
    again = pick(["trees", "solar", "heat"], 1, "trees")
    assert (places(again), taken(again)) == (["trees", "solar", "heat"], 1)
    assert phone.get(f"/s/{code}/ranking", params={"question": "budget"}).status_code == 404
