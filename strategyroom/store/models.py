"""The tables. Everything a report needs is here; nothing lives only in memory.

Timestamps are timezone-aware UTC; SQLModel's UTCDateTime keeps them so on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKeyConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class SessionStatus(StrEnum):
    LOBBY = "lobby"  # created, participants wait for the first card
    RUNNING = "running"
    ENDED = "ended"


class QuestionState(StrEnum):
    PENDING = "pending"  # never opened: no row exists
    OPEN = "open"
    CLOSED = "closed"


class Facilitator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class RoomSession(SQLModel, table=True):
    """One evening: a deck being run, its join code and where the room is."""

    __tablename__ = "room_session"

    id: str = Field(primary_key=True, max_length=32)
    join_code: str = Field(max_length=6, unique=True)
    title: str = Field(max_length=200)
    deck_id: str = Field(max_length=64)
    deck_version: str = Field(max_length=40)
    # The validated deck as it was when the session opened: later edits to the
    # file do not change a running session or its report.
    deck: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: SessionStatus = Field(default=SessionStatus.LOBBY, max_length=16)
    current_card: int | None = None
    # The last event's sequence number; bumped in the same transaction as the change.
    seq: int = 0
    # Changes when earlier events can no longer be replayed (clients then re-sync).
    epoch: str = Field(max_length=16)
    # Devices that have joined so far, kept with the row so that a join checks the
    # participant limit and numbers the device in one statement (no count, no lock).
    joined: int = 0
    created_by: int = Field(foreign_key="facilitator.id")
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    # The current card's discussion timer (docs/protocol.md, "Timers"): running
    # while timer_ends_at is set, paused (or not started) with timer_remaining.
    # Every worker computes the countdown from these, never from its own clock.
    timer_card: int | None = None
    timer_ends_at: datetime | None = None
    timer_remaining: int | None = None


class RoomTable(SQLModel, table=True):
    """A table in the room: a group of residents that may answer together."""

    __tablename__ = "room_table"

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    # 1, 2, 3 ... in the order the tables were created; part of the table's join link.
    number: int = Field(primary_key=True)
    name: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class QuestionRun(SQLModel, table=True):
    """A question that has been opened in a session; absent means pending."""

    __tablename__ = "question_run"

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    question_id: str = Field(primary_key=True, max_length=64)
    state: QuestionState = Field(max_length=16)
    revealed: bool = False
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    # The aggregate at the moment of closing; reports read these frozen figures.
    frozen_results: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class DeviceKind(StrEnum):
    PHONE = "phone"  # one resident's own device
    TABLET = "tablet"  # the table's shared device: answers table questions only


class Participant(SQLModel, table=True):
    """An anonymous device in a session. No name, no address: only a token hash."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "table_number"], ["room_table.session_id", "room_table.number"]
        ),
    )

    id: str = Field(primary_key=True, max_length=32)
    session_id: str = Field(foreign_key="room_session.id", index=True, max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    language: str = Field(max_length=8)
    joined_at: datetime = Field(default_factory=utcnow)
    # Shown as "Member 7" so a table can tell who changed its draft; not an identity.
    number: int = 0
    device: DeviceKind = Field(default=DeviceKind.PHONE, max_length=8)
    table_number: int | None = None


class Answer(SQLModel, table=True):
    """A participant's current answer to a question; changing it replaces the row."""

    __table_args__ = (UniqueConstraint("session_id", "question_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="room_session.id", max_length=32)
    question_id: str = Field(max_length=64)
    # Indexed: a (re)connecting phone reads its own answers; without it every
    # connect scanned the session's answers (a reconnect storm went quadratic).
    participant_id: str = Field(foreign_key="participant.id", max_length=32, index=True)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    client_answer_id: str = Field(max_length=64)
    revision: int = 1
    answered_at: datetime = Field(default_factory=utcnow)


class AnswerReceipt(SQLModel, table=True):
    """Every answer id ever accepted from a device, so a retry is never counted twice."""

    __tablename__ = "answer_receipt"

    participant_id: str = Field(foreign_key="participant.id", primary_key=True, max_length=32)
    client_answer_id: str = Field(primary_key=True, max_length=64)
    session_id: str = Field(foreign_key="room_session.id", index=True, max_length=32)
    question_id: str = Field(max_length=64)
    received_at: datetime = Field(default_factory=utcnow)


class SessionEvent(SQLModel, table=True):
    """The session's event log: replayed to clients that resume, and the audit log
    of facilitator actions (who did what, when)."""

    __tablename__ = "session_event"

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    seq: int = Field(primary_key=True)
    name: str = Field(max_length=40)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    actor: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class ReportShare(SQLModel, table=True):
    """A read-only link to the report of one or more sessions. Only the token's
    SHA-256 is stored: the link itself is shown once, when it is made."""

    __tablename__ = "report_share"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    session_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_by: int = Field(foreign_key="facilitator.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class TableDraft(SQLModel, table=True):
    """A table's answer being agreed on. ``revision`` grows by one per edit, in SQL,
    and an edit names the revision it was based on (docs/protocol.md, "Tables")."""

    __tablename__ = "table_draft"
    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "table_number"], ["room_table.session_id", "room_table.number"]
        ),
    )

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    question_id: str = Field(primary_key=True, max_length=64)
    table_number: int = Field(primary_key=True)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    revision: int = 1
    changed_by: str = Field(foreign_key="participant.id", max_length=32)
    changed_at: datetime = Field(default_factory=utcnow)


class TableAnswer(SQLModel, table=True):
    """The answer a table submitted for a table question: one per table, final."""

    __tablename__ = "table_answer"
    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "table_number"], ["room_table.session_id", "room_table.number"]
        ),
    )

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    question_id: str = Field(primary_key=True, max_length=64)
    table_number: int = Field(primary_key=True)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    # The draft revision that was submitted and the id the device gave the submission.
    revision: int
    submission_id: str = Field(max_length=64)
    submitted_by: str = Field(foreign_key="participant.id", max_length=32)
    submitted_at: datetime = Field(default_factory=utcnow)
