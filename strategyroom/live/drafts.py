"""Table answers: a table agrees on one answer in a shared draft, then submits it.

The rule that keeps two members from losing each other's edits (docs/protocol.md,
"Tables"): every edit names the draft revision it was based on, and is stored
only if that is still the current revision; the revision grows by one per edit,
in SQL (a compare-and-set ``UPDATE ... WHERE revision = base``). An edit based on
an older revision that also says what that revision held is merged into the
current draft field by field (strategyroom.live.merge) and stored on the current
revision; one that cannot be merged (both changed the same field, or no base
value) is refused with the current draft and who changed it last, so the device
can show both and the member decides again. A submission names the
revision it submits, the same way, and is stored once per table (idempotent by
the device's submission id); after it, or after the question closes, nothing
changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from strategyroom.aggregate import AnswerRow
from strategyroom.decks import Question
from strategyroom.decks.answers import parse_answer
from strategyroom.decks.schema import Attribute
from strategyroom.i18n import Said
from strategyroom.live.errors import (
    N_,
    AlreadySubmitted,
    InvalidAnswer,
    NotAtTable,
    QuestionNotOpen,
    StaleDraft,
)
from strategyroom.live.merge import Merged, merge
from strategyroom.store.models import (
    DeviceKind,
    Participant,
    QuestionRun,
    QuestionState,
    TableAnswer,
    TableDraft,
)


@dataclass(frozen=True)
class Author:
    """Who changed or submitted a draft, as the table sees it: "Member 3" or the tablet."""

    number: int
    tablet: bool

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "device": "tablet" if self.tablet else "phone"}


@dataclass(frozen=True)
class TableView:
    """A table's draft and answer for one question, as every device at it shows them."""

    question: str
    table: int
    value: Any = None
    revision: int = 0  # 0: nobody has written a draft yet
    changed_by: Author | None = None
    changed_at: datetime | None = None
    submitted: bool = False
    submitted_by: Author | None = None
    submitted_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "table": self.table,
            "value": self.value,
            "revision": self.revision,
            "changed_by": self.changed_by.to_dict() if self.changed_by else None,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "submitted": self.submitted,
            "submitted_by": self.submitted_by.to_dict() if self.submitted_by else None,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
        }


@dataclass(frozen=True)
class Submitted:
    status: Literal["stored", "duplicate"]
    view: TableView


def answer_rows(db: Session, session_id: str, question_id: str) -> list[AnswerRow]:
    """The tables' submitted answers to a table question, as rows for the aggregates
    (a table question's results count tables, one answer each)."""
    rows = db.exec(
        select(TableAnswer.value, TableAnswer.submitted_at)
        .where(TableAnswer.session_id == session_id, TableAnswer.question_id == question_id)
        .order_by(col(TableAnswer.table_number))
    ).all()
    return [AnswerRow(value, at) for value, at in rows]


def _authors(db: Session, ids: set[str]) -> dict[str, Author]:
    if not ids:
        return {}
    rows = db.exec(
        select(Participant.id, Participant.number, Participant.device).where(
            col(Participant.id).in_(ids)
        )
    ).all()
    return {pid: Author(number, device is DeviceKind.TABLET) for pid, number, device in rows}


def table_views(db: Session, session_id: str, question_id: str) -> dict[int, TableView]:
    """Every table's draft and answer for a question, by table number."""
    drafts = db.exec(
        select(TableDraft).where(
            TableDraft.session_id == session_id, TableDraft.question_id == question_id
        )
    ).all()
    answers = {
        a.table_number: a
        for a in db.exec(
            select(TableAnswer).where(
                TableAnswer.session_id == session_id, TableAnswer.question_id == question_id
            )
        ).all()
    }
    authors = _authors(
        db, {d.changed_by for d in drafts} | {a.submitted_by for a in answers.values()}
    )
    views = {}
    for draft in drafts:
        answer = answers.get(draft.table_number)
        views[draft.table_number] = TableView(
            question=question_id,
            table=draft.table_number,
            value=answer.value if answer else draft.value,
            revision=draft.revision,
            changed_by=authors.get(draft.changed_by),
            changed_at=draft.changed_at,
            submitted=answer is not None,
            submitted_by=authors.get(answer.submitted_by) if answer else None,
            submitted_at=answer.submitted_at if answer else None,
        )
    return views


def table_view(db: Session, session_id: str, question_id: str, table: int) -> TableView:
    return table_views(db, session_id, question_id).get(table, TableView(question_id, table))


def _check(db: Session, session_id: str, question_id: str, participant_id: str, table: int) -> None:
    """The device sits at the table, the question is open and the table has not
    submitted yet; the question's row is share-locked so closing waits for us."""
    seated = db.exec(
        select(Participant.table_number).where(
            Participant.id == participant_id, Participant.session_id == session_id
        )
    ).one_or_none()
    if seated != table:
        raise NotAtTable(
            N_("You are not at table %(table)s, so you cannot answer for it."), table=table
        )
    run = db.exec(
        select(QuestionRun)
        .where(QuestionRun.session_id == session_id, QuestionRun.question_id == question_id)
        .with_for_update(read=True)
    ).one_or_none()
    if run is None or run.state is not QuestionState.OPEN:
        if run is not None and run.state is QuestionState.CLOSED:
            raise QuestionNotOpen(N_("This question has closed; answers are locked."))
        raise QuestionNotOpen(N_("This question is not open for answers."))


def _stale(
    db: Session,
    session_id: str,
    question_id: str,
    table: int,
    merged: Merged | None = None,
    invalid: InvalidAnswer | None = None,
) -> StaleDraft:
    """The refusal of an edit on an old revision; ``merged``: the member's edit
    merged into the current draft, as far as it went (their value in conflicts);
    ``invalid``: why that merge is not an answer (two changes that each fit the
    cap, together not), said to the member, who cannot see it from the fields."""
    if invalid is not None:
        error = StaleDraft(
            N_(
                "Someone at your table changed the draft before you saved, and with both "
                "changes it would not be a valid answer: %(reason)s Your change is not "
                "saved: look at the current draft and change it so that it fits."
            ),
            reason=Said(invalid.message, invalid.params),
        )
    else:
        error = StaleDraft(
            N_(
                "Someone at your table changed the draft before you saved. Your change is "
                "not saved: look at the current draft, then save yours again if you still "
                "want it."
            )
        )
    error.draft = table_view(db, session_id, question_id, table)
    if merged is not None:
        error.conflicts = merged.conflicts
        error.attempt = merged.value
    return error


@dataclass(frozen=True)
class Based:
    """What the revision an edit was based on held (None: no draft yet), so an
    edit that finds a newer revision can be merged into it."""

    value: Any


def _require_not_submitted(db: Session, session_id: str, question_id: str, table: int) -> None:
    if db.get(TableAnswer, (session_id, question_id, table)) is not None:
        raise AlreadySubmitted(
            N_("Your table has submitted its answer; it can no longer be changed.")
        )


def _store(
    db: Session,
    *,
    session_id: str,
    question_id: str,
    table: int,
    participant_id: str,
    base: int,
    value: Any,
    now: datetime,
) -> bool:
    """Write ``value`` as the next revision if ``base`` is still current (the
    compare-and-set); False, with nothing written, when it is not."""
    if base == 0:
        db.add(
            TableDraft(
                session_id=session_id,
                question_id=question_id,
                table_number=table,
                value=value,
                changed_by=participant_id,
                changed_at=now,
            )
        )
        try:
            db.flush()
        except IntegrityError:  # another member wrote the first draft meanwhile
            db.rollback()
            return False
        return True
    changed = db.execute(
        update(TableDraft)
        .where(
            col(TableDraft.session_id) == session_id,
            col(TableDraft.question_id) == question_id,
            col(TableDraft.table_number) == table,
            col(TableDraft.revision) == base,
        )
        .values(
            value=value,
            revision=col(TableDraft.revision) + 1,
            changed_by=participant_id,
            changed_at=now,
        )
    )
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


def edit_draft(
    db: Session,
    *,
    session_id: str,
    question_id: str,
    table: int,
    participant_id: str,
    base: int,
    value: Any,
    now: datetime,
    question: Question | None = None,
    based: Based | None = None,
    attributes: Mapping[str, Attribute] | None = None,
) -> TableView:
    """Store a new draft revision if ``base`` is still current, or, given the
    ``question`` and what the base held, the edit merged into the newer revision
    (checked against the deck's ``attributes``, as the edit itself was).
    The caller commits."""
    store = partial(
        _store,
        db,
        session_id=session_id,
        question_id=question_id,
        table=table,
        participant_id=participant_id,
        now=now,
    )

    _check(db, session_id, question_id, participant_id, table)
    _require_not_submitted(db, session_id, question_id, table)
    if not store(base=base, value=value):
        db.expire_all()
        current = db.get(TableDraft, (session_id, question_id, table))
        if question is None or based is None or current is None:
            raise _stale(db, session_id, question_id, table)
        merged = merge(question, based.value, value, current.value)
        if merged.conflicts:
            raise _stale(db, session_id, question_id, table, merged)
        try:
            checked = parse_answer(question, merged.value, attributes)
        except InvalidAnswer as invalid:  # two changes that each fit the cap, together not
            raise _stale(db, session_id, question_id, table, merged, invalid) from None
        # The first write may have been rolled back: look again before the second.
        _check(db, session_id, question_id, participant_id, table)
        _require_not_submitted(db, session_id, question_id, table)
        if not store(base=current.revision, value=checked):
            raise _stale(db, session_id, question_id, table, merged)
    db.flush()
    db.expire_all()
    return table_view(db, session_id, question_id, table)


def submit(
    db: Session,
    *,
    session_id: str,
    question_id: str,
    table: int,
    participant_id: str,
    revision: int,
    submission_id: str,
    now: datetime,
) -> Submitted:
    """Store the table's answer: the draft at ``revision``, once. The caller commits."""
    existing = db.get(TableAnswer, (session_id, question_id, table))
    if existing is not None and existing.submission_id == submission_id:
        # A retry of the submission already stored, even after close.
        return Submitted("duplicate", table_view(db, session_id, question_id, table))
    _check(db, session_id, question_id, participant_id, table)
    _require_not_submitted(db, session_id, question_id, table)
    draft = db.get(TableDraft, (session_id, question_id, table))
    if draft is None or draft.revision != revision:
        raise _stale(db, session_id, question_id, table)
    db.add(
        TableAnswer(
            session_id=session_id,
            question_id=question_id,
            table_number=table,
            value=draft.value,
            revision=revision,
            submission_id=submission_id,
            submitted_by=participant_id,
            submitted_at=now,
        )
    )
    try:
        db.flush()
    except IntegrityError:  # another member submitted at the same moment: read theirs
        db.rollback()
        return submit(
            db,
            session_id=session_id,
            question_id=question_id,
            table=table,
            participant_id=participant_id,
            revision=revision,
            submission_id=submission_id,
            now=now,
        )
    db.flush()
    return Submitted("stored", table_view(db, session_id, question_id, table))
