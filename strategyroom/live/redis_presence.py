"""Presence shared by every worker, kept in Redis, expiring with its worker.

Each worker writes its connected participants into one sorted set per session,
``presence:<session>``, as ``<worker>:<participant>`` scored by an expiry time
that a heartbeat pushes forward. A worker that dies stops the heartbeat, and its
participants drop out of the count within ``TTL_SECONDS``; the heartbeat of any
live worker that sweeps them away announces the new count. The key itself
expires ``TTL_SECONDS`` after the last write of any worker (each write and
heartbeat pushes it forward), so nothing stays in Redis once every worker of a
session has died. If Redis is away,
the count falls back to this worker's own sockets and the heartbeat rewrites
everything once Redis is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter

from redis.exceptions import RedisError

from strategyroom.broker import Broker
from strategyroom.broker.redis import redis_client
from strategyroom.live.news import PresenceChanged, publish

log = logging.getLogger(__name__)

TTL_SECONDS = 30.0
HEARTBEAT_SECONDS = 5.0


def _key(session_id: str) -> str:
    return f"presence:{session_id}"


def _participant(member: object) -> str:
    text = member.decode() if isinstance(member, bytes) else str(member)
    return text.split(":", 1)[1]


class RedisPresence:
    def __init__(
        self,
        url: str,
        broker: Broker,
        ttl: float = TTL_SECONDS,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._redis = redis_client(url)
        self._broker = broker
        self._ttl = ttl
        self._heartbeat = heartbeat
        self._worker = uuid.uuid4().hex[:12]
        self._local: dict[str, Counter[str]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._beat(), name="presence-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(RedisError, OSError):
            for session_id, sockets in self._local.items():
                if sockets:
                    await self._redis.zrem(_key(session_id), *(self._member(p) for p in sockets))
        await self._redis.aclose()

    def _member(self, participant_id: str) -> str:
        return f"{self._worker}:{participant_id}"

    async def add(self, session_id: str, participant_id: str) -> None:
        sockets = self._local.setdefault(session_id, Counter())
        sockets[participant_id] += 1
        if sockets[participant_id] == 1:
            with contextlib.suppress(RedisError, OSError):
                await self._write(session_id, [participant_id], time.time())

    async def remove(self, session_id: str, participant_id: str) -> None:
        sockets = self._local.get(session_id)
        if sockets is None or sockets[participant_id] <= 0:
            return
        sockets[participant_id] -= 1
        if sockets[participant_id] == 0:
            del sockets[participant_id]
            with contextlib.suppress(RedisError, OSError):
                await self._redis.zrem(_key(session_id), self._member(participant_id))
        # Another remove may have emptied and dropped this session during the await.
        if not sockets and self._local.get(session_id) is sockets:
            del self._local[session_id]

    async def count(self, session_id: str) -> int:
        return len(await self.connected(session_id))

    async def connected(self, session_id: str) -> set[str]:
        try:
            members = await self._redis.zrangebyscore(_key(session_id), time.time(), "+inf")
        except (RedisError, OSError):
            return set(self._local.get(session_id, ()))
        # A participant with sockets on two workers counts once.
        return {_participant(member) for member in members}

    async def _write(self, session_id: str, participants: list[str], now: float) -> None:
        """Add or refresh members, and push the key's expiry forward with them."""
        key = _key(session_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {self._member(p): now + self._ttl for p in participants})
            pipe.pexpire(key, int(self._ttl * 1000))
            await pipe.execute()

    async def _beat(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                await self._refresh()
            except (RedisError, OSError):
                log.debug("presence heartbeat could not reach Redis")
            except Exception:
                # Whatever it is, the heartbeat must go on, or this worker's
                # participants drop out of the count.
                if not failing:
                    log.exception("presence heartbeat failed")
                failing = True
            else:
                failing = False

    async def _refresh(self) -> None:
        now = time.time()
        for session_id, sockets in list(self._local.items()):
            if sockets:
                await self._write(session_id, list(sockets), now)
            swept = await self._redis.zremrangebyscore(_key(session_id), "-inf", now)
            if swept:
                await publish(self._broker, PresenceChanged(session_id))
