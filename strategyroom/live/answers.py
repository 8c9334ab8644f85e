"""Answers: checking that an answer fits its question, and storing it exactly once.

An answer is written to the database before it is acknowledged. Each carries an
id made on the device; a receipt row per (participant, answer id), naming the
question it answered, makes a retry of the same answer a no-op, however often it
arrives. The same id sent for another question is refused (AnswerIdReused):
"duplicate" is said only of an answer that was stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Table, bindparam, insert, update
from sqlmodel import Session, SQLModel, col, select

from strategyroom.aggregate import AnswerRow
from strategyroom.live.errors import N_, AnswerIdReused, QuestionNotOpen, SessionError
from strategyroom.store.models import Answer, AnswerReceipt, QuestionRun, QuestionState, utcnow


@dataclass(frozen=True)
class Recorded:
    status: Literal["stored", "duplicate"]
    question_id: str
    answer_id: str
    value: Any  # the participant's current answer after this one


@dataclass(frozen=True)
class PendingAnswer:
    """An answer that has been checked against its question, not yet stored."""

    session_id: str
    participant_id: str
    question_id: str
    answer_id: str
    value: Any


@dataclass
class _Current:
    """A participant's current answer row as this batch leaves it."""

    id: int | None  # None: inserted by this batch
    value: Any
    client_answer_id: str
    revision: int
    answered_at: datetime
    changed: bool = False


def record_answers(db: Session, items: list[PendingAnswer]) -> list[Recorded | SessionError]:
    """Store answers in the caller's transaction (the caller commits), in order;
    each gets its outcome: stored, a duplicate (a retry), or the reason it was refused.

    Reads what the rules need in a few queries for the whole batch and writes
    with executemany, because a burst of thousands of answers must not cost a
    handful of ORM round trips each. A refused answer writes nothing.
    """
    sessions = {i.session_id for i in items}
    participants = {i.participant_id for i in items}
    questions = {i.question_id for i in items}
    # A shared lock on the questions' rows: closing takes it exclusively, so no
    # answer slips in after the totals were frozen (PostgreSQL; SQLite serialises).
    runs = {
        (s, q): state
        for s, q, state in db.exec(
            select(QuestionRun.session_id, QuestionRun.question_id, QuestionRun.state)
            .where(col(QuestionRun.session_id).in_(sessions))
            .where(col(QuestionRun.question_id).in_(questions))
            .with_for_update(read=True)
        ).all()
    }
    # Only the receipts this batch could repeat: late in an evening each device
    # has a receipt for every answer it ever gave.
    # (participant, answer id) -> the question that id answered.
    receipts = {
        (participant, answer_id): question
        for participant, answer_id, question in db.exec(
            select(
                AnswerReceipt.participant_id,
                AnswerReceipt.client_answer_id,
                AnswerReceipt.question_id,
            )
            .where(col(AnswerReceipt.participant_id).in_(participants))
            .where(col(AnswerReceipt.client_answer_id).in_({i.answer_id for i in items}))
        ).all()
    }
    current = {
        (row.session_id, row.question_id, row.participant_id): _Current(
            row.id, row.value, row.client_answer_id, row.revision, row.answered_at
        )
        for row in db.exec(
            select(Answer)
            .where(col(Answer.participant_id).in_(participants))
            .where(col(Answer.question_id).in_(questions))
        ).all()
    }
    outcomes: list[Recorded | SessionError] = []
    new_receipts: list[dict[str, Any]] = []
    for item in items:
        key = (item.session_id, item.question_id, item.participant_id)
        mine = current.get(key)
        answered = receipts.get((item.participant_id, item.answer_id))
        if answered is not None and answered != item.question_id:
            outcomes.append(
                AnswerIdReused(
                    N_(
                        "This answer id was already used for another question. "
                        "Send this answer with a new id."
                    )
                )
            )
            continue
        # A retry of an answer already stored is acknowledged again, even after
        # close, with the participant's current answer (answers are replaced,
        # never deleted, so a receipt's question has the participant's row).
        if answered is not None and mine is not None:
            outcomes.append(Recorded("duplicate", item.question_id, item.answer_id, mine.value))
            continue
        state = runs.get((item.session_id, item.question_id))
        if state is not QuestionState.OPEN:
            if state is QuestionState.CLOSED:
                outcomes.append(
                    QuestionNotOpen(N_("This question has closed; answers are locked."))
                )
            else:
                outcomes.append(QuestionNotOpen(N_("This question is not open for answers.")))
            continue
        now = utcnow()
        if answered is None:  # a receipt without its answer row keeps its receipt
            receipts[(item.participant_id, item.answer_id)] = item.question_id
            new_receipts.append(
                {
                    "participant_id": item.participant_id,
                    "client_answer_id": item.answer_id,
                    "session_id": item.session_id,
                    "question_id": item.question_id,
                    "received_at": now,
                }
            )
        if mine is None:
            current[key] = _Current(None, item.value, item.answer_id, 1, now, changed=True)
        else:
            mine.value, mine.client_answer_id = item.value, item.answer_id
            mine.revision += 1
            mine.answered_at, mine.changed = now, True
        outcomes.append(Recorded("stored", item.question_id, item.answer_id, item.value))
    _write(db, new_receipts, current)
    return outcomes


def _write(
    db: Session,
    receipts: list[dict[str, Any]],
    current: dict[tuple[str, str, str], _Current],
) -> None:
    # Core statements on the tables: the ORM's bulk path costs far more per row.
    connection = db.connection()
    if receipts:
        connection.execute(insert(_table(AnswerReceipt)), receipts)
    inserts = [
        {
            "session_id": s,
            "question_id": q,
            "participant_id": p,
            "value": c.value,
            "client_answer_id": c.client_answer_id,
            "revision": c.revision,
            "answered_at": c.answered_at,
        }
        for (s, q, p), c in current.items()
        if c.changed and c.id is None
    ]
    if inserts:
        connection.execute(insert(_table(Answer)), inserts)
    updates = [
        {
            "answer_row": c.id,
            "value": c.value,
            "client_answer_id": c.client_answer_id,
            "revision": c.revision,
            "answered_at": c.answered_at,
        }
        for c in current.values()
        if c.changed and c.id is not None
    ]
    if updates:
        table = _table(Answer)
        connection.execute(update(table).where(table.c.id == bindparam("answer_row")), updates)


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def answer_rows(db: Session, session_id: str, question_id: str) -> list[AnswerRow]:
    rows = db.exec(
        select(Answer.value, Answer.answered_at)
        .where(Answer.session_id == session_id, Answer.question_id == question_id)
        .order_by(col(Answer.id))
    ).all()
    return [AnswerRow(value, answered_at) for value, answered_at in rows]


def answers_by_participant(db: Session, session_id: str, question_id: str) -> dict[str, Any]:
    rows = db.exec(
        select(Answer.participant_id, Answer.value).where(
            Answer.session_id == session_id, Answer.question_id == question_id
        )
    ).all()
    return dict(rows)


def answers_of(db: Session, session_id: str, participant_id: str) -> dict[str, Any]:
    rows = db.exec(
        select(Answer.question_id, Answer.value).where(
            Answer.session_id == session_id, Answer.participant_id == participant_id
        )
    ).all()
    return dict(rows)
