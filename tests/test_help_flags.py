"""The console flags a table by itself (live/help.py): its draft has not moved
with the timer nearly out, it is split, or its tablet has gone quiet. Each is
driven as it happens in the room, over the protocol's websockets with known
answers, and read on the console's own socket: the flag's words exactly, then
"Help on the way" once the facilitator acknowledges it, never the older flag
again after that (the pushes' order). docs/aggregates.md, "Tables that need
help"; a member's call: tests/test_help.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from strategyroom.live.help import TIMER_NEARLY_OUT_SECONDS
from tests.conftest import ORIGIN, act, open_session
from tests.protocol import JsonParticipant, receive_text
from tests.test_help import flag_text, frames_until_flag

pytestmark = pytest.mark.both_modes

DECK = "tables-test.yaml"
ON_THE_WAY = "Help on the way Mark table 1 helped"


def console_screen(console: TestClient, sid: str, sockets: list[Any]) -> Any:
    screen = console.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN})
    screen = screen.__enter__()
    sockets.append(screen)
    return screen


def seated(console: TestClient, code: str, table: int, sockets: list[Any], **kw: Any) -> Any:
    device = JsonParticipant(console, code, table=table, **kw)
    device.connect()
    sockets.append(device)
    return device


def acknowledged(console: TestClient, sid: str, screen: Any, *table: Any) -> None:
    """The facilitator answers table 1's flag: the console says help is on the
    way, and the table's devices are told."""
    act(console, sid, "help_acknowledge", table=1)
    frames_until_flag(screen, 1, ON_THE_WAY)
    for device in table:
        assert device.expect_event("help_acknowledged")["data"] == {"table": 1}


def test_a_stalled_draft_is_flagged_on_the_console_as_the_timer_runs_out(
    console: TestClient, sockets: list[Any]
) -> None:
    services = console.app.state.services  # type: ignore[attr-defined]
    services.hub.pushes.tick_seconds = 0.3  # the countdown's pushes, instead of one per 5 s
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)  # a table question with a 300 s timer
    act(console, sid, "open", question="first")
    one = seated(console, code, 1, sockets)
    assert one.draft("first", 1, 0, "buses")["revision"] == 1
    screen = console_screen(console, sid, sockets)
    act(console, sid, "timer_start")
    frames_until_flag(screen, 1, None)
    ends_at = datetime.fromisoformat(
        console.get(f"/api/sessions/{sid}").json()["state"]["timer"]["ends_at"]
    )
    # The draft untouched for the 4 minutes since, a minute left: the countdown's
    # next push flags the table, with nobody doing anything.
    services.clock = lambda: ends_at - timedelta(seconds=TIMER_NEARLY_OUT_SECONDS)
    flagged = "Needs you: the draft has not moved and time is nearly out On my way to table 1"
    overview = frames_until_flag(screen, 1, flagged)
    assert flag_text(overview, 2) is None  # nobody sits at table 2
    api = console.get(f"/api/sessions/{sid}/tables").json()["tables"]
    assert [t["help"] for t in api] == [{"state": None, "reasons": ["stalled"]}, None]
    acknowledged(console, sid, screen, one)
    # The countdown goes on pushing the overview: help stays on the way, and no
    # push built before the acknowledgement comes after it (the pushes' order).
    later: list[str | None] = []
    while len(later) < 3:
        frame = receive_text(screen)
        if 'id="console-tables"' in frame:
            later.append(flag_text(frame, 1))
    assert later == [ON_THE_WAY] * 3


def test_a_split_table_is_flagged_on_the_console(console: TestClient, sockets: list[Any]) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=2)  # "How much do you support it?", 1 to 5
    act(console, sid, "open", question="support")
    table_one = [seated(console, code, 1, sockets) for _ in range(5)]
    table_two = [seated(console, code, 2, sockets) for _ in range(5)]
    screen = console_screen(console, sid, sockets)
    frames_until_flag(screen, 1, None)
    # Table 2 agrees (all 4); table 1 is split: 1, 1, 5, 5, 5 has a standard
    # deviation of 1.96 of at most 2, an agreement of 0.02, under 0.5.
    for device in table_two:
        assert device.answer("support", 4)["type"] == "ack"
    for device, value in zip(table_one, [1, 1, 5, 5, 5], strict=True):
        assert device.answer("support", value)["type"] == "ack"
    flagged = "Needs you: the table is split On my way to table 1"
    overview = frames_until_flag(screen, 1, flagged)
    assert flag_text(overview, 2) is None
    tables = console.get(f"/api/sessions/{sid}/tables").json()["tables"]
    assert tables[0]["figures"]["agreement"] == pytest.approx(1 - 1.959591794 / 2)
    assert [t["help"] for t in tables] == [{"state": None, "reasons": ["split"]}, None]
    acknowledged(console, sid, screen, *table_one)
    # Table 2 is told nothing of it: the event reaches it as "elsewhere".
    table_two[0].expect_event("elsewhere")
    assert not [e for e in table_two[0].events if e["event"].startswith("help")]
    # The next card: help on the way ends, and the split was this question's.
    act(console, sid, "show_card", card=3, close_open=True)
    frames_until_flag(screen, 1, None, stale=flagged)


def test_a_table_whose_tablet_goes_quiet_is_flagged_on_the_console(
    console: TestClient, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)
    phone = seated(console, code, 1, sockets)
    tablet = seated(console, code, 1, sockets, device="tablet")
    screen = console_screen(console, sid, sockets)
    frames_until_flag(screen, 1, None)
    tablet.close()  # its socket closes: the table's only tablet is gone
    flagged = "Needs you: the tablet has gone quiet On my way to table 1"
    overview = frames_until_flag(screen, 1, flagged)
    assert flag_text(overview, 2) is None
    tables = console.get(f"/api/sessions/{sid}/tables").json()["tables"]
    assert [t["help"] for t in tables] == [{"state": None, "reasons": ["tablet_quiet"]}, None]
    act(console, sid, "help_acknowledge", table=1)
    frames_until_flag(screen, 1, ON_THE_WAY)
    assert phone.expect_event("help_acknowledged")["data"] == {"table": 1}
    # The tablet is back, still "help on the way" until it is marked helped,
    # and then nothing holds: no flag.
    assert tablet.connect()["help"] == "acknowledged"
    act(console, sid, "help_done", table=1)
    frames_until_flag(screen, 1, None, stale=flagged)
    assert console.get(f"/api/sessions/{sid}/tables").json()["tables"][0]["help"] is None


def test_a_table_marked_helped_is_not_flagged_again_for_the_same_card(
    console: TestClient, sockets: list[Any]
) -> None:
    """Marking a table helped ("Mark table N helped") quiets the reasons the
    console finds by itself until the next card: the tablet still quiet does not
    flag the table again at once (the button would seem to do nothing), a
    member's call still does, and the next card flags the table again while its
    reason holds."""
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)
    phone = seated(console, code, 1, sockets)
    tablet = seated(console, code, 1, sockets, device="tablet")
    screen = console_screen(console, sid, sockets)
    frames_until_flag(screen, 1, None)
    tablet.close()
    flagged = "Needs you: the tablet has gone quiet On my way to table 1"
    frames_until_flag(screen, 1, flagged)
    acknowledged(console, sid, screen, phone)

    def help_of_table_1() -> Any:
        return console.get(f"/api/sessions/{sid}/tables").json()["tables"][0]["help"]

    # Marked helped with the tablet still away: no flag, not even for a moment.
    act(console, sid, "help_done", table=1)
    assert phone.expect_event("help_done")["data"] == {"table": 1}
    frames_until_flag(screen, 1, None, stale=flagged)
    assert help_of_table_1() is None
    # Another event on the same card redraws the overview: still quiet.
    act(console, sid, "open", question="first")
    frames_until_flag(screen, 1, None, stale=flagged)
    assert help_of_table_1() is None
    phone.close()
    assert phone.connect()["help"] is None

    # A member's call flags the table at once, with what still holds.
    phone.send({"type": "help"})
    assert phone.reply("help") == {"type": "help", "table": 1, "state": "requested"}
    assert help_of_table_1() == {"state": "requested", "reasons": ["asked", "tablet_quiet"]}
    act(console, sid, "help_acknowledge", table=1)
    act(console, sid, "help_done", table=1)
    assert help_of_table_1() is None

    # The next card: the tablet is still quiet, and the table is flagged again.
    act(console, sid, "show_card", card=2, close_open=True)
    frames_until_flag(screen, 1, flagged)
    assert help_of_table_1() == {"state": None, "reasons": ["tablet_quiet"]}
