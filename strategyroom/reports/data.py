"""Reading what a report needs from storage: a handful of queries per session,
never one per participant or per question, so a session of 5,000 people reads
in well under a second.

Tables live in the tables feature's storage (room_table, Participant.table_number,
table_answer); a report takes them as plain inputs (:class:`TableInputs`), so
the figures can be computed and tested without it. ``load_table_inputs`` is the
one place that reads them: three queries per session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from strategyroom.aggregate import ParticipantAnswer
from strategyroom.decks import Deck
from strategyroom.live.errors import N_, InvalidMessage, NotFound
from strategyroom.live.theme_edits import Edits, load_edits
from strategyroom.store.models import (
    Answer,
    DeviceKind,
    Participant,
    QuestionRun,
    RoomSession,
    RoomTable,
    ThemeEdit,
)
from strategyroom.store.models import TableAnswer as TableAnswerRow


def table_label(number: int, name: str = "") -> str:
    """How a report names a table, in every language: its number, then its name
    if it has one ("3 · By the window"), as the join page and table cards do."""
    return f"{number} · {name}" if name else str(number)


class TableAnswer(NamedTuple):
    """One table's submitted answer to a table-scoped question."""

    table: str  # the table's label (table_label)
    question_id: str
    value: Any  # a normalised answer value, as for a participant
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class TableInputs:
    """Which table each participant sat at, and the tables' own answers."""

    tables: Mapping[str, str] = field(default_factory=dict)  # participant id -> table label
    names: Sequence[str] = ()  # every table, in the session's order (also tables nobody joined)
    answers: Sequence[TableAnswer] = ()  # in table order, as the live results count them
    numbers: Mapping[str, int] = field(default_factory=dict)  # table label -> its number


@dataclass(frozen=True)
class SessionData:
    room: RoomSession
    deck: Deck
    runs: dict[str, QuestionRun]  # question id -> run (absent: never opened)
    participants: int  # residents' devices (phones)
    tablets: int  # the tables' shared tablets: they answer for a table, never alone
    # participant id -> a number by joining order (1, 2, ...): what the exports show
    # instead of the stored id.
    numbers: dict[str, int]
    answers: dict[str, list[ParticipantAnswer]]  # question id -> rows, stored order
    tables: TableInputs
    # question id -> the facilitator's edits of its themes (strategyroom.live.theme_edits)
    theme_edits: Mapping[str, Edits] = field(default_factory=dict)


def load_table_inputs(db: Session, session_id: str) -> TableInputs:
    """The session's tables, who sat at each (the table a device is at when the
    report is made) and the tables' submitted answers: one answer per table,
    ordered by table number like ``drafts.answer_rows``, which the live results
    count. Drafts never submitted are not answers."""
    tables = db.exec(
        select(RoomTable.number, RoomTable.name)
        .where(RoomTable.session_id == session_id)
        .order_by(col(RoomTable.number))
    ).all()
    labels = {number: table_label(number, name) for number, name in tables}
    seated = db.exec(
        select(Participant.id, Participant.table_number).where(
            Participant.session_id == session_id, col(Participant.table_number).is_not(None)
        )
    ).all()
    answers = db.exec(
        select(
            TableAnswerRow.table_number,
            TableAnswerRow.question_id,
            TableAnswerRow.value,
            TableAnswerRow.submitted_at,
        )
        .where(TableAnswerRow.session_id == session_id)
        .order_by(col(TableAnswerRow.question_id), col(TableAnswerRow.table_number))
    ).all()
    return TableInputs(
        tables={pid: labels[n] for pid, n in seated if n in labels},
        names=list(labels.values()),
        answers=[
            TableAnswer(labels.get(n, table_label(n)), qid, value, at)
            for n, qid, value, at in answers
        ],
        numbers={label: number for number, label in labels.items()},
    )


def load_session(db: Session, session_id: str, tables: TableInputs | None = None) -> SessionData:
    room = db.get(RoomSession, session_id)
    if room is None:
        raise NotFound(N_("There is no such session."))
    runs = {
        run.question_id: run
        for run in db.exec(select(QuestionRun).where(QuestionRun.session_id == session_id)).all()
    }
    joined = db.exec(
        select(Participant.id, Participant.device)
        .where(Participant.session_id == session_id)
        .order_by(col(Participant.joined_at), col(Participant.id))
    ).all()
    rows = db.exec(
        select(Answer.question_id, Answer.participant_id, Answer.value, Answer.answered_at)
        .where(Answer.session_id == session_id)
        .order_by(col(Answer.id))
    ).all()
    answers: dict[str, list[ParticipantAnswer]] = {}
    for question_id, participant_id, value, answered_at in rows:
        answers.setdefault(question_id, []).append(
            ParticipantAnswer(participant_id, value, answered_at)
        )
    return SessionData(
        room=room,
        deck=Deck.model_validate(room.deck),
        runs=runs,
        participants=sum(1 for _, device in joined if device != DeviceKind.TABLET),
        tablets=sum(1 for _, device in joined if device == DeviceKind.TABLET),
        numbers={pid: number for number, (pid, _) in enumerate(joined, start=1)},
        answers=answers,
        tables=tables if tables is not None else load_table_inputs(db, session_id),
        theme_edits={
            qid: load_edits(db, session_id, qid)
            for qid in db.exec(
                select(ThemeEdit.question_id).where(ThemeEdit.session_id == session_id).distinct()
            ).all()
        },
    )


def load_sessions(
    db: Session, session_ids: Sequence[str], tables: Mapping[str, TableInputs] | None = None
) -> list[SessionData]:
    """Several sessions of the same deck, in the order given."""
    found = [load_session(db, sid, (tables or {}).get(sid)) for sid in session_ids]
    first = found[0].room if found else None
    for other in (s.room for s in found[1:]):
        assert first is not None
        if (other.deck_id, other.deck_version, other.deck_number) != (
            first.deck_id,
            first.deck_version,
            first.deck_number,
        ):
            # Name the two that differ: with fifty sessions chosen, "not the
            # same deck" alone leaves the facilitator searching.
            raise InvalidMessage(
                N_(
                    "A report can only combine sessions of the same deck and version: "
                    "%(first)s ran %(first_deck)s version %(first_number)s, "
                    "%(other)s ran %(other_deck)s version %(other_number)s."
                ),
                first=f"«{first.title}»",
                first_deck=first.deck_id,
                first_number=first.deck_number,
                other=f"«{other.title}»",
                other_deck=other.deck_id,
                other_number=other.deck_number,
            )
    return found
