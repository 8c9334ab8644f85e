"""Group commit: answers that arrive together are stored in one transaction.

A hall answering at once sends thousands of answers within a second. Storing
each in its own transaction costs a thread hop, a commit and (SQLite) a turn at
the one writer lock per answer; the burst then queues behind the lock. Here the
answers that arrive while a batch is being written wait for the next batch
(live/batches.py), so the batch size follows the load (one answer when the room
is quiet, hundreds in a burst), and each answer is still stored before its
future resolves, that is before it is acknowledged.

``record_answers`` writes nothing for an answer it refuses (question closed,
an answer id already used for another question, ...), so a refused answer
leaves the rest of the batch alone, and its sender hears why: only an answer
that was stored is ever acknowledged, as "stored" or, retried, "duplicate". If the
commit itself fails (a constraint another worker raced us to), the batch is
stored again one answer per transaction, so one answer cannot fail the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from sqlmodel import Session

from strategyroom.live import answers
from strategyroom.live.answers import PendingAnswer
from strategyroom.live.batches import Batches
from strategyroom.live.errors import SessionError
from strategyroom.store.db import Database

log = logging.getLogger(__name__)

MAX_BATCH = 500
# Handlers woken per turn of the event loop after a batch is stored.
WAKE_SLICE = 100


Outcome = answers.Recorded | SessionError
Stored = Callable[[set[tuple[str, str]]], Awaitable[None]]


class GroupCommit:
    def __init__(self, db: Database, on_stored: Stored) -> None:
        self.db = db
        # Called after each commit with the (session, question) pairs that changed.
        self.on_stored = on_stored
        self._batches: Batches[PendingAnswer, Outcome] = Batches(
            self._write, MAX_BATCH, "answer-group-commit"
        )

    async def store(self, answer: PendingAnswer) -> answers.Recorded:
        outcome = await self._batches.submit(answer)
        if isinstance(outcome, SessionError):
            raise outcome
        return outcome

    async def _write(self, batch: list[tuple[PendingAnswer, asyncio.Future[Outcome]]]) -> None:
        items = [a for a, _ in batch]
        outcomes: list[Outcome | None]
        try:
            outcomes = list(await self.db.run(partial(_store_batch, items=items), write=True))
        except Exception:
            outcomes = await self._one_by_one(items, [f for _, f in batch])
        changed = {
            (a.session_id, a.question_id)
            for a, o in zip(items, outcomes, strict=True)
            if isinstance(o, answers.Recorded) and o.status == "stored"
        }
        for i, ((_, future), outcome) in enumerate(zip(batch, outcomes, strict=True)):
            if i and i % WAKE_SLICE == 0:
                # Each resolved future wakes a handler that sends its ack:
                # waking hundreds in one turn of the loop stalled every
                # other socket (the event-loop lag of docs/performance.md).
                await asyncio.sleep(0)
            if outcome is not None and not future.done():
                future.set_result(outcome)
        if changed:
            try:
                await self.on_stored(changed)
            except Exception:  # the answers are stored; live counts catch up later
                log.exception("could not announce stored answers")

    async def _one_by_one(
        self, items: list[PendingAnswer], futures: list[asyncio.Future[Outcome]]
    ) -> list[Outcome | None]:
        """The batch's commit failed: store each answer in its own transaction;
        an answer that still fails gets its own exception (and None here)."""
        outcomes: list[Outcome | None] = []
        for item, future in zip(items, futures, strict=True):
            try:
                outcome = await self.db.run(partial(_store_one, item=item), write=True)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
                outcome = None
            outcomes.append(outcome)
        return outcomes


def _store_one(db: Session, item: PendingAnswer) -> Outcome:
    return _store_batch(db, [item])[0]


def _store_batch(db: Session, items: list[PendingAnswer]) -> list[Outcome]:
    outcomes = answers.record_answers(db, items)
    db.commit()
    return outcomes
