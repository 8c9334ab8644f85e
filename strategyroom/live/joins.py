"""Joins that arrive together are admitted in one transaction.

A hall joining at once (a QR code on the projector) sends thousands of joins
within seconds. Each was a trip to a database thread and a commit of its own;
the trips queued behind the busy event loop for the GIL (the hand-over showed
as most of a join's time in the profile of docs/performance.md). Here the
joins that arrive while a batch is being admitted wait for the next batch
(live/batches.py), as the answers' group commit does (live/groupcommit.py).

Each join in a batch is the same statement as alone (``participants.admit``:
the limit, the session's status and the device's number in one UPDATE), so a
refused join changes nothing and leaves the others alone, and a device is
told it joined only once its row is committed. If the commit itself fails,
the batch is admitted again one join per transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session

from strategyroom.live import participants
from strategyroom.live.batches import Batches
from strategyroom.live.errors import SessionError
from strategyroom.store.db import Database
from strategyroom.store.models import DeviceKind, Participant

MAX_BATCH = 200

Admitted = tuple[Participant, str]
Outcome = Admitted | SessionError


@dataclass(frozen=True, slots=True)
class Admission:
    session_id: str
    language: str
    device: DeviceKind
    limit: int | None
    at_table: bool


class Joins:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._batches: Batches[Admission, Outcome] = Batches(
            self._write, MAX_BATCH, "join-group-commit"
        )

    async def admit(self, admission: Admission) -> Admitted:
        """The new participant and its token, committed; raises the refusal."""
        outcome = await self._batches.submit(admission)
        if isinstance(outcome, SessionError):
            raise outcome
        return outcome

    async def _write(self, batch: list[tuple[Admission, asyncio.Future[Outcome]]]) -> None:
        items = [a for a, _ in batch]
        try:
            outcomes = await self.db.run(partial(_admit_batch, items=items), write=True)
        except Exception:
            for item, future in batch:
                try:
                    outcome = await self.db.run(partial(_admit_one, item=item), write=True)
                except Exception as exc:  # a refusal, or the database failing
                    if not future.done():
                        future.set_exception(exc)
                    continue
                if not future.done():
                    future.set_result(outcome)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


def _admit_one(db: Session, item: Admission) -> Outcome:
    return participants.admit(
        db, item.session_id, item.language, item.device, item.limit, item.at_table
    )


def _admit_batch(db: Session, items: list[Admission]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for item in items:
        try:
            outcomes.append(
                participants.count_in(
                    db, item.session_id, item.language, item.device, item.limit, item.at_table
                )
            )
        except SessionError as exc:
            outcomes.append(exc)
    # The batch's rows are added together, after every join was counted in:
    # one INSERT of many rows instead of a flush per join (which the next
    # join's UPDATE would otherwise have made, autoflushing the row before).
    db.add_all([outcome[0] for outcome in outcomes if not isinstance(outcome, SessionError)])
    db.commit()
    return outcomes
