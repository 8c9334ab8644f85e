"""Reading a session's rows: its state for the state machine, and the answers
its results count."""

from __future__ import annotations

from sqlmodel import Session, select

from strategyroom.aggregate import AnswerRow
from strategyroom.decks import Question
from strategyroom.live import answers, drafts
from strategyroom.live.errors import N_, NotFound
from strategyroom.live.state import LiveState, QuestionStatus, Timer, timestamp
from strategyroom.store.models import QuestionRun, RoomSession, RoomTable


def result_rows(db: Session, session_id: str, question: Question) -> list[AnswerRow]:
    """The answers a question's results count: each participant's, or each table's."""
    if question.scope == "table":
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
    )
