"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
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
