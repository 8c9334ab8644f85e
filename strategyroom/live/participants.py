"""Anonymous participants: a device joins with a code and gets a secret token.

Only a hash of the token is stored, so the database cannot be used to act as a
participant. The browser keeps the token in its signed session cookie, other
clients send it in their hello message.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import NoReturn

from sqlalchemy import true, update
from sqlmodel import Session, col, select

from strategyroom.live.errors import N_, NotFound, SessionEnded, SessionFull
from strategyroom.store.models import DeviceKind, Participant, RoomSession, SessionStatus


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def admit(
    db: Session,
    session_id: str,
    language: str,
    device: DeviceKind = DeviceKind.PHONE,
    limit: int | None = None,
) -> tuple[Participant, str]:
    """A new participant and its secret token, committed; refused when the session
    is gone, has ended or already has ``limit`` devices."""
    # One statement counts the device in, checks the limit and that the session
    # is open, and hands out the device's number: the row's lock is held only
    # until the commit below, and nothing is counted (docs/performance.md).
    admitted = col(RoomSession.joined) < limit if limit is not None else true()
    number = db.execute(
        update(RoomSession)
        .where(
            col(RoomSession.id) == session_id,
            col(RoomSession.status) != SessionStatus.ENDED,
            admitted,
        )
        .values(joined=col(RoomSession.joined) + 1)
        .returning(col(RoomSession.joined))
    ).scalar_one_or_none()
    if number is None:
        db.rollback()
        _refuse(db.get(RoomSession, session_id), limit)
    token = secrets.token_urlsafe(32)
    participant = Participant(
        id=uuid.uuid4().hex,
        session_id=session_id,
        token_hash=token_hash(token),
        language=language,
        number=number,  # "Member 7": a label, unique in the session
        device=device,
    )
    db.add(participant)
    db.commit()
    return participant, token


def _refuse(room: RoomSession | None, limit: int | None) -> NoReturn:
    if room is None:
        raise NotFound(N_("There is no such session."))
    if room.status is SessionStatus.ENDED:
        raise SessionEnded(N_("This session has ended. Thank you for taking part."))
    raise SessionFull(N_("This session is full (%(limit)s participants)."), limit=limit)


def find(db: Session, session_id: str, token: str) -> Participant | None:
    if not token or len(token) > 100:
        return None
    return db.exec(
        select(Participant).where(
            Participant.token_hash == token_hash(token), Participant.session_id == session_id
        )
    ).one_or_none()
