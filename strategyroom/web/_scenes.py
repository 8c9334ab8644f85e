"""The scenes of one update: the room's and the console's, each loaded at most
once however many sockets the update goes to (strategyroom.web.presenter)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from strategyroom.web.views import Scene


class Scenes:
    def __init__(self, load: Callable[[bool], Awaitable[Scene]]) -> None:
        self._load = load  # for_console -> the scene
        self._loaded: dict[bool, Scene] = {}

    async def _get(self, for_console: bool) -> Scene:
        if for_console not in self._loaded:
            self._loaded[for_console] = await self._load(for_console)
        return self._loaded[for_console]

    async def room(self) -> Scene:
        return await self._get(False)

    async def console(self) -> Scene:
        return await self._get(True)
