"""The broker carries session messages between worker processes.

The interface is deliberately small (after encode/broadcaster): a worker
subscribes to the channels of the sessions it has sockets for, publishes what
happens, and reads everything published on its channels from one stream. The
backend is chosen by URL: in-process memory by default, Redis pub/sub with
``REDIS_URL``. Delivery is at-most-once in both: messages carry sequence numbers
and the receiving hub repairs gaps from the database.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol


class Message(NamedTuple):
    channel: str
    payload: str


class Broker(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    async def publish(self, channel: str, payload: str) -> None: ...

    async def next_published(self) -> Message:
        """Wait for the next message on any subscribed channel."""
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


__all__ = ["Broker", "Message", "make_broker"]
