"""Facilitator accounts, created from the command line, passwords hashed with argon2."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from strategyroom.store.models import (
    DeckDraft,
    DeckVersion,
    Facilitator,
    LibraryDeck,
    ReportJob,
    ReportShare,
    RoomSession,
    SessionFacilitator,
)

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
        raise _unknown(db, username)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    facilitator.password_hash = _hasher.hash(password)
    # A new password ends the logins made with the old one.
    facilitator.login_version += 1
    db.add(facilitator)
    db.commit()
    return facilitator


def login_version(db: Session, facilitator_id: int, username: str) -> int | None:
    """The account's current login version; None when the account is gone. The
    name is checked too: SQLite may give a removed account's id to the next
    account added, and a login of the one must not open the other."""
    found = db.exec(
        select(Facilitator.login_version).where(
            Facilitator.id == facilitator_id, Facilitator.username == username
        )
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


def _unknown(db: Session, username: str) -> AccountError:
    """ "There is no facilitator called 'bo'", with the closest existing name."""
    names = list(db.exec(select(Facilitator.username)).all())
    close = difflib.get_close_matches(username, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return AccountError(f"there is no facilitator called {username!r}{hint}")


@dataclass(frozen=True)
class Removed:
    """What removing an account did (the command prints it)."""

    sessions_moved: int
    invitations_dropped: int
    shares_kept: int


def remove_facilitator(db: Session, username: str, sessions_to: str | None = None) -> Removed:
    """Delete the account (someone who left): its logins end, as the login check
    finds no account. Sessions it owns are never deleted with it: without
    ``sessions_to`` an owner of sessions is refused, with it they pass to that
    facilitator. Everything else that names the account by id is kept, pointed
    elsewhere: its co-facilitator invitations are dropped, the report share
    links it made stay valid and pass to the owner of their first session,
    and report jobs and deck library versions and drafts keep no author. The
    audit log (SessionEvent.actor) and theme edits name it by user name, and
    keep it. One transaction: all of it, or nothing."""
    leaving = find_facilitator(db, username)
    if leaving is None:
        raise _unknown(db, username)
    heir: Facilitator | None = None
    if sessions_to is not None:
        if sessions_to == username:
            raise AccountError(f"--sessions-to must name another facilitator than {username!r}")
        heir = find_facilitator(db, sessions_to)
        if heir is None:
            raise AccountError(f"--sessions-to: {_unknown(db, sessions_to)}")
    gone = leaving.id
    owned = list(db.exec(select(RoomSession).where(RoomSession.created_by == gone)).all())
    if owned and heir is None:
        count = f"{len(owned)} session{'s' if len(owned) != 1 else ''}"
        raise AccountError(
            f"{username!r} owns {count}; name the facilitator who takes them over "
            "with --sessions-to OTHER"
        )
    for room in owned:
        assert heir is not None
        room.created_by = heir.id  # type: ignore[assignment]
        db.add(room)
    if heir is not None and owned:
        # The new owner was perhaps invited to some of them: an owner is not also a guest.
        db.execute(
            delete(SessionFacilitator).where(
                col(SessionFacilitator.facilitator_id) == heir.id,
                col(SessionFacilitator.session_id).in_([room.id for room in owned]),
            )
        )
    invitations = db.execute(
        delete(SessionFacilitator).where(col(SessionFacilitator.facilitator_id) == gone)
    ).rowcount  # type: ignore[attr-defined]
    db.flush()
    # A share link is for sessions its maker could act on; it passes to the
    # owner of its first session (which exists: deleting a session deletes its links).
    kept = 0
    for share in db.exec(select(ReportShare).where(ReportShare.created_by == gone)).all():
        first = db.get(RoomSession, share.session_ids[0]) if share.session_ids else None
        if first is None:
            db.delete(share)  # a link to nothing any more
            continue
        share.created_by = first.created_by
        db.add(share)
        kept += 1
    for model, column in (
        (ReportJob, ReportJob.created_by),
        (LibraryDeck, LibraryDeck.created_by),
        (DeckVersion, DeckVersion.created_by),
        (DeckDraft, DeckDraft.updated_by),
    ):
        db.execute(update(model).where(col(column) == gone).values({column: None}))
    db.delete(leaving)
    db.commit()
    return Removed(len(owned), int(invitations or 0), kept)
