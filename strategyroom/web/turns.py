"""Turns of the event loop shared out among sockets' messages.

A hall answering at once delivers thousands of frames in a few milliseconds.
The event loop reads every ready socket in one poll and then runs every woken
handler in the same turn: each parses, checks and queues its answer, so one
turn took all of them (the burst's event-loop lag of docs/performance.md, half
a second at N = 2,000 on a loaded machine), and every other socket, fan-out and
timer waited behind it. Here a message's handling starts only when its turn
comes: at most ``per_turn`` start in one turn of the loop, the rest wait, in
the order they arrived, for the next turns.

Nothing is dropped or reordered: one socket's messages are handled one after
the other by its own handler, which waits here before each.
"""

from __future__ import annotations

import asyncio
from collections import deque

# Messages handled per turn of the loop: at ~50-100 µs each, 10 ms or less.
MESSAGES_PER_TURN = 100


class Turnstile:
    __slots__ = ("_passed", "_per_turn", "_scheduled", "_waiting")

    def __init__(self, per_turn: int = MESSAGES_PER_TURN) -> None:
        self._per_turn = per_turn
        # How many went through in this turn of the loop.
        self._passed = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._scheduled = False

    async def enter(self) -> None:
        """Return at once while this turn has room; else wait for a later turn."""
        if not self._waiting and self._passed < self._per_turn:
            self._passed += 1
            self._next_turn()
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        self._next_turn()
        try:
            await future
        except asyncio.CancelledError:
            # A handler cancelled while waiting (its socket closed) gives its
            # place to the next one if it had been let through.
            if future.done() and not future.cancelled():
                self._passed -= 1
            raise

    def _next_turn(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._turn)

    def _turn(self) -> None:
        """A new turn of the loop: let the next ones through."""
        self._scheduled = False
        self._passed = 0
        while self._waiting and self._passed < self._per_turn:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(None)
                self._passed += 1
        if self._waiting or self._passed:
            self._next_turn()
