"""Computing a question's results from its stored answer rows.

Pure: no I/O, no clock, the same rows give the same result. Every ratio is
computed exactly (integers and fractions) and turned into the nearest float only
at the end, so a figure never depends on the order of the rows.
docs/aggregates.md defines every figure.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime
from fractions import Fraction
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
from strategyroom.decks.schema import (
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
)

# A text question's result carries this many comments, the newest.
NEWEST_COMMENTS = 20


class AnswerRow(NamedTuple):
    """One participant's current answer to a question, as stored."""

    value: Any  # the normalised answer value (docs/protocol.md, strategyroom.live.answers)
    answered_at: datetime  # timezone-aware UTC


def aggregate(question: Question, answers: Sequence[AnswerRow]) -> Result:
    """The results of a question from its answer rows (one per participant).

    The values must be normalised answers to this question, as
    ``strategyroom.live.answers.parse_answer`` makes them; a value that does not
    fit the question raises ValueError rather than being miscounted.
    """
    match question:
        case SingleChoice():
            return _choice(question, (_single(question, row.value) for row in answers))
        case MultipleChoice():
            return _choice(question, (_multiple(question, row.value) for row in answers))
        case Scale():
            return _scale(question, [_scale_value(question, row.value) for row in answers])
        case Ranking():
            return _ranking(question, [_order(question, row.value) for row in answers])
        case Budget():
            return _budget(question, [_allocation(question, row.value) for row in answers])
        case FreeText():
            return _text(question, answers)
    assert_never(question)


def _ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator as the nearest float (computed exactly, rounded once)."""
    return float(Fraction(numerator, denominator))


def _percent(count: int, whole: int) -> float:
    return _ratio(100 * count, whole) if whole else 0.0


# -- the figures -------------------------------------------------------------------------


def _choice(
    question: SingleChoice | MultipleChoice, chosen_sets: Iterable[list[str]]
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


def _text(question: FreeText, answers: Sequence[AnswerRow]) -> TextResult:
    for row in answers:
        if not isinstance(row.value, str):
            raise _unfit(question, row.value)
    # sorted() is stable, also in reverse: rows answered at the same moment keep their order.
    newest = sorted(answers, key=lambda row: row.answered_at, reverse=True)[:NEWEST_COMMENTS]
    return TextResult(
        respondents=len(answers),
        comments=[Comment(text=row.value, answered_at=row.answered_at) for row in newest],
    )


# -- checking that a value fits its question -----------------------------------------------


def _unfit(question: Question, value: Any) -> ValueError:
    return ValueError(
        f"answer {value!r} does not fit {question.type.value} question {question.id!r}"
    )


def _single(question: SingleChoice, value: Any) -> list[str]:
    if not isinstance(value, str) or value not in {o.id for o in question.options}:
        raise _unfit(question, value)
    return [value]


def _multiple(question: MultipleChoice, value: Any) -> list[str]:
    known = {o.id for o in question.options}
    if (
        not isinstance(value, list | tuple)
        or not all(isinstance(v, str) and v in known for v in value)
        or len(set(value)) != len(value)
    ):
        raise _unfit(question, value)
    return list(value)


def _scale_value(question: Scale, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _unfit(question, value)
    if not question.min <= value <= question.max:
        raise _unfit(question, value)
    return value


def _order(question: Ranking, value: Any) -> list[str]:
    ids = [o.id for o in question.options]
    if (
        not isinstance(value, list | tuple)
        or len(value) != len(ids)
        or not all(isinstance(v, str) for v in value)
        or set(value) != set(ids)
    ):
        raise _unfit(question, value)
    return list(value)


def _allocation(question: Budget, value: Any) -> dict[str, int]:
    if (
        not isinstance(value, dict)
        or set(value) != {o.id for o in question.options}
        or not all(type(points) is int and points >= 0 for points in value.values())
        or sum(value.values()) != question.total
    ):
        raise _unfit(question, value)
    return value
