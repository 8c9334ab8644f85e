"""The participant page's answer form, read as the answer it stands for.

htmx sends a form's fields as JSON strings (docs/protocol.md, "The HTML
encoding"): a scale's radio button as "4", one ticked box as "bus" and several
as a list, a budget as ``points:<option>`` fields with "" for an empty one. The
answer checker is strict about JSON types (strategyroom/decks/answers.py), so
the form's strings are converted here, explicitly and only for the HTML page; a
JSON client's value is passed on as it came.
"""

from __future__ import annotations

import re
from typing import Any

from strategyroom.decks.schema import Budget, MultipleChoice, Question, Ranking, Scale

# A whole number as a number field or radio button sends it; longer is not one.
_WHOLE = re.compile(r"^-?[0-9]{1,11}$")


def form_value(question: Question, raw: Any) -> Any:
    """What the form's fields mean for this question; a field that is not what
    the form sends is left as it is, for the checker to refuse."""
    match question:
        case Scale():
            return _whole(raw)
        case MultipleChoice() | Ranking():
            # One ticked box (or one option) comes as a string, none as nothing.
            if raw is None:
                return []
            return [raw] if isinstance(raw, str) else raw
        case Budget():
            if not isinstance(raw, dict):
                return raw
            # An empty field is no points.
            return {option: 0 if points == "" else _whole(points) for option, points in raw.items()}
    return raw


def _whole(raw: Any) -> Any:
    if isinstance(raw, str) and _WHOLE.match(raw.strip()):
        return int(raw.strip())
    return raw
