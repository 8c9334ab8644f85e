"""The themes of a text question and the common ground on the projector
(templates/projector/themes.html and common_ground.html): the facilitator puts
them there from the console's panels (the ``project`` action), the projector's
socket is sent them at once, cut to what a hall reads, and the next card takes
them off. Made-up sessions whose themes and groups are known."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from strategyroom.aggregate.opinion import (
    CommonGround,
    Difference,
    OpinionGroup,
    OpinionGroups,
    room_common_ground,
)
from strategyroom.aggregate.themes import Quote, Theme, Themes, room_themes
from strategyroom.decks import load_deck
from strategyroom.live.policy import Audience, Figure, may_see
from strategyroom.live.state import QuestionStatus
from strategyroom.store.models import QuestionState
from tests.conftest import ORIGIN, TEST_DECKS, act, open_session
from tests.protocol import JsonParticipant, receive_until
from tests.test_insight import run_evening
from tests.test_themes import TEN

STAGE = 'id="projector-stage"'


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def stage_after(screen: Any, frame: str) -> str:
    """The first stage drawn for an event after ``frame``'s: redraws of the
    same state in between (presence counts, a countdown) are skipped."""
    seen = int(re.findall(r'data-seq="(\d+)"', frame)[0])
    for _ in range(50):
        stage = receive_until(screen, STAGE)
        if int(re.findall(r'data-seq="(\d+)"', stage)[0]) > seen:
            return stage
    raise AssertionError(f"no stage after event {seen}")


def themes_on(frame: str) -> list[tuple[str, str, list[str]]]:
    """Each theme the projector shows: its label, its count and its quotes."""
    found = []
    for item in re.findall(r'<li class="projector-theme">(.*?)</li>', frame, re.S):
        label = re.findall(r'<span class="theme-label">(.*?)</span>', item)[0]
        count = re.findall(r'<span class="theme-count">(.*?)</span>', item)[0]
        quotes = re.findall(r'<p class="theme-quote">(.*?)</p>', item)
        found.append((label, count, quotes))
    return found


def rows_of(frame: str) -> list[list[str]]:
    block = frame.split('id="projector-common-ground"', 1)[1].split("</table>")[0]
    return [
        [text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S)
    ]


def post_action(console: TestClient, sid: str, action: str, **fields: Any) -> Any:
    return console.post(
        f"/console/{sid}/actions",
        data={"action": action, **{k: str(v) for k, v in fields.items()}},
        headers={"hx-request": "true"},
    )


def test_the_themes_go_on_the_projector_once_the_comments_are_the_rooms(
    console: TestClient, browser: Any
) -> None:
    deck = load_deck(TEST_DECKS / "report-test.yaml")
    info = open_session(console, "report-test.yaml", "Themes")
    sid, code = info["id"], info["join_code"]
    card = deck.question_card("comment")
    projector = browser()
    with projector.websocket_connect(
        f"/ws/projector/{code}?lang=en", headers={"origin": ORIGIN}
    ) as screen:
        receive_until(screen, STAGE)
        act(console, sid, "show_card", card=card)
        receive_until(screen, STAGE)
        act(console, sid, "open", question="comment")
        receive_until(screen, STAGE)
        for comment in TEN:
            person = JsonParticipant(console, code)
            person.connect()
            assert person.answer("comment", comment)["type"] == "ack"
            person.close()
        # Open, the comments are the console's alone: no themes on the projector.
        refused = post_action(console, sid, "project", view="themes")
        assert refused.status_code == 409, refused.text
        assert "Show the comments to the room first: the themes quote them." in refused.text
        panel = console.get(f"/console/{sid}/themes").text
        assert 'id="project-themes"' not in panel
        assert "show the results to the room first" in panel

        act(console, sid, "close", question="comment")  # reveals (the deck's default)
        receive_until(screen, "comment-wall")
        panel = console.get(f"/console/{sid}/themes").text
        assert "Show the themes on the projector" in panel
        act(console, sid, "project", view="themes")
        frame = receive_until(screen, "projector-themes")
        assert themes_on(frame) == [
            ("bike, lanes, cars", "5 comments", ["“Safe bike lanes to school”"]),
            ("bus, cheaper, evening", "5 comments", ["“The bus is always late”"]),
        ]
        assert "10 comments, grouped by the words they share" in frame
        assert "comment-wall" not in frame and "theme-others" not in frame
        # The stage it asks for every few seconds is the same one.
        polled = projector.get(f"/p/{code}/stage?lang=en")
        assert polled.status_code == 200 and themes_on(polled.text) == themes_on(frame)
        assert f'hx-get="/p/{code}/stage?lang=en" hx-trigger="every 5s"' in polled.text
        live = console.get(f"/console/{sid}").text
        assert "The projector shows the themes of the comments." in live
        assert "Take the themes off the projector" in console.get(f"/console/{sid}/themes").text

        # Danish, with the Danish quotation marks.
        danish = projector.get(f"/p/{code}/stage?lang=da").text
        assert themes_on(danish) == [
            ("bike, lanes, cars", "5 kommentarer", ["»Safe bike lanes to school«"]),
            ("bus, cheaper, evening", "5 kommentarer", ["»The bus is always late«"]),
        ]
        assert "10 kommentarer, grupperet efter de ord, de har til fælles" in danish

        # Reopened, the comments are hidden again, and so are the themes.
        act(console, sid, "reopen", question="comment")
        frame = stage_after(screen, frame)
        assert "projector-themes" not in frame and "hx-trigger" not in frame
        act(console, sid, "close", question="comment")
        frame = stage_after(screen, frame)
        assert "projector-themes" in frame  # still the facilitator's choice
        # The next card takes them off.
        act(console, sid, "show_card", card=card + 1)
        frame = stage_after(screen, frame)
        assert "projector-themes" not in frame and "hx-trigger" not in frame
        assert "card-title" in frame


def test_the_common_ground_goes_on_the_projector(console: TestClient, browser: Any) -> None:
    info = open_session(console, "insight-test.yaml", "Groups")
    sid, code = info["id"], info["join_code"]
    projector = browser()
    with projector.websocket_connect(
        f"/ws/projector/{code}?lang=en", headers={"origin": ORIGIN}
    ) as screen:
        receive_until(screen, STAGE)
        run_evening(console, code, sid)  # fourteen residents in two camps
        panel = console.get(f"/console/{sid}/insight").text
        assert "Show the common ground on the projector" in panel
        act(console, sid, "project", view="common_ground")
        frame = receive_until(screen, "projector-common-ground")
        assert text(re.findall(r'<p class="status" id="projector-groups">(.*?)</p>', frame)[0]) == (
            "Group A: 7 residents · Group B: 7 residents"
        )
        assert rows_of(frame) == [
            ["Measure", "Group A", "Group B", "Everyone"],
            ["Trees", "100%", "100%", "100%"],
        ]
        # What sets a group apart stays on the console.
        assert "Main Street" not in frame and "Bike lanes" not in frame
        swedish = projector.get(f"/p/{code}/stage?lang=sv").text
        assert "Det alla grupper står bakom" in swedish
        assert rows_of(swedish)[0] == ["Åtgärd", "Grupp A", "Grupp B", "Alla"]
        assert "Take the common ground off the projector" in (
            console.get(f"/console/{sid}/insight").text
        )
        act(console, sid, "project", view="card")
        frame = stage_after(screen, frame)
        assert "projector-common-ground" not in frame
        assert post_action(console, sid, "project", view="groups").status_code == 400


def test_too_few_residents_put_no_groups_on_the_projector(
    console: TestClient, browser: Any
) -> None:
    info = open_session(console, "insight-test.yaml", "Few")
    sid, code = info["id"], info["join_code"]
    projector = browser()
    with projector.websocket_connect(
        f"/ws/projector/{code}?lang=en", headers={"origin": ORIGIN}
    ) as screen:
        receive_until(screen, STAGE)
        act(console, sid, "project", view="common_ground")
        frame = receive_until(screen, "projector-no-groups")
        assert "No groups yet: nobody has answered a choice, scale or ranking question." in frame
        assert "projector-common-ground" not in frame


def test_only_the_console_and_the_projector_see_what_is_projected() -> None:
    deck = load_deck(TEST_DECKS / "report-test.yaml")
    comment = deck.question("comment")
    revealed = QuestionStatus(QuestionState.CLOSED, revealed=True)
    hidden = QuestionStatus(QuestionState.CLOSED, revealed=False)
    projector, console = Audience.projector(), Audience.console()
    assert may_see(projector, Figure.ROOM_THEMES, comment, revealed)
    assert not may_see(projector, Figure.ROOM_THEMES, comment, hidden)
    assert not may_see(projector, Figure.ROOM_THEMES, deck.question("after"), revealed)
    assert may_see(console, Figure.ROOM_THEMES, comment, revealed)
    assert may_see(projector, Figure.COMMON_GROUND, None, None)
    assert may_see(console, Figure.COMMON_GROUND, None, None)
    for device in (Audience.device(1), Audience.device(1, tablet=True), Audience.device(None)):
        assert not may_see(device, Figure.ROOM_THEMES, comment, revealed)
        assert not may_see(device, Figure.COMMON_GROUND, None, None)


def test_the_projector_gets_the_largest_themes_and_a_short_quote_from_two() -> None:
    long, short = Quote(id="a", text="x" * 91), Quote(id="b", text="Trees on the square")
    found = Themes(
        comments=40,
        themes=[
            Theme(label=[f"w{i}"], quotes=[long, short], members=["a", "b"], size=8 - i)
            for i in range(7)
        ],
        unthemed=["z"],
    )
    room = room_themes(found)
    assert [theme.label for theme in room.themes] == [["w0"], ["w1"], ["w2"], ["w3"], ["w4"]]
    # The longer quote is left out, never cut; only the two largest are quoted.
    assert [[q.text for q in theme.quotes] for theme in room.themes] == [
        ["Trees on the square"],
        ["Trees on the square"],
        [],
        [],
        [],
    ]
    assert room.others == 40 - (8 + 7 + 6 + 5 + 4)
    assert all(theme.members == [] for theme in room.themes)
    assert all(q.id == "" for theme in room.themes for q in theme.quotes)


def test_the_projector_gets_the_broadest_common_ground_and_no_differences() -> None:
    apart = Difference(question_id="q", option_id="a", group_percent=90, rest_percent=10)
    measures = [
        CommonGround(
            question_id="q",
            option_id=str(i),
            consensus=1 - i / 10,
            group_percents=[80, 70],
            room_percent=75,
        )
        for i in range(7)
    ]
    found = OpinionGroups(
        placed=12,
        left_out=1,
        questions=3,
        silhouette=0.8,
        groups=[
            OpinionGroup(name="A", size=7, differences=[apart]),
            OpinionGroup(name="B", size=5, differences=[apart]),
        ],
        common_ground=measures,
    )
    room = room_common_ground(found)
    assert [(g.name, g.size, g.differences) for g in room.groups] == [("A", 7, []), ("B", 5, [])]
    assert room.common_ground == measures[:5] and room.more == 2 and room.reason is None
