"""The updates that no event carries: live counts and the countdown.

Tallies (answers changed), table drafts and presence changes are coalesced per
session to a few updates a second, because counting is the expensive part, not
sending. A coalesced frame is built from the session's state when its round
starts; a screen that an event brought past that state meanwhile is not sent it
(it would undo the event), and the news goes out again from the newer state.
A round and a countdown push never interleave (``Room.pushing``): frames reach
a screen in the order they were built.

While a card's discussion timer runs, every socket of the session is sent the
remaining time every ``tick_seconds`` (computed from the stored deadline,
rendered once per group), so pages count down without scripts.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Generic

from strategyroom.live.clients import C
from strategyroom.live.rooms import DraftKey, Presenter, Room

log = logging.getLogger(__name__)


def round_name(session_id: str) -> str:
    """The name of a session's coalesced round's task, by which a traceback or
    a test tells it from the others."""
    return f"live-counts:{session_id}"


class Pushes(Generic[C]):
    def __init__(self, coalesce_seconds: float, tick_seconds: float) -> None:
        self.coalesce_seconds = coalesce_seconds
        self.tick_seconds = tick_seconds
        self.presenter: Presenter[C] | None = None

    def mark(
        self,
        room: Room[C],
        tally: str | None = None,
        presence: bool = False,
        draft: DraftKey | None = None,
    ) -> None:
        """News to send in the room's next coalesced round (started if none runs)."""
        if room.deleted:
            return
        if tally:
            room.dirty_tallies.add(tally)
            room.figure_news += 1
        if draft is not None:
            room.dirty_drafts.add(draft)
            room.figure_news += 1
        room.dirty_presence |= presence
        if room.flush_task is None or room.flush_task.done():
            room.flush_task = asyncio.create_task(
                self._flush(room), name=round_name(room.session_id)
            )

    async def _flush(self, room: Room[C]) -> None:
        assert self.presenter is not None
        # Loop until nothing is dirty: news that comes in while a flush is being
        # sent is sent by the next round, never left waiting for more news.
        while room.dirty_tallies or room.dirty_presence or room.dirty_drafts:
            await asyncio.sleep(self.coalesce_seconds)
            tallies, room.dirty_tallies = room.dirty_tallies, set()
            presence, room.dirty_presence = room.dirty_presence, False
            drafts, room.dirty_drafts = room.dirty_drafts, set()
            room.flushes += 1
            try:
                async with room.pushing:
                    await self._round(room, tallies, presence, drafts)
            except Exception:
                log.exception("could not send live counts for session %s", room.session_id)

    async def _round(
        self, room: Room[C], tallies: set[str], presence: bool, drafts: set[DraftKey]
    ) -> None:
        assert self.presenter is not None
        # News whose frames were held back from a screen already past their
        # state is dirty again: the next round draws it afresh.
        if tallies and not await self.presenter.tallies(room, tallies, room.ready_clients()):
            room.dirty_tallies |= tallies
        if presence and not await self.presenter.presence(room, room.ready_clients()):
            room.dirty_presence = True
        if drafts and not await self.presenter.drafts(room, drafts, room.ready_clients()):
            room.dirty_drafts |= drafts

    def keep_ticking(self, room: Room[C]) -> None:
        """Run the room's countdown pushes while its timer runs and has time left."""
        timer = room.state.timer
        running = timer is not None and timer.seconds_left(datetime.now(UTC)) > 0
        if running and not room.deleted and (room.tick_task is None or room.tick_task.done()):
            room.tick_task = asyncio.create_task(self._tick(room))

    async def _tick(self, room: Room[C]) -> None:
        assert self.presenter is not None
        while True:
            timer = room.state.timer
            left = timer.seconds_left(datetime.now(UTC)) if timer else 0
            if timer is None or not timer.running or left <= 0:
                return
            # Wake on the tick, or exactly at the end so "time is up" is on time.
            await asyncio.sleep(min(self.tick_seconds, left))
            if room.state.timer is not timer:
                continue  # an event changed the timer; its frames were sent with it
            try:
                async with room.pushing:  # after a round being sent, never amid it
                    await self.presenter.timer(room, room.ready_clients())
            except Exception:
                log.exception("could not send the timer for session %s", room.session_id)
