"""Password checks, away from the threads and the core that serve the room.

An argon2 verification takes tens of milliseconds of CPU and 64 MiB, spread
over four lanes of its own. Run in the database threads, as it was, a flood of
wrong logins took all of them: answers and joins waited behind the hashing
(32 looping wrong logins pushed a resident's answer ack from 10 ms to seconds).

So checks run in a pool of their own, one thread by default, with a bounded
queue: when ``max_waiting`` checks already wait, a login is refused at once
with 429 instead of queueing without end. The thread lowers its own CPU
priority (Linux ``setpriority`` on the thread; argon2's lane threads inherit
it), so when the cores are short the event loop and the database threads run
first and a login waits a little longer. Argon2's C code releases the GIL
while it hashes. The per-account and per-address limits (web/limits.py) keep
a flood from reaching this pool at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from strategyroom import accounts
from strategyroom.live.errors import N_
from strategyroom.store.models import Facilitator
from strategyroom.web.limits import TooManyAttempts

THREADS = 1
MAX_WAITING = 16
# Niceness of the hashing thread (19 is the lowest priority).
NICENESS = 19


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


class PasswordChecker:
    def __init__(self, threads: int = THREADS, max_waiting: int = MAX_WAITING) -> None:
        self.max_waiting = max_waiting
        self._pool = ThreadPoolExecutor(
            threads, thread_name_prefix="password", initializer=_lower_priority
        )
        self._pending = 0  # checks queued or running; only touched on the event loop

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """A place in the queue for one login (its account look-up and its
        check), or 429 at once when ``max_waiting`` logins already hold one:
        a refused login costs neither a database thread nor a hash."""
        if self._pending >= self.max_waiting:
            raise TooManyAttempts(
                N_("The server is busy checking other logins. Please try again in a moment."), 1
            )
        self._pending += 1
        try:
            yield
        finally:
            self._pending -= 1

    async def matches(self, facilitator: Facilitator | None, password: str) -> bool:
        """Whether the password is right, checked in the pool (call within a turn)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, accounts.password_matches, facilitator, password
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
