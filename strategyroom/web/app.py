"""The application factory: wiring settings, storage, broker, hub and routes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from strategyroom.broker import Broker, make_broker
from strategyroom.config import Settings
from strategyroom.live.hub import Hub
from strategyroom.live.presence import MemoryPresence, Presence
from strategyroom.live.redis_presence import RedisPresence
from strategyroom.live.service import SessionService
from strategyroom.paths import STATIC_DIR
from strategyroom.store import migrate
from strategyroom.store.db import Database
from strategyroom.web import answer_helpers, api, console, participant, projector, reports, sockets
from strategyroom.web.context import Services
from strategyroom.web.errors import exception_handlers
from strategyroom.web.limits import JoinGuard
from strategyroom.web.looplag import LoopLag
from strategyroom.web.middleware import KeepServerSend, SecurityHeaders
from strategyroom.web.presenter import HtmlJsonPresenter
from strategyroom.web.render import Renderer

log = logging.getLogger(__name__)

SESSION_COOKIE = "strategyroom"


def prepare_database(settings: Settings) -> Database:
    """Open the database; migrate SQLite in place, insist on an up-to-date schema elsewhere."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    migrate.check_schema(db.engine, settings.effective_database_url)
    return db


def routes() -> list[BaseRoute]:
    return [
        *participant.routes,
        *answer_helpers.routes,
        # Before the console's: /console/report is not a session id.
        *reports.routes,
        *console.routes,
        *projector.routes,
        *api.routes,
        *sockets.routes,
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def create_app(settings: Settings | None = None, broker: Broker | None = None) -> Starlette:
    """The app. ``broker`` overrides the backend chosen by ``REDIS_URL`` (any
    object with the Broker interface works, which the tests use)."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = prepare_database(settings)
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
        hub = Hub(broker, sessions, presence)
        renderer = Renderer()
        zone = ZoneInfo(settings.timezone)
        renderer.globals.update(
            council_name=settings.council_name,
            clock=lambda moment: moment.astimezone(zone).strftime("%H:%M"),
        )
        guard = JoinGuard(settings.join_attempts_per_minute)
        app.state.services = Services(settings, db, broker, sessions, hub, renderer, guard)
        await hub.start(HtmlJsonPresenter(app.state.services))
        app.state.loop_lag = None
        if settings.loop_lag_interval > 0:
            app.state.loop_lag = LoopLag(settings.loop_lag_interval)
            app.state.loop_lag.start()
        try:
            yield
        finally:
            if app.state.loop_lag is not None:
                await app.state.loop_lag.stop()
            await hub.stop()
            await presence.stop()
            await broker.disconnect()
            db.dispose()

    return Starlette(
        routes=routes(),
        lifespan=lifespan,
        exception_handlers=exception_handlers(),
        middleware=[
            Middleware(KeepServerSend),  # outermost, to keep the server's own send
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.resolved_secret_key(),
                session_cookie=SESSION_COOKIE,
                same_site="lax",
                https_only=settings.secure_cookies,
                max_age=14 * 24 * 3600,
            ),
        ],
    )
