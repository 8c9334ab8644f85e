"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import strategyroom.store.models  # noqa: F401
from strategyroom.store import migrate


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_a_database_behind_the_code_is_refused_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = create_engine(url)
    with pytest.raises(migrate.SchemaBehind) as behind:
        migrate.check_schema(engine, url)
    engine.dispose()
    assert "none (empty database)" in str(behind.value)
    assert str(behind.value).endswith("run `strategyroom db upgrade`")


def test_share_links_made_before_their_random_ids_get_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(migrate.alembic_config(url), "0006")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO facilitator (id, username, password_hash, created_at)"
                " VALUES (1, 'alice', 'x', '2026-11-01 10:00:00')"
            )
        )
        for n in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO report_share (id, token_hash, session_ids, created_by,"
                    " created_at, expires_at) VALUES (:n, :h, '[]', 1,"
                    " '2026-11-01 10:00:00', '2026-12-01 10:00:00')"
                ),
                {"n": n, "h": f"hash{n}"},
            )
    migrate.upgrade(url)
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT public_id FROM report_share")).scalars().all()
    engine.dispose()
    assert len(set(ids)) == 2 and all(len(i) >= 20 and not i.isdigit() for i in ids)
