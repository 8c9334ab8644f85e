"""The Redis broker against real Redis: delivery between workers, and a Redis
restart that ends with every subscriber resubscribed and told to resync."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest
import redis

from strategyroom.broker import Message, make_broker
from strategyroom.broker.memory import MemoryBroker
from strategyroom.broker.redis import RedisBroker
from tests.conftest import require_redis
from tests.live import RedisProcess

pytestmark = pytest.mark.anyio


async def next_message(broker: RedisBroker | MemoryBroker, within: float = 10) -> Message:
    return await asyncio.wait_for(broker.next_published(), within)


def test_brokers_are_chosen_by_url() -> None:
    assert isinstance(make_broker(""), MemoryBroker)
    assert isinstance(make_broker("memory://"), MemoryBroker)
    assert isinstance(make_broker("redis://127.0.0.1:6379/0"), RedisBroker)
    with pytest.raises(ValueError, match="unsupported broker URL scheme: 'amqp'"):
        make_broker("amqp://x")


async def test_workers_see_each_others_messages() -> None:
    url = require_redis()
    a, b = RedisBroker(url), RedisBroker(url)
    await a.connect()
    await b.connect()
    try:
        channel = f"session:test-{time.monotonic_ns()}"
        await a.subscribe(channel)
        await asyncio.sleep(0.2)  # let the subscription reach Redis
        await b.publish(channel, '{"n": 1}')
        assert await next_message(a) == Message(channel, '{"n": 1}')
        await a.unsubscribe(channel)
        await asyncio.sleep(0.2)
        await b.publish(channel, '{"n": 2}')
        with pytest.raises(TimeoutError):
            await next_message(a, within=0.5)
    finally:
        await a.disconnect()
        await b.disconnect()


async def test_a_redis_restart_ends_in_resubscription_and_resync(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisProcess(tmp_path).start()
    worker = RedisBroker(server.url)
    await worker.connect()
    try:
        await worker.subscribe("session:abc")
        await asyncio.sleep(0.2)
        with caplog.at_level(logging.WARNING, logger="strategyroom.broker.redis"):
            server.stop()
            for _ in range(5):  # publishing while Redis is away is not an error
                await worker.publish("session:abc", "lost")
            await asyncio.sleep(1)
            server.start()
            message = await next_message(worker, within=15)
        assert message == Message("session:abc", json.dumps({"type": "resync", "session": "abc"}))
        lines = [r.getMessage() for r in caplog.records]
        assert sum("is unavailable" in line for line in lines) == 1
        assert sum("is back" in line for line in lines) == 1
        # Subscribed again: live messages flow.
        other = redis.Redis(port=server.port)
        other.publish("session:abc", "after")
        other.close()
        assert await next_message(worker) == Message("session:abc", "after")
    finally:
        await worker.disconnect()
        server.stop()
