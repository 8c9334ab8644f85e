"""The live layer needs nothing of the web to run its sockets: a connection and
a presenter written here, behind the live layer's ``Connection`` and
``Presenter`` protocols, get the greeting and then every event in order, and
the hub answers for its sockets (their state, a device's sockets) and closes
the ones a predicate picks. As tests/test_gaps.py does for the broker, this
shows the protocols are all the hub needs."""

from __future__ import annotations

import asyncio
from pathlib import Path

from strategyroom import accounts
from strategyroom.broker.memory import MemoryBroker
from strategyroom.decks.loader import load_deck
from strategyroom.live.clients import CLOSE_NORMAL, Client, Role
from strategyroom.live.events import Envelope
from strategyroom.live.hub import Hub
from strategyroom.live.presence import MemoryPresence
from strategyroom.live.rooms import DraftKey, Room
from strategyroom.live.service import SessionService
from strategyroom.live.state import LiveState
from strategyroom.web.app import prepare_database
from tests.conftest import PASSWORD, TEST_DECKS, make_settings


class Recorder:
    """A connection that keeps what it is sent and how it was closed."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[str] = asyncio.Queue()
        self.closed: list[int] = []

    async def send(self, frame: str) -> None:
        self.frames.put_nowait(frame)

    async def close(self, code: int = CLOSE_NORMAL) -> None:
        self.closed.append(code)

    async def next(self) -> str:
        return await asyncio.wait_for(self.frames.get(), 10)


class Plain:
    """A presenter that sends each event's sequence number and name."""

    async def greet(self, client: Client[Recorder], state: LiveState) -> None:
        await client.connection.send(f"snapshot {state.seq}")
        client.seq = state.seq

    async def events(
        self, room: Room[Recorder], envelopes: list[Envelope], clients: list[Client[Recorder]]
    ) -> None:
        for client in clients:
            for envelope in envelopes:
                if envelope.seq > client.seq:
                    await client.connection.send(f"{envelope.seq} {envelope.event.name}")
                    client.seq = envelope.seq

    async def tallies(
        self, room: Room[Recorder], question_ids: set[str], clients: list[Client[Recorder]]
    ) -> bool:
        return True

    async def presence(self, room: Room[Recorder], clients: list[Client[Recorder]]) -> bool:
        return True

    async def drafts(
        self, room: Room[Recorder], keys: set[DraftKey], clients: list[Client[Recorder]]
    ) -> bool:
        return True

    async def timer(self, room: Room[Recorder], clients: list[Client[Recorder]]) -> None:
        return None

    async def resync(self, room: Room[Recorder], clients: list[Client[Recorder]]) -> None:
        for client in clients:
            await self.greet(client, room.state)


async def evening(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    db = prepare_database(settings)
    alice = db.call(lambda s: accounts.add_facilitator(s, "alice", PASSWORD).id, write=True)
    broker = MemoryBroker()
    await broker.connect()
    service = SessionService(db, broker)
    hub: Hub[Recorder] = Hub(broker, service, MemoryPresence())
    presenter = Plain()
    await hub.start(presenter)
    try:
        room = await service.create(load_deck(TEST_DECKS / "town-test.yaml"), "Hub", alice)
        projector = Client(Recorder(), Role.PROJECTOR, room.id)
        phone = Client(Recorder(), Role.PARTICIPANT, room.id, participant_id="p1")
        for client in (projector, phone):
            await hub.attach(client, lambda state, c=client: presenter.greet(c, state))
            assert await client.connection.next() == "snapshot 0"
        assert hub.sockets_of(room.id, "p1") == 1
        assert hub.sockets_of(room.id, "p2") == 0

        await service.command(room.id, "show_card", {"card": 3}, "alice")
        await service.command(room.id, "open", {"question": "street"}, "alice")
        for client in (projector, phone):
            assert [await client.connection.next() for _ in range(2)] == [
                "1 card_shown",
                "2 question_opened",
            ]
        assert hub.state_of(phone).open_question == "street"

        await hub.close_where(lambda client: client.role is Role.PROJECTOR)
        assert (projector.connection.closed, phone.connection.closed) == ([CLOSE_NORMAL], [])

        for client in (projector, phone):
            await hub.detach(client)
        assert hub.sockets_of(room.id, "p1") == 0
    finally:
        await hub.stop()
        await broker.disconnect()
        db.dispose()


def test_the_hub_runs_sockets_through_its_protocols_alone(tmp_path: Path) -> None:
    asyncio.run(evening(tmp_path))
