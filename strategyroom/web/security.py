"""Login state, CSRF tokens and websocket Origin checks."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request

from strategyroom.live.errors import N_, SessionError

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class Forbidden(SessionError):
    code = "forbidden"
    status = 403


class LoginRequired(SessionError):
    code = "login_required"
    status = 401


def csrf_token(connection: HTTPConnection) -> str:
    token = connection.session.get("csrf")
    if not token:
        token = connection.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def check_csrf(request: Request, form: Any | None = None) -> None:
    """Every state-changing request carries the session's CSRF token, as a form
    field (plain forms) or a header (htmx and API clients)."""
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and form is not None:
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    # Bytes: compare_digest refuses str with non-ASCII characters (found by tests/test_fuzz.py).
    if not expected or not sent or not hmac.compare_digest(str(expected).encode(), sent.encode()):
        if form is not None:
            raise Forbidden(N_("This form has expired. Please reload the page and try again."))
        # An API client has no page to reload: say what it must send.
        if sent is None:
            raise Forbidden(
                N_("Send the X-CSRF-Token header with the csrf_token your login returned.")
            )
        raise Forbidden(
            N_("The X-CSRF-Token header is not this login's csrf_token; log in again for one.")
        )


def current_facilitator(connection: HTTPConnection) -> dict[str, Any] | None:
    user = connection.session.get("facilitator")
    return user if isinstance(user, dict) else None


def require_facilitator(connection: HTTPConnection) -> dict[str, Any]:
    user = current_facilitator(connection)
    if user is None:
        raise LoginRequired(N_("Please log in as a facilitator."))
    return user


def origin_allowed(headers: Headers, public_origin: str) -> bool:
    """Browsers always send Origin on a websocket handshake; it must be ours, exactly.

    Clients that are not browsers (kiosks, load generators) send none: they cannot
    carry a resident's or facilitator's cookies from another site, so they pass.
    """
    origin = headers.get("origin")
    return origin is None or origin == public_origin
