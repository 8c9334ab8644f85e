"""Evenings compared: each measure's support in each session of a report, which
measures have broad support in every one, and where they differ most, with the
uncertainty of each difference (docs/aggregates.md, "Evenings compared").

Only the options of choice questions answered by residents are compared with
an interval: their support is a share of people, so an evening's support is a
proportion with a binomial uncertainty. A ranking's or a budget's support (a
share of Borda points or of all points) has no such interval, and a table
question's answers are a handful of tables, not residents: both are listed per
evening but never called broad or ranked among the differences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate.priorities import option_support
from strategyroom.aggregate.results import ChoiceResult, Result, ScaleResult
from strategyroom.decks.schema import Question, SingleChoice, options_of

# A measure has broad support when at least half the respondents chose it, in
# every evening of the report.
BROAD_SUPPORT = 50.0
Z_95 = 1.959963984540054  # the normal distribution's 97.5 % quantile

Counts = Literal["residents", "tables"]
Basis = Literal["share_of_respondents", "share_of_borda_points", "share_of_points"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class EveningSupport(_Frozen):
    session_id: str
    support: float | None  # 0-100; None when nobody in that evening answered
    respondents: int  # residents (or tables, for a table question) who answered
    chose: int | None  # how many chose it (choice questions), else None


class Difference(_Frozen):
    """The highest evening's support minus the lowest's, in percentage points,
    with its 95 % interval (Newcombe's hybrid score interval, from each
    evening's Wilson interval)."""

    high: str  # session ids
    low: str
    points: float
    ci_low: float
    ci_high: float


class MeasureComparison(_Frozen):
    question_id: str
    option_id: str
    counts: Counts  # whose answers: each resident's, or each table's one answer
    basis: Basis  # what the support is a share of
    sessions: list[EveningSupport]  # in the report's order
    broad: bool  # at least BROAD_SUPPORT in every evening (residents' choices only)
    difference: Difference | None  # residents' choices, two or more evenings with answers


def wilson(chose: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion, as shares (0-1)."""
    p = chose / n
    z2 = Z_95 * Z_95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def difference(high: EveningSupport, low: EveningSupport) -> Difference:
    """Newcombe's (1998, method 10) interval of high - low, in percentage points."""
    assert high.chose is not None and low.chose is not None
    p1, p2 = high.chose / high.respondents, low.chose / low.respondents
    l1, u1 = wilson(high.chose, high.respondents)
    l2, u2 = wilson(low.chose, low.respondents)
    d = p1 - p2
    return Difference(
        high=high.session_id,
        low=low.session_id,
        points=100 * d,
        ci_low=100 * (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
        ci_high=100 * (d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)),
    )


def _basis(result: Result) -> Basis:
    match result.kind:
        case "choice":
            return "share_of_respondents"
        case "ranking":
            return "share_of_borda_points"
    return "share_of_points"


def compare_measures(
    question: Question, session_ids: Sequence[str], results: Sequence[Result]
) -> list[MeasureComparison]:
    """Each option of a choice, ranking or budget question in every session
    (``results`` in the order of ``session_ids``); none for other questions and
    profile questions."""
    if (isinstance(question, SingleChoice) and question.profile) or not results:
        return []
    if any(isinstance(r, ScaleResult) or r.kind == "text" for r in results):
        return []
    counts: Counts = "tables" if question.scope == "table" else "residents"
    found = []
    for option in options_of(question):
        evenings = []
        for sid, result in zip(session_ids, results, strict=True):
            chose = None
            if isinstance(result, ChoiceResult):
                chose = next(o.count for o in result.options if o.option_id == option.id)
            evenings.append(
                EveningSupport(
                    session_id=sid,
                    support=option_support(result, option.id),
                    respondents=result.respondents,
                    chose=chose,
                )
            )
        people = counts == "residents" and isinstance(results[0], ChoiceResult)
        answered = [e for e in evenings if e.respondents and e.support is not None]
        diff = None
        if people and len(answered) >= 2:
            # sorted() is stable: of equal evenings the earlier is the high one,
            # the later the low one.
            ranked = sorted(answered, key=lambda e: -(e.support or 0.0))
            diff = difference(ranked[0], ranked[-1])
        found.append(
            MeasureComparison(
                question_id=question.id,
                option_id=option.id,
                counts=counts,
                basis=_basis(results[0]),
                sessions=evenings,
                broad=people
                and len(answered) == len(evenings)
                and all((e.support or 0.0) >= BROAD_SUPPORT for e in evenings),
                difference=diff,
            )
        )
    return found


def clearest_differences(
    comparisons: Sequence[MeasureComparison], limit: int = 5
) -> list[MeasureComparison]:
    """The measures whose evenings differ most surely: those whose difference's
    interval excludes 0, by the interval's lower end, largest first."""
    clear = [c for c in comparisons if c.difference is not None and c.difference.ci_low > 0]
    return sorted(clear, key=lambda c: -(c.difference.ci_low if c.difference else 0.0))[:limit]


def distance(question: Question, room: Result, group: Result | None) -> float:
    """How far a group's result (a table's) lies from the room's, in percentage
    points: half the summed differences of its options' support (choice,
    ranking, budget), or the difference of the means as a share of the scale;
    0 for a group with no answers."""
    if group is None or not group.respondents or not room.respondents:
        return 0.0
    if isinstance(room, ScaleResult) and isinstance(group, ScaleResult):
        if room.mean is None or group.mean is None:
            return 0.0
        return 100 * abs(group.mean - room.mean) / (room.max - room.min)
    if room.kind not in ("choice", "ranking", "budget"):
        return 0.0
    gaps = [
        abs((option_support(group, o.id) or 0.0) - (option_support(room, o.id) or 0.0))
        for o in options_of(question)
    ]
    return sum(gaps) / 2


def most_different(
    question: Question, room: Result, groups: Sequence[Result | None], limit: int
) -> list[int]:
    """The indexes of the ``limit`` groups farthest from the room (ties: the
    earlier), in their own order."""
    ranked = sorted(range(len(groups)), key=lambda i: -distance(question, room, groups[i]))
    return sorted(ranked[:limit])
