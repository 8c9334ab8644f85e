"""Sending a frame to one socket without letting a slow socket hold up the rest.

The presenter sends each frame to thousands of sockets in turn. uvicorn's
``send`` waits while the server has paused writing to a connection because its
buffer is full: a phone on a bad network that stopped reading, or one that
vanished without closing. A fan-out that awaited it stalled every socket after
it, for every later event, until the keepalive ping gave up on that phone (up
to 40 s). So a socket that cannot take more data now gets its frames queued, in
order, and sent by a task of its own as it drains; the others go on at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# Frames kept for one slow socket (a few minutes of a busy evening). A socket
# that falls further behind is about to be closed by the keepalive ping; its
# phone then reconnects and gets a fresh snapshot.
OUTBOX_LIMIT = 1000
# Sockets sent to per turn of the event loop by a fan-out (web/presenter.py,
# web/push_frames.py): about 10 ms of sends, then the loop serves the rest.
SEND_SLICE = 300


def breathe(i: int) -> bool:
    """Whether a fan-out yields to the event loop (``await asyncio.sleep(0)``)
    before its ``i``-th socket: one loop over thousands of sockets stalled
    every other one (the event-loop lag of docs/performance.md). A plain
    function, so the sockets in between cost no coroutine."""
    return i > 0 and i % SEND_SLICE == 0


class Outbox:
    """One socket's way out: ``send`` goes at once while the socket takes data,
    and queues behind what it is still waiting to take while it does not."""

    __slots__ = ("_drainer", "_queue", "_send", "_writable", "_write")

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        writable: Callable[[], bool] | None,
        write: Callable[[str], bool] | None = None,
    ) -> None:
        self._send = send
        # Writes a frame to the connection at once, without awaiting, when it
        # can (web/wire.py), and says whether it did; None where it never can.
        self._write = write
        # Whether the connection takes more data now (False while the server
        # has paused writing to it); None where that cannot be known.
        self._writable = writable
        # Frames waiting, in order, and the task sending them.
        self._queue: deque[str] | None = None
        self._drainer: asyncio.Task[None] | None = None

    def write(self, frame: str) -> bool:
        """Write the frame now if nothing is queued and the connection takes it
        at once; False (nothing written) when it must go through ``send``.

        The fan-out's fast path: a plain call per socket, no coroutine."""
        if self._queue is not None or self._write is None:
            return False
        try:
            return self._write(frame)
        except Exception:  # the socket is going away; its handler detaches it
            log.debug("could not write to a socket")
            return True

    async def send(self, frame: str) -> None:
        """Send now, or queue behind what this socket is still waiting to take."""
        if self._queue is not None:
            if len(self._queue) < OUTBOX_LIMIT:
                self._queue.append(frame)
            return
        if self._writable is not None and not self._writable():
            self._queue = deque([frame])
            self._drainer = asyncio.create_task(self._drain(), name="slow-socket")
            return
        if self._write is not None:
            try:
                if self._write(frame):
                    return
            except Exception:
                log.debug("could not write to a socket")
                return
        try:
            await self._send(frame)
        except Exception:  # the socket is going away; its handler detaches it
            log.debug("could not send to a socket")

    def discard(self) -> None:
        """The socket is gone: drop the frames still queued for it."""
        if self._drainer is not None:
            self._drainer.cancel()

    async def _drain(self) -> None:
        try:
            while self._queue:
                await self._send(self._queue.popleft())
        except Exception:
            log.debug("could not send to a slow socket")
        finally:
            # Nothing awaits between the last check and here: a frame queued
            # meanwhile was sent by the loop above.
            self._queue = None
            self._drainer = None
