"""Turning errors into clear answers: a page in the reader's language, a JSON
body for the API, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from strategyroom import i18n
from strategyroom.errors import N_, SessionError
from strategyroom.text import repair_text
from strategyroom.web.context import page, request_language
from strategyroom.web.security import LoginRequired

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    404: N_("This page does not exist."),
    405: N_("This address does not accept that kind of request."),
}


def wants_json(request: Request) -> bool:
    """The API, and a download asked for as JSON (``/console/report.json``):
    a script that fetched JSON must not have to parse an HTML error page."""
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json")


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    # The message may echo what was sent (a deck's name, a code): it must encode.
    message = repair_text(message)
    if wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    if request.headers.get("hx-request"):
        # htmx swaps this into the page's flash area (see base.html's config).
        return page(request, "partials/flash.html", status_code=status, message=message)
    return page(request, "error.html", status_code=status, message=message)


async def session_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SessionError)
    # A console download (report.json too) sends a browser to the login page
    # and back; only the API answers 401 for a script to log in first.
    if isinstance(exc, LoginRequired) and not request.url.path.startswith("/api/"):
        # The whole address, query included: a report's sessions are in its query.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    language = request_language(request)
    message = i18n.gettext(language, exc.message)
    if exc.params:
        message = message % exc.params
    response = error_response(request, exc.status, exc.code, message)
    retry_after = getattr(exc, "retry_after", None)  # limits.TooManyAttempts
    if isinstance(retry_after, int):
        response.headers["retry-after"] = str(retry_after)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    language = request_language(request)
    message = i18n.gettext(
        language, _HTTP_MESSAGES.get(exc.status_code, N_("Something went wrong."))
    )
    return error_response(request, exc.status_code, "http_error", message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("error while serving %s", request.url.path, exc_info=exc)
    language = request_language(request)
    message = i18n.gettext(language, N_("Something went wrong on our side. Please try again."))
    return error_response(request, 500, "server_error", message)


def exception_handlers() -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    return {SessionError: session_error, HTTPException: http_error, 500: server_error}
