"""Computing a question's results from its stored answer rows.

Pure: no I/O, no clock, the same rows give the same result. Every ratio is
computed exactly (integers and fractions) and turned into the nearest float only
at the end, so a figure never depends on the order of the rows.
docs/aggregates.md defines every figure.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, assert_never

from strategyroom.aggregate.results import (
    Allocation,
    BudgetResult,
    ChoiceResult,
    Comment,
    OptionCount,
    RankingResult,
    RankScore,
    Result,
    ScaleResult,
    ScaleStep,
    TextResult,
)
from strategyroom.decks.answers import parse_answer
from strategyroom.decks.schema import (
    PREFER_NOT_TO_SAY,
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
)
from strategyroom.errors import InvalidAnswer

# A text question's result carries this many comments, the newest.
NEWEST_COMMENTS = 20


class AnswerRow(NamedTuple):
    """One participant's current answer to a question, as stored."""

    value: Any  # the normalised answer value (docs/protocol.md, strategyroom.decks.answers)
    answered_at: datetime  # timezone-aware UTC


def aggregate(question: Question, answers: Sequence[AnswerRow], *, checked: bool = False) -> Result:
    """The results of a question from its answer rows (one per participant).

    The values must be normalised answers to this question, as
    ``strategyroom.decks.answers.parse_answer`` makes them; a value that does not
    fit the question raises ValueError rather than being miscounted.
    ``checked``: the caller has already passed these values through
    ``check_values`` (a breakdown checks a question's rows once, not once per
    group: 625 tables re-checked the same few values 58,000 times).
    """
    values = [row.value for row in answers]
    if not checked:
        check_values(question, values)
    match question:
        case SingleChoice():
            chosen = [[value] for value in values if value != PREFER_NOT_TO_SAY]
            return _choice(question, chosen, skipped=len(values) - len(chosen))
        case MultipleChoice():
            return _choice(question, values)
        case Scale():
            return _scale(question, values)
        case Ranking():
            return _ranking(question, values)
        case Budget():
            return _budget(question, values)
        case FreeText():
            return _text(answers)
    assert_never(question)


def _key(value: Any) -> Hashable | None:
    """A key equal for equal answers only (1, 1.0 and True apart), None when the
    value has no such key (then it is checked every time)."""
    if isinstance(value, str | int | float):
        return (type(value), value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return (list, tuple(value))
    if isinstance(value, dict) and all(
        isinstance(k, str) and type(v) is int for k, v in value.items()
    ):
        return (dict, tuple(value.items()))
    return None


def check_values(question: Question, values: Iterable[Any]) -> None:
    """Check each value with ``_stored`` (ValueError for one that does not fit):
    a value seen before is not checked again (thousands of answers share a few
    values)."""
    seen: set[Hashable] = set()
    for value in values:
        key = _key(value)
        if key is None or key not in seen:
            _stored(question, value)
            if key is not None:
                seen.add(key)


def _stored(question: Question, value: Any) -> Any:
    """The value, checked to be a normalised answer: what ``parse_answer`` makes
    of it is the value itself. Anything else is refused, not miscounted."""
    try:
        fits = parse_answer(question, value) == value
    except InvalidAnswer:
        fits = False
    if not fits:
        raise ValueError(
            f"answer {value!r} does not fit {question.type.value} question {question.id!r}"
        )
    return value


def _ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator as the nearest float (computed exactly, rounded once):
    Python divides two ints correctly rounded, as ``float(Fraction(n, d))`` does,
    without making a Fraction (tens of thousands of group figures per report)."""
    return numerator / denominator


def _percent(count: int, whole: int) -> float:
    return _ratio(100 * count, whole) if whole else 0.0


# -- the figures -------------------------------------------------------------------------


def _choice(
    question: SingleChoice | MultipleChoice, chosen_sets: Iterable[list[str]], skipped: int = 0
) -> ChoiceResult:
    counts = dict.fromkeys((o.id for o in question.options), 0)
    respondents = 0
    for chosen in chosen_sets:
        respondents += 1
        for option_id in chosen:
            counts[option_id] += 1
    return ChoiceResult(
        respondents=respondents,
        options=[
            OptionCount(option_id=option_id, count=count, percent=_percent(count, respondents))
            for option_id, count in counts.items()
        ],
        skipped=skipped,
    )


def _scale(question: Scale, values: list[int]) -> ScaleResult:
    respondents = len(values)
    counts = dict.fromkeys(range(question.min, question.max + 1), 0)
    for value in values:
        counts[value] += 1
    return ScaleResult(
        respondents=respondents,
        min=question.min,
        max=question.max,
        mean=_ratio(sum(values), respondents) if values else None,
        median=float(statistics.median(values)) if values else None,
        distribution=[
            ScaleStep(value=value, count=count, percent=_percent(count, respondents))
            for value, count in counts.items()
        ],
    )


def _ranking(question: Ranking, orders: list[list[str]]) -> RankingResult:
    k = len(question.options)
    respondents = len(orders)
    points = dict.fromkeys((o.id for o in question.options), 0)
    places = dict.fromkeys((o.id for o in question.options), 0)
    for order in orders:
        for place, option_id in enumerate(order, start=1):
            points[option_id] += k - place
            places[option_id] += place
    return RankingResult(
        respondents=respondents,
        options=[
            RankScore(
                option_id=option_id,
                borda=points[option_id],
                mean_rank=_ratio(places[option_id], respondents) if respondents else None,
            )
            for option_id in points
        ],
    )


def _budget(question: Budget, allocations: list[dict[str, int]]) -> BudgetResult:
    respondents = len(allocations)
    sums = dict.fromkeys((o.id for o in question.options), 0)
    for allocation in allocations:
        for option_id, points in allocation.items():
            sums[option_id] += points
    given = sum(sums.values())  # respondents * total, as every allocation adds up to total
    return BudgetResult(
        respondents=respondents,
        total=question.total,
        options=[
            Allocation(
                option_id=option_id,
                sum=points,
                mean=_ratio(points, respondents) if respondents else None,
                share=_percent(points, given) if respondents else None,
            )
            for option_id, points in sums.items()
        ],
    )


def all_comments(answers: Sequence[AnswerRow]) -> list[Comment]:
    """Every comment of a text question, oldest first (the report lists them all;
    the live result carries only the newest)."""
    ordered = sorted(answers, key=lambda row: row.answered_at)
    return [Comment(text=row.value, answered_at=row.answered_at) for row in ordered]


def _text(answers: Sequence[AnswerRow]) -> TextResult:
    # sorted() is stable, also in reverse: rows answered at the same moment keep their order.
    newest = sorted(answers, key=lambda row: row.answered_at, reverse=True)[:NEWEST_COMMENTS]
    return TextResult(
        respondents=len(answers),
        comments=[Comment(text=row.value, answered_at=row.answered_at) for row in newest],
    )
