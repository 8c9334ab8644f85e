"""Facilitator accounts, created from the command line, passwords hashed with argon2."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from strategyroom.store.models import Facilitator

_hasher = PasswordHasher()
# Verifying against a dummy hash for unknown names keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not a password anyone has")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD_LENGTH = 10


class AccountError(Exception):
    pass


def add_facilitator(db: Session, username: str, password: str) -> Facilitator:
    if not USERNAME.match(username):
        raise AccountError(
            "a username has 2-64 letters, digits or . _ @ - and starts with a letter or digit"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if db.exec(select(Facilitator).where(Facilitator.username == username)).first():
        raise AccountError(f"there is already a facilitator called {username!r}")
    facilitator = Facilitator(username=username, password_hash=_hasher.hash(password))
    db.add(facilitator)
    db.commit()
    db.refresh(facilitator)
    return facilitator


def authenticate(db: Session, username: str, password: str) -> Facilitator | None:
    facilitator = db.exec(select(Facilitator).where(Facilitator.username == username)).first()
    try:
        _hasher.verify(facilitator.password_hash if facilitator else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return facilitator


def set_password(db: Session, username: str, password: str) -> Facilitator:
    """Create the account, or give an existing one a new password."""
    facilitator = db.exec(select(Facilitator).where(Facilitator.username == username)).first()
    if facilitator is None:
        return add_facilitator(db, username, password)
    facilitator.password_hash = _hasher.hash(password)
    db.add(facilitator)
    db.commit()
    return facilitator
