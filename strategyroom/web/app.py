"""The application factory: wiring settings, storage, broker, hub and routes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from strategyroom.broker import Broker, make_broker
from strategyroom.config import Settings
from strategyroom.decks import library
from strategyroom.live.hub import Hub
from strategyroom.live.presence import MemoryPresence, Presence
from strategyroom.live.redis_presence import RedisPresence
from strategyroom.live.service import SessionService
from strategyroom.paths import STATIC_DIR
from strategyroom.store import migrate
from strategyroom.store.db import Database, private_sqlite_file
from strategyroom.templating import Renderer
from strategyroom.web import (
    answer_helpers,
    api,
    console,
    media,
    participant,
    preview,
    projector,
    report_jobs,
    reports,
    sockets,
)
from strategyroom.web.connection import SocketConnection
from strategyroom.web.context import Services
from strategyroom.web.deck_editor import routes as deck_editor_routes
from strategyroom.web.decks import routes as deck_routes
from strategyroom.web.errors import exception_handlers
from strategyroom.web.limits import JoinGuard, JoinRate, LoginGuard
from strategyroom.web.logins import LoginCheck
from strategyroom.web.looplag import LoopLag
from strategyroom.web.middleware import KeepServerSend, SecurityHeaders
from strategyroom.web.passwords import PasswordChecker
from strategyroom.web.presenter import HtmlJsonPresenter
from strategyroom.web.report_jobs import ReportJobs

log = logging.getLogger(__name__)

SESSION_COOKIE = "strategyroom"


def prepare_database(settings: Settings) -> Database:
    """Open the database; migrate SQLite in place, insist on an up-to-date schema elsewhere."""
    if settings.is_sqlite:
        private_sqlite_file(settings.effective_database_url)
        migrate.upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    migrate.check_schema(db.engine, settings.effective_database_url)
    return db


def routes() -> list[BaseRoute]:
    return [
        *media.routes,
        *preview.routes,
        *participant.routes,
        *answer_helpers.routes,
        # Before the console's: /console/report is not a session id.
        *reports.routes,
        # Before the console's: /console/decks is not a session id.
        *deck_editor_routes,
        *deck_routes,
        *report_jobs.routes,
        *console.routes,
        *projector.routes,
        *api.routes,
        *sockets.routes,
        # Browsers and tools ask for /favicon.ico whatever the page links.
        Route("/favicon.ico", RedirectResponse("/static/icon.svg", status_code=301)),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def create_app(settings: Settings | None = None, broker: Broker | None = None) -> Starlette:
    """The app. ``broker`` overrides the backend chosen by ``REDIS_URL`` (any
    object with the Broker interface works, which the tests use)."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = prepare_database(settings)
        # The sample decks into the deck library (a new version only for a changed
        # file); the pages that list and open decks read the folder again.
        db.call(lambda s: library.sync_samples(s, settings.decks_dir), write=True)
        nonlocal broker
        broker = broker or make_broker(settings.redis_url)
        await broker.connect()
        sessions = SessionService(db, broker)
        presence: Presence = (
            RedisPresence(
                settings.redis_url,
                broker,
                ttl=settings.presence_ttl,
                heartbeat=settings.presence_ttl / 3,
            )
            if settings.redis_url
            else MemoryPresence()
        )
        await presence.start()
        hub: Hub[SocketConnection] = Hub(broker, sessions, presence)
        renderer = Renderer()
        zone = ZoneInfo(settings.timezone)
        renderer.globals.update(
            council_name=settings.council_name,
            clock=lambda moment: moment.astimezone(zone).strftime("%H:%M"),
        )
        guard = JoinGuard(settings.join_attempts_per_minute)
        logins = LoginGuard(
            settings.login_failures_per_account, settings.login_failures_per_address
        )
        passwords = PasswordChecker()
        joins = JoinRate(settings.joins_per_address, settings.joins_per_address_per_minute)
        app.state.services = Services(
            settings, db, broker, sessions, hub, renderer, guard, logins, passwords, joins
        )
        await hub.start(HtmlJsonPresenter(app.state.services))
        app.state.report_jobs = ReportJobs(settings, db)
        app.state.loop_lag = None
        if settings.loop_lag_interval > 0:
            app.state.loop_lag = LoopLag(settings.loop_lag_interval)
            app.state.loop_lag.start()
        try:
            yield
        finally:
            if app.state.loop_lag is not None:
                await app.state.loop_lag.stop()
            await app.state.report_jobs.close()
            await hub.stop()
            await presence.stop()
            await broker.disconnect()
            passwords.close()
            db.dispose()

    proxies = []
    if settings.trusted_proxies:
        # Outermost: every limit and log line below sees the resident's address.
        proxies = [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))]
    return Starlette(
        routes=routes(),
        lifespan=lifespan,
        exception_handlers=exception_handlers(),
        middleware=[
            *proxies,
            Middleware(KeepServerSend),  # outermost of ours, to keep the server's own send
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.resolved_secret_key(),
                session_cookie=SESSION_COOKIE,
                same_site="lax",
                https_only=settings.secure_cookies,
                max_age=14 * 24 * 3600,
            ),
            Middleware(LoginCheck),  # inside the session middleware: reads its cookie
        ],
    )
