"""Facilitator logins: what a login puts in the signed session cookie, how
logout ends it, and the check that makes logout hold on every worker.

The cookie is signed, not stored: a copy taken before logout would stay valid
until it expires (14 days) if nothing on the server remembered the logout. So
each account has a login version (``Facilitator.login_version``), written into
the cookie at login and raised by logout; ``LoginCheck`` compares the two on
every request and socket, and a cookie with an older number is not a login.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from strategyroom import accounts
from strategyroom.live.errors import N_
from strategyroom.store.db import Database
from strategyroom.store.models import Facilitator
from strategyroom.web.context import services
from strategyroom.web.limits import TooManyAttempts, client_address
from strategyroom.web.security import LoginRequired

FACILITATOR = "facilitator"
# A refused login (429) is answered after this long: a refusal costs the server
# almost nothing, so a client looping on it would otherwise send hundreds a
# second, each taking the event loop from the room's answers (bench/flood.py).
# Waiting costs one sleeping coroutine per connection.
REFUSAL_DELAY_SECONDS = 1.0


async def authenticate(connection: HTTPConnection, username: str, password: str) -> Facilitator:
    """The facilitator with this name and password, or ``LoginRequired`` (401);
    ``TooManyAttempts`` (429, with Retry-After) while a failed-login limit
    holds or too many password checks already wait (web/limits.py,
    web/passwords.py)."""
    svc = services(connection)
    address = client_address(connection)
    wait = svc.login_guard.wait(username, address)
    if wait > 0:
        # Rounded up to the minute: trying at the time shown is never too early.
        until = datetime.now(ZoneInfo(svc.settings.timezone)) + timedelta(seconds=wait + 59)
        await asyncio.sleep(REFUSAL_DELAY_SECONDS)
        raise TooManyAttempts(
            N_("Too many failed logins. Please try again after %(time)s."),
            wait,
            time=until.strftime("%H:%M"),
        )
    attempt = svc.login_guard.begin(username, address)
    try:
        async with svc.passwords.turn():
            user = await svc.db.run(lambda db: accounts.find_facilitator(db, username))
            # An unknown name is checked too (against a dummy hash): it takes as long.
            matched = await svc.passwords.matches(user, password)
    except TooManyAttempts:
        await asyncio.sleep(REFUSAL_DELAY_SECONDS)
        raise
    if not matched or user is None:
        raise LoginRequired(N_("Wrong username or password."))
    svc.login_guard.succeeded(attempt)
    return user


def start_login(connection: HTTPConnection, user: Facilitator) -> str:
    """A fresh session for ``user``: nothing from before the login carries over
    but the chosen language. Returns the new CSRF token."""
    language = connection.session.get("lang")
    connection.session.clear()
    connection.session.update(
        {
            FACILITATOR: {
                "id": user.id,
                "name": user.username,
                # Names this browser's login, so logout can close its console sockets.
                "login": secrets.token_hex(8),
                "version": user.login_version,
            },
            "csrf": secrets.token_urlsafe(32),
        }
    )
    if language:
        connection.session["lang"] = language
    return str(connection.session["csrf"])


async def end_login(connection: HTTPConnection) -> None:
    """Logout: this account's login cookies stop working everywhere, and this
    browser's open console sockets on this worker are closed."""
    user = connection.session.get(FACILITATOR)
    connection.session.clear()
    if not isinstance(user, dict):
        return
    svc = services(connection)
    facilitator_id = _id_of(user)
    if facilitator_id is not None:
        await svc.db.run(lambda db: accounts.end_logins(db, facilitator_id), write=True)
    login = str(user.get("login"))
    await svc.hub.close_where(lambda client: client.connection.login == login)


def _id_of(user: dict[str, Any]) -> int | None:
    value = user.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class LoginCheck:
    """Drops the facilitator from a session whose login version is not the
    account's current one (logged out, password changed, account gone).

    Sits inside Starlette's session middleware, so the cookie sent back no
    longer holds the ended login. Costs one primary-key read per request that
    carries a login; participants' requests carry none and pay nothing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Static files need no login: a console page's stylesheet and scripts
        # do not each cost a database read.
        if scope["type"] in ("http", "websocket") and not scope["path"].startswith("/static/"):
            session = scope.get("session")
            user = session.get(FACILITATOR) if isinstance(session, dict) else None
            if isinstance(user, dict):
                assert isinstance(session, dict)
                return self._checked(scope, receive, send, session, user)
        # Nothing to check (a participant's request or socket): the inner app's
        # awaitable itself, without a frame of this one kept for as long as a
        # socket is open (web/middleware.py, KeepServerSend).
        return self.app(scope, receive, send)

    async def _checked(
        self, scope: Scope, receive: Receive, send: Send, session: dict[str, Any], user: Any
    ) -> None:
        if not await _still_valid(scope, user):
            del session[FACILITATOR]
        await self.app(scope, receive, send)


async def _still_valid(scope: Scope, user: dict[str, Any]) -> bool:
    facilitator_id, version, name = _id_of(user), user.get("version"), user.get("name")
    if facilitator_id is None or not isinstance(version, int) or not isinstance(name, str):
        return False  # a cookie from before login versions: log in again
    db: Database = scope["app"].state.services.db
    current = await db.run(lambda session: accounts.login_version(session, facilitator_id, name))
    return current == version
