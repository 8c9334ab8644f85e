"""Limits that keep one client from hurting the others (docs/security.md).

- Join codes are guessable only by brute force, so failed code look-ups are
  counted per client address: after ``join_attempts_per_minute`` failures in a
  minute that address gets 429 for every code, right or wrong, until the minute
  passes. Successful look-ups are not counted, because a whole venue often shares
  one address behind the wifi's NAT.
- A socket spends one token per message from a bucket refilled at
  ``socket_messages_per_second`` (five seconds' worth of burst). Messages beyond
  it are dropped unread with a ``rate_limited`` error frame (at most one a
  second); a client that keeps flooding is closed with code 4429.

The counters live in this worker's memory: with N workers an address gets up
to N times the allowance, which still leaves codes out of reach of guessing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from strategyroom.live.errors import N_, NotFound, RateLimited
from strategyroom.store.models import RoomSession

if TYPE_CHECKING:
    from strategyroom.web.context import Services

WINDOW_SECONDS = 60.0
# More than this many dropped messages in a row and the socket is closed.
FLOOD_CLOSE_AFTER = 100
CLOSE_FLOODING = 4429


class JoinGuard:
    """Failed join-code look-ups per client address, over a sliding minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.setdefault(address, deque())
        cutoff = self.clock() - WINDOW_SECONDS
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[address]  # keep memory bounded by active guessers
        return failures

    def check(self, address: str) -> None:
        if len(self._recent(address)) >= self.per_minute:
            raise RateLimited(
                N_("Too many wrong codes from your network. Please wait a minute and try again.")
            )

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, deque()).append(self.clock())


def client_address(connection: HTTPConnection) -> str:
    # uvicorn's proxy_headers puts the real address here behind a trusted proxy.
    return connection.client.host if connection.client else "unknown"


async def find_session(
    svc: Services, connection: HTTPConnection, code: str, *, shared: bool = False
) -> RoomSession:
    """The session with this join code, counting failures against the address.
    ``shared``: this worker's shared copy of the row, read from memory, whose
    status may be stale (sockets read it from the live state; a join checks it
    when it counts the device in)."""
    address = client_address(connection)
    svc.join_guard.check(address)
    try:
        if shared:
            return await svc.sessions.shared_row_by_code(code)
        return await svc.sessions.by_code(code)
    except NotFound:
        svc.join_guard.failed(address)
        raise


class TokenBucket:
    """Messages a socket may send: ``rate`` a second, ``burst`` at once."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.stamp = clock()
        self.dropped = 0  # messages dropped since the last one let through
        self.last_warning = float("-inf")

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.dropped = 0
            return True
        self.dropped += 1
        return False

    def should_warn(self) -> bool:
        """One error frame a second at most, so a flood is not answered by a flood."""
        now = self.clock()
        if now - self.last_warning >= 1:
            self.last_warning = now
            return True
        return False

    @property
    def flooding(self) -> bool:
        return self.dropped > FLOOD_CLOSE_AFTER


def socket_bucket(svc: Services) -> TokenBucket:
    rate = svc.settings.socket_messages_per_second
    return TokenBucket(rate, max(1.0, rate * 5))
