"""A socket as the live layer sees it: whose screen it is, how far that screen
is, and the connection its frames go out on.

The connection is the web layer's (web/connection.py) behind the small
``Connection`` protocol: the hub and its helpers only ever hand it a prepared
frame or close it. What a frame looks like (HTML or JSON, which language) is
the web's business; ``Client`` is generic in the connection so that the web's
presenter gets its own connections back, typed, without a check per socket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from strategyroom.live.events import Envelope

# A normal closure (RFC 6455): the session was deleted, or its viewer logged out.
CLOSE_NORMAL = 1000


class Role(StrEnum):
    PARTICIPANT = "participant"
    CONSOLE = "console"
    PROJECTOR = "projector"


class Connection(Protocol):
    """What the live layer needs of a socket."""

    async def send(self, frame: str) -> None:
        """Send a prepared frame, in order after the ones before, without waiting
        on a socket that is slow to take it (the fan-out goes on to the others).
        Never raises: a socket that is going away is detached by its handler."""
        ...

    async def close(self, code: int = CLOSE_NORMAL) -> None: ...


C = TypeVar("C", bound=Connection)


@dataclass(eq=False, slots=True)
class Client(Generic[C]):
    """One open socket of a session on this worker."""

    connection: C
    role: Role
    session_id: str
    participant_id: str | None = None
    # Where a participant's device sits (kept current from participant_moved events).
    table: int | None = None
    tablet: bool = False
    number: int = 0
    # The sequence number this client's screen is up to date with.
    seq: int = 0
    ready: bool = False
    # Events that arrived while the client was being greeted with its snapshot.
    backlog: list[Envelope] = field(default_factory=list)
