"""Share links: a facilitator lets someone without an account read (and
download) the report of one or more sessions, until the link expires or is
revoked.

The token is 32 random bytes shown once; only its SHA-256 is stored, so the
database cannot give a link away. A token that never existed is "not found"
(404); one that expired or was revoked is "gone" (410), with a message saying
which.

Facilitators name a link by its ``public_id`` (random, not the row id) and
may make, list and withdraw links only over sessions they may act on
(strategyroom.access); a link over a session that is deleted is deleted with
it, even when it covers other sessions too.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from strategyroom import access
from strategyroom.live.errors import N_, InvalidMessage, NotFound, SessionError

# Share tokens are stored as participants' tokens are: only their SHA-256.
from strategyroom.live.participants import token_hash
from strategyroom.store.models import ReportShare, utcnow

MAX_DAYS = 365


class ShareGone(SessionError):
    code = "share_gone"
    status = 410


def create_share(
    db: Session, session_ids: Sequence[str], days: int, facilitator_id: int
) -> tuple[ReportShare, str]:
    """A new share for the sessions, valid for ``days``; returns it and its token."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidMessage(N_("A share link can be valid for 1 to %(max)s days."), max=MAX_DAYS)
    if not session_ids:
        raise InvalidMessage(N_("Choose at least one session."))
    access.may_act(db, facilitator_id, session_ids)
    token = secrets.token_urlsafe(32)
    share = ReportShare(
        public_id=secrets.token_urlsafe(16),
        token_hash=token_hash(token),
        session_ids=list(dict.fromkeys(session_ids)),
        created_by=facilitator_id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.add(share)
    db.commit()
    db.refresh(share)
    return share, token


def open_share(db: Session, token: str, now: datetime | None = None) -> ReportShare:
    """The share a token opens; NotFound or ShareGone otherwise."""
    share = db.exec(select(ReportShare).where(ReportShare.token_hash == token_hash(token))).first()
    if share is None:
        raise NotFound(N_("This report link does not exist. Please check the address."))
    if share.revoked_at is not None:
        raise ShareGone(N_("This report link has been withdrawn by the facilitator."))
    if share.expires_at <= (now or datetime.now(UTC)):
        raise ShareGone(N_("This report link has expired. Please ask for a new one."))
    return share


def status(share: ReportShare, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``withdrawn``."""
    if share.revoked_at is not None:
        return "withdrawn"
    return "expired" if share.expires_at <= (now or datetime.now(UTC)) else "active"


def revoke_share(db: Session, public_id: str, facilitator_id: int) -> ReportShare:
    """Withdraw a link; withdrawing it again changes nothing. A link over a
    session the facilitator may not act on is not found, as an unknown one."""
    share = db.exec(select(ReportShare).where(ReportShare.public_id == public_id)).first()
    if share is None:
        raise NotFound(N_("There is no such share link."))
    try:
        access.may_act(db, facilitator_id, share.session_ids)
    except NotFound:
        raise NotFound(N_("There is no such share link.")) from None
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        db.add(share)
        db.commit()
        db.refresh(share)
    return share


def shares_of(
    db: Session, facilitator_id: int, session_ids: Sequence[str] | None = None
) -> list[ReportShare]:
    """The shares the facilitator may see, newest first: those over sessions they
    may all act on; with ``session_ids``, only those that cover exactly them, in
    whatever order the address names them."""
    mine = {room.id for room in access.sessions_of(db, facilitator_id)}
    rows = db.exec(select(ReportShare).order_by(col(ReportShare.created_at).desc())).all()
    wanted = set(session_ids) if session_ids is not None else None
    return [
        s
        for s in rows
        if set(s.session_ids) <= mine and (wanted is None or set(s.session_ids) == wanted)
    ]


def delete_shares_of(db: Session, session_id: str) -> None:
    """Delete every link that covers the session (before it is deleted): a link
    over several sessions dies with any one of them, since the report it opens
    can no longer be made. The session ids are a JSON list, which SQLite and
    PostgreSQL query differently, so the (few) links are filtered here."""
    for share in db.exec(select(ReportShare)).all():
        if session_id in share.session_ids:
            db.delete(share)
    db.commit()
