"""Merging a table's draft edit that was based on an older revision
(docs/protocol.md, "Tables").

Two members edit one draft; the one who saves second based their edit on a
revision that is no longer current. When the edit says what it was based on
(``base_value``), it is merged field by field instead of refused whole: a field
is an option's points in a budget, an option's tick in a multiple choice, and
the whole answer of any other question. A field the member left as it was in
their base takes the current draft's value; a field only they changed keeps
theirs. A field both changed, to different values, is a conflict: the edit is
refused, naming those fields, with the member's value for them kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strategyroom.decks import Question
from strategyroom.decks.schema import Budget, MultipleChoice

WHOLE = ""  # the one field of a question that is not split into options


def fields(question: Question, value: Any) -> dict[str, Any]:
    """A draft's value as fields (``value`` None: no draft yet)."""
    match question:
        case Budget():
            points = value if isinstance(value, dict) else {}
            return {o.id: points.get(o.id, 0) for o in question.options}
        case MultipleChoice():
            chosen = set(value) if isinstance(value, list) else set()
            return {o.id: o.id in chosen for o in question.options}
    return {WHOLE: value}


def _value(question: Question, merged: dict[str, Any]) -> Any:
    match question:
        case Budget():
            return dict(merged)
        case MultipleChoice():
            return [key for key, ticked in merged.items() if ticked]
    return merged[WHOLE]


@dataclass(frozen=True)
class Merged:
    """The merged value (the member's own value in each conflicting field) and
    the conflicting fields, in the question's order."""

    value: Any
    conflicts: tuple[str, ...]


def merge(question: Question, base: Any, mine: Any, theirs: Any) -> Merged:
    """Three-way merge of the member's edit ``mine`` (based on ``base``) into the
    current draft ``theirs``; the result still has to be checked as an answer."""
    was, edited, now = fields(question, base), fields(question, mine), fields(question, theirs)
    merged: dict[str, Any] = {}
    conflicts = []
    for key, current in now.items():
        if edited[key] == was[key]:
            merged[key] = current
        else:
            merged[key] = edited[key]
            if current not in (was[key], edited[key]):
                conflicts.append(key)
    return Merged(_value(question, merged), tuple(conflicts))
