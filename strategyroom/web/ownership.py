"""The web side of strategyroom.access: the logged-in facilitator and the
sessions they may act on, for every console page, API call, console socket and
report. A session that is not theirs is "not found" (404), as an unknown id."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import HTTPConnection

from strategyroom import access
from strategyroom.live.clients import Role
from strategyroom.live.errors import SessionError
from strategyroom.reports import jobs, shares
from strategyroom.store.models import RoomSession
from strategyroom.web.context import Services, services
from strategyroom.web.security import current_facilitator, require_facilitator


def facilitator_id(connection: HTTPConnection) -> int:
    """The logged-in facilitator's account id (LoginRequired when nobody is)."""
    return int(require_facilitator(connection)["id"])


async def sessions_for(
    connection: HTTPConnection, session_ids: Sequence[str], *, owner: bool = False
) -> list[RoomSession]:
    """The sessions, when the logged-in facilitator may act on all of them."""
    user = facilitator_id(connection)
    return await services(connection).db.run(
        lambda db: access.may_act(db, user, session_ids, owner=owner)
    )


async def session_for(
    connection: HTTPConnection, session_id: str | None = None, *, owner: bool = False
) -> RoomSession:
    """The session of the path's ``session_id`` (or the one given), when the
    logged-in facilitator may act on it."""
    wanted = session_id if session_id is not None else connection.path_params["session_id"]
    return (await sessions_for(connection, [wanted], owner=owner))[0]


async def watchable(connection: HTTPConnection, session_id: str) -> RoomSession | None:
    """The session a console socket watches, when its facilitator may act on it;
    None otherwise (a socket is refused rather than told why)."""
    if current_facilitator(connection) is None:
        return None
    try:
        return await session_for(connection, session_id)
    except SessionError:
        return None


async def my_sessions(connection: HTTPConnection) -> list[RoomSession]:
    user = facilitator_id(connection)
    return await services(connection).db.run(lambda db: access.sessions_of(db, user))


async def delete_session(svc: Services, room: RoomSession) -> None:
    """Delete a session with its share links (strategyroom.reports.shares) and
    its reports' PDF jobs (strategyroom.reports.jobs): those first, so that none
    outlives the session even if deleting it fails."""
    await svc.db.run(lambda db: shares.delete_shares_of(db, room.id), write=True)
    await svc.db.run(lambda db: jobs.delete_jobs_of(db, room.id), write=True)
    await svc.sessions.delete(room.id)


async def close_consoles(svc: Services, session_id: str, facilitator: int) -> None:
    """Close a facilitator's console sockets on the session (they were taken off
    it): a console socket only watches, but what it shows is no longer theirs.
    As logout does, this closes the sockets this worker serves."""
    await svc.hub.close_where(
        lambda client: client.role is Role.CONSOLE and client.connection.facilitator == facilitator,
        session_id,
    )
