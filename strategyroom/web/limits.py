"""Limits that keep one client from hurting the others (docs/security.md).

- Join codes are guessable only by brute force, so failed code look-ups are
  counted per client address: after ``join_attempts_per_minute`` failures in a
  minute that address gets 429 for every code, right or wrong, until the minute
  passes, except for a device that already joined (its socket and its page:
  ``find_session``'s ``joined_only``). Successful look-ups are not counted,
  because a whole venue often shares one address behind the wifi's NAT.
- A socket spends one token per message from a bucket refilled at
  ``socket_messages_per_second`` (five seconds' worth of burst). Messages beyond
  it are dropped unread with a ``rate_limited`` error frame (at most one a
  second); a client that keeps flooding is closed with code 4429.
- Joins (new devices counted into a session) are limited per client address
  by a token bucket: ``joins_per_address`` at once, refilled at
  ``joins_per_address_per_minute``. A venue's phones behind one NAT address
  join together within minutes; a script with the projector's code would
  join thousands in seconds and fill the session.
- Failed logins are counted per account and per client address over
  ``LOGIN_WINDOW_SECONDS``; at either limit a login is answered 429 with
  Retry-After before any password is checked (so a flood costs no hashing, and
  the right password is no oracle while the limit holds). An attempt counts
  as a failure from the moment it starts, so logins sent in parallel cannot
  all slip under the limit before the first is checked; a right password takes
  its attempt back and clears the account's failures.

The counters live in this worker's memory: with N workers an address gets up
to N times the allowance, which still leaves codes and passwords out of reach
of guessing.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection

from strategyroom.live.errors import N_, NotFound, RateLimited
from strategyroom.store.models import RoomSession

if TYPE_CHECKING:
    from strategyroom.web.context import Services

WINDOW_SECONDS = 60.0
LOGIN_WINDOW_SECONDS = 15 * 60.0
# More than this many dropped messages in a row and the socket is closed.
FLOOD_CLOSE_AFTER = 100
CLOSE_FLOODING = 4429
# Keys kept before a sweep drops those with nothing left in the window.
SWEEP_ABOVE = 10_000


class TooManyAttempts(RateLimited):
    """A 429 that says when to come back (the Retry-After header, in seconds)."""

    def __init__(self, message: str, retry_after: float, **params: Any) -> None:
        super().__init__(message, **params)
        self.retry_after = max(1, math.ceil(retry_after))


class FailureCounter:
    """Failures per key (an address, an account) over a sliding window."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[key]  # memory stays bounded by the keys failing now
        return failures

    def count(self, key: str) -> int:
        return len(self._recent(key))

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` is below the limit again; 0 when it is now."""
        failures = self._recent(key)
        if len(failures) < self.limit:
            return 0.0
        return failures[len(failures) - self.limit] + self.window - self.clock()

    def add(self, key: str) -> float:
        if len(self._failures) > SWEEP_ABOVE:
            for old in list(self._failures):
                self._recent(old)
        stamp = self.clock()
        self._failures.setdefault(key, deque()).append(stamp)
        return stamp

    def remove(self, key: str, stamp: float) -> None:
        failures = self._failures.get(key)
        if failures is not None and stamp in failures:
            failures.remove(stamp)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


class JoinGuard:
    """Failed join-code look-ups per client address, over a sliding minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = FailureCounter(per_minute, WINDOW_SECONDS, clock)

    def held(self, address: str) -> TooManyAttempts | None:
        """The refusal for this address while it is over the limit, else None."""
        wait = self.failures.retry_after(address)
        if wait <= 0:
            return None
        return TooManyAttempts(
            N_("Too many wrong codes from your network. Please wait a minute and try again."),
            wait,
        )

    def check(self, address: str) -> None:
        held = self.held(address)
        if held is not None:
            raise held

    def failed(self, address: str) -> None:
        self.failures.add(address)


class JoinRate:
    """Joins per client address: a token bucket per address (``burst`` at
    once, ``per_minute`` more each minute)."""

    def __init__(
        self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst, self.rate, self.clock = float(burst), per_minute / 60, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, stamp)

    def _tokens(self, address: str) -> float:
        tokens, stamp = self._buckets.get(address, (self.burst, self.clock()))
        return min(self.burst, tokens + (self.clock() - stamp) * self.rate)

    def retry_after(self, address: str) -> float:
        """Seconds until this address may join a device again; 0 now."""
        missing = 1 - self._tokens(address)
        return 0.0 if missing <= 0 else missing / self.rate if self.rate > 0 else math.inf

    def take(self, address: str) -> None:
        if len(self._buckets) > SWEEP_ABOVE:  # forget the addresses that are full again
            for old in list(self._buckets):
                if self._tokens(old) >= self.burst:
                    del self._buckets[old]
        self._buckets[address] = (self._tokens(address) - 1, self.clock())


def take_join(svc: Services, connection: HTTPConnection) -> None:
    """Count one new device from this address in, or refuse it (429)."""
    address = client_address(connection)
    wait = svc.join_rate.retry_after(address)
    if wait > 0:
        raise TooManyAttempts(
            N_("Many devices have just joined from your network. Please try again in a moment."),
            wait,
        )
    svc.join_rate.take(address)


@dataclass(frozen=True)
class LoginAttempt:
    account: str
    address: str
    stamp: float


class LoginGuard:
    """Failed logins per account and per client address (module docstring)."""

    def __init__(
        self, per_account: int, per_address: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.accounts = FailureCounter(per_account, LOGIN_WINDOW_SECONDS, clock)
        self.addresses = FailureCounter(per_address, LOGIN_WINDOW_SECONDS, clock)

    @staticmethod
    def _account(username: str) -> str:
        return username.strip().lower()

    def wait(self, username: str, address: str) -> float:
        """Seconds before this account may try from this address; 0 now."""
        return max(
            self.accounts.retry_after(self._account(username)),
            self.addresses.retry_after(address),
        )

    def begin(self, username: str, address: str) -> LoginAttempt:
        """Count the attempt as failed until ``succeeded`` takes it back."""
        account = self._account(username)
        self.accounts.add(account)
        return LoginAttempt(account, address, self.addresses.add(address))

    def succeeded(self, attempt: LoginAttempt) -> None:
        self.accounts.clear(attempt.account)
        self.addresses.remove(attempt.address, attempt.stamp)


def client_address(connection: HTTPConnection) -> str:
    # Behind a proxy listed in STRATEGYROOM_TRUSTED_PROXIES, the address it
    # forwarded (uvicorn's proxy headers middleware, added in web/app.py).
    return connection.client.host if connection.client else "unknown"


async def find_session(
    svc: Services,
    connection: HTTPConnection,
    code: str,
    *,
    shared: bool = False,
    joined_only: bool = False,
) -> RoomSession:
    """The session with this join code, counting failures against the address.
    ``shared``: this worker's shared copy of the row, read from memory, whose
    status may be stale (sockets read it from the live state; a join checks it
    when it counts the device in).

    ``joined_only``: for a participant's socket, which goes on only for a
    device that already joined. A venue often shares one address, so someone
    guessing codes there must not shut out the phones already in the room:
    while the address is over the limit a right code is still looked up, and
    the refusal is left in ``connection.state.join_held``; the caller sends it
    instead of any other refusal (not joined, no such session) when the device
    is not identified, so a guesser learns nothing about the code."""
    address = client_address(connection)
    held = svc.join_guard.held(address)
    if held is not None and not joined_only:
        raise held
    try:
        if shared:
            room = await svc.sessions.shared_row_by_code(code)
        else:
            room = await svc.sessions.by_code(code)
    except NotFound:
        svc.join_guard.failed(address)
        if held is not None:
            raise held from None
        raise
    connection.state.join_held = held
    return room


class TokenBucket:
    """Messages a socket may send: ``rate`` a second, ``burst`` at once."""

    # One per open socket (memory per participant, docs/performance.md).
    __slots__ = ("burst", "clock", "dropped", "last_warning", "rate", "stamp", "tokens")

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
