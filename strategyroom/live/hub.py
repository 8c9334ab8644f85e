"""The hub: this worker's side of the fan-out.

It keeps one broker subscription per session that has sockets on this worker
(not one per socket), reads every message from one stream, and hands them to
the presenter, which renders each frame once and sends the same bytes to every
socket that needs it. Events are applied in sequence order: a duplicate is
dropped, and a gap (the broker is at-most-once) is repaired by reading the
missed events from the database, so no screen stays stale.

Tallies (answers changed), table drafts and presence changes are coalesced per
session to a few updates a second, because counting is the expensive part, not
sending. While a card's discussion timer runs, the hub sends every socket of the
session the remaining time every ``tick_seconds`` (computed from the stored
deadline, rendered once per group), so pages count down without scripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal, Protocol

from strategyroom.broker import Broker
from strategyroom.live.events import Envelope, ParticipantMoved
from strategyroom.live.presence import Presence
from strategyroom.live.service import SessionService, channel, signal
from strategyroom.live.state import LiveState

log = logging.getLogger(__name__)


class Role(StrEnum):
    PARTICIPANT = "participant"
    CONSOLE = "console"
    PROJECTOR = "projector"


@dataclass(eq=False)
class Client:
    """One open socket as the hub sees it."""

    role: Role
    session_id: str
    language: str
    format: Literal["html", "json"]
    send: Callable[[str], Awaitable[None]]
    participant_id: str | None = None
    # Where a participant's device sits (kept current from participant_moved events).
    table: int | None = None
    tablet: bool = False
    number: int = 0
    # Closes the socket (for logout); None for sockets that are never closed by us.
    close: Callable[[], Awaitable[None]] | None = None
    # Whether the connection takes more data now (False while the server has
    # paused writing to it); None where that cannot be known. See web/outbox.py.
    writable: Callable[[], bool] | None = None
    # Frames waiting, in order, for a socket that could not take them, and the
    # task sending them.
    outbox: deque[str] | None = None
    drainer: asyncio.Task[None] | None = None
    # The sequence number this client's screen is up to date with.
    seq: int = 0
    ready: bool = False
    # Events that arrived while the client was being greeted with its snapshot.
    backlog: list[Envelope] = field(default_factory=list)
    # Per-socket data the web layer needs (e.g. the facilitator's login).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Room:
    """The sockets of one session on this worker and the state they were sent."""

    session_id: str
    state: LiveState
    clients: set[Client] = field(default_factory=set)
    # Open sockets per participant, for the per-device limit (counting them by
    # walking ``clients`` on every connect was quadratic in a reconnect storm).
    device_sockets: Counter[str] = field(default_factory=Counter)
    dirty_tallies: set[str] = field(default_factory=set)
    dirty_presence: bool = False
    # (question, table) pairs whose draft or table answer changed.
    dirty_drafts: set[tuple[str, int]] = field(default_factory=set)
    flushes: int = 0
    flush_task: asyncio.Task[None] | None = None
    tick_task: asyncio.Task[None] | None = None

    def sockets_of(self, participant_id: str) -> int:
        return self.device_sockets.get(participant_id, 0)

    def ready_clients(self) -> list[Client]:
        return [c for c in self.clients if c.ready]


class Presenter(Protocol):
    """Renders session news into frames and sends them (implemented by the web layer)."""

    async def events(self, room: Room, envelopes: list[Envelope], clients: list[Client]) -> None:
        """Bring ``clients`` up to date with ``envelopes`` (all newer than client.seq)."""
        ...

    async def tallies(self, room: Room, question_ids: set[str], clients: list[Client]) -> None: ...

    async def presence(self, room: Room, clients: list[Client]) -> None: ...

    async def drafts(self, room: Room, keys: set[tuple[str, int]], clients: list[Client]) -> None:
        """Table drafts or answers changed: the tables' devices and consoles look again."""
        ...

    async def timer(self, room: Room, clients: list[Client]) -> None:
        """The running timer's remaining time, for every screen."""
        ...

    async def resync(self, room: Room, clients: list[Client]) -> None:
        """Send full snapshots: the clients' state cannot be patched any more."""
        ...


class Hub:
    def __init__(
        self,
        broker: Broker,
        service: SessionService,
        presence: Presence,
        coalesce_seconds: float = 0.2,
        tick_seconds: float = 5.0,
    ) -> None:
        self.broker = broker
        self.service = service
        self.presence = presence
        self.presenter: Presenter | None = None
        self.coalesce_seconds = coalesce_seconds
        self.tick_seconds = tick_seconds
        self.rooms: dict[str, Room] = {}
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._reader: asyncio.Task[None] | None = None

    async def start(self, presenter: Presenter) -> None:
        self.presenter = presenter
        self._reader = asyncio.create_task(self._read(), name="hub-reader")

    async def stop(self) -> None:
        candidates = [self._reader] + [
            t for r in self.rooms.values() for t in (r.flush_task, r.tick_task)
        ]
        tasks = [t for t in candidates if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- sockets coming and going ----------------------------------------------

    async def attach(self, client: Client, greet: Callable[[LiveState], Awaitable[None]]) -> None:
        """Register a socket and bring it up to date.

        ``greet`` sends the snapshot (or replay) for the given state and sets
        ``client.seq``. Events that arrive meanwhile wait in the client's backlog
        and are sent after it, so nothing falls between snapshot and stream.
        """
        room = await self._room(client.session_id)
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
        self._keep_ticking(room)
        if room.flushes != flushes and room.state.open_question:
            self._mark_dirty(room, tally=room.state.open_question)
        if client.participant_id is not None:
            await self.presence.add(client.session_id, client.participant_id)
            await self.broker.publish(
                channel(client.session_id), signal("presence", room.session_id)
            )

    async def detach(self, client: Client) -> None:
        room = self.rooms.get(client.session_id)
        if room is None or client not in room.clients:
            return
        room.clients.discard(client)
        if client.drainer is not None:
            client.drainer.cancel()  # frames queued for a socket that is gone
        if client.participant_id is not None:
            room.device_sockets[client.participant_id] -= 1
            if room.device_sockets[client.participant_id] <= 0:
                del room.device_sockets[client.participant_id]
        if client.participant_id is not None and client.ready:
            await self.presence.remove(client.session_id, client.participant_id)
            await self.broker.publish(
                channel(client.session_id), signal("presence", room.session_id)
            )
        # The awaits above let other sockets of this room detach (or a new room
        # be opened) meanwhile: only the last one out frees this very room.
        if not room.clients and self.rooms.get(client.session_id) is room:
            # Keep listening briefly? No: a reconnecting client re-subscribes and
            # re-reads the state, which is cheap. Free the subscription now.
            del self.rooms[client.session_id]
            for task in (room.flush_task, room.tick_task):
                if task is not None:
                    task.cancel()
            await self.broker.unsubscribe(channel(client.session_id))

    async def close_login(self, login: str) -> None:
        """Close every console socket opened under a login that has just logged out."""
        for room in list(self.rooms.values()):
            for client in list(room.clients):
                if client.extra.get("login") == login and client.close is not None:
                    await client.close()

    async def _close_all(self, room: Room) -> None:
        """The session was deleted: close its sockets (nothing is left to show)."""
        for client in list(room.clients):
            if client.close is not None:
                with contextlib.suppress(Exception):
                    await client.close()

    async def _room(self, session_id: str) -> Room:
        room = self.rooms.get(session_id)
        if room is not None:
            return room
        lock = self._room_locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(session_id)
            if room is None:
                # Subscribe first, then read: an event committed in between is
                # both in the state and on the stream, and the stream copy is
                # dropped as a duplicate by its sequence number.
                await self.broker.subscribe(channel(session_id))
                state = await self.service.state(session_id)
                room = self.rooms[session_id] = Room(session_id, state)
        self._room_locks.pop(session_id, None)
        return room

    # -- the stream --------------------------------------------------------------

    async def _read(self) -> None:
        while True:
            message = await self.broker.next_published()
            try:
                data = json.loads(message.payload)
                room = self.rooms.get(data.get("session", ""))
                if room is None:
                    continue
                kind = data.get("type")
                if kind == "event":
                    await self._on_event(room, Envelope.from_dict(data))
                elif kind == "tally":
                    self._mark_dirty(room, tally=str(data.get("question", "")))
                elif kind == "presence":
                    self._mark_dirty(room, presence=True)
                elif kind == "draft":
                    key = (str(data.get("question", "")), int(data.get("table", 0)))
                    room.dirty_drafts.add(key)
                    self._mark_dirty(room)
                elif kind == "resync":
                    await self._resync(room)
                elif kind == "deleted":
                    self.service.forget(room.session_id)
                    await self._close_all(room)
            except asyncio.CancelledError:
                raise
            except Exception:
                # One bad message or one failing session must not stop the stream.
                log.exception("could not deliver a message on %s", message.channel)

    async def _on_event(self, room: Room, envelope: Envelope) -> None:
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

    async def _resync(self, room: Room) -> None:
        """The broker may have lost messages (it reconnected): catch up from the
        database, then refresh the live counts."""
        fresh = await self.service.state(room.session_id)
        if fresh.epoch != room.state.epoch:
            await self._reload(room, fresh)
        elif fresh.seq > room.state.seq:
            await self._catch_up(room)
        self._mark_dirty(room, tally=room.state.open_question, presence=True)

    async def _catch_up(self, room: Room) -> None:
        """Deliver every stored event newer than the room's state, in one fan-out."""
        missed = await self.service.events_since(room.session_id, room.state.seq)
        await self._deliver(room, [e for e in missed if e.epoch == room.state.epoch])

    async def _deliver(self, room: Room, envelopes: list[Envelope]) -> None:
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
        self._keep_ticking(room)

    def _keep_ticking(self, room: Room) -> None:
        """Run the room's countdown pushes while its timer runs and has time left."""
        timer = room.state.timer
        running = timer is not None and timer.seconds_left(datetime.now(UTC)) > 0
        if running and (room.tick_task is None or room.tick_task.done()):
            room.tick_task = asyncio.create_task(self._tick(room))

    async def _tick(self, room: Room) -> None:
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
                await self.presenter.timer(room, room.ready_clients())
            except Exception:
                log.exception("could not send the timer for session %s", room.session_id)

    async def _reload(self, room: Room, fresh: LiveState | None = None) -> None:
        """The epoch changed: events cannot be patched in, every screen is redrawn."""
        assert self.presenter is not None
        room.state = fresh or await self.service.state(room.session_id)
        await self.presenter.resync(room, room.ready_clients())

    def _mark_dirty(self, room: Room, tally: str | None = None, presence: bool = False) -> None:
        if tally:
            room.dirty_tallies.add(tally)
        room.dirty_presence |= presence
        if room.flush_task is None or room.flush_task.done():
            room.flush_task = asyncio.create_task(self._flush(room))

    async def _flush(self, room: Room) -> None:
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
                if tallies:
                    await self.presenter.tallies(room, tallies, room.ready_clients())
                if presence:
                    await self.presenter.presence(room, room.ready_clients())
                if drafts:
                    await self.presenter.drafts(room, drafts, room.ready_clients())
            except Exception:
                log.exception("could not send live counts for session %s", room.session_id)
