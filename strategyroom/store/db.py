"""The database handle: one SQLAlchemy engine, sessions, and running blocking
database work off the event loop.

SQLite's files are the owner's only (the directory 0700, the files 0600), its
deleted content is overwritten (``secure_delete``), and ``forget_deleted``
folds the write-ahead log into the database and empties it, so a deleted
session's text is not left readable on disk (docs/privacy.md).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import Engine, event, make_url, text
from sqlmodel import Session, create_engine

from strategyroom.text import load_stored_json

log = logging.getLogger(__name__)

T = TypeVar("T")

# Database calls run in worker threads. More threads than this only contend for
# the GIL (starving the event loop that sends every frame) and, on SQLite, for
# the one writer; the benchmark showed connect storms and answer bursts going
# faster with a few threads than with anyio's default forty.
DB_THREADS = 8


def private_dir(path: Path) -> None:
    """Create a directory only its owner can read (a data directory holds the
    database and the signing key); an existing one is left as it is."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)


def private_sqlite_file(url: str) -> None:
    """Create a SQLite database's directory and file before SQLite does, which
    would make the file world-readable under the usual umask; its -wal and -shm
    files take the database file's mode. Existing files are made private too."""
    name = make_url(url).database
    if not url.startswith("sqlite") or not name or name == ":memory:":
        return
    database = Path(name)
    private_dir(database.parent)
    os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            path.chmod(0o600)


def make_engine(url: str) -> Engine:
    # Every JSON column is read through load_stored_json: text stored before it
    # was checked on the way in (strategyroom/text.py) comes out repaired, so one
    # bad row cannot make a page fail to render.
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        # A pool as large as the thread limit: a connection opened beyond the
        # pool is closed after use, and reopening one re-runs the pragmas.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_deserializer=load_stored_json,
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
            # Deleted rows are overwritten with zeros, not left in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        json_deserializer=load_stored_json,
    )


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

    async def forget_deleted(self) -> None:
        """After a delete: on SQLite, copy the write-ahead log into the database
        file and truncate it, so the deleted rows' old pages (still in the log
        until a checkpoint) are gone from disk. PostgreSQL needs nothing here."""
        if self.is_sqlite:
            await self.run(_checkpoint, write=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _checkpoint(db: Session) -> None:
    busy, _, _ = db.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    if busy:
        log.warning("SQLite checkpoint after a delete was blocked; it completes later")
