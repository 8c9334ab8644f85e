"""Anonymous participants: a device joins with a code and gets a secret token.

Only a hash of the token is stored, so the database cannot be used to act as a
participant. The browser keeps the token in its signed session cookie, other
clients send it in their hello message.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from typing import NoReturn

from sqlalchemy import Update, bindparam, false, update
from sqlmodel import Session, select

from strategyroom.live.errors import (
    N_,
    JoiningLocked,
    NotFound,
    SessionEnded,
    SessionError,
    SessionFull,
)
from strategyroom.store.models import DeviceKind, Participant, RoomSession, SessionStatus


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def admit(
    db: Session,
    session_id: str,
    language: str,
    device: DeviceKind = DeviceKind.PHONE,
    limit: int | None = None,
    at_table: bool = False,
) -> tuple[Participant, str]:
    """A new participant and its secret token, committed; refused when the session
    is gone, has ended, already has ``limit`` devices, or takes no new participants
    (unless they join with a table's code: ``at_table``)."""
    try:
        participant, token = count_in(db, session_id, language, device, limit, at_table)
    except SessionError:
        db.rollback()
        raise
    db.add(participant)
    db.commit()
    return participant, token


def count_in(
    db: Session,
    session_id: str,
    language: str,
    device: DeviceKind = DeviceKind.PHONE,
    limit: int | None = None,
    at_table: bool = False,
) -> tuple[Participant, str]:
    """Count a device in (not committed) and make its row, which the caller
    adds and commits: alone (``admit``) or with the other joins of its batch
    (live/joins.py). A refusal raises and changes nothing (its UPDATE matched
    no row), so it leaves the batch alone."""
    # One statement counts the device in, checks the limit and that the session
    # is open, and hands out the device's number: the row's lock is held only
    # until the commit, and nothing is counted (docs/performance.md). A Core
    # statement built once per kind of join, with the values bound: building
    # the ORM statement anew was most of a join's time in a batch.
    statement = _counting_statement(limit is not None, at_table)
    number = db.connection().execute(statement, {"session": session_id, "limit": limit}).scalar()
    if number is None:
        _refuse(db.get(RoomSession, session_id), limit, at_table)
    token = secrets.token_urlsafe(32)
    participant = Participant(
        id=uuid.uuid4().hex,
        session_id=session_id,
        token_hash=token_hash(token),
        language=language,
        number=number,  # "Member 7": a label, unique in the session
        device=device,
    )
    return participant, token


@functools.cache
def _counting_statement(limited: bool, at_table: bool) -> Update:
    """``UPDATE room_session SET joined = joined + 1 WHERE id = :session AND status
    <> 'ended' [AND joined < :limit] [AND NOT joining_locked] RETURNING joined``."""
    table = RoomSession.__table__  # type: ignore[attr-defined]
    conditions = [
        table.c.id == bindparam("session"),
        table.c.status != SessionStatus.ENDED,
    ]
    if limited:
        conditions.append(table.c.joined < bindparam("limit"))
    if not at_table:
        conditions.append(table.c.joining_locked.is_(false()))
    statement: Update = (
        update(table).where(*conditions).values(joined=table.c.joined + 1).returning(table.c.joined)
    )
    return statement


def _refuse(room: RoomSession | None, limit: int | None, at_table: bool) -> NoReturn:
    if room is None:
        raise NotFound(N_("There is no such session."))
    if room.status is SessionStatus.ENDED:
        raise SessionEnded(N_("This session has ended. Thank you for taking part."))
    if room.joining_locked and not at_table:
        raise JoiningLocked(N_("This session is not taking new participants; ask a facilitator."))
    raise SessionFull(N_("This session is full (%(limit)s participants)."), limit=limit)


def find(db: Session, session_id: str, token: str) -> Participant | None:
    if not token or len(token) > 100:
        return None
    return db.exec(
        select(Participant).where(
            Participant.token_hash == token_hash(token), Participant.session_id == session_id
        )
    ).one_or_none()
