"""The hub: this worker's side of the fan-out.

It keeps one broker subscription per session that has sockets on this worker
(live/rooms.py), reads every message from one stream, and hands the news to the
presenter, which renders each frame once and sends the same bytes to every
socket that needs it. Events go through the sequencer (live/sequencing.py),
which applies them in order and repairs gaps from the database; the live counts
and the countdown are pushed by live/pushes.py.

When the broker reports that it reconnected, every session here is re-read and
the other workers are told to re-read it too (what this worker published may
not have reached them).

The web layer reaches the sockets only through the methods here (a socket's
state, a device's sockets, closing sockets), never through the rooms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic

from strategyroom.broker import Broker, Message, Reconnected
from strategyroom.live.clients import CLOSE_NORMAL, C, Client
from strategyroom.live.events import Envelope
from strategyroom.live.news import (
    DraftChanged,
    PresenceChanged,
    ResyncAsked,
    SessionDeleted,
    TallyChanged,
    decode,
    publish,
)
from strategyroom.live.presence import Presence
from strategyroom.live.pushes import Pushes
from strategyroom.live.reading import SessionReader
from strategyroom.live.rooms import DraftKey, Presenter, Room, Rooms
from strategyroom.live.sequencing import Sequencer
from strategyroom.live.state import LiveState

log = logging.getLogger(__name__)


class Hub(Generic[C]):
    def __init__(
        self,
        broker: Broker,
        reader: SessionReader,
        presence: Presence,
        coalesce_seconds: float = 0.2,
        tick_seconds: float = 5.0,
        watermark_seconds: float = 3.0,
    ) -> None:
        self.broker = broker
        self.reader = reader
        self.presence = presence
        self.presenter: Presenter[C] | None = None
        self.watermark_seconds = watermark_seconds
        self._rooms: Rooms[C] = Rooms(broker, reader)
        self.pushes: Pushes[C] = Pushes(coalesce_seconds, tick_seconds)
        self._sequencer = Sequencer(reader, self._rooms, self.pushes, self._close_all)
        self._reader: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def start(self, presenter: Presenter[C]) -> None:
        self.presenter = self.pushes.presenter = self._sequencer.presenter = presenter
        self._reader = asyncio.create_task(self._read(), name="hub-reader")
        self._watcher = asyncio.create_task(
            self._sequencer.watch(self.watermark_seconds), name="hub-watermark"
        )

    async def stop(self) -> None:
        candidates = [self._reader, self._watcher] + [
            t for r in self._rooms for t in (r.flush_task, r.tick_task)
        ]
        tasks = [t for t in candidates if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- sockets coming and going ----------------------------------------------

    async def attach(
        self, client: Client[C], greet: Callable[[LiveState], Awaitable[None]]
    ) -> None:
        """Register a socket and bring it up to date.

        ``greet`` sends the snapshot (or replay) for the given state and sets
        ``client.seq``. Events that arrive meanwhile wait in the client's backlog
        and are sent after it, so nothing falls between snapshot and stream.
        """
        room = await self._rooms.open(client.session_id)
        room.clients.add(client)
        if client.participant_id is not None:
            room.device_sockets[client.participant_id] += 1
        flushes = room.flushes
        await greet(room.state)
        while client.backlog:
            pending = [e for e in client.backlog if e.seq > client.seq]
            client.backlog.clear()
            if pending and self.presenter is not None:
                await self.presenter.events(room, pending, [client])
        client.ready = True  # no await since the backlog was found empty
        self.pushes.keep_ticking(room)
        if room.flushes != flushes and room.state.open_question:
            self.pushes.mark(room, tally=room.state.open_question)
        if client.participant_id is not None:
            await self.presence.add(client.session_id, client.participant_id)
            await publish(self.broker, PresenceChanged(room.session_id))

    async def detach(self, client: Client[C]) -> None:
        room = self._rooms.get(client.session_id)
        if room is None or client not in room.clients:
            return
        room.clients.discard(client)
        if client.participant_id is not None:
            room.device_sockets[client.participant_id] -= 1
            if room.device_sockets[client.participant_id] <= 0:
                del room.device_sockets[client.participant_id]
        if client.participant_id is not None and client.ready:
            await self.presence.remove(client.session_id, client.participant_id)
            await publish(self.broker, PresenceChanged(room.session_id))
        await self._rooms.close_if_empty(room)

    # -- what the web layer asks of the sockets here ------------------------------

    def state_of(self, client: Client[C]) -> LiveState:
        """The session's state as the attached ``client``'s room has it."""
        room = self._rooms.get(client.session_id)
        if room is None:
            raise KeyError(f"no room for session {client.session_id}")
        return room.state

    def version_of(self, client: Client[C]) -> tuple[LiveState, int]:
        """What the attached ``client``'s room shows a phone now: its state, and
        how much news of answers and drafts it has had (a screen drawn from
        the same pair shows the same; a newer one is on its way to it)."""
        room = self._rooms.get(client.session_id)
        if room is None:
            raise KeyError(f"no room for session {client.session_id}")
        return room.state, room.figure_news

    def sockets_of(self, session_id: str, participant_id: str) -> int:
        """How many sockets a participant's device has open on this worker."""
        room = self._rooms.get(session_id)
        return room.device_sockets.get(participant_id, 0) if room is not None else 0

    async def close_where(
        self,
        match: Callable[[Client[C]], bool],
        session_id: str | None = None,
        code: int = CLOSE_NORMAL,
    ) -> None:
        """Close the sockets here (of one session, or of all) that ``match``."""
        if session_id is None:
            rooms = list(self._rooms)
        else:
            rooms = [room] if (room := self._rooms.get(session_id)) is not None else []
        for room in rooms:
            for client in [c for c in room.clients if match(c)]:
                await client.connection.close(code)

    async def _close_all(self, room: Room[C]) -> None:
        """The session was deleted: stop its countdown and live counts, and close
        its sockets (nothing is left to show). The room itself goes when its last
        socket has closed (``detach``), which can take a close handshake."""
        room.deleted = True
        self.reader.forget(room.session_id)
        room.stop_tasks()
        for client in list(room.clients):
            with contextlib.suppress(Exception):
                await client.connection.close()

    # -- the stream --------------------------------------------------------------

    async def _read(self) -> None:
        failing = False
        while True:
            try:
                item = await self.broker.next_published()
            except asyncio.CancelledError:
                raise
            except Exception:
                # A backend must not raise here; if one does, keep reading.
                if not failing:
                    log.exception("the broker failed to deliver; reading on")
                failing = True
                await asyncio.sleep(1)
                continue
            failing = False
            if isinstance(item, Reconnected):
                await self._reconnected()
            else:
                await self._on_message(item)

    async def _on_message(self, message: Message) -> None:
        try:
            news = decode(message.payload)
            room = self._rooms.get(news.session_id) if news is not None else None
            if room is None:
                return
            match news:
                case Envelope():
                    await self._sequencer.on_event(room, news)
                case TallyChanged(question=question):
                    self.pushes.mark(room, tally=question)
                case PresenceChanged():
                    self.pushes.mark(room, presence=True)
                case DraftChanged(question=question, table=table):
                    self.pushes.mark(room, draft=DraftKey(question, table))
                case ResyncAsked():
                    # Another worker reconnected: what it published may be lost.
                    await self._sequencer.resync(room)
                case SessionDeleted():
                    await self._close_all(room)
        except asyncio.CancelledError:
            raise
        except Exception:
            # One bad message or one failing session must not stop the stream.
            log.exception("could not deliver a message on %s", message.channel)

    async def _reconnected(self) -> None:
        """The broker is back after an interruption. Messages may have been lost
        both ways: re-read every session shown here, and tell the other workers
        to re-read it (its events are caught by their watermark check anyway,
        but a lost tally, presence or draft signal is not)."""
        log.warning(
            "the broker reconnected; re-reading the %d sessions shown here", len(self._rooms)
        )
        for room in self._rooms:
            try:
                await self._sequencer.resync(room)
                await publish(self.broker, ResyncAsked(room.session_id))
            except Exception:
                log.exception("could not resynchronise session %s", room.session_id)
