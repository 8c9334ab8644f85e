"""The tables. Everything a report needs is here; nothing lives only in memory.

Timestamps are timezone-aware UTC; SQLModel's UTCDateTime keeps them so on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKeyConstraint, LargeBinary, Text, UniqueConstraint
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
    # Written into the signed login cookie at login and raised by logout (and a
    # new password): a cookie with an older number is no longer a login.
    login_version: int = 0


class RoomSession(SQLModel, table=True):
    """One evening: a deck being run, its join code and where the room is."""

    __tablename__ = "room_session"

    id: str = Field(primary_key=True, max_length=32)
    join_code: str = Field(max_length=6, unique=True)
    title: str = Field(max_length=200)
    deck_id: str = Field(max_length=64)
    # The deck's own version text (its `version` field, e.g. "1.0"), as the author wrote it.
    deck_version: str = Field(max_length=40)
    # The deck library's version number the session was opened with (DeckVersion.number);
    # none for a session opened before the library existed.
    deck_number: int | None = None
    # The validated deck as it was when the session opened: a later version of the
    # deck does not change a running session, its record or its report.
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
    # The facilitator closed the door: joins with the session's code are refused,
    # a table's code still seats a late arrival (written from the live state).
    joining_locked: bool = False
    # What the projector shows (live.state.Projection: "card", "themes" or
    # "common_ground"; written from the live state).
    projection: str = Field(default="card", max_length=16)
    created_by: int = Field(foreign_key="facilitator.id")
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    # The current card's discussion timer (docs/protocol.md, "Timers"): running
    # while timer_ends_at is set, paused (or not started) with timer_remaining.
    # Every worker computes the countdown from these, never from its own clock.
    timer_card: int | None = None
    timer_ends_at: datetime | None = None
    timer_remaining: int | None = None
    # The facilitator's short introduction to the session's report (plain text,
    # strategyroom.reports.introduction); empty when there is none.
    introduction: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class SessionFacilitator(SQLModel, table=True):
    """A facilitator the session's owner invited to run it with them
    (strategyroom.access decides who may act on a session)."""

    __tablename__ = "session_facilitator"

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    facilitator_id: int = Field(foreign_key="facilitator.id", primary_key=True)
    added_at: datetime = Field(default_factory=utcnow)


class RoomTable(SQLModel, table=True):
    """A table in the room: a group of residents that may answer together."""

    __tablename__ = "room_table"

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    # 1, 2, 3 ... in the order the tables were created; part of the table's join link.
    number: int = Field(primary_key=True)
    name: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    # The table's call for the facilitator (live/state.py, HelpState): "" for
    # none, "requested", "acknowledged" or "helped"; written from the folded state.
    help: str = Field(default="", max_length=16)


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
    # How the link is named for listing and withdrawing: random, so that one
    # facilitator cannot count or guess another's links (the row id could be).
    public_id: str = Field(max_length=32, unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    session_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_by: int = Field(foreign_key="facilitator.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class ReportJob(SQLModel, table=True):
    """A report's PDF being made in the background (strategyroom.reports.jobs):
    its progress while it is made, then the file, kept for a while. In the
    database, so that every worker can show its progress and hand out the file."""

    __tablename__ = "report_job"

    # Random: names the job in its addresses, so that it cannot be guessed.
    id: str = Field(primary_key=True, max_length=32)
    # SHA-256 of the sessions (in the report's order) and the language: the same
    # report asked for again while it is being made joins this job.
    key: str = Field(max_length=64, index=True)
    session_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    language: str = Field(max_length=16)
    created_by: int | None = Field(default=None, foreign_key="facilitator.id")
    state: str = Field(default="queued", max_length=16)  # queued, running, done, failed
    progress: int = 0  # 0-100
    step: str = Field(default="queued", max_length=16)
    page: int = 0  # pages laid out so far
    error: str = Field(default="", max_length=400)
    created_at: datetime = Field(default_factory=utcnow)
    # The worker running the job writes it every few seconds: a job whose
    # worker stopped is told apart from a slow one.
    heartbeat_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    filename: str = Field(default="", max_length=200)
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


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


class LibraryDeck(SQLModel, table=True):
    """A deck in the library: its id is the deck document's ``id``, the same in
    every version (strategyroom/decks/library.py)."""

    __tablename__ = "library_deck"

    id: str = Field(primary_key=True, max_length=64)
    # The latest version's title in the deck's default language, for lists.
    title: str = Field(sa_column=Column(Text, nullable=False))
    latest: int = 0  # the newest version's number, raised with each new version
    # A sample deck's file in sessions/ (its name) and the hash of its content when
    # last read: a new version is made only when the file changed.
    sample_file: str | None = Field(default=None, max_length=255)
    sample_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="facilitator.id")


class DeckVersion(SQLModel, table=True):
    """One version of a library deck; never changed once written."""

    __tablename__ = "deck_version"

    deck_id: str = Field(foreign_key="library_deck.id", primary_key=True, max_length=64)
    number: int = Field(primary_key=True)  # 1, 2, 3 ... per deck
    # The validated deck document (Deck.model_dump(mode="json")).
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # SHA-256 over the canonical document and every media file's name and hash.
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="facilitator.id")


class DeckMedia(SQLModel, table=True):
    """A media file of a deck version (the bundle's ``media/`` folder)."""

    __tablename__ = "deck_media"
    __table_args__ = (
        ForeignKeyConstraint(
            ["deck_id", "number"], ["deck_version.deck_id", "deck_version.number"]
        ),
    )

    deck_id: str = Field(primary_key=True, max_length=64)
    number: int = Field(primary_key=True)
    name: str = Field(primary_key=True, max_length=255)  # its path under media/
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ThemeEdit(SQLModel, table=True):
    """A facilitator's edit of a text question's themes (strategyroom.aggregate.themes.edited),
    kept by the comment it names: themes are computed again as comments arrive,
    so their numbers change, but a comment's writer (a participant, or a table for
    a table question: one comment each per question) does not."""

    __tablename__ = "theme_edit"

    session_id: str = Field(foreign_key="room_session.id", primary_key=True, max_length=32)
    question_id: str = Field(primary_key=True, max_length=64)
    # The comment's writer: a participant id, or a table question's table label.
    comment: str = Field(primary_key=True, max_length=64)
    name: str | None = Field(default=None, max_length=100)  # the theme holding it is renamed
    moved_to: str | None = Field(default=None, max_length=64)  # it joins the theme holding this one
    edited_at: datetime = Field(default_factory=utcnow)
    edited_by: str = Field(max_length=64)  # the facilitator's user name, as the audit log keeps it


class DeckDraft(SQLModel, table=True):
    """A deck's working draft in the in-app editor (strategyroom/decks/editing.py):
    one per deck id, a document that may be invalid while it is edited. Each save
    raises ``revision``, guarded by the revision the editor read, so two
    facilitators editing one deck never overwrite each other unseen."""

    __tablename__ = "deck_draft"

    deck_id: str = Field(primary_key=True, max_length=64)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The library version the draft was made from (None: a new deck), whose media
    # the next version keeps.
    base_number: int | None = None
    revision: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="facilitator.id")


class DeckDraftMedia(SQLModel, table=True):
    """A media file uploaded in the deck editor (already checked and prepared
    by decks.media.prepare), named by its card and content hash. A version
    made from the draft takes the files it names (store.library's DeckMedia)."""

    __tablename__ = "deck_draft_media"

    deck_id: str = Field(foreign_key="deck_draft.deck_id", primary_key=True, max_length=64)
    name: str = Field(primary_key=True, max_length=255)  # its path under media/
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
