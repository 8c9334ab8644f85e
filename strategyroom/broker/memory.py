"""The in-process broker for the embedded mode: one process, no network."""

from __future__ import annotations

import asyncio
import logging

from strategyroom.broker import Message

log = logging.getLogger(__name__)


class MemoryBroker:
    def __init__(self, max_queued: int = 10_000) -> None:
        # Bounded, so a stalled reader cannot grow memory without limit; a message
        # dropped here is a sequence gap that the hub repairs from the database.
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=max_queued)
        self._channels: set[str] = set()

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._channels.clear()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def publish(self, channel: str, payload: str) -> None:
        if channel not in self._channels:
            return
        try:
            self._queue.put_nowait(Message(channel, payload))
        except asyncio.QueueFull:
            log.warning("broker queue full; dropped a message on %s", channel)

    async def next_published(self) -> Message:
        return await self._queue.get()
