"""Repairing stored text: rows written before text was checked on the way in
(strategyroom/text.py) may hold a lone surrogate, a non-character or a control
character. The app reads JSON columns repaired already; this writes every text
and JSON column back repaired, so exports and backups are clean too
(``strategyroom db repair-text``).

It reads with a plain engine, not the app's (store/db.py), because the app's
engine repairs JSON as it reads it and would hide what needs writing back.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import JSON, Column, String, Table, create_engine, select, update
from sqlmodel import SQLModel

from strategyroom.store import models  # noqa: F401  (registers the tables)
from strategyroom.text import repair_json, repair_text


def _text_columns(table: Table) -> list[Column[object]]:
    return [
        column
        for column in table.columns
        if not column.primary_key and isinstance(column.type, JSON | String)
    ]


def repair_stored_text(url: str) -> Counter[str]:
    """Write back every stored text that holds characters the app refuses, with
    each replaced by U+FFFD; the count of rows changed per ``table.column``."""
    engine = create_engine(url)
    changed: Counter[str] = Counter()
    try:
        with engine.begin() as db:
            for table in SQLModel.metadata.sorted_tables:
                columns = _text_columns(table)
                if not columns:
                    continue
                keys = list(table.primary_key.columns)
                rows = db.execute(select(*keys, *columns)).all()
                for row in rows:
                    key = row[: len(keys)]
                    fixed = {}
                    for column, value in zip(columns, row[len(keys) :], strict=True):
                        if value is None:
                            continue
                        repaired = (
                            repair_json(value)
                            if isinstance(column.type, JSON)
                            else repair_text(value)
                        )
                        if repaired != value:
                            fixed[column.name] = repaired
                            changed[f"{table.name}.{column.name}"] += 1
                    if fixed:
                        where = [k == v for k, v in zip(keys, key, strict=True)]
                        db.execute(update(table).where(*where).values(**fixed))
    finally:
        engine.dispose()
    return changed
