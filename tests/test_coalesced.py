"""The coalesced live updates (counts, presence, table drafts) and the events
that overtake them: a frame built from an older state than a screen already has
is never sent to it, and the news it carried still arrives, drawn afresh.

A coalesced round reads the room's state when it starts and then awaits reads
of its own; events delivered meanwhile reach the screens first. Here a presence
backend written in the test holds the round's read of who is connected until the
facilitator's next action has reached the console, so the overtaking happens
every time instead of only on a busy machine."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from starlette.testclient import TestClient

from strategyroom.live.presence import Presence
from strategyroom.live.pushes import round_name
from strategyroom.web.context import Services
from tests.conftest import ORIGIN, act, open_session
from tests.protocol import JsonParticipant, receive_until

DECK = "tables-test.yaml"


class HeldPresence:
    """The app's presence, except that once armed, the next read of who is
    connected made by a coalesced round waits until ``let_go``."""

    def __init__(self, inner: Presence) -> None:
        self.inner = inner
        self.armed = False
        self.holding = threading.Event()  # set (for the test's thread) while held
        self._release = asyncio.Event()

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    async def add(self, session_id: str, participant_id: str) -> None:
        await self.inner.add(session_id, participant_id)

    async def remove(self, session_id: str, participant_id: str) -> None:
        await self.inner.remove(session_id, participant_id)

    async def count(self, session_id: str) -> int:
        return await self.inner.count(session_id)

    async def connected(self, session_id: str) -> set[str]:
        task = asyncio.current_task()
        if self.armed and task is not None and task.get_name() == round_name(session_id):
            self.armed = False
            self.holding.set()
            await self._release.wait()
        return await self.inner.connected(session_id)

    async def let_go(self) -> None:
        self._release.set()


def test_a_coalesced_frame_never_undoes_a_newer_event(
    console: TestClient, sockets: list[Any]
) -> None:
    svc: Services = console.app.state.services  # type: ignore[attr-defined]
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    live = console.websocket_connect(f"/ws/console/{sid}", headers={"origin": ORIGIN})
    live = live.__enter__()
    sockets.append(live)
    receive_until(live, 'id="table-row-1"')
    held = HeldPresence(svc.hub.presence)
    svc.hub.presence = held
    held.armed = True

    # A phone sits down at table 1: the presence round starts from the state
    # with one table, and waits for its read of who is connected.
    phone = JsonParticipant(console, code, table=1)
    phone.connect()
    sockets.append(phone)
    assert held.holding.wait(10), "the presence round never read who is connected"
    # Meanwhile the facilitator sets up four tables: the console shows them.
    act(console, sid, "tables", count=4)
    receive_until(live, 'id="table-row-4"')

    # The held round goes on; then the facilitator shows a card, whose frame
    # closes the frames this test looks at.
    console.portal.call(held.let_go)  # type: ignore[union-attr]

    async def settled() -> None:
        while rounds := {t for t in asyncio.all_tasks() if t.get_name() == round_name(sid)}:
            await asyncio.wait(rounds)

    console.portal.call(settled)  # type: ignore[union-attr]
    act(console, sid, "show_card", card=0)
    between = []
    while "Showing card 1 of " not in (frame := receive_until(live, 'id="console-tables"')):
        between.append(frame)

    # No frame took the three new tables away again, and the phone's arrival
    # was drawn again from the state with four tables.
    assert between, "the presence news was not sent again"
    for update in between:
        assert 'id="table-row-4"' in update
        row = update.split('id="table-row-1"')[1].split("</tr>")[0]
        assert '<td class="table-connected">1 / 1</td>' in row
