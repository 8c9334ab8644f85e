"""Questions of every type and answer rows, each built in one line, for the
aggregate tests (test_aggregate.py and test_aggregate_properties.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from strategyroom.aggregate import AnswerRow
from strategyroom.decks.schema import (
    Budget,
    FreeText,
    MultipleChoice,
    Ranking,
    Scale,
    SingleChoice,
)

T0 = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def rows(*values: Any) -> list[AnswerRow]:
    """Answer rows a second apart, in the order given."""
    return [AnswerRow(value, T0 + timedelta(seconds=i)) for i, value in enumerate(values)]


def options(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "label": i.title()} for i in ids]


def single(*ids: str) -> SingleChoice:
    return SingleChoice.model_validate(
        {"id": "q", "type": "single", "prompt": "Which?", "options": options(*ids)}
    )


def multiple(*ids: str, max_choices: int | None = None) -> MultipleChoice:
    return MultipleChoice.model_validate(
        {
            "id": "q",
            "type": "multiple",
            "prompt": "Which?",
            "options": options(*ids),
            "max_choices": max_choices,
        }
    )


def scale(low: int = 1, high: int = 5) -> Scale:
    return Scale.model_validate(
        {
            "id": "q",
            "type": "scale",
            "prompt": "How much?",
            "min": low,
            "max": high,
            "min_label": "Not at all",
            "max_label": "Very much",
        }
    )


def ranking(*ids: str) -> Ranking:
    return Ranking.model_validate(
        {"id": "q", "type": "ranking", "prompt": "Order them", "options": options(*ids)}
    )


def budget(*ids: str, total: int = 100) -> Budget:
    return Budget.model_validate(
        {
            "id": "q",
            "type": "budget",
            "prompt": "Spend",
            "options": options(*ids),
            "total": total,
        }
    )


def text() -> FreeText:
    return FreeText.model_validate({"id": "q", "type": "text", "prompt": "Anything else?"})


def pct(count: int, whole: int) -> float:
    return float(Fraction(100 * count, whole))
