"""Anonymous participants: a device joins with a code and gets a secret token.

Only a hash of the token is stored, so the database cannot be used to act as a
participant. The browser keeps the token in its signed session cookie, other
clients send it in their hello message.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlmodel import Session, select

from strategyroom.store.models import Participant


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def join(db: Session, session_id: str, language: str) -> tuple[Participant, str]:
    token = secrets.token_urlsafe(32)
    participant = Participant(
        id=uuid.uuid4().hex, session_id=session_id, token_hash=token_hash(token), language=language
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
