"""This worker's rooms: the sockets of each session shown here, the state they
were sent, and what is waiting to be sent to them.

A room opens with its session's first socket on this worker, subscribing to the
session's broker channel (one subscription per session, not per socket), and
closes with its last. The ``Presenter`` protocol is what the live layer asks of
the web layer to turn a room's news into frames.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, Protocol

from strategyroom.broker import Broker
from strategyroom.live.clients import C, Client
from strategyroom.live.events import Envelope
from strategyroom.live.news import channel
from strategyroom.live.reading import SessionReader
from strategyroom.live.state import LiveState


class DraftKey(NamedTuple):
    """A table's draft (or submitted answer) to one table question."""

    question: str
    table: int


@dataclass(eq=False)
class Room(Generic[C]):
    """The sockets of one session on this worker and the state they were sent."""

    session_id: str
    state: LiveState
    clients: set[Client[C]] = field(default_factory=set)
    # Open sockets per participant, for the per-device limit (counting them by
    # walking ``clients`` on every connect was quadratic in a reconnect storm).
    device_sockets: Counter[str] = field(default_factory=Counter)
    dirty_tallies: set[str] = field(default_factory=set)
    dirty_presence: bool = False
    dirty_drafts: set[DraftKey] = field(default_factory=set)
    flushes: int = 0
    # Counts the news marked for the answers' figures and the tables' drafts:
    # with ``state``, the version of what a phone's screen shows (a greeting's
    # scenes are loaded once per version, web/greeting.py).
    figure_news: int = 0
    flush_task: asyncio.Task[None] | None = None
    tick_task: asyncio.Task[None] | None = None
    # The session was deleted: its sockets are closing, nothing is sent or
    # scheduled for it any more (its countdown drew a session that is gone).
    deleted: bool = False
    # Held while events are applied to ``state``: the stream, a resync and the
    # watermark check may each find the same missed events.
    applying: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Held while a coalesced round or a countdown push builds and sends its
    # frames: the two run in separate tasks, and a frame built first must
    # reach a screen first (an overview read before a tablet went quiet must
    # not follow one read after it). Events need no part of it: their seq
    # holds an older push back (push_frames.send_built).
    pushing: asyncio.Lock = field(default_factory=asyncio.Lock)

    def ready_clients(self) -> list[Client[C]]:
        return [c for c in self.clients if c.ready]

    def stop_tasks(self) -> None:
        for task in (self.flush_task, self.tick_task):
            if task is not None:
                task.cancel()


class Presenter(Protocol[C]):
    """Renders session news into frames and sends them (implemented by the web layer)."""

    async def events(
        self, room: Room[C], envelopes: list[Envelope], clients: list[Client[C]]
    ) -> None:
        """Bring ``clients`` up to date with ``envelopes`` (all newer than client.seq)."""
        ...

    # The coalesced updates build their frames from ``room.state`` as it is when
    # they start. A client that an event brought past that state meanwhile is
    # not sent the older frame; they return False then, and the hub sends the
    # news again from the newer state.

    async def tallies(
        self, room: Room[C], question_ids: set[str], clients: list[Client[C]]
    ) -> bool: ...

    async def presence(self, room: Room[C], clients: list[Client[C]]) -> bool: ...

    async def drafts(self, room: Room[C], keys: set[DraftKey], clients: list[Client[C]]) -> bool:
        """Table drafts or answers changed: the tables' devices and consoles look again."""
        ...

    async def timer(self, room: Room[C], clients: list[Client[C]]) -> None:
        """The running timer's remaining time, for every screen."""
        ...

    async def resync(self, room: Room[C], clients: list[Client[C]]) -> None:
        """Send full snapshots: the clients' state cannot be patched any more."""
        ...


class Rooms(Generic[C]):
    """The rooms by session id."""

    def __init__(self, broker: Broker, reader: SessionReader) -> None:
        self._broker = broker
        self._reader = reader
        self._rooms: dict[str, Room[C]] = {}
        self._opening: dict[str, asyncio.Lock] = {}

    def get(self, session_id: str) -> Room[C] | None:
        return self._rooms.get(session_id)

    def __iter__(self) -> Iterator[Room[C]]:
        """The rooms open now (a copy: rooms may open and close meanwhile)."""
        return iter(list(self._rooms.values()))

    def __len__(self) -> int:
        return len(self._rooms)

    def session_ids(self) -> list[str]:
        return list(self._rooms)

    async def open(self, session_id: str) -> Room[C]:
        """The session's room, opened (subscribed, its state read) if need be."""
        room = self._rooms.get(session_id)
        if room is not None:
            return room
        lock = self._opening.setdefault(session_id, asyncio.Lock())
        async with lock:
            room = self._rooms.get(session_id)
            if room is None:
                # Subscribe first, then read: an event committed in between is
                # both in the state and on the stream, and the stream copy is
                # dropped as a duplicate by its sequence number.
                await self._broker.subscribe(channel(session_id))
                state = await self._reader.state(session_id)
                room = self._rooms[session_id] = Room(session_id, state)
        self._opening.pop(session_id, None)
        return room

    async def close_if_empty(self, room: Room[C]) -> None:
        """Free a room whose last socket has gone: its tasks and its subscription."""
        # Awaits before this let other sockets of the room detach (or a new room
        # be opened) meanwhile: only the last one out frees this very room.
        if room.clients or self._rooms.get(room.session_id) is not room:
            return
        # A reconnecting client re-subscribes and re-reads the state, which is
        # cheap: the subscription is not kept for it.
        del self._rooms[room.session_id]
        room.stop_tasks()
        await self._broker.unsubscribe(channel(room.session_id))
