"""Facilitator accounts, created from the command line, passwords hashed with argon2."""

from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from strategyroom.store.models import Facilitator

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against a dummy hash for unknown names keeps the timing the same.
    Made on first use, not at import: a hash costs up to a second of CPU on a busy
    machine, which every process (each CLI command, each test server) paid."""
    return _hasher.hash("not a password anyone has")


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


def find_facilitator(db: Session, username: str) -> Facilitator | None:
    return db.exec(select(Facilitator).where(Facilitator.username == username)).first()


def password_matches(facilitator: Facilitator | None, password: str) -> bool:
    """Whether ``password`` is the facilitator's; an unknown account is checked
    against a dummy hash, so it takes as long as a known one. Costs an argon2
    verification (tens of milliseconds of CPU and 64 MiB): callers in the
    server run it in its own pool (strategyroom/web/passwords.py)."""
    try:
        _hasher.verify(facilitator.password_hash if facilitator else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return facilitator is not None


def set_password(db: Session, username: str, password: str) -> Facilitator:
    """Create the account, or give an existing one a new password."""
    if find_facilitator(db, username) is None:
        return add_facilitator(db, username, password)
    return change_password(db, username, password)


def change_password(db: Session, username: str, password: str) -> Facilitator:
    """Give an existing account a new password (a facilitator who forgot theirs)."""
    facilitator = find_facilitator(db, username)
    if facilitator is None:
        raise AccountError(f"there is no facilitator called {username!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    facilitator.password_hash = _hasher.hash(password)
    # A new password ends the logins made with the old one.
    facilitator.login_version += 1
    db.add(facilitator)
    db.commit()
    return facilitator


def login_version(db: Session, facilitator_id: int) -> int | None:
    """The account's current login version; None when the account is gone."""
    found = db.exec(
        select(Facilitator.login_version).where(Facilitator.id == facilitator_id)
    ).first()
    return None if found is None else int(found)


def end_logins(db: Session, facilitator_id: int) -> None:
    """Every login cookie of this account stops working (in SQL, so two logouts
    at once on two workers both count)."""
    db.execute(
        update(Facilitator)
        .where(col(Facilitator.id) == facilitator_id)
        .values(login_version=col(Facilitator.login_version) + 1)
    )
    db.commit()
