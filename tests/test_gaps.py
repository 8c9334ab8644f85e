"""A broker that loses messages (Redis pub/sub is at-most-once): the hub sees the
gap in sequence numbers and reads what it missed from the database.

The broker here is a custom backend written in the test, which also shows that
the Broker interface is all the app needs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from strategyroom.broker import Message
from strategyroom.broker.memory import MemoryBroker
from strategyroom.config import Settings
from strategyroom.web.app import create_app
from tests.conftest import ORIGIN, act, login, open_session
from tests.protocol import JsonParticipant


class LossyBroker:
    """Delivers through an in-process queue, but drops the events it is told to."""

    def __init__(self) -> None:
        self._inner = MemoryBroker()
        self.drop_events = 0
        self.dropped: list[int] = []

    async def connect(self) -> None:
        await self._inner.connect()

    async def disconnect(self) -> None:
        await self._inner.disconnect()

    async def subscribe(self, channel: str) -> None:
        await self._inner.subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        await self._inner.unsubscribe(channel)

    async def publish(self, channel: str, payload: str) -> None:
        message = json.loads(payload)
        if message["type"] == "event" and self.drop_events:
            self.drop_events -= 1
            self.dropped.append(message["seq"])
            return
        await self._inner.publish(channel, payload)

    async def next_published(self) -> Message:
        return await self._inner.next_published()


@pytest.fixture
def lossy() -> LossyBroker:
    return LossyBroker()


@pytest.fixture
def client(settings: Settings, facilitator: str, lossy: LossyBroker) -> Iterator[TestClient]:
    with TestClient(create_app(settings, broker=lossy), base_url=ORIGIN) as test_client:
        test_client.headers["x-csrf-token"] = login(test_client)
        yield test_client


def test_missed_events_are_read_from_the_database(client: TestClient, lossy: LossyBroker) -> None:
    session = open_session(client)
    people = [JsonParticipant(client, session["join_code"]) for _ in range(2)]
    for person in people:
        person.connect()
    lossy.drop_events = 2
    act(client, session["id"], "show_card", card=0)
    act(client, session["id"], "show_card", card=3)
    act(client, session["id"], "open", question="street")  # this one arrives: seq 3 after 0
    assert lossy.dropped == [1, 2]
    for person in people:
        frames = [person.expect("event") for _ in range(3)]
        assert [f["seq"] for f in frames] == [1, 2, 3]
        assert [f["event"] for f in frames] == ["card_shown", "card_shown", "question_opened"]
        assert person.state == client.get(f"/api/sessions/{session['id']}").json()["state"]
        person.close()
