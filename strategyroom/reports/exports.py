"""The report as data: CSV with one row per answer, and JSON (docs/reports.md).

The CSV opens as it should in the reader's spreadsheet: UTF-8 with a byte-order
mark (without it Excel reads UTF-8 as the local code page: "Nørrebro"
becomes "NÃ¸rrebro"), and ``;`` between cells where the decimal separator is a
comma (Danish, Swedish Excel split on ``;``). Each id has its label beside it
in the reader's language.

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @,
a tab or a carriage return) are prefixed with an apostrophe, so a comment
such as ``=HYPERLINK(...)`` stays text (OWASP, "CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import numbers

from strategyroom.aggregate.weighting import rake, room_vs_town
from strategyroom.decks.schema import options_of
from strategyroom.decks.titles import session_title
from strategyroom.reports.data import SessionData
from strategyroom.reports.insight import all_answers
from strategyroom.reports.model import Report
from strategyroom.reports.themes import question_themes

SCHEMA_FILE = Path(__file__).with_name("report.schema.json")

CSV_COLUMNS = (
    "session_id",
    "session_title",
    "deck_id",
    "deck_version",
    "deck_number",
    "card_id",
    "question_id",
    "question",
    "question_type",
    "scope",
    "participant",
    "table",
    "table_name",
    "answered_at",
    "weight",
    "value",
    "value_label",
    "value_json",
    "theme",
    "theme_label",
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


def value_label(value: Any, labels: dict[str, str]) -> str:
    """The answer in words: option labels instead of ids, in the same shape as
    ``value_text`` (a scale's number and a comment stay as they are)."""
    if isinstance(value, list):
        return ";".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{labels.get(k, k)}={v}" for k, v in value.items())
    return labels.get(str(value), str(value))


def _weights(sessions: Sequence[SessionData], language: str) -> dict[str, str]:
    """Each resident's weight to the town as a cell (docs/aggregates.md,
    "Weighting to the town"), the same raking as the report's; none when the
    deck has no reference shares."""
    deck = sessions[0].deck
    answers = all_answers(sessions)
    if not room_vs_town(deck, answers):
        return {}
    residents = sorted({a.participant_id for rows in answers.values() for a in rows})
    raking = rake(deck, answers, residents)
    return {
        p: numbers.format_decimal(w, format="0.######", locale=language)
        for p, w in zip(raking.residents, raking.weights.tolist(), strict=True)
    }


def _theme_cells(
    themes: dict[str, tuple[dict[tuple[str, str], int], dict[int, str]]],
    question_id: str,
    key: tuple[str, str],
) -> list[str]:
    """A text answer's theme number and label, as the report numbers them; empty
    for other questions and for a comment in no theme."""
    of, labels = themes.get(question_id, ({}, {}))
    number = of.get(key)
    return ["", ""] if number is None else [str(number), labels[number]]


def _csv_themes(
    sessions: Sequence[SessionData],
) -> dict[str, tuple[dict[tuple[str, str], int], dict[int, str]]]:
    """Per text question: which theme each answer is in, and each theme's label.
    The same comments in the same order as the report's, so the same themes."""
    found: dict[str, tuple[dict[tuple[str, str], int], dict[int, str]]] = {}
    for card in sessions[0].deck.cards if sessions else []:
        if card.question is None:
            continue
        themes, of = question_themes(card.question, sessions)
        if themes is not None:
            found[card.question.id] = (of, {t.number: ", ".join(t.label) for t in themes.themes})
    return found


def _csv_rows(sessions: Sequence[SessionData], language: str, zone: str) -> list[list[str]]:
    """The rows, every cell already safe_cell'd (the cells shared by a question's
    rows once, not once per answer: a large evening has a million cells)."""
    council = ZoneInfo(zone)

    def when(value: datetime) -> str:
        # The council's clock, with its offset: a spreadsheet shows the evening's
        # own times, and the offset keeps the moment exact.
        return value.astimezone(council).isoformat()

    rows: list[list[str]] = []
    weights = _weights(sessions, language)
    themes = _csv_themes(sessions)
    for s in sessions:
        deck = s.deck
        labels_at = {None, *s.tables.tables.values(), *s.tables.names}
        tables = {label: [safe_cell(c) for c in _table_cells(s, label)] for label in labels_at}
        for card in deck.cards:
            question = card.question
            if question is None:
                continue
            labels = {o.id: deck.text(o.label, language) for o in options_of(question)}
            prompt = deck.text(question.prompt, language)
            number = "" if s.room.deck_number is None else str(s.room.deck_number)
            title = session_title(s.room, deck, language)
            base = [
                safe_cell(cell)
                for cell in (s.room.id, title, deck.id, deck.version, number, card.id)
            ]
            base += [safe_cell(question.id), safe_cell(prompt)]
            kind = question.type.value

            for a in s.answers.get(question.id, []):
                value = ">".join(a.value) if kind == "ranking" else value_text(a.value)
                rows.append(
                    [
                        *base,
                        kind,
                        "individual",
                        f"p{s.numbers.get(a.participant_id, 0)}",
                        *tables[s.tables.tables.get(a.participant_id)],
                        when(a.answered_at),
                        weights.get(a.participant_id, ""),
                        safe_cell(value),
                        safe_cell(
                            " > ".join(labels.get(v, v) for v in a.value)
                            if kind == "ranking"
                            else value_label(a.value, labels)
                        ),
                        safe_cell(json.dumps(a.value, ensure_ascii=False)),
                        *_theme_cells(themes, question.id, (s.room.id, a.participant_id)),
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
                            *[safe_cell(cell) for cell in _table_cells(s, t.table)],
                            when(t.submitted_at) if t.submitted_at else "",
                            "",
                            safe_cell(value_text(t.value)),
                            safe_cell(value_label(t.value, labels)),
                            safe_cell(json.dumps(t.value, ensure_ascii=False)),
                            *_theme_cells(themes, question.id, (s.room.id, t.table)),
                        ]
                    )
    return rows


def delimiter(language: str) -> str:
    """``;`` where numbers are written with a decimal comma, as the local Excel
    expects (da, sv, de, ...), else ``,``."""
    return ";" if numbers.get_decimal_symbol(language) == "," else ","


def to_csv(sessions: Sequence[SessionData], language: str = "en", zone: str = "UTC") -> bytes:
    """The CSV file's bytes: a UTF-8 byte-order mark, then the rows, times in
    the council's time ``zone``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter(language), lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_rows(sessions, language, zone))
    return out.getvalue().encode("utf-8")


def to_json(report: Report) -> str:
    # Not indented: only without an indent does json use its C encoder (a
    # 5,000-resident report took seconds in the pure-Python one).
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False)


def json_schema() -> dict[str, Any]:
    """The report's JSON Schema, as shipped in report.schema.json."""
    schema = Report.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://strategyroom.invalid/report.schema.json",
        **schema,
    }
