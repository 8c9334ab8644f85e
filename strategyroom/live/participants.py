"""Anonymous participants: a device joins with a code and gets a secret token.

Only a hash of the token is stored, so the database cannot be used to act as a
participant. The browser keeps the token in its signed session cookie, other
clients send it in their hello message.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlmodel import Session, func, select

from strategyroom.store.models import DeviceKind, Participant


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def join(
    db: Session, session_id: str, language: str, device: DeviceKind = DeviceKind.PHONE
) -> tuple[Participant, str]:
    token = secrets.token_urlsafe(32)
    # The number is only a label ("Member 7"); two devices joining at the same
    # instant on PostgreSQL may share one, which confuses no stored figure.
    last = db.exec(
        select(func.max(Participant.number)).where(Participant.session_id == session_id)
    ).one()
    participant = Participant(
        id=uuid.uuid4().hex,
        session_id=session_id,
        token_hash=token_hash(token),
        language=language,
        number=(last or 0) + 1,
        device=device,
    )
    db.add(participant)
    return participant, token


def find(db: Session, session_id: str, token: str) -> Participant | None:
    if not token or len(token) > 100:
        return None
    return db.exec(
        select(Participant).where(
            Participant.token_hash == token_hash(token), Participant.session_id == session_id
        )
    ).one_or_none()
