"""Sockets that connect together are looked up together.

A reconnecting phone needs its participant row (by token) and its answers so
far. Read one socket at a time, a hall reconnecting after a Wi-Fi drop costs a
trip to a database thread per phone, and each trip waits for the event loop
to hand over the GIL (up to the interpreter's switch interval, 5 ms, while the
loop is busy with the other phones' handshakes): the reconnect storm was
bound by those waits, not by the queries (docs/performance.md). Here the
look-ups that arrive while a batch is being read form the next batch
(live/batches.py, as the answers' group commit does for writes): one trip and
two queries for hundreds of phones in a storm, one for a phone on its own.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from sqlmodel import Session, col, select

from strategyroom.live.batches import Batches
from strategyroom.live.participants import token_hash
from strategyroom.store.db import Database
from strategyroom.store.models import Answer, Participant

MAX_BATCH = 500
MAX_TOKEN = 100  # longer is not a token of ours; refused without a query

Device = tuple[Participant | None, dict[str, Any]]
Key = tuple[str, str]  # (session id, token hash)


class ConnectingDevices:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._batches: Batches[Key, Device] = Batches(self._read, MAX_BATCH, "connecting-devices")

    async def lookup(self, session_id: str, token: str) -> Device:
        """The participant with this token in this session, and their answers
        (question id -> value); ``(None, {})`` when there is none."""
        if not token or len(token) > MAX_TOKEN:
            return None, {}
        return await self._batches.submit((session_id, token_hash(token)))

    async def _read(self, batch: list[tuple[Key, asyncio.Future[Device]]]) -> None:
        try:
            found = await self.db.run(partial(read_devices, keys={k for k, _ in batch}))
        except Exception as exc:  # each waiting socket gets the error
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in batch:
            if not future.done():
                future.set_result(found.get(key, (None, {})))


def read_devices(db: Session, keys: set[Key]) -> dict[Key, Device]:
    """Participants by (session, token hash), each with their answers."""
    rows = db.exec(
        select(Participant).where(col(Participant.token_hash).in_({h for _, h in keys}))
    ).all()
    # A token is only good in the session it was given for.
    devices = {
        (p.session_id, p.token_hash): p for p in rows if (p.session_id, p.token_hash) in keys
    }
    answers: dict[str, dict[str, Any]] = {p.id: {} for p in devices.values()}
    if answers:
        for participant_id, question_id, value in db.exec(
            select(Answer.participant_id, Answer.question_id, Answer.value).where(
                col(Answer.participant_id).in_(answers)
            )
        ).all():
            answers[participant_id][question_id] = value
    return {key: (p, answers[p.id]) for key, p in devices.items()}
