"""The Redis pub/sub broker for the scale-out mode.

One connection per worker carries every subscription (one per session with
sockets here), so a thousand phones on a worker cost one subscription, not a
thousand. Pub/sub is at-most-once: what is lost while Redis is away is repaired
by the hub, which re-reads a session's state when this broker reports that it
is back (a ``resync`` message per channel) or when it sees a sequence gap.

When Redis goes away the worker goes on serving what it can: answers are still
stored (the database is the source of truth), publishing is skipped, and one
line is logged; the reader reconnects with backoff and resubscribes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from strategyroom.broker import Message

log = logging.getLogger(__name__)

RESYNC = "resync"
KEEPALIVE = "strategyroom:keepalive"


def redis_client(url: str) -> aioredis.Redis:
    """A client whose commands wait for a free pooled connection: redis-py's
    default pool raises MaxConnectionsError beyond 100 concurrent commands,
    which a burst of a few thousand answers or joins reaches (the benchmark did)."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=50, timeout=10, socket_timeout=5, socket_connect_timeout=2
    )
    return aioredis.Redis(connection_pool=pool)


class RedisBroker:
    def __init__(self, url: str, max_queued: int = 10_000) -> None:
        self.url = url
        self._redis = redis_client(url)
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=max_queued)
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._down = False  # so an outage is logged once, not once per publish

    async def connect(self) -> None:
        self._reader = asyncio.create_task(self._read(), name="redis-broker-reader")
        # Start serving even if Redis is down: the reader keeps trying.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), 5)

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await _close(self._pubsub)
        await self._redis.aclose()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        if self._pubsub is not None and self._connected.is_set():
            try:
                await self._pubsub.subscribe(channel)
            except (RedisError, OSError):
                self._went_down()  # the reader resubscribes every channel on reconnect

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        if self._pubsub is not None and self._connected.is_set():
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(channel)

    async def publish(self, channel: str, payload: str) -> None:
        if self._down:
            # Don't make every answer wait for a connect timeout: the reader
            # reconnects, and the resync then brings every screen up to date.
            return
        try:
            await self._redis.publish(channel, payload)
        except (RedisError, OSError):
            self._went_down()
            # Publishing stays off until the reader has reconnected (and
            # resynchronised); make it reconnect even if its own connection
            # survived whatever made this publish fail.
            if self._pubsub is not None:
                await _close(self._pubsub)

    async def next_published(self) -> Message:
        return await self._queue.get()

    def _went_down(self) -> None:
        self._connected.clear()
        if not self._down:
            self._down = True
            log.warning(
                "Redis at %s is unavailable; live updates pause, answers are still stored",
                _safe(self.url),
            )

    def _put(self, message: Message) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("broker queue full; dropped a message on %s", message.channel)

    async def _read(self) -> None:
        delay = 0.2
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.ping()
                self._pubsub = pubsub
                # A pub/sub connection stops listening when it has no
                # subscription left; this one keeps it open between sessions.
                await pubsub.subscribe(KEEPALIVE, *self._channels)
                was_down = self._down
                self._down = False
                self._connected.set()
                delay = 0.2
                if was_down:
                    log.warning("Redis at %s is back; resynchronising live views", _safe(self.url))
                    for channel in list(self._channels):
                        self._put(Message(channel, _resync(channel)))
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    channel, data = message["channel"], message["data"]
                    self._put(
                        Message(
                            channel.decode() if isinstance(channel, bytes) else channel,
                            data.decode() if isinstance(data, bytes) else data,
                        )
                    )
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                self._went_down()
            self._connected.clear()
            await _close(self._pubsub)
            self._pubsub = None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def _close(pubsub: aioredis.client.PubSub | None) -> None:
    if pubsub is None:
        return
    with contextlib.suppress(RedisError, OSError):
        # redis-py 8 leaves PubSub.aclose unannotated.
        await pubsub.aclose()  # type: ignore[no-untyped-call]


def _resync(channel: str) -> str:
    session = channel.split(":", 1)[1] if ":" in channel else channel
    return json.dumps({"type": RESYNC, "session": session})


def _safe(url: str) -> str:
    """The URL without a password, for logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
