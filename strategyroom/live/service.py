"""The session service: the one place where a session changes.

Write, then publish: every change is committed to the database together with
the events that describe it, and only then published on the broker. The
database is the source of truth; the broker only carries news of it.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from strategyroom.aggregate import aggregate
from strategyroom.broker import Broker
from strategyroom.decks import Deck
from strategyroom.decks.answers import parse_answer
from strategyroom.live import answers, commands
from strategyroom.live import state as machine
from strategyroom.live.answers import PendingAnswer
from strategyroom.live.codes import new_join_code
from strategyroom.live.commands import Context
from strategyroom.live.errors import N_, InvalidMessage, NotFound
from strategyroom.live.events import (
    Envelope,
    Event,
    ParticipantMoved,
    QuestionClosed,
    QuestionReopened,
    TableCreated,
)
from strategyroom.live.groupcommit import GroupCommit
from strategyroom.live.joins import Admission, Joins
from strategyroom.live.news import SessionDeleted, TallyChanged, publish
from strategyroom.live.reading import SessionReader
from strategyroom.live.rows import load_state, result_rows, store_state
from strategyroom.live.state import LiveState
from strategyroom.live.tables import TableService
from strategyroom.store.db import Database
from strategyroom.store.models import (
    DeviceKind,
    Participant,
    QuestionRun,
    RoomSession,
    RoomTable,
    SessionEvent,
    utcnow,
)

# A decision sees the session's state (locked), its deck, the database session of
# the transaction and the moment of the action (also stored with its events).
Decision = Callable[[Context], list[Event]]


class SessionService(SessionReader):
    """Reading (``SessionReader``) and every change to a session."""

    def __init__(self, db: Database, broker: Broker) -> None:
        super().__init__(db)
        self.broker = broker
        self._answers = GroupCommit(db, self._tallies_changed)
        self._joins = Joins(db)
        self.tables = TableService(self)

    # -- facilitator actions -------------------------------------------------

    async def create(
        self, deck: Deck, title: str, facilitator_id: int, deck_number: int | None = None
    ) -> RoomSession:
        """A new session of ``deck``, version ``deck_number`` of the deck library."""

        def insert(db: Session) -> RoomSession:
            for _ in range(20):
                room = RoomSession(
                    id=uuid.uuid4().hex,
                    join_code=new_join_code(),
                    title=title.strip() or deck.text(deck.title, deck.default_language),
                    deck_id=deck.id,
                    deck_version=deck.version,
                    deck_number=deck_number,
                    deck=deck.model_dump(mode="json"),
                    epoch=secrets.token_hex(4),
                    created_by=facilitator_id,
                )
                db.add(room)
                try:
                    db.commit()
                except IntegrityError:  # the join code was taken: draw another
                    db.rollback()
                    continue
                return room
            raise RuntimeError("could not draw a free join code")

        return await self.db.run(insert, write=True)

    async def command(
        self, session_id: str, name: str, fields: Mapping[str, Any], actor: str
    ) -> LiveState:
        """Run a command of the table (commands.py) with the fields a caller sent:
        the console's buttons, the JSON API and a device choosing its table."""
        found = commands.command(name)
        arguments = found.parse(fields)  # refused before any lock is taken
        return await self.act(session_id, actor, lambda context: found.run(context, arguments))

    async def act(self, session_id: str, actor: str, decide: Decision) -> LiveState:
        def transact(db: Session) -> tuple[LiveState, list[Envelope]]:
            room = db.exec(
                select(RoomSession).where(RoomSession.id == session_id).with_for_update()
            ).one_or_none()
            if room is None:
                raise NotFound(N_("There is no such session."))
            deck = self.deck(room)
            before = state = load_state(db, session_id)
            now = utcnow()
            envelopes = []
            for event in decide(Context(db, state, deck, now)):
                envelope = Envelope(session_id, room.epoch, state.seq + 1, event)
                state = state.apply(envelope)
                self._record(db, room, deck, event, now)
                db.add(
                    SessionEvent(
                        session_id=session_id,
                        seq=envelope.seq,
                        name=event.name,
                        data=event.data(),
                        actor=actor,
                        created_at=now,
                    )
                )
                envelopes.append(envelope)
            if envelopes:
                store_state(db, room, before, state, now)
                db.commit()
            return state, envelopes

        state, envelopes = await self.db.run(transact, write=True)
        for envelope in envelopes:
            await publish(self.broker, envelope)
        return state

    @staticmethod
    def _record(db: Session, room: RoomSession, deck: Deck, event: Event, now: datetime) -> None:
        """What only the event itself knows, written when it happens; every other
        stored column is written from the folded state (``store_state``)."""
        match event:
            case QuestionClosed(question=qid):
                # The row lock keeps answers out (answers.py takes it shared), so
                # the frozen totals are exactly the answers stored before the close.
                run = db.exec(
                    select(QuestionRun)
                    .where(QuestionRun.session_id == room.id, QuestionRun.question_id == qid)
                    .with_for_update()
                ).one()
                rows = result_rows(db, room.id, deck.question(qid))
                run.frozen_results = aggregate(deck.question(qid), rows).model_dump(mode="json")
                run.closed_at = now
                db.add(run)
            case QuestionReopened(question=qid):
                # The totals are live again; reports read the next close's.
                run = db.get_one(QuestionRun, (room.id, qid))
                run.frozen_results = None
                run.closed_at = None
                db.add(run)
            case TableCreated(table=number, label=label):
                db.add(RoomTable(session_id=room.id, number=number, name=label))
                db.flush()  # the table row exists before a device is seated at it
            case ParticipantMoved(participant=participant_id, table=table):
                row = db.get_one(Participant, participant_id)
                row.table_number = table
                db.add(row)

    async def delete(self, session_id: str) -> None:
        """Delete a session and every row that belongs to it (docs/privacy.md).

        Every table with a ``session_id`` column is emptied of the session's
        rows, children first, so tables added later are covered too.
        """

        def remove(db: Session) -> None:
            room = db.exec(
                select(RoomSession).where(RoomSession.id == session_id).with_for_update()
            ).one_or_none()
            if room is None:
                raise NotFound(N_("There is no such session."))
            for table in session_tables():
                db.execute(table.delete().where(table.c.session_id == session_id))
            db.delete(room)
            db.commit()

        await self.db.run(remove, write=True)
        await self.db.forget_deleted()
        self.forget(session_id)
        await publish(self.broker, SessionDeleted(session_id))

    # -- participants ----------------------------------------------------------

    async def join(
        self,
        room: RoomSession,
        language: str,
        table: int | None = None,
        device: DeviceKind = DeviceKind.PHONE,
        limit: int | None = None,
        table_code: bool = True,
    ) -> tuple[Participant, str]:
        """A new participant; with ``table``, seated there (a ``participant_moved``
        event, so every screen learns of it in order). ``table_code``: ``table``
        came as the table's own code or link, which a closed door still lets
        through; a table picked from the join page's list, or the API's
        plain ``"table"`` number, is not."""
        if device is DeviceKind.TABLET and table is None:
            raise NotFound(N_("A table's tablet joins with the table's own link or code."))
        if table is not None:
            state = await self.state(room.id)
            machine.require_table(state, table)

        try:
            participant, token = await self._joins.admit(
                Admission(
                    room.id, language, device, limit, at_table=table is not None and table_code
                )
            )
        except NotFound:
            self.forget(room.id)  # deleted since this worker cached its row
            raise
        if table is not None:
            await self.tables.move(room.id, participant.id, table, actor="participant")
            participant.table_number = table
        return participant, token

    async def set_language(self, participant: Participant, language: str) -> None:
        def update(db: Session) -> None:
            row = db.get_one(Participant, participant.id)
            row.language = language
            db.add(row)
            db.commit()

        participant.language = language
        await self.db.run(update, write=True)

    async def answer(
        self,
        room: RoomSession,
        participant_id: str,
        question_id: str,
        answer_id: str,
        raw: Any,
    ) -> answers.Recorded:
        """Validate and store an answer; publish that the tally changed."""
        question = self.question(room, question_id)
        if question.scope == "table":
            raise InvalidMessage(
                N_("Your table answers this question together: edit your table's draft.")
            )
        value = parse_answer(question, raw, self.deck(room).attributes)
        # Stored (in a group commit with the answers arriving alongside) before
        # this returns; the tally signal goes out once per commit, not per answer.
        return await self._answers.store(
            PendingAnswer(room.id, participant_id, question_id, answer_id, value)
        )

    async def _tallies_changed(self, changed: set[tuple[str, str]]) -> None:
        for session_id, question_id in sorted(changed):
            await publish(self.broker, TallyChanged(session_id, question_id))


def session_tables() -> list[Table]:
    """Tables holding a session's rows, in an order that deletes children first."""
    return [
        table
        for table in reversed(SQLModel.metadata.sorted_tables)
        if "session_id" in table.c and table.name != RoomSession.__tablename__
    ]
