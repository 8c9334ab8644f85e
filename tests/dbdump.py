"""Every row of every table, for tests that compare stored data before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select
from sqlmodel import SQLModel

import strategyroom.store.models  # noqa: F401  (registers the tables)


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order."""
    return {name: sorted(rows, key=repr) for name, (_, rows) in dump_with_columns(url).items()}


def rows_of_session(url: str, session_id: str) -> dict[str, int]:
    """How many rows each table holds for one session (tables with session_id)."""
    counts = {}
    for name, rows in dump_with_columns(url).items():
        columns, values = rows
        key = "id" if name == "room_session" else "session_id"
        if key in columns:
            index = columns.index(key)
            counts[name] = sum(1 for row in values if row[index] == session_id)
    return counts


def dump_with_columns(url: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: (
                    [c.name for c in table.columns],
                    [tuple(row) for row in connection.execute(select(table))],
                )
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()
