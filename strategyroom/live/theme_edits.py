"""The facilitator's edits of a text question's themes, stored by the comment
they name (strategyroom.store.models.ThemeEdit), and the comments themes are
computed from, named by their writer so that an edit finds its comment again
however the themes are computed next (strategyroom.aggregate.themes.edited).

A comment's writer is the participant's id, or ``table-N`` for table N's
answer to a table question: one comment each per question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, col, select

from strategyroom.decks import Question
from strategyroom.live.policy import Rows, counted_rows
from strategyroom.store.models import Answer, TableAnswer, ThemeEdit, utcnow


class WrittenComment(NamedTuple):
    writer: str  # a participant id, or "table-N"
    text: str
    answered_at: datetime


def table_writer(number: int) -> str:
    return f"table-{number}"


def written_comments(db: Session, session_id: str, question: Question) -> list[WrittenComment]:
    """Every comment a text question counts now (``policy.counted_rows``), as stored."""
    if counted_rows(question) is Rows.TABLES:
        tables = db.exec(
            select(TableAnswer.table_number, TableAnswer.value, TableAnswer.submitted_at)
            .where(TableAnswer.session_id == session_id, TableAnswer.question_id == question.id)
            .order_by(col(TableAnswer.table_number))
        ).all()
        return [WrittenComment(table_writer(n), str(v), at) for n, v, at in tables]
    rows = db.exec(
        select(Answer.participant_id, Answer.value, Answer.answered_at)
        .where(Answer.session_id == session_id, Answer.question_id == question.id)
        .order_by(col(Answer.id))
    ).all()
    return [WrittenComment(pid, str(v), at) for pid, v, at in rows]


class Edits(NamedTuple):
    names: dict[str, str]  # writer -> the name of the theme holding their comment
    moves: dict[str, str]  # writer -> the writer whose comment's theme theirs joins


def load_edits(db: Session, session_id: str, question_id: str) -> Edits:
    rows = db.exec(
        select(ThemeEdit).where(
            ThemeEdit.session_id == session_id, ThemeEdit.question_id == question_id
        )
    ).all()
    return _edits(rows)


def load_session_edits(db: Session, session_id: str) -> dict[str, Edits]:
    """Every question's edits in a session, by question id: one query."""
    rows = db.exec(select(ThemeEdit).where(ThemeEdit.session_id == session_id)).all()
    by_question: dict[str, list[ThemeEdit]] = {}
    for row in rows:
        by_question.setdefault(row.question_id, []).append(row)
    return {question_id: _edits(edits) for question_id, edits in by_question.items()}


def _edits(rows: Sequence[ThemeEdit]) -> Edits:
    return Edits(
        names={r.comment: r.name for r in rows if r.name},
        moves={r.comment: r.moved_to for r in rows if r.moved_to},
    )


def save_edit(
    db: Session,
    session_id: str,
    question_id: str,
    comment: str,
    by: str,
    *,
    name: str | None = None,
    moved_to: str | None = None,
) -> None:
    """Rename the theme holding ``comment`` (``name``), or move it to the theme
    holding ``moved_to``; the comment's other edit is kept."""
    row = db.get(ThemeEdit, (session_id, question_id, comment))
    if row is None:
        row = ThemeEdit(
            session_id=session_id, question_id=question_id, comment=comment, edited_by=by
        )
    if name is not None:
        row.name = name
    if moved_to is not None:
        row.moved_to = moved_to
    row.edited_by, row.edited_at = by, utcnow()
    db.add(row)
    db.commit()
