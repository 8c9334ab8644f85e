"""Who may act on a session: the facilitator who created it (its owner) and the
facilitators the owner invited. Nobody else.

``may_act`` is the one rule: every console page, API call, console socket,
report and share link asks it (the web side through strategyroom.web.ownership).
To anyone else a session they may not act on does not exist: the answer is
"not found", exactly as for an id that was never used, so ids are never
confirmed. Only the owner invites (``invite``) and deletes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from strategyroom.live.errors import N_, InvalidMessage, NotFound, SessionError
from strategyroom.store.models import Facilitator, RoomSession, SessionFacilitator


class OwnerOnly(SessionError):
    """A co-facilitator asked for what only the session's owner may do; they may
    see the session, so saying so confirms nothing new."""

    code = "owner_only"
    status = 403


def _allowed(facilitator_id: int) -> Any:
    """The SQL condition for the sessions a facilitator may act on."""
    invited = select(SessionFacilitator.session_id).where(
        SessionFacilitator.facilitator_id == facilitator_id
    )
    return or_(col(RoomSession.created_by) == facilitator_id, col(RoomSession.id).in_(invited))


def may_act(
    db: Session, facilitator_id: int, session_ids: Sequence[str], *, owner: bool = False
) -> list[RoomSession]:
    """The sessions, in the order asked, when the facilitator may act on every
    one of them (with ``owner``: owns every one); NotFound when one is unknown or
    not theirs, the same answer for both."""
    wanted = list(dict.fromkeys(session_ids))
    rows = db.exec(
        select(RoomSession).where(col(RoomSession.id).in_(wanted), _allowed(facilitator_id))
    ).all()
    found = {row.id: row for row in rows}
    if len(found) != len(wanted):
        raise NotFound(N_("There is no such session."))
    if owner and any(row.created_by != facilitator_id for row in rows):
        raise OwnerOnly(N_("Only the facilitator who created this session can do that."))
    return [found[session_id] for session_id in wanted]


def sessions_of(db: Session, facilitator_id: int) -> list[RoomSession]:
    """Every session the facilitator may act on, newest first."""
    return list(
        db.exec(
            select(RoomSession)
            .where(_allowed(facilitator_id))
            .order_by(col(RoomSession.created_at).desc())
        ).all()
    )


def facilitators_of(db: Session, room: RoomSession) -> tuple[str, list[str]]:
    """The session's owner and its invited co-facilitators, by account name."""
    owner = db.get_one(Facilitator, room.created_by).username
    invited = db.exec(
        select(Facilitator.username)
        .join(SessionFacilitator, col(SessionFacilitator.facilitator_id) == Facilitator.id)
        .where(SessionFacilitator.session_id == room.id)
        .order_by(col(Facilitator.username))
    ).all()
    return owner, list(invited)


def invite(db: Session, room: RoomSession, username: str) -> None:
    """Let another facilitator act on the session; inviting twice changes nothing."""
    guest = db.exec(select(Facilitator).where(Facilitator.username == username.strip())).first()
    if guest is None:
        raise NotFound(N_("There is no facilitator called %(name)s."), name=username.strip())
    if guest.id == room.created_by:
        raise InvalidMessage(N_("You created this session; it is yours already."))
    assert guest.id is not None
    if db.get(SessionFacilitator, (room.id, guest.id)) is None:
        db.add(SessionFacilitator(session_id=room.id, facilitator_id=guest.id))
        db.commit()


def uninvite(db: Session, room: RoomSession, username: str) -> int:
    """Take a co-facilitator off the session (their account id is returned); one
    who was not on it is NotFound."""
    guest = db.exec(select(Facilitator).where(Facilitator.username == username)).first()
    row = db.get(SessionFacilitator, (room.id, guest.id)) if guest is not None else None
    if row is None:
        raise NotFound(N_("%(name)s is not a co-facilitator of this session."), name=username)
    taken_off = row.facilitator_id
    db.delete(row)
    db.commit()
    return taken_off
