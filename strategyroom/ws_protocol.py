"""uvicorn's websocket protocol with less memory per open socket.

A hall of phones holds thousands of sockets open for an evening, and each
socket's fixed cost is most of a participant's memory (docs/performance.md,
"Memory per participant"). uvicorn's ``websockets-sansio`` protocol (its
default with the pinned uvicorn 0.54) gives every connection an
``asyncio.Queue`` for the frames it received and an ``asyncio.Event`` for
"writable": five ``deque`` objects between them, each with a 64-slot block,
about 4 KB per socket, although at most a frame or two ever waits (uvicorn
stops reading a socket until its app took the last frame) and only the one
handler task ever waits on either. It also keeps the handshake's request and
response (headers included) for as long as the socket is open, and never
needs them after the handshake.

``LeanWebSocketProtocol`` is the same protocol with those replaced: ``Inbox``
and ``Flag`` do what uvicorn asks of the queue and the event with a list and
a future made only while someone waits, and the handshake's request and
response are dropped once the socket is accepted (or refused). Behaviour is
unchanged: the same frames in the same order, the same back-pressure
(``writable`` clears while the transport's buffer is full, and ``send``
waits), the same close handshake (``tests/test_ws_protocol.py``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class Inbox:
    """What uvicorn asks of its queue of received messages (``put_nowait``,
    ``get``, ``empty``), for one reader: the socket's own ASGI app."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = [item]
        else:
            self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            if self._waiter is not None:
                raise RuntimeError("a socket's messages have one reader")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.pop(0)
        if not self._items:
            self._items = None
        return item

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0


class Flag:
    """``asyncio.Event``'s ``is_set``, ``set``, ``clear`` and ``wait``, with the
    waiters' list made only while someone waits (a socket whose writing is
    paused: a slow phone)."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if self._set:
            return
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websocket protocol; see the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag()  # type: ignore[assignment]

    async def send(self, message: Any) -> None:
        handshaking = not self.handshake_complete
        await super().send(message)
        if handshaking and self.handshake_complete:
            # Accepted or refused: the handshake's request and response (and
            # their headers) are not read again; the scope keeps its own copy.
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]
