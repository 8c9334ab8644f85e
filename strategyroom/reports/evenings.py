"""A report's evenings: which rows each question counts in one session, the
comments with the evening they were written at, each evening's date, and the
change between paired questions for all evenings and each one (the figures
from strategyroom.aggregate; strategyroom.reports.model assembles them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from strategyroom.aggregate import (
    AnswerRow,
    ChoiceChange,
    ParticipantAnswer,
    ScaleChange,
    all_comments,
    choice_change,
    pair_rows,
    scale_change,
)
from strategyroom.decks import Deck, Question
from strategyroom.decks.schema import FreeText, Scale, options_of
from strategyroom.live.policy import Rows, counted_rows
from strategyroom.reports.data import SessionData

Change = Annotated[ScaleChange | ChoiceChange, Field(discriminator="kind")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


def rows_of(answers: Sequence[ParticipantAnswer]) -> list[AnswerRow]:
    return [AnswerRow(a.value, a.answered_at) for a in answers]


def counted_answers(question: Question, data: SessionData) -> list[ParticipantAnswer]:
    """The answers a question's results count (``policy.counted_rows``, as the live
    results count them): each participant's, or for a table question each
    table's submitted answer (the table's label in place of a participant)."""
    if counted_rows(question) is Rows.PARTICIPANTS:
        return data.answers.get(question.id, [])
    return [
        ParticipantAnswer(t.table, t.value, t.submitted_at or data.room.created_at)
        for t in data.tables.answers
        if t.question_id == question.id
    ]


class SessionComment(_Model):
    session_id: str  # the evening it was written at
    text: str
    answered_at: datetime


class SessionChange(_Model):
    session_id: str
    change: Change


class ChangeReport(_Model):
    pair: str
    before: str  # question ids
    after: str
    change: Change
    sessions: list[SessionChange]


def comments(question: Question, sessions: Sequence[SessionData]) -> list[SessionComment]:
    """Every comment of a text question with the evening it was written at: the
    evenings in the report's order, each one's oldest first."""
    if not isinstance(question, FreeText):
        return []
    return [
        SessionComment(session_id=s.room.id, text=c.text, answered_at=c.answered_at)
        for s in sessions
        for c in all_comments(rows_of(counted_answers(question, s)))
    ]


def held_at(data: SessionData) -> datetime:
    opened = [run.opened_at for run in data.runs.values()]
    return min(opened) if opened else data.room.created_at


def _change(question: Question, before: dict[str, Any], after: dict[str, Any]) -> Change:
    rows = pair_rows(before, after)
    if isinstance(question, Scale):
        return scale_change(rows)
    return choice_change([o.id for o in options_of(question)], rows)


def changes(deck: Deck, sessions: Sequence[SessionData]) -> list[ChangeReport]:
    halves: dict[str, dict[str, Question]] = {}
    for question in deck.questions():
        pair = getattr(question, "pair", None)
        if pair is not None:
            halves.setdefault(pair.id, {})[pair.phase] = question
    reports = []
    for pair_id, phases in halves.items():
        before, after = phases["before"], phases["after"]

        def answers(data: Sequence[SessionData], q: Question) -> dict[str, Any]:
            return {a.participant_id: a.value for s in data for a in s.answers.get(q.id, [])}

        reports.append(
            ChangeReport(
                pair=pair_id,
                before=before.id,
                after=after.id,
                change=_change(before, answers(sessions, before), answers(sessions, after)),
                sessions=[
                    SessionChange(
                        session_id=s.room.id,
                        change=_change(before, answers([s], before), answers([s], after)),
                    )
                    for s in sessions
                ]
                if len(sessions) > 1
                else [],
            )
        )
    return reports
