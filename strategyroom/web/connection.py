"""A websocket as the live layer's ``Connection`` (strategyroom.live.clients):
its way out (web/outbox.py), how it is closed, and what the web needs to draw
its frames and to find it again (the frame format and language, the
facilitator behind a console)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal, TypeAlias

from starlette.websockets import WebSocket

from strategyroom.live.clients import CLOSE_NORMAL, Client
from strategyroom.live.rooms import Room
from strategyroom.web.outbox import Outbox

Format = Literal["html", "json"]


class SocketConnection(Outbox):
    __slots__ = ("_websocket", "facilitator", "format", "language", "login")

    def __init__(
        self,
        websocket: WebSocket,
        format: Format,
        language: str,
        send: Callable[[str], Awaitable[None]],
        writable: Callable[[], bool] | None,
        login: str | None = None,
        facilitator: int | None = None,
        write: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(send, writable, write)
        self._websocket = websocket
        self.format: Format = format
        self.language = language
        # A console's facilitator: their sockets close when they log out or are
        # taken off the session.
        self.login = login
        self.facilitator = facilitator

    async def close(self, code: int = CLOSE_NORMAL) -> None:
        await self._websocket.close(code=code)


# A socket as the hub keeps it, with this connection, and a room of them.
WebClient: TypeAlias = Client[SocketConnection]
WebRoom: TypeAlias = Room[SocketConnection]
