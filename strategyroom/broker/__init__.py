"""The broker carries session messages between worker processes.

The interface is deliberately small (after encode/broadcaster): a worker
subscribes to the channels of the sessions it has sockets for, publishes what
happens, and reads everything published on its channels from one stream. The
backend is chosen by URL: in-process memory by default, Redis pub/sub with
``REDIS_URL``. Delivery is at-most-once in both: messages carry sequence numbers
and the receiving hub repairs gaps from the database.

A backend knows nothing of the application: it never reads a channel name or a
payload. What it cannot deliver it reports on the same stream: after its
connection was interrupted and has come back (and its subscriptions are in
place again), ``next_published`` returns ``Reconnected`` once, in order with the
messages. Whatever was published meanwhile may be lost; the caller decides how
to catch up (the hub re-reads its sessions from the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol


class Message(NamedTuple):
    channel: str
    payload: str


@dataclass(frozen=True)
class Reconnected:
    """The backend is connected again after an interruption: messages on any
    channel may have been lost in between (published by this worker or others)."""


class Broker(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    async def publish(self, channel: str, payload: str) -> None:
        """Send ``payload`` to every subscriber of ``channel`` on any worker, or
        drop it (never raise) if the backend cannot: callers have already
        committed what the message announces."""
        ...

    async def next_published(self) -> Message | Reconnected:
        """Wait for the next message on any subscribed channel, or the news
        that the backend reconnected (a backend that never loses its
        connection, like the in-process one, never returns ``Reconnected``)."""
        ...


def make_broker(url: str) -> Broker:
    """A broker for ``memory://`` (or an empty URL) or ``redis://`` / ``rediss://``."""
    if not url or url.startswith("memory://"):
        from strategyroom.broker.memory import MemoryBroker

        return MemoryBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from strategyroom.broker.redis import RedisBroker

        return RedisBroker(url)
    raise ValueError(f"unsupported broker URL scheme: {url.split(':', 1)[0]!r}")


__all__ = ["Broker", "Message", "Reconnected", "make_broker"]
