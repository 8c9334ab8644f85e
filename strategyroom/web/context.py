"""What every handler needs: the app's services, the reader's language, pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse

from strategyroom import i18n
from strategyroom.broker import Broker
from strategyroom.config import Settings
from strategyroom.live.hub import Hub
from strategyroom.live.insight import Insights
from strategyroom.live.service import SessionService
from strategyroom.store.db import Database
from strategyroom.templating import Renderer
from strategyroom.web.connection import SocketConnection
from strategyroom.web.limits import JoinGuard, JoinRate, LoginGuard
from strategyroom.web.passwords import PasswordChecker
from strategyroom.web.scene_cache import SceneCache
from strategyroom.web.security import csrf_token, current_facilitator
from strategyroom.web.turns import Turnstile


@dataclass
class Services:
    """The app's long-lived parts, reached through ``app.state.services``."""

    settings: Settings
    db: Database
    broker: Broker
    sessions: SessionService
    hub: Hub[SocketConnection]
    renderer: Renderer
    join_guard: JoinGuard
    login_guard: LoginGuard
    passwords: PasswordChecker
    join_rate: JoinRate
    # Each session's insight panel, kept between the console's polls (live/insight.py).
    insights: Insights = field(default_factory=Insights)
    # Participants' messages handled per turn of the event loop (web/turns.py).
    turns: Turnstile = field(default_factory=Turnstile)
    # Phones' greeting scenes, one load per version (web/scene_cache.py).
    greetings: SceneCache = field(default_factory=SceneCache)
    # The moment a scene is drawn for (the flags of tables that need help depend
    # on it); a test replaces it to step past a threshold without waiting.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # The decks folder's files (names, sizes, times) when it was last read into
    # the library (web/decks.py's sync_samples): unchanged, it is not read again.
    samples_seen: tuple[tuple[str, int, int], ...] | None = None


def services(connection: HTTPConnection) -> Services:
    return connection.app.state.services  # type: ignore[no-any-return]


def request_language(connection: HTTPConnection) -> str:
    chosen: str | None = getattr(connection.state, "language", None)
    if chosen is not None:
        return chosen
    wanted = connection.query_params.get("lang") or connection.session.get("lang")
    return i18n.choose_language(wanted, connection.headers.get("accept-language", ""))


def use_language(connection: HTTPConnection, wanted: str) -> None:
    """Answer the rest of this request in ``wanted`` when it is a language we
    have: a join's errors (a full session, say) follow the language the resident
    chose in the form or the body, not the phone's settings or an older choice."""
    if chosen := i18n.supported_language(wanted):
        connection.state.language = chosen


def local_path(target: str | None, fallback: str = "/") -> str:
    """Only same-site paths may be redirect targets (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    language: str | None = None,
    **context: Any,
) -> HTMLResponse:
    language = language or request_language(request)
    html = services(request).renderer.render(
        template,
        language,
        request_path=request.url.path,
        csrf=csrf_token(request),
        facilitator=current_facilitator(request),
        public_url=services(request).settings.public_url,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
