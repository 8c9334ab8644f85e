"""The console's themes panel (strategyroom.live.themes, docs/aggregates.md
"Themes"): the facilitator's alone, for the shown text question once it is
opened, refreshed every few seconds rather than with every comment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from strategyroom.decks import load_deck
from strategyroom.live.policy import Audience, Figure, may_see
from strategyroom.live.state import QuestionStatus
from strategyroom.live.theme_edits import WrittenComment
from strategyroom.live.themes import REFRESH_SECONDS, LiveThemes, theme_language
from strategyroom.store.models import QuestionState
from tests.conftest import TEST_DECKS, act, open_session
from tests.protocol import JsonParticipant
from tests.test_themes import TEN

DECK = load_deck(TEST_DECKS / "report-test.yaml")


def test_the_console_shows_the_themes_of_the_shown_text_question(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    info = open_session(console, "report-test.yaml", "Themes")
    sid = info["id"]
    path = f"/console/{sid}/themes"
    assert "Themes in the comments" not in console.get(path).text  # no card shown
    act(console, sid, "show_card", card=DECK.question_card("comment"))
    assert "Themes in the comments" not in console.get(path).text  # not opened yet
    act(console, sid, "open", question="comment")
    assert "No themes yet" in console.get(path).text
    for text in TEN:
        person = JsonParticipant(console, info["join_code"])
        person.connect()
        assert person.answer("comment", text)["type"] == "ack"
        person.close()
    # The panel asked above is kept for REFRESH_SECONDS (the last test below);
    # as if they had passed:
    console.app.state.services.sessions.themes.forget(sid)  # type: ignore[attr-defined]
    panel = console.get(path).text
    assert "from 10 comments" in panel
    assert "<strong>bike, lanes, cars</strong> · 5 comments" in panel
    assert "<strong>bus, cheaper, evening</strong> · 5 comments" in panel
    assert "<li>“Safe bike lanes to school”</li>" in panel
    danish = console.get(path, headers={"accept-language": "da"}).text
    assert "Temaer i kommentarerne indtil nu" in danish
    assert "<li>»Safe bike lanes to school«</li>" in danish
    # Another card: no panel. Nobody but a facilitator of the session gets one.
    act(console, sid, "close", question="comment")
    act(console, sid, "show_card", card=DECK.question_card("after"))
    assert "Themes in the comments" not in console.get(path).text
    stranger = browser()
    refused = stranger.get(path, follow_redirects=False)
    assert refused.status_code in (303, 401, 403)
    assert "Safe bike lanes" not in refused.text
    page = console.get(f"/console/{sid}").text
    assert f'hx-get="/console/{sid}/themes" hx-trigger="load, every 5s"' in page


def test_only_the_console_sees_themes_of_an_opened_text_question() -> None:
    comment, after = DECK.question("comment"), DECK.question("after")
    opened = QuestionStatus(state=QuestionState.OPEN, revealed=True)
    pending = QuestionStatus(state=QuestionState.PENDING, revealed=False)
    console, room = Audience.console(), Audience.room()
    assert may_see(console, Figure.THEMES, comment, opened)
    assert not may_see(console, Figure.THEMES, comment, pending)
    assert not may_see(console, Figure.THEMES, after, opened)  # a scale question
    for audience in (
        Audience.projector(),
        room,
        Audience.device(1),
        Audience.device(1, tablet=True),
        Audience.device(None),
    ):
        assert not may_see(audience, Figure.THEMES, comment, opened)


def test_themes_are_computed_again_only_after_the_refresh_interval() -> None:
    now = [100.0]
    live = LiveThemes(clock=lambda: now[0])
    at = datetime(2026, 11, 23, 18, 40, tzinfo=UTC)
    rows = [WrittenComment("p1", "More buses please", at)]
    reads = []

    async def read() -> Sequence[WrittenComment]:
        reads.append(len(rows))
        return list(rows)

    async def themes_now() -> list[int]:
        found = await live.of(("s", "q"), read, "en")
        return [theme.size for theme in found.themes]

    assert asyncio.run(themes_now()) == [1]
    rows.append(WrittenComment("p2", "The bus is late", at + timedelta(seconds=1)))
    now[0] += REFRESH_SECONDS - 0.5
    assert asyncio.run(themes_now()) == [1]  # kept: not read again
    now[0] += 0.5
    assert asyncio.run(themes_now()) == [2]
    assert reads == [1, 2]


def test_comments_are_read_in_the_decks_language_when_their_own_cannot_be_told() -> None:
    assert [theme_language(x) for x in ("da", "sv", "en", "de", "ar")] == [
        "da", "sv", "en", "en", "en",
    ]  # fmt: skip


def test_the_facilitator_renames_a_theme_and_moves_a_comment_and_the_report_says_so(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    info = open_session(console, "report-test.yaml", "Edited")
    sid = info["id"]
    act(console, sid, "show_card", card=DECK.question_card("comment"))
    act(console, sid, "open", question="comment")
    writers = []
    for text in TEN:
        person = JsonParticipant(console, info["join_code"])
        person.connect()
        assert person.answer("comment", text)["type"] == "ack"
        person.close()
        writers.append(person.id)
    edit = f"/console/{sid}/themes/edit"
    csrf = console.headers["x-csrf-token"]

    def post(**fields: str) -> int:
        data = {"csrf_token": csrf, "question": "comment", **fields}
        return console.post(edit, data=data, follow_redirects=False).status_code

    # Comment 5 ("Safe bike lanes to school") names the bike theme; comment 8
    # ("Bike lanes separated from cars") moves to the theme of comment 0 (buses).
    assert post(comment=writers[5], name="Cycling") == 303
    assert post(comment=writers[8], moved_to=writers[0]) == 303
    assert post(comment="nobody", name="X") == 400
    assert post(comment=writers[8], moved_to="nobody") == 400
    assert browser().post(
        edit, data={"question": "comment"}, follow_redirects=False
    ).status_code in (
        303,
        401,
        403,
    )
    page = console.get(edit).text
    assert "Cycling <small>(edited by hand)</small> · 4 comments" in page
    assert "bus, cheaper, evening <small>(edited by hand)</small> · 6 comments" in page
    panel = console.get(f"/console/{sid}/themes").text
    assert "<strong>Cycling</strong> (edited by hand) · 4 comments" in panel
    # The edits are the report's too.
    act(console, sid, "close", question="comment")
    report = console.get(f"/console/report.json?session={sid}").json()
    themes = next(q for q in report["questions"] if q["id"] == "comment")["themes"]["themes"]
    assert [(t["label"], t["comments"], t["edited"]) for t in themes] == [
        (["bus", "cheaper", "evening"], [1, 2, 3, 4, 5, 9], True),
        (["Cycling"], [6, 7, 8, 10], True),
    ]
    html = console.get(f"/console/report?session={sid}").text
    assert "<strong>Cycling</strong> (edited by hand) · 4 comments" in html
    assert "were renamed by the facilitator" in html
    rows = console.get(f"/console/report.csv?session={sid}").text.splitlines()
    assert sum(row.endswith(',1,"bus, cheaper, evening"') for row in rows) == 6
    assert sum(row.endswith(",2,Cycling") for row in rows) == 4
