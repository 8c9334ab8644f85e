"""Share links: a facilitator lets someone without an account read (and
download) the report of one or more sessions, until the link expires or is
revoked.

The token is 32 random bytes shown once; only its SHA-256 is stored, so the
database cannot give a link away. A token that never existed is "not found"
(404); one that expired or was revoked is "gone" (410), with a message saying
which.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from strategyroom.live.errors import N_, InvalidMessage, NotFound, SessionError

# Share tokens are stored as participants' tokens are: only their SHA-256.
from strategyroom.live.participants import token_hash
from strategyroom.store.models import ReportShare, RoomSession, utcnow

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
    found = db.exec(select(RoomSession.id).where(col(RoomSession.id).in_(session_ids))).all()
    if len(set(found)) != len(set(session_ids)):
        raise NotFound(N_("There is no such session."))
    token = secrets.token_urlsafe(32)
    share = ReportShare(
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


def revoke_share(db: Session, share_id: int) -> None:
    share = db.get(ReportShare, share_id)
    if share is None:
        raise NotFound(N_("There is no such share link."))
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        db.add(share)
        db.commit()


def shares_of(db: Session, session_ids: Sequence[str]) -> list[ReportShare]:
    """The shares that cover exactly these sessions, newest first."""
    rows = db.exec(select(ReportShare).order_by(col(ReportShare.created_at).desc())).all()
    return [s for s in rows if s.session_ids == list(session_ids)]
