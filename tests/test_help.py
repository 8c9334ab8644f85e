"""Tables that need help: a member calls the facilitator over the websocket, the
console flags the table with its reason in words, the facilitator answers (an
audit-logged command) and the table's members are told help is on the way;
a stalled draft with the timer nearly out flags a table by itself (the moment
injected through ``Services.clock``, no waiting). docs/protocol.md, "Help";
the reasons and their thresholds: docs/aggregates.md, "Tables that need help"."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.live.drafts import TableView
from strategyroom.live.help import DRAFT_STALLED_AFTER, TIMER_NEARLY_OUT_SECONDS, Reason, reasons
from strategyroom.live.state import HelpState
from strategyroom.store.db import Database
from strategyroom.store.models import SessionEvent
from tests.conftest import ORIGIN, act, open_session
from tests.protocol import JsonParticipant, receive_text
from tests.test_tables import browser_join, frames_until

pytestmark = pytest.mark.both_modes

DECK = "tables-test.yaml"


def flag_text(page: str, table: int) -> str | None:
    """The words of a table's flag on the console (None: not flagged)."""
    found = re.search(rf'<div class="help-flag" id="help-flag-{table}">(.*?)</div>', page, re.S)
    if found is None:
        return None
    words = re.sub(r"<[^>]+>", " ", found.group(1))
    return html.unescape(" ".join(words.split()))


def frames_until_flag(
    screen: Any, table: int, expected: str | None, stale: str | None = None
) -> str:
    """The console's frames until one shows the table's flag as ``expected``
    (None: the overview without a flag for the table). Frames sent before, for
    an earlier state, are passed over: a push queued before the change the test
    waits for (presence after a connect, the catch-up after the broker's first
    subscribe) is right for its moment, not a stale screen. ``stale``: a flag
    from before a newer one the console showed already, which must not come
    back while waiting (the pushes' order)."""
    seen = []
    for _ in range(100):
        frame = receive_text(screen)
        if 'id="console-tables"' not in frame:
            continue
        shown = flag_text(frame, table)
        assert stale is None or shown != stale, f"the console showed {stale!r} again"
        if shown == expected:
            return frame
        seen.append(shown)
    raise AssertionError(f"table {table}'s flag never showed {expected!r}; it showed {seen}")


def help_panel(page: str) -> str:
    found = re.search(r'<div id="table-help" class="table-help">(.*?)</div>', page, re.S)
    assert found is not None, "no help panel"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def audit(settings: Settings, session_id: str) -> list[tuple[str, dict[str, Any], str | None]]:
    db = Database(settings.effective_database_url)
    with Session(db.engine) as s:
        rows = s.exec(
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id)
            .order_by(col(SessionEvent.seq))
        ).all()
        found = [(r.name, r.data, r.actor) for r in rows if r.name.startswith("help")]
    db.dispose()
    return found


def test_a_member_calls_for_help_and_the_facilitator_answers(
    console: TestClient, browser: Any, settings: Settings, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)
    asking = JsonParticipant(console, code, table=1)
    neighbour = JsonParticipant(console, code, language="da", table=1)
    elsewhere = JsonParticipant(console, code, table=2)
    for person in (asking, neighbour, elsewhere):
        person.connect()
        sockets.append(person)
    phone_client = browser()
    browser_join(phone_client, f"/join/{code}", table="1", language="sv")
    phone = phone_client.websocket_connect(
        f"/ws/participant/{code}", headers={"origin": ORIGIN}
    ).__enter__()
    sockets.append(phone)
    first = frames_until(phone, 'id="table-help"')
    assert help_panel(first) == "Vi behöver hjälp"
    screen = console.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN})
    screen = screen.__enter__()
    sockets.append(screen)
    assert flag_text(frames_until(screen, 'id="console-tables"'), 1) is None

    # The member presses "we need help": the reply says where the call stands.
    asking.send({"type": "help"})
    assert asking.reply("help") == {"type": "help", "table": 1, "state": "requested"}
    # Pressing again while the call stands changes nothing (no second event).
    asking.send({"type": "help"})
    assert asking.reply("help") == {"type": "help", "table": 1, "state": "requested"}
    requested = neighbour.expect_event("help_requested")
    assert requested["data"] == {"table": 1}
    assert help_panel(frames_until(phone, 'id="table-help"')) == (
        "Ditt bord har bett om hjälp; samtalsledaren ser det på sin skärm."
    )
    overview = frames_until_flag(
        screen, 1, "Needs you: a member asked for help On my way to table 1"
    )
    assert flag_text(overview, 2) is None

    # A console reload still shows the flag: it is stored, not only sent.
    assert flag_text(console.get(f"/console/{sid}").text, 1) == (
        "Needs you: a member asked for help On my way to table 1"
    )

    # The facilitator answers; the table's members see help is on the way.
    act(console, sid, "help_acknowledge", table=1)
    assert neighbour.expect_event("help_acknowledged")["data"] == {"table": 1}
    assert help_panel(frames_until(phone, "table-help")) == "Hjälp är på väg."
    overview = frames_until_flag(screen, 1, "Help on the way Mark table 1 helped")
    assert flag_text(overview, 2) is None
    neighbour.close()
    assert neighbour.connect()["help"] == "acknowledged"
    elsewhere.close()
    assert elsewhere.connect()["help"] is None  # another table's call is not theirs to see

    # Marked done: the call is gone everywhere, and pressing again calls anew.
    act(console, sid, "help_done", table=1)
    assert asking.expect_event("help_done")["data"] == {"table": 1}
    # Never the member's call again once help was on the way (frames in order).
    frames_until_flag(
        screen, 1, None, stale="Needs you: a member asked for help On my way to table 1"
    )
    assert help_panel(frames_until(phone, "table-help")) == "Vi behöver hjälp"
    asking.send({"type": "help"})
    assert asking.reply("help") == {"type": "help", "table": 1, "state": "requested"}

    # The facilitator's answers are in the audit log under their name.
    assert audit(settings, sid) == [
        ("help_requested", {"table": 1}, "participant"),
        ("help_acknowledged", {"table": 1}, "alice"),
        ("help_done", {"table": 1}, "alice"),
        ("help_requested", {"table": 1}, "participant"),
    ]


def test_a_tables_call_reaches_its_own_devices_and_the_console_alone(
    console: TestClient, sockets: list[Any]
) -> None:
    """Which table called for help is that table's and the facilitator's: a
    device elsewhere gets each help event as ``elsewhere`` with no data, in its
    place in the sequence (live, and in a replay after a reconnect)."""
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)
    asking = JsonParticipant(console, code, table=1)
    mate = JsonParticipant(console, code, table=1, device="tablet")
    other = JsonParticipant(console, code, table=2)
    nowhere = JsonParticipant(console, code)
    away = JsonParticipant(console, code, table=2)
    for device in (asking, mate, other, nowhere, away):
        device.connect()
        sockets.append(device)
    away.close()  # it resumes after the call, acknowledgement and done

    asking.send({"type": "help"})
    assert asking.reply("help") == {"type": "help", "table": 1, "state": "requested"}
    act(console, sid, "help_acknowledge", table=1)
    act(console, sid, "help_done", table=1)
    names = ["help_requested", "help_acknowledged", "help_done"]
    assert [mate.expect_event(name)["data"] for name in names] == [{"table": 1}] * 3
    start = mate.events[-3]["seq"]
    for device in (other, nowhere):
        frames = [device.expect("event") for _ in names]
        # The same frame as the table's, but for the name and data (no table).
        assert frames == [{**event, "event": "elsewhere", "data": {}} for event in mate.events[-3:]]
        assert [f["seq"] for f in frames] == [start, start + 1, start + 2]
    away.connect(resume=True)
    replayed = [away.receive() for _ in range(4)]
    assert [(f["type"], f.get("event"), f.get("data")) for f in replayed] == [
        ("event", "elsewhere", {}),
        ("event", "elsewhere", {}),
        ("event", "elsewhere", {}),
        ("resumed", None, None),
    ]
    # A device at the table that resumes is replayed the events themselves.
    mate.close()
    mate.state["seq"] = start - 1
    mate.connect(resume=True)
    assert [mate.receive()["event"] for _ in names] == names


def test_help_is_for_a_seated_member_and_the_facilitator_cannot_fake_it(
    console: TestClient, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    unseated = JsonParticipant(console, code)
    unseated.connect()
    sockets.append(unseated)
    unseated.send({"type": "help"})
    refused = unseated.reply("help")
    assert refused["type"] == "error" and refused["code"] == "not_at_table"
    act(console, sid, "tables", count=1)
    # The table's tablet calls for its table as a phone does.
    tablet = JsonParticipant(console, code, table=1, device="tablet")
    tablet.connect()
    sockets.append(tablet)
    tablet.send({"type": "help"})
    assert tablet.reply("help") == {"type": "help", "table": 1, "state": "requested"}
    # The facilitator cannot call for a device: "help" is no console action.
    answer = console.post(
        f"/console/{sid}/actions",
        data={"action": "help", "participant": unseated.id},
        headers={"hx-request": "true"},
    )
    assert answer.status_code == 400, answer.text
    wrong = console.post(
        f"/console/{sid}/actions",
        data={"action": "help_acknowledge", "table": "7"},
        headers={"hx-request": "true"},
    )
    assert wrong.status_code == 404, wrong.text


def test_a_stalled_draft_with_the_timer_nearly_out_flags_the_table_by_itself(
    console: TestClient, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="first")
    act(console, sid, "timer_start")
    one = JsonParticipant(console, code, table=1)
    one.connect()
    sockets.append(one)
    assert one.draft("first", 1, 0, "buses")["revision"] == 1
    state = console.get(f"/api/sessions/{sid}").json()["state"]
    ends_at = datetime.fromisoformat(state["timer"]["ends_at"])
    services = console.app.state.services  # type: ignore[attr-defined]

    # Plenty of time left: no flag.
    services.clock = lambda: ends_at - timedelta(seconds=TIMER_NEARLY_OUT_SECONDS + 1)
    assert flag_text(console.get(f"/console/{sid}").text, 1) is None
    # Nearly out, and the draft untouched since the start (300 s timer): flagged.
    services.clock = lambda: ends_at - timedelta(seconds=TIMER_NEARLY_OUT_SECONDS)
    page = console.get(f"/console/{sid}").text
    assert flag_text(page, 1) == (
        "Needs you: the draft has not moved and time is nearly out On my way to table 1"
    )
    assert flag_text(page, 2) is None  # nobody sits at table 2
    # Submitted: nothing left to stall.
    assert one.submit("first", 1, 1)["status"] == "stored"
    assert flag_text(console.get(f"/console/{sid}").text, 1) is None


def test_the_thresholds_of_the_automatic_reasons() -> None:
    now = datetime(2026, 11, 29, 20, 0)
    moved = TableView("q", 1, "x", revision=3, changed_at=now - DRAFT_STALLED_AFTER)

    def found(**changes: Any) -> tuple[Reason, ...]:
        given: dict[str, Any] = dict(
            asked=None,
            view=moved,
            draft_open=True,
            timer_left=TIMER_NEARLY_OUT_SECONDS,
            agreement=None,
            tablets=0,
            tablets_connected=0,
            now=now,
        )
        return reasons(**{**given, **changes})

    assert found() == (Reason.STALLED,)
    recent = TableView("q", 1, "x", revision=3, changed_at=now - timedelta(seconds=119))
    assert found(view=recent) == ()
    assert found(timer_left=TIMER_NEARLY_OUT_SECONDS + 1) == ()
    assert found(timer_left=None) == ()  # no timer runs
    assert found(draft_open=False) == ()
    assert found(agreement=0.49) == (Reason.STALLED, Reason.SPLIT)
    assert found(draft_open=False, agreement=0.5) == ()
    assert found(draft_open=False, tablets=1) == (Reason.TABLET_QUIET,)
    assert found(draft_open=False, tablets=1, tablets_connected=1) == ()
    assert found(draft_open=False, asked=HelpState.REQUESTED) == (Reason.ASKED,)
    assert found(draft_open=False, asked=HelpState.ACKNOWLEDGED) == ()
