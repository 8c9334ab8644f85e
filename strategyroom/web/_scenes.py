"""The web's way into the read model (strategyroom.live.readmodel): the scene of
a page, and the scenes of one update, each loaded at most once however many
sockets the update goes to (strategyroom.web.presenter)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from strategyroom.live.clients import Client, Role
from strategyroom.live.policy import Audience
from strategyroom.live.readmodel import SceneReader, narrow
from strategyroom.live.scene import Scene
from strategyroom.live.state import LiveState
from strategyroom.store.models import RoomSession
from strategyroom.web.context import Services
from strategyroom.web.views import join_url


def read_model(svc: Services) -> SceneReader:
    return SceneReader(svc.sessions, svc.hub.presence, svc.insights, svc.clock)


async def scene_for(
    svc: Services, audience: Audience, room: RoomSession, state: LiveState
) -> Scene:
    """The scene of one audience's page."""
    return await read_model(svc).scene_for(audience, room, state, join_url(svc, room))


def audience_of(client: Client[Any]) -> Audience:
    """Who a socket's screen is for: the console, the projector, or a device at its seat."""
    if client.role is Role.CONSOLE:
        return Audience.console()
    if client.role is Role.PROJECTOR:
        return Audience.projector()
    return Audience.device(client.table, client.tablet)


class Scenes:
    def __init__(self, load: Callable[[Audience], Awaitable[Scene]]) -> None:
        self._load = load  # the console, or the whole room -> its scene
        # Each shared load runs once, however many sockets ask at the same
        # time (the phones greeted together in a reconnect storm).
        self._shared: dict[Audience, asyncio.Future[Scene]] = {}
        self._narrowed: dict[Audience, Scene] = {}

    async def of(self, audience: Audience) -> Scene:
        """The scene of one audience: the shared load (the console's or the
        room's), narrowed to it once for every socket of that audience."""
        shared = Audience.console() if audience.is_console else Audience.room()
        loading = self._shared.get(shared)
        if loading is None:
            # The first asker loads it in its own task (a round's reads run
            # in the round's task) and hands it to those who ask meanwhile.
            loading = self._shared[shared] = asyncio.get_running_loop().create_future()
            try:
                scene = await self._load(shared)
            except BaseException:
                del self._shared[shared]
                loading.cancel()  # those waiting try again themselves
                raise
            loading.set_result(scene)
        else:
            try:
                # Shielded: a waiter cancelled (its socket closed) must not
                # cancel what the others wait for.
                scene = await asyncio.shield(loading)
            except asyncio.CancelledError:
                if not loading.cancelled():
                    raise  # this asker was cancelled
                return await self.of(audience)
        if audience not in self._narrowed:
            self._narrowed[audience] = narrow(scene, audience)
        return self._narrowed[audience]

    async def console(self) -> Scene:
        return await self.of(Audience.console())


async def scenes_of(svc: Services, session_id: str, state: LiveState) -> Scenes:
    """The scenes of one update of a session, loaded as they are asked for."""
    row = await svc.sessions.shared_row(session_id)
    url = join_url(svc, row)
    reader = read_model(svc)
    return Scenes(lambda shared: reader.load(shared, row, state, url))


async def scene_of(svc: Services, session_id: str, state: LiveState, audience: Audience) -> Scene:
    """The scene of one audience of a live session (a socket's reply)."""
    return await (await scenes_of(svc, session_id, state)).of(audience)
