"""The database handle: one SQLAlchemy engine, sessions, and running blocking
database work off the event loop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

T = TypeVar("T")

# Database calls run in worker threads. More threads than this only contend for
# the GIL (starving the event loop that sends every frame) and, on SQLite, for
# the one writer; the benchmark showed connect storms and answer bursts going
# faster with a few threads than with anyio's default forty.
DB_THREADS = 8


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # A pool as large as the thread limit: a connection opened beyond the
        # pool is closed after use, and reopening one re-runs the pragmas.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=DB_THREADS,
            max_overflow=DB_THREADS,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets readers go on while an answer batch is written.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = url.startswith("sqlite")
        # SQLite allows one writer; taking turns here avoids "database is locked"
        # when a read transaction upgrades to a write. PostgreSQL uses row locks.
        self._sqlite_writer = threading.Lock()
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    async def run(self, fn: Callable[[Session], T], *, write: bool = False) -> T:
        """Run ``fn`` with a fresh session in a worker thread; ``fn`` commits."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(DB_THREADS)
        return await anyio.to_thread.run_sync(self.call, fn, write, limiter=self._limiter)

    def call(self, fn: Callable[[Session], T], write: bool = False) -> T:
        """The blocking form of ``run``, for the command line and migrations."""
        if write and self.is_sqlite:
            with self._sqlite_writer, self.session() as session:
                return fn(session)
        with self.session() as session:
            return fn(session)

    def dispose(self) -> None:
        self.engine.dispose()
