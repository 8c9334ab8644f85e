"""A session's rows and its state: reading the state for the state machine
(``load_state``), writing the stored columns from it (``store_state``, the
inverse), and the answers its results count."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from strategyroom.aggregate import AnswerRow
from strategyroom.decks import Question
from strategyroom.live import answers, drafts
from strategyroom.live.errors import N_, NotFound
from strategyroom.live.policy import Rows, counted_rows
from strategyroom.live.state import (
    HelpState,
    LiveState,
    Projection,
    QuestionStatus,
    Timer,
    timestamp,
)
from strategyroom.store.models import (
    QuestionRun,
    RoomSession,
    RoomTable,
    SessionStatus,
)


def result_rows(db: Session, session_id: str, question: Question) -> list[AnswerRow]:
    """The rows a question's results count (``policy.counted_rows``)."""
    if counted_rows(question) is Rows.TABLES:
        return drafts.answer_rows(db, session_id, question.id)
    return answers.answer_rows(db, session_id, question.id)


def load_state(db: Session, session_id: str) -> LiveState:
    room = db.get(RoomSession, session_id)
    if room is None:
        raise NotFound(N_("There is no such session."))
    runs = db.exec(select(QuestionRun).where(QuestionRun.session_id == session_id)).all()
    tables = db.exec(select(RoomTable).where(RoomTable.session_id == session_id)).all()
    timer = None
    if room.timer_card is not None:
        ends_at = timestamp(room.timer_ends_at) if room.timer_ends_at else None
        timer = Timer(room.timer_card, ends_at, room.timer_remaining)
    return LiveState(
        session_id=room.id,
        epoch=room.epoch,
        seq=room.seq,
        status=room.status,
        current_card=room.current_card,
        questions={run.question_id: QuestionStatus(run.state, run.revealed) for run in runs},
        tables={t.number: t.name for t in tables},
        timer=timer,
        joining_locked=room.joining_locked,
        help={t.number: HelpState(t.help) for t in tables if t.help},
        projection=Projection(room.projection),
    )


def store_state(
    db: Session, room: RoomSession, before: LiveState, after: LiveState, now: datetime
) -> None:
    """Write the stored columns from the folded state, inside the transaction of
    the events that led from ``before`` to ``after``.

    Invariant: ``load_state`` reads ``after`` back (tests/test_commands.py). The
    columns are not restated event by event; what only an event knows (totals
    frozen at a close, a new table's row, a device's seat) is written by the
    service per event, before this.
    """
    room.seq = after.seq
    room.status = after.status
    room.current_card = after.current_card
    room.joining_locked = after.joining_locked
    room.projection = after.projection.value
    if after.status is SessionStatus.ENDED and room.ended_at is None:
        room.ended_at = now
    timer = after.timer
    room.timer_card = timer.card if timer else None
    room.timer_ends_at = datetime.fromisoformat(timer.ends_at) if timer and timer.ends_at else None
    room.timer_remaining = timer.remaining if timer else None
    db.add(room)
    for question_id, status in after.questions.items():
        if status == before.question(question_id):
            continue
        run = db.get(QuestionRun, (room.id, question_id))
        if run is None:  # opened just now
            run = QuestionRun(
                session_id=room.id, question_id=question_id, state=status.state, opened_at=now
            )
        run.state = status.state
        run.revealed = status.revealed
        db.add(run)
    for number in set(before.help) | set(after.help):
        if before.help.get(number) == after.help.get(number):
            continue
        table = db.get_one(RoomTable, (room.id, number))
        help_state = after.help.get(number)
        table.help = help_state.value if help_state is not None else ""
        db.add(table)
