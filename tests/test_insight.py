"""The console's insight panel as a facilitator meets it (templates/console/insight.html,
strategyroom/live/insight.py): residents answer on their phones, the panel shows
the two groups they form, what they agree on, and who is missing from the room
against the town; nobody but a facilitator of the session gets it."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from strategyroom.live.insight import REFRESH, Insights
from tests.conftest import act, open_session
from tests.protocol import JsonParticipant

DECK = "insight-test.yaml"
# Seven residents who want Main Street closed, buses and trees, fast; seven who
# want Church Lane closed, bike lanes and trees, slowly. Ten under 40, four over.
ANSWERS = [("main", ["bus", "trees"], 5)] * 7 + [("church", ["bike", "trees"], 1)] * 7
AGES = ["young"] * 10 + ["old"] * 4


def cells(html: str, table: str) -> list[list[str]]:
    """The rows of the first table whose opening tag contains ``table``, as text."""
    block = html.split(table, 1)[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def run_evening(console: TestClient, code: str, session_id: str, upto: int = 4) -> None:
    phones = [JsonParticipant(console, code) for _ in ANSWERS]
    for phone in phones:
        phone.connect()
    given = {
        "age": AGES,
        "street": [a[0] for a in ANSWERS],
        "measures": [a[1] for a in ANSWERS],
        "pace": [a[2] for a in ANSWERS],
    }
    for card, (question, values) in enumerate(list(given.items())[:upto]):
        act(console, session_id, "show_card", card=card)
        act(console, session_id, "open", question=question)
        for phone, value in zip(phones, values, strict=True):
            assert phone.answer(question, value)["type"] == "ack"
        act(console, session_id, "close", question=question)
    for phone in phones:
        phone.close()


def test_the_panel_shows_the_groups_their_common_ground_and_who_is_missing(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console, DECK)
    session_id, code = session["id"], session["join_code"]
    page = console.get(f"/console/{session_id}")
    assert f'hx-get="/console/{session_id}/insight" hx-trigger="load, every 5s"' in page.text
    run_evening(console, code, session_id)
    html = console.get(f"/console/{session_id}/insight").text
    groups = re.findall(r"<caption>Group ([AB]): (\d+) residents</caption>", html)
    assert [size for _, size in groups] == ["7", "7"]
    # Each group is set apart by its street, its measure and the pace: all or none.
    for name in ("A", "B"):
        rows = cells(html, f'data-group="{name}"')[1:]
        assert len(rows) == 3 and all(sorted(r[1:]) == ["0%", "100%"] for r in rows)
    assert cells(html, 'id="insight-common-ground"') == [
        ["Measure", "Group A", "Group B", "Room"],
        ["Trees", "100%", "100%", "100%"],
    ]
    # 10 of 14 under 40 against half the town; 4 of 14 (29 %) are too few.
    assert cells(html, 'data-question="age"') == [
        ["Answer", "Room", "Town"],
        ["Under 40", "71%", "50%"],
        ["40 or older", "29% too few", "50%"],
    ]
    assert "Town: Statistics Denmark, FOLK1A, 2025" in html
    # A resident's browser (no facilitator login) gets none of it.
    stranger = browser().get(f"/console/{session_id}/insight", follow_redirects=False)
    assert stranger.status_code in (303, 401, 403) and "Group A" not in stranger.text


def test_before_any_opinion_is_asked_the_panel_says_why_there_are_no_groups(
    console: TestClient,
) -> None:
    session = open_session(console, DECK)
    run_evening(console, session["join_code"], session["id"], upto=1)  # the age only
    html = console.get(f"/console/{session['id']}/insight").text
    assert re.findall(r'id="insight-no-groups">([^<]*)<', html) == [
        "No groups yet: nobody has answered a choice, scale or ranking question."
    ]
    assert cells(html, 'data-question="age"')[2] == ["40 or older", "29% too few", "50%"]


def test_the_panel_is_computed_at_most_once_per_refresh(console: TestClient) -> None:
    now = [0.0]
    services = console.app.state.services  # type: ignore[attr-defined]
    services.insights = Insights(clock=lambda: now[0])
    session = open_session(console, DECK)
    session_id = session["id"]
    first = console.get(f"/console/{session_id}/insight").text
    assert "No groups yet: nobody has answered" in first
    run_evening(console, session["join_code"], session_id)
    # Within REFRESH seconds the panel is the one computed before the answers.
    assert console.get(f"/console/{session_id}/insight").text == first
    now[0] += REFRESH
    assert "Common ground" in console.get(f"/console/{session_id}/insight").text
