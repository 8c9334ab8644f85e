"""Tables: creating them, seating devices, the discussion timer, and the table
drafts and answers (the storage rules are in ``drafts``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, func, select

from strategyroom.decks import Deck, Question
from strategyroom.decks.answers import parse_answer
from strategyroom.live import drafts
from strategyroom.live import state as machine
from strategyroom.live.errors import N_, InvalidMessage, NotFound
from strategyroom.live.events import Event
from strategyroom.live.news import channel, signal
from strategyroom.live.state import LiveState
from strategyroom.store.models import Answer, DeviceKind, Participant, RoomSession, utcnow

if TYPE_CHECKING:
    from strategyroom.live.service import SessionService


class TableService:
    def __init__(self, sessions: SessionService) -> None:
        self.sessions = sessions

    async def add_table(self, session_id: str, name: str, actor: str) -> LiveState:
        return await self.sessions.act(
            session_id, actor, lambda _, s, d, __: machine.decide_add_table(s, d, name)
        )

    async def set_tables(self, session_id: str, count: int, actor: str) -> LiveState:
        return await self.sessions.act(
            session_id, actor, lambda _, s, d, __: machine.decide_tables(s, d, count)
        )

    async def move(self, session_id: str, participant_id: str, table: int, actor: str) -> LiveState:
        """Seat a device at a table (the facilitator moving it, or a device choosing)."""

        def decide(db: Session, state: LiveState, deck: Deck, now: datetime) -> list[Event]:
            row = db.get(Participant, participant_id)
            if row is None or row.session_id != session_id:
                raise NotFound(N_("This session has no such participant."))
            return machine.decide_move(state, participant_id, row.table_number, table)

        return await self.sessions.act(session_id, actor, decide)

    async def timer(self, session_id: str, action: str, seconds: int, actor: str) -> LiveState:
        """Start, pause or extend the current card's discussion timer."""

        def decide(db: Session, state: LiveState, deck: Deck, now: datetime) -> list[Event]:
            if action == "start":
                return machine.decide_timer_start(state, deck, now)
            if action == "pause":
                return machine.decide_timer_pause(state, deck, now)
            return machine.decide_timer_extend(state, deck, now, seconds)

        return await self.sessions.act(session_id, actor, decide)

    def _table_question(self, room: RoomSession, question_id: str) -> Question:
        question = self.sessions.question(room, question_id)
        if question.scope != "table":
            raise InvalidMessage(N_("Each participant answers this question on their own."))
        return question

    async def table_views(self, session_id: str, question_id: str) -> dict[int, drafts.TableView]:
        return await self.sessions.db.run(
            lambda db: drafts.table_views(db, session_id, question_id)
        )

    async def edit_draft(
        self,
        room: RoomSession,
        participant_id: str,
        question_id: str,
        table: int,
        base: int,
        raw: Any,
    ) -> drafts.TableView:
        """Store an edit of a table's draft (a whole, valid answer) if ``base`` is current."""
        value = parse_answer(self._table_question(room, question_id), raw)

        def store(db: Session) -> drafts.TableView:
            view = drafts.edit_draft(
                db,
                session_id=room.id,
                question_id=question_id,
                table=table,
                participant_id=participant_id,
                base=base,
                value=value,
                now=utcnow(),
            )
            db.commit()
            return view

        view = await self.sessions.db.run(store, write=True)
        await self._draft_changed(room.id, question_id, table)
        return view

    async def submit_table(
        self,
        room: RoomSession,
        participant_id: str,
        question_id: str,
        table: int,
        revision: int,
        submission_id: str,
    ) -> drafts.Submitted:
        self._table_question(room, question_id)

        def store(db: Session) -> drafts.Submitted:
            submitted = drafts.submit(
                db,
                session_id=room.id,
                question_id=question_id,
                table=table,
                participant_id=participant_id,
                revision=revision,
                submission_id=submission_id,
                now=utcnow(),
            )
            db.commit()
            return submitted

        submitted = await self.sessions.db.run(store, write=True)
        if submitted.status == "stored":
            await self._draft_changed(room.id, question_id, table)
        return submitted

    async def _draft_changed(self, session_id: str, question_id: str, table: int) -> None:
        """Tell every worker: the table's devices and the consoles look again."""
        await self.sessions.broker.publish(
            channel(session_id), signal("draft", session_id, question=question_id, table=table)
        )


@dataclass(frozen=True)
class Member:
    participant: str
    number: int
    tablet: bool


@dataclass
class TableRow:
    """One line of the console's table overview."""

    table: int
    name: str
    members: list[Member] = field(default_factory=list)
    connected: int = 0  # devices at the table with an open socket (phones and tablets)
    answered: int = 0  # phones at the table that answered the open individual question
    view: drafts.TableView | None = None  # the open table question's draft or answer

    @property
    def phones(self) -> int:
        return sum(1 for m in self.members if not m.tablet)

    @property
    def tablets(self) -> int:
        return sum(1 for m in self.members if m.tablet)


def overview(
    db: Session, state: LiveState, question: Question | None, connected: set[str]
) -> list[TableRow]:
    """Each table's members, presence and progress on ``question`` (the shown one)."""
    rows = {n: TableRow(n, name) for n, name in sorted(state.tables.items())}
    seated = db.exec(
        select(Participant.id, Participant.number, Participant.device, Participant.table_number)
        .where(
            Participant.session_id == state.session_id, col(Participant.table_number).is_not(None)
        )
        .order_by(col(Participant.number))
    ).all()
    for pid, number, device, table in seated:
        row = rows.get(table or 0)
        if row is None:
            continue
        row.members.append(Member(pid, number, device is DeviceKind.TABLET))
        row.connected += pid in connected
    if question is None:
        return list(rows.values())
    if question.scope == "table":
        for table, view in drafts.table_views(db, state.session_id, question.id).items():
            if table in rows:
                rows[table].view = view
        return list(rows.values())
    answered = db.exec(
        select(Participant.table_number, func.count())
        .join(Answer, col(Answer.participant_id) == col(Participant.id))
        .where(
            Answer.session_id == state.session_id,
            Answer.question_id == question.id,
            Participant.device == DeviceKind.PHONE,
        )
        .group_by(col(Participant.table_number))
    ).all()
    for table, count in answered:
        if table in rows:
            rows[table].answered = count
    return list(rows.values())
