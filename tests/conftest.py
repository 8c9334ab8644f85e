"""Shared fixtures: an app on a temporary data directory, logged-in facilitators,
and browsers with their own cookies (sharing the app's event loop).

Two plugins add fixtures every test module can take without importing them:
tests/browsers.py (a module's live `server` and `chromium`) and tests/modes.py
(the `both_modes` marker and `sockets`)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from sqlmodel import Session
from starlette.testclient import TestClient

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.store import migrate
from strategyroom.store.db import private_dir
from strategyroom.store.models import Facilitator
from strategyroom.web.app import create_app, prepare_database

TEST_DECKS = Path(__file__).parent / "decks"
ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"

pytest_plugins = ["tests.browsers", "tests.modes"]


# The scale-out tests use the machine's real services (./dev test starts them).
POSTGRES_ADMIN_URL = os.environ.get(
    "STRATEGYROOM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("STRATEGYROOM_TEST_REDIS", "redis://127.0.0.1:6379/0")


# A migrated PostgreSQL database this run copies for each test (CREATE DATABASE
# ... TEMPLATE copies files, where migrating runs every migration anew); named
# per run, as other runs on the machine may share the server. Dropped at the end
# of the run (pytest_sessionfinish). tests/test_migrations.py tests the migrations.
_postgres_template: list[str] = []


def _admin_execute(statement: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(statement)


def _database_url(name: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def _migrated_postgres_template() -> str:
    if not _postgres_template:
        name = f"sr_template_{uuid.uuid4().hex[:12]}"
        _admin_execute(f'CREATE DATABASE "{name}"')
        _postgres_template.append(name)
        migrate.upgrade(_database_url(name))  # NullPool: no connection stays open
    return _postgres_template[0]


def pytest_sessionfinish(session: pytest.Session) -> None:
    for name in _postgres_template:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    template = _migrated_postgres_template()
    name = f"sr_test_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _database_url(name)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_redis() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc} (./dev test starts it)")
    finally:
        client.close()
    return REDIS_URL


def make_settings(tmp_path: Path, mode: str = "embedded", database_url: str = "") -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        public_url=ORIGIN,
        decks_dir=TEST_DECKS,
        secret_key="test-secret-key",
        database_url=database_url,
        redis_url=require_redis() if mode == "scaleout" else "",
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once for the run; each test's data directory
    starts with a copy of it (see copy_migrated_sqlite)."""
    settings = make_settings(tmp_path_factory.mktemp("migrated-sqlite"))
    prepare_database(settings).dispose()
    database = settings.data_dir / "strategyroom.sqlite3"
    # Everything into the file itself, so that the file alone is the database.
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database


def copy_migrated_sqlite(template: Path, settings: Settings) -> None:
    """The data directory with the migrated database in it, private as the app
    makes them (store/db.py): what prepare_database would build from nothing by
    running every migration, which costs a good part of a short test.
    tests/test_migrations.py and test_privacy.py start from nothing themselves."""
    private_dir(settings.data_dir)
    database = settings.data_dir / "strategyroom.sqlite3"
    shutil.copyfile(template, database)
    database.chmod(0o600)


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Embedded mode (SQLite, in-process broker), or the mode a `both_modes`
    module's test is parametrized with (tests/modes.py)."""
    mode = getattr(request, "param", "embedded")
    if mode == "embedded":
        settings = make_settings(tmp_path)
        copy_migrated_sqlite(request.getfixturevalue("migrated_sqlite"), settings)
        yield settings
        return
    with postgres_database() as url:
        yield make_settings(tmp_path, "scaleout", database_url=url)


@functools.cache
def password_hash(password: str) -> str:
    """The password hashed as accounts.add_facilitator hashes it (argon2 with the
    app's own parameters), once per run: a hash costs tens of milliseconds on an
    idle core and seconds on a loaded one. Logging in still verifies it."""
    return accounts._hasher.hash(password)


@pytest.fixture
def facilitator(settings: Settings) -> str:
    """alice, her password's hash made once for the run (test_cli.py and every
    live server add accounts through accounts.add_facilitator)."""

    def add(session: Session) -> None:
        session.add(Facilitator(username="alice", password_hash=password_hash(PASSWORD)))
        session.commit()

    db = prepare_database(settings)
    db.call(add, write=True)
    db.dispose()
    return "alice"


@pytest.fixture
def client(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=ORIGIN) as test_client:
        yield test_client


@pytest.fixture
def browser(client: TestClient) -> Callable[[], TestClient]:
    """Another browser (its own cookie jar) on the same running app."""

    def make() -> TestClient:
        other = TestClient(client.app, base_url=ORIGIN)
        other.portal = client.portal  # share the app's event loop and lifespan
        return other

    return make


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, username: str = "alice", password: str = PASSWORD) -> str:
    """Log in through the form, as a browser does; returns the CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/console"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console").text)


@pytest.fixture
def console(client: TestClient) -> TestClient:
    """The main client, logged in as the facilitator."""
    client.headers["x-csrf-token"] = login(client)
    return client


def open_session(console: TestClient, deck: str = "town-test.yaml", title: str = "Test") -> dict:
    response = console.post(
        "/console/sessions",
        data={"deck": deck, "title": title, "csrf_token": console.headers["x-csrf-token"]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    session_id = response.headers["location"].rsplit("/", 1)[1]
    return console.get(f"/api/sessions/{session_id}").json()


def act(console: TestClient, session_id: str, action: str, **fields: object) -> None:
    """A facilitator action, as the console's htmx buttons send it."""
    response = console.post(
        f"/console/{session_id}/actions",
        data={"action": action, **{k: str(v) for k, v in fields.items()}},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200, response.text
