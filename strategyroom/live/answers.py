"""Answers: checking that an answer fits its question, and storing it exactly once.

An answer is written to the database before it is acknowledged. Each carries an
id made on the device; a receipt row per (participant, answer id) makes a retry
of the same answer a no-op, however often it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

from strategyroom.aggregate import AnswerRow
from strategyroom.live.errors import N_, QuestionNotOpen
from strategyroom.store.models import Answer, AnswerReceipt, QuestionRun, QuestionState, utcnow


@dataclass(frozen=True)
class Recorded:
    status: Literal["stored", "duplicate"]
    question_id: str
    answer_id: str
    value: Any  # the participant's current answer after this one


def record_answer(
    db: Session,
    *,
    session_id: str,
    participant_id: str,
    question_id: str,
    answer_id: str,
    value: Any,
) -> Recorded:
    """Store an answer in the caller's transaction; the caller commits."""
    current = db.exec(
        select(Answer).where(
            Answer.session_id == session_id,
            Answer.question_id == question_id,
            Answer.participant_id == participant_id,
        )
    ).one_or_none()
    # A retry of an answer already stored is acknowledged again, even after close.
    if db.get(AnswerReceipt, (participant_id, answer_id)) is not None:
        return Recorded("duplicate", question_id, answer_id, current.value if current else None)
    # A shared lock on the question's row: closing takes it exclusively, so no
    # answer slips in after the totals were frozen (PostgreSQL; SQLite serialises).
    run = db.exec(
        select(QuestionRun)
        .where(QuestionRun.session_id == session_id, QuestionRun.question_id == question_id)
        .with_for_update(read=True)
    ).one_or_none()
    if run is None or run.state is not QuestionState.OPEN:
        if run is not None and run.state is QuestionState.CLOSED:
            raise QuestionNotOpen(N_("This question has closed; answers are locked."))
        raise QuestionNotOpen(N_("This question is not open for answers."))
    db.add(
        AnswerReceipt(
            participant_id=participant_id,
            client_answer_id=answer_id,
            session_id=session_id,
            question_id=question_id,
        )
    )
    if current is None:
        db.add(
            Answer(
                session_id=session_id,
                question_id=question_id,
                participant_id=participant_id,
                value=value,
                client_answer_id=answer_id,
            )
        )
    else:
        current.value = value
        current.client_answer_id = answer_id
        current.revision += 1
        current.answered_at = utcnow()
        db.add(current)
    return Recorded("stored", question_id, answer_id, value)


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
