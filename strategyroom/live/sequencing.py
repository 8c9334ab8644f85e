"""Each session's events reach its screens in sequence order, none missed.

Events are applied in sequence order: a duplicate is dropped, and a gap (the
broker is at-most-once) is repaired by reading the missed events from the
database, so no screen stays stale. A lost message is not always followed by
one that shows the gap, so two more things bring screens up to date from the
database (docs/reliability.md): a resynchronisation when the broker reports
that it reconnected (live/hub.py asks for it), and every ``watermark_seconds``
a comparison of the sessions' stored sequence numbers with this worker's
(live/watermark.py), which catches an event whose publish failed on any worker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Generic

from strategyroom.live.clients import C
from strategyroom.live.errors import NotFound
from strategyroom.live.events import Envelope, ParticipantMoved
from strategyroom.live.pushes import Pushes
from strategyroom.live.reading import SessionReader
from strategyroom.live.rooms import Presenter, Room, Rooms
from strategyroom.live.state import LiveState
from strategyroom.live.watermark import marks

log = logging.getLogger(__name__)


class Sequencer(Generic[C]):
    def __init__(
        self,
        reader: SessionReader,
        rooms: Rooms[C],
        pushes: Pushes[C],
        gone: Callable[[Room[C]], Awaitable[None]],
    ) -> None:
        self.reader = reader
        self.rooms = rooms
        self.pushes = pushes
        self.gone = gone  # the session was deleted: close the room's sockets
        self.presenter: Presenter[C] | None = None

    async def on_event(self, room: Room[C], envelope: Envelope) -> None:
        """An event from the stream: applied if it is the next one, dropped if
        the room has it, the missed ones read first if it is not the next."""
        async with room.applying:
            state = room.state
            if envelope.epoch != state.epoch:
                await self._reload(room)
                return
            if envelope.seq <= state.seq:
                return
            if envelope.seq > state.seq + 1:
                log.info(
                    "session %s: events %d-%d missed, reading them",
                    room.session_id,
                    state.seq + 1,
                    envelope.seq - 1,
                )
                await self._catch_up(room)
                return
            await self._deliver(room, [envelope])

    async def resync(self, room: Room[C]) -> None:
        """The broker may have lost messages: catch up from the database, then
        refresh the live counts (tallies, presence)."""
        async with room.applying:
            try:
                fresh = await self.reader.state(room.session_id)
            except NotFound:
                await self.gone(room)
                return
            if fresh.epoch != room.state.epoch:
                await self._reload(room, fresh)
            elif fresh.seq > room.state.seq:
                await self._catch_up(room)
        self.pushes.mark(room, tally=room.state.open_question, presence=True)

    async def watch(self, watermark_seconds: float) -> None:
        """Compare every ``watermark_seconds`` each session's stored sequence
        with this worker's, and catch up a session that is behind."""
        failing = False
        while True:
            await asyncio.sleep(watermark_seconds)
            try:
                await self._check_watermarks()
            except asyncio.CancelledError:
                raise
            except Exception:
                if not failing:  # once, not every few seconds while the database is away
                    log.exception("could not check the sessions' sequence numbers")
                failing = True
            else:
                failing = False

    async def _check_watermarks(self) -> None:
        session_ids = self.rooms.session_ids()
        if not session_ids:
            return
        stored = await self.reader.db.run(partial(marks, session_ids=session_ids))
        for session_id in session_ids:
            room = self.rooms.get(session_id)
            if room is None:
                continue
            mark = stored.get(session_id)
            if mark is None:  # deleted, and the news of it was lost
                await self.gone(room)
            elif mark.epoch != room.state.epoch or mark.seq > room.state.seq:
                log.info(
                    "session %s: at %d in the database, %d here; reading the missed events",
                    session_id,
                    mark.seq,
                    room.state.seq,
                )
                await self.resync(room)

    async def _catch_up(self, room: Room[C]) -> None:
        """Deliver every stored event newer than the room's state, in one fan-out."""
        missed = await self.reader.events_since(room.session_id, room.state.seq)
        await self._deliver(room, [e for e in missed if e.epoch == room.state.epoch])

    async def _deliver(self, room: Room[C], envelopes: list[Envelope]) -> None:
        """Apply events that follow the room's state and send them to its sockets."""
        assert self.presenter is not None
        if not envelopes:
            return
        state = room.state
        for envelope in envelopes:
            state = state.apply(envelope)
            if isinstance(envelope.event, ParticipantMoved):
                for client in room.clients:
                    if client.participant_id == envelope.event.participant:
                        client.table = envelope.event.table
        room.state = state
        for client in room.clients:
            if not client.ready:
                client.backlog.extend(envelopes)
        await self.presenter.events(room, envelopes, room.ready_clients())
        self.pushes.keep_ticking(room)

    async def _reload(self, room: Room[C], fresh: LiveState | None = None) -> None:
        """The epoch changed: events cannot be patched in, every screen is redrawn."""
        assert self.presenter is not None
        room.state = fresh or await self.reader.state(room.session_id)
        await self.presenter.resync(room, room.ready_clients())
