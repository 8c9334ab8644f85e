"""The Redis pub/sub broker for the scale-out mode.

One connection per worker carries every subscription (one per session with
sockets here), so a thousand phones on a worker cost one subscription, not a
thousand. Pub/sub is at-most-once, and this backend does not know what the
messages mean: when its connection was interrupted it reports ``Reconnected``
once it is subscribed again, and the caller catches up.

When Redis goes away the worker goes on serving what it can: answers are still
stored (the database is the source of truth), publishing is skipped, and one
line is logged; the reader reconnects with backoff and resubscribes. The reader
survives any exception, not only Redis and OS errors (uvloop raises
``RuntimeError`` for a transport closed under redis-py's reconnect): such an
error is logged once, with its traceback, and handled like an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from strategyroom.broker import Message, Reconnected

log = logging.getLogger(__name__)

KEEPALIVE = "strategyroom:keepalive"
FIRST_RETRY_SECONDS = 0.2
LAST_RETRY_SECONDS = 5.0


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
        self._queue: asyncio.Queue[Message | Reconnected] = asyncio.Queue(maxsize=max_queued)
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        # So an outage is logged once, not once per publish or retry.
        self._down = False
        # Whether messages may have been missed since the reader last listened.
        self._interrupted = False
        self._connected_at = 0.0

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
        pubsub = self._pubsub
        if pubsub is not None and self._connected.is_set():
            try:
                await pubsub.subscribe(channel)
            except Exception as error:
                # Make the reader reconnect: it subscribes every channel again.
                self._went_down(error)
                await _close(pubsub)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        if self._pubsub is not None and self._connected.is_set():
            try:
                await self._pubsub.unsubscribe(channel)
            except Exception:
                # Harmless: messages on a channel nobody reads are ignored, and
                # the next connection does not subscribe it again.
                log.debug("could not unsubscribe %s", channel, exc_info=True)

    async def publish(self, channel: str, payload: str) -> None:
        if self._down:
            # Don't make every answer wait for a connect timeout: the reader
            # reconnects and reports it, and the caller catches up then.
            return
        try:
            await self._redis.publish(channel, payload)
        except Exception as error:
            self._went_down(error)
            # Publishing stays off until the reader has reconnected (and
            # reported it); make it reconnect even if its own connection
            # survived whatever made this publish fail.
            await _close(self._pubsub)

    async def next_published(self) -> Message | Reconnected:
        return await self._queue.get()

    def _went_down(self, error: BaseException) -> None:
        self._connected.clear()
        self._interrupted = True
        if self._down:
            return
        self._down = True
        if isinstance(error, RedisError | OSError):
            log.warning(
                "Redis at %s is unavailable; live updates pause, answers are still stored",
                _safe(self.url),
            )
        else:
            log.error(
                "Redis at %s: unexpected error; live updates pause while reconnecting",
                _safe(self.url),
                exc_info=error,
            )

    def _put(self, item: Message | Reconnected) -> None:
        if self._queue.full() and isinstance(item, Reconnected):
            # It must not be lost: make room. The message dropped for it is
            # caught up with the rest, since that is what Reconnected asks for.
            self._queue.get_nowait()
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            log.warning("broker queue full; dropped a message")

    async def _read(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._went_down(error)
            else:
                # The connection was closed under the reader (by a failed
                # publish or subscribe), which already reported the outage.
                self._interrupted = True
            self._connected.clear()
            await _close(self._pubsub)
            self._pubsub = None
            if time.monotonic() - self._connected_at > LAST_RETRY_SECONDS:
                # It was listening for a while: a new outage. (Not on every
                # connection, or an error that recurs at once would be retried
                # and logged five times a second.)
                delay = FIRST_RETRY_SECONDS
            await asyncio.sleep(delay)
            delay = min(delay * 2, LAST_RETRY_SECONDS)

    async def _listen(self) -> None:
        """Connect, subscribe every channel, and queue what arrives."""
        pubsub = self._redis.pubsub()
        self._pubsub = pubsub
        # A pub/sub connection stops listening when it has no subscription
        # left; this one keeps it open between sessions.
        subscribed = {KEEPALIVE, *self._channels}
        await pubsub.subscribe(*subscribed)
        self._connected.set()
        # Channels added during that await found the connection not ready.
        if late := self._channels - subscribed:
            await pubsub.subscribe(*late)
        confirmed = False
        async for message in pubsub.listen():
            kind = message.get("type")
            if kind == "message":
                channel, data = message["channel"], message["data"]
                self._put(
                    Message(
                        channel.decode() if isinstance(channel, bytes) else channel,
                        data.decode() if isinstance(data, bytes) else data,
                    )
                )
            elif kind == "subscribe" and not confirmed:
                # Redis has answered, so every channel of that SUBSCRIBE is in
                # place: only now is the connection back (a connection that
                # fails before answering is the same outage, logged once).
                confirmed = True
                self._back()

    def _back(self) -> None:
        self._connected_at = time.monotonic()
        if self._down:
            log.warning("Redis at %s is back", _safe(self.url))
        self._down = False
        if self._interrupted or self._channels:
            # Messages published before these subscriptions took effect were
            # not heard (on the first connection: since the subscribe calls).
            self._interrupted = False
            self._put(Reconnected())


async def _close(pubsub: aioredis.client.PubSub | None) -> None:
    if pubsub is None:
        return
    with contextlib.suppress(Exception):
        # redis-py 8 leaves PubSub.aclose unannotated.
        await pubsub.aclose()  # type: ignore[no-untyped-call]


def _safe(url: str) -> str:
    """The URL without a password, for logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
