"""Who is connected: counted per participant, not per socket (a resident with
two tabs open counts once)."""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class Presence(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def add(self, session_id: str, participant_id: str) -> None: ...

    async def remove(self, session_id: str, participant_id: str) -> None: ...

    async def count(self, session_id: str) -> int: ...

    async def connected(self, session_id: str) -> set[str]:
        """The ids of the participants connected now (for the per-table counts)."""
        ...


class MemoryPresence:
    """Presence for the embedded mode, where one process holds every socket."""

    def __init__(self) -> None:
        self._sockets: dict[str, Counter[str]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def add(self, session_id: str, participant_id: str) -> None:
        self._sockets.setdefault(session_id, Counter())[participant_id] += 1

    async def remove(self, session_id: str, participant_id: str) -> None:
        sockets = self._sockets.get(session_id)
        if sockets is None:
            return
        sockets[participant_id] -= 1
        if sockets[participant_id] <= 0:
            del sockets[participant_id]
        if not sockets:
            del self._sockets[session_id]

    async def count(self, session_id: str) -> int:
        return len(self._sockets.get(session_id, ()))

    async def connected(self, session_id: str) -> set[str]:
        return set(self._sockets.get(session_id, ()))
