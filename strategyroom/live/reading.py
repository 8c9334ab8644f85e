"""Reading a session: its row, deck, state, events, results and participants.

Nothing here changes a session (``SessionService`` in service.py does, and
inherits these reads). The worker keeps a few things in memory because they
never change once a session is opened: its deck, and one shared copy of its
row, found by id or by join code, so that thousands of phones connecting at
once cost no query each for them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from strategyroom.aggregate import Result
from strategyroom.decks import Deck, Question
from strategyroom.live import answers, participants
from strategyroom.live.codes import normalize_join_code
from strategyroom.live.connecting import ConnectingDevices
from strategyroom.live.errors import N_, NotFound
from strategyroom.live.events import Envelope, event_from
from strategyroom.live.policy import Rows, counted_rows, question_result
from strategyroom.live.rows import load_state, result_rows
from strategyroom.live.state import LiveState
from strategyroom.live.theme_edits import Edits, WrittenComment, load_edits, written_comments
from strategyroom.live.themes import LiveThemes
from strategyroom.store.db import Database
from strategyroom.store.models import (
    Answer,
    Participant,
    QuestionRun,
    RoomSession,
    SessionEvent,
    TableAnswer,
)


class SessionReader:
    def __init__(self, db: Database) -> None:
        self.db = db
        # A session's deck never changes once it is opened, so caching is safe.
        self._decks: dict[str, Deck] = {}
        self._rows_counted: dict[tuple[str, str], Rows] = {}
        # Shared session rows by id, and session ids by join code, for the hot
        # paths (a socket connecting, a device joining); see ``shared_row``.
        self._rows: dict[str, RoomSession] = {}
        self._codes: dict[str, str] = {}
        self._connecting = ConnectingDevices(db)
        # The console's themes of text questions, refreshed every few seconds.
        self.themes = LiveThemes()

    # -- reading -----------------------------------------------------------

    def deck(self, room: RoomSession) -> Deck:
        deck = self._decks.get(room.id)
        if deck is None:
            deck = self._decks[room.id] = Deck.model_validate(room.deck)
            for card in deck.cards:
                if card.question is not None:
                    key = (room.id, card.question.id)
                    self._rows_counted[key] = counted_rows(card.question)
        return deck

    async def get(self, session_id: str) -> RoomSession:
        room = await self.db.run(lambda db: db.get(RoomSession, session_id))
        if room is None:
            raise NotFound(N_("There is no such session."))
        return room

    async def by_code(self, text: str) -> RoomSession:
        code = normalize_join_code(text)
        if code is None:
            raise NotFound(N_("That is not a valid join code. Codes have 6 letters and digits."))
        room = await self.db.run(
            lambda db: db.exec(select(RoomSession).where(RoomSession.join_code == code)).first()
        )
        if room is None:
            raise NotFound(N_("No session has the code %(code)s. Please check it."), code=code)
        return room

    async def shared_row(self, session_id: str) -> RoomSession:
        """One copy of the session row for this worker, shared by its sockets (a
        copy per socket was most of a participant's memory). Its id, join code,
        title and deck never change; its status and counters go stale, so read
        those from the live state instead."""
        row = self._rows.get(session_id)
        if row is None:
            row = self._rows[session_id] = await self.get(session_id)
        return row

    async def shared_row_by_code(self, text: str) -> RoomSession:
        """``by_code`` from this worker's memory after the first look-up: a
        thousand phones reconnecting at once cost no query each. A session
        deleted meanwhile is found out by the next step (``join`` or
        ``connecting``), which then calls ``forget``."""
        code = normalize_join_code(text)
        session_id = self._codes.get(code) if code else None
        if session_id is not None and session_id in self._rows:
            return self._rows[session_id]
        room = await self.by_code(text)
        self._codes[room.join_code] = room.id
        return self._rows.setdefault(room.id, room)

    def forget(self, session_id: str) -> None:
        """Drop this worker's cached copies of a session (it was deleted)."""
        row = self._rows.pop(session_id, None)
        if row is not None:
            self._codes.pop(row.join_code, None)
        self._decks.pop(session_id, None)
        self.themes.forget(session_id)  # they quote its comments

    async def connecting(
        self, session_id: str, token: str
    ) -> tuple[Participant | None, dict[str, Any]]:
        """The participant behind a connecting socket and their answers so far,
        read together with the other sockets connecting at the same moment."""
        return await self._connecting.lookup(session_id, token)

    async def state(self, session_id: str) -> LiveState:
        return await self.db.run(lambda db: load_state(db, session_id))

    async def events_since(self, session_id: str, seq: int) -> list[Envelope]:
        def read(db: Session) -> list[Envelope]:
            room = db.get(RoomSession, session_id)
            if room is None:
                return []
            rows = db.exec(
                select(SessionEvent)
                .where(SessionEvent.session_id == session_id, SessionEvent.seq > seq)
                .order_by(col(SessionEvent.seq))
            ).all()
            return [
                Envelope(session_id, room.epoch, row.seq, event_from(row.name, row.data))
                for row in rows
            ]

        return await self.db.run(read)

    async def results(self, room: RoomSession, question_id: str) -> Result:
        """The question's results (``policy.question_result``: frozen at close,
        else counted from the rows now)."""
        question = self.deck(room).question(question_id)

        def read(db: Session) -> Result:
            run = db.get(QuestionRun, (room.id, question_id))
            return question_result(question, run, lambda: result_rows(db, room.id, question))

        return await self.db.run(read)

    async def comments(self, room: RoomSession, question: Question) -> list[WrittenComment]:
        """Every comment a text question counts now, named by its writer."""
        return await self.db.run(lambda db: written_comments(db, room.id, question))

    async def theme_edits(self, room: RoomSession, question: Question) -> Edits:
        return await self.db.run(lambda db: load_edits(db, room.id, question.id))

    async def participant_count(self, session_id: str) -> int:
        return await self.db.run(
            lambda db: db.exec(
                select(func.count()).where(Participant.session_id == session_id)
            ).one()
        )

    async def answer_count(self, session_id: str, question_id: str) -> int:
        """How many rows a question counts (``policy.counted_rows``): participants'
        answers, or tables' for a table question."""
        # Known once the session's deck was read (every caller has).
        counted = self._rows_counted.get((session_id, question_id))
        table = TableAnswer if counted is Rows.TABLES else Answer
        return await self.db.run(
            lambda db: db.exec(
                select(func.count()).where(
                    table.session_id == session_id, table.question_id == question_id
                )
            ).one()
        )

    async def participant(self, session_id: str, token: str) -> Participant | None:
        return await self.db.run(lambda db: participants.find(db, session_id, token))

    async def answers_by_participant(self, session_id: str, question_id: str) -> dict[str, Any]:
        return await self.db.run(
            lambda db: answers.answers_by_participant(db, session_id, question_id)
        )

    async def answers_of(self, session_id: str, participant_id: str) -> dict[str, Any]:
        return await self.db.run(lambda db: answers.answers_of(db, session_id, participant_id))

    def question(self, room: RoomSession, question_id: str) -> Question:
        try:
            return self.deck(room).question(question_id)
        except KeyError:
            raise NotFound(
                N_("This deck has no question %(question)s."), question=question_id
            ) from None
