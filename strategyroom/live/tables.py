"""Tables: seating devices, the table drafts and answers (the storage rules are
in ``drafts``) and the console's overview. Creating tables and the discussion
timer are commands (commands.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, func, select

from strategyroom.decks import Question
from strategyroom.decks.answers import parse_answer
from strategyroom.live import drafts
from strategyroom.live.errors import N_, InvalidAnswer, InvalidMessage
from strategyroom.live.news import DraftChanged, TallyChanged, publish
from strategyroom.live.policy import Rows, counted_rows
from strategyroom.live.state import LiveState
from strategyroom.store.models import Answer, DeviceKind, Participant, RoomSession, utcnow

if TYPE_CHECKING:
    from strategyroom.live.service import SessionService


class TableService:
    def __init__(self, sessions: SessionService) -> None:
        self.sessions = sessions

    async def move(self, session_id: str, participant_id: str, table: int, actor: str) -> LiveState:
        """Seat a device at a table (a device choosing one; the facilitator's
        console sends the same ``move`` command)."""
        fields = {"participant": participant_id, "table": table}
        return await self.sessions.command(session_id, "move", fields, actor)

    def _table_question(self, room: RoomSession, question_id: str) -> Question:
        question = self.sessions.question(room, question_id)
        if counted_rows(question) is not Rows.TABLES:
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
        *,
        base_value: Any = None,
        has_base_value: bool = False,
    ) -> drafts.TableView:
        """Store an edit of a table's draft (a whole, valid answer) if ``base`` is
        current, or merged into the current draft when the edit says what ``base``
        held (``base_value``; None for no draft) and the two do not conflict."""
        question = self._table_question(room, question_id)
        attributes = self.sessions.deck(room).attributes
        value = parse_answer(question, raw, attributes)
        based = None
        if has_base_value:
            try:
                based = drafts.Based(
                    None if base_value is None else parse_answer(question, base_value, attributes)
                )
            except InvalidAnswer:  # not a draft this table could have had: no merge
                based = None

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
                question=question,
                based=based,
                attributes=attributes,
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
            # The table's answer is one more counted row: the question's counts
            # and results change, as with a participant's answer.
            await publish(self.sessions.broker, TallyChanged(room.id, question_id))
        return submitted

    async def _draft_changed(self, session_id: str, question_id: str, table: int) -> None:
        """Tell every worker: the table's devices and the consoles look again."""
        await publish(self.sessions.broker, DraftChanged(session_id, question_id, table))


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
    tablets_connected: int = 0  # of them, the table's tablets
    answered: int = 0  # phones at the table that answered the open individual question
    view: drafts.TableView | None = None  # the open table question's draft or answer

    @property
    def phones(self) -> int:
        return sum(1 for m in self.members if not m.tablet)

    @property
    def tablets(self) -> int:
        return sum(1 for m in self.members if m.tablet)


def unseated(db: Session, session_id: str) -> list[Member]:
    """The devices at no table (joined before there were tables, or without
    choosing one), for the console to seat them."""
    rows = db.exec(
        select(Participant.id, Participant.number, Participant.device)
        .where(Participant.session_id == session_id, col(Participant.table_number).is_(None))
        .order_by(col(Participant.number))
    ).all()
    return [Member(pid, number, device is DeviceKind.TABLET) for pid, number, device in rows]


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
        row.tablets_connected += device is DeviceKind.TABLET and pid in connected
    if question is None:
        return list(rows.values())
    if counted_rows(question) is Rows.TABLES:
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


def can_answer(db: Session, session_id: str, question: Question, tables: list[TableRow]) -> int:
    """Who can answer ``question`` (``answered`` is read against it): for a table
    question the tables with a device seated (a table's tablet may submit for
    it), for any other the joined phones (a tablet is no one's own device and
    answers table questions only)."""
    if counted_rows(question) is Rows.TABLES:
        return sum(1 for row in tables if row.members)
    return db.exec(
        select(func.count()).where(
            Participant.session_id == session_id, Participant.device == DeviceKind.PHONE
        )
    ).one()
