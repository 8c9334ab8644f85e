"""Answers: checking that an answer fits its question, and storing it exactly once.

An answer is written to the database before it is acknowledged. Each carries an
id made on the device; a receipt row per (participant, answer id) makes a retry
of the same answer a no-op, however often it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

from strategyroom.aggregate import AnswerRow
from strategyroom.decks.schema import (
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
    options_of,
)
from strategyroom.live.errors import N_, InvalidAnswer, QuestionNotOpen
from strategyroom.store.models import Answer, AnswerReceipt, QuestionRun, QuestionState, utcnow

MAX_ANSWER_ID_LENGTH = 64


def _as_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidAnswer(N_("Please give a whole number."))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit() and len(raw) < 12:
        return int(raw.strip())
    raise InvalidAnswer(N_("Please give a whole number."))


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return raw
    raise InvalidAnswer(N_("This answer has the wrong form for the question."))


def _known(question: Question, option_ids: Sequence[Any]) -> list[str]:
    known = {o.id for o in options_of(question)}
    for option_id in option_ids:
        if not isinstance(option_id, str) or option_id not in known:
            raise InvalidAnswer(N_("That is not one of the options."))
    return list(option_ids)


def parse_answer(question: Question, raw: Any) -> Any:
    """The normalised value of an answer, or InvalidAnswer saying what is wrong."""
    match question:
        case SingleChoice():
            if raw in (None, "", []):
                raise InvalidAnswer(N_("Please choose an option."))
            chosen = _known(question, _as_list(raw))
            if len(chosen) != 1:
                raise InvalidAnswer(N_("Please choose only one option."))
            return chosen[0]
        case MultipleChoice():
            chosen = _known(question, _as_list(raw if raw not in (None, "") else []))
            if not chosen:
                raise InvalidAnswer(N_("Please choose at least one option."))
            if len(set(chosen)) != len(chosen):
                raise InvalidAnswer(N_("Each option can be chosen only once."))
            if question.max_choices is not None and len(chosen) > question.max_choices:
                raise InvalidAnswer(
                    N_("Please choose at most %(max)s options."), max=question.max_choices
                )
            order = [o.id for o in question.options]
            return sorted(chosen, key=order.index)
        case Scale():
            value = _as_int(raw)
            if not question.min <= value <= question.max:
                raise InvalidAnswer(
                    N_("Please choose a value from %(min)s to %(max)s."),
                    min=question.min,
                    max=question.max,
                )
            return value
        case Ranking():
            order = _known(question, _as_list(raw))
            if len(set(order)) != len(order):
                raise InvalidAnswer(N_("Each option can have only one place in the ranking."))
            if len(order) != len(question.options):
                raise InvalidAnswer(N_("Please give every option a place in the ranking."))
            return order
        case Budget():
            return _parse_budget(question, raw)
        case FreeText():
            if not isinstance(raw, str) or not raw.strip():
                raise InvalidAnswer(N_("Please write a short comment."))
            text = raw.replace("\x00", "").strip()
            if len(text) > question.max_length:
                raise InvalidAnswer(
                    N_("Please keep it to %(max)s characters (this is %(length)s)."),
                    max=question.max_length,
                    length=len(text),
                )
            return text
    raise InvalidAnswer(N_("This answer has the wrong form for the question."))


def _parse_budget(question: Budget, raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise InvalidAnswer(N_("This answer has the wrong form for the question."))
    _known(question, list(raw))
    allocation = {o.id: 0 for o in question.options}
    for option_id, points in raw.items():
        value = _as_int(points) if points not in ("", None) else 0
        if value < 0:
            raise InvalidAnswer(N_("Points cannot be negative."))
        allocation[option_id] = value
    spent = sum(allocation.values())
    if spent != question.total:
        raise InvalidAnswer(
            N_("The points must add up to %(total)s; these add up to %(spent)s."),
            total=question.total,
            spent=spent,
        )
    return allocation


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
