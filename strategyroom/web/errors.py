"""Turning errors into clear answers: a page in the reader's language, a JSON
body for the API, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from strategyroom import i18n
from strategyroom.live.errors import N_, SessionError
from strategyroom.web.context import page, request_language
from strategyroom.web.security import LoginRequired

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    404: N_("This page does not exist."),
    405: N_("This address does not accept that kind of request."),
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    if request.headers.get("hx-request"):
        # htmx swaps this into the page's flash area (see base.html's config).
        return page(request, "partials/flash.html", status_code=status, message=message)
    return page(request, "error.html", status_code=status, message=message)


async def session_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SessionError)
    if isinstance(exc, LoginRequired) and not wants_json(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    language = request_language(request)
    message = i18n.gettext(language, exc.message)
    if exc.params:
        message = message % exc.params
    return error_response(request, exc.status, exc.code, message)


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
