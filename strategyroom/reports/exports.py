"""The report as data: CSV with one row per answer, and JSON (docs/reports.md).

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @,
a tab or a carriage return) are prefixed with an apostrophe, so a comment
such as ``=HYPERLINK(...)`` stays text (OWASP, "CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from strategyroom.reports.data import SessionData
from strategyroom.reports.model import Report

SCHEMA_FILE = Path(__file__).with_name("report.schema.json")

CSV_COLUMNS = (
    "session_id",
    "session_title",
    "deck_id",
    "deck_version",
    "card_id",
    "question_id",
    "question_type",
    "scope",
    "participant",
    "table",
    "table_name",
    "answered_at",
    "value",
    "value_json",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet will not evaluate."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def value_text(value: Any) -> str:
    """An answer as one readable cell: an option id, ids joined by ';' (multiple
    choice), by '>' (a ranking, best first), 'id=points;...' (a budget), a
    number (scale), or the comment."""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _table_cells(data: SessionData, label: str | None) -> list[str]:
    """The table's number and name (empty when the answer was given at no table)."""
    if label is None:
        return ["", ""]
    number = data.tables.numbers.get(label)
    name = label.split(" · ", 1)[1] if " · " in label else ""
    return [str(number) if number is not None else label, name]


def _csv_rows(sessions: Sequence[SessionData]) -> list[list[str]]:
    rows: list[list[str]] = []
    for s in sessions:
        deck = s.deck
        for card in deck.cards:
            question = card.question
            if question is None:
                continue
            base = [s.room.id, s.room.title, deck.id, deck.version, card.id, question.id]
            kind = question.type.value
            for a in s.answers.get(question.id, []):
                value = ">".join(a.value) if kind == "ranking" else value_text(a.value)
                rows.append(
                    [
                        *base,
                        kind,
                        "individual",
                        f"p{s.numbers.get(a.participant_id, 0)}",
                        *_table_cells(s, s.tables.tables.get(a.participant_id)),
                        a.answered_at.isoformat(),
                        value,
                        json.dumps(a.value, ensure_ascii=False),
                    ]
                )
            for t in s.tables.answers:
                if t.question_id == question.id:
                    rows.append(
                        [
                            *base,
                            kind,
                            "table",
                            "",
                            *_table_cells(s, t.table),
                            t.submitted_at.isoformat() if t.submitted_at else "",
                            value_text(t.value),
                            json.dumps(t.value, ensure_ascii=False),
                        ]
                    )
    return rows


def to_csv(sessions: Sequence[SessionData]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in _csv_rows(sessions):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def to_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1)


def json_schema() -> dict[str, Any]:
    """The report's JSON Schema, as shipped in report.schema.json."""
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://strategyroom.invalid/report.schema.json",
        **schema,
    }
