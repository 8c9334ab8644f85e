"""The room's priorities: measures (the options of choice, ranking and budget
questions) and scenarios ranked by support, from the questions' results.

"Support" is a percentage from 0 to 100 for every question type
(docs/aggregates.md, "Priorities"): the share of respondents who chose an
option; a ranking option's Borda points as a share of the most it could get; a
budget option's share of all points; a scale question's mean as a share of the
way from its lowest to its highest value.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate.results import (
    BudgetResult,
    ChoiceResult,
    RankingResult,
    Result,
    ScaleResult,
)
from strategyroom.decks.schema import CardKind, Deck, Question, SingleChoice, options_of


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Measure(_Frozen):
    question_id: str
    option_id: str
    support: float | None  # 0-100; None when nobody answered
    respondents: int


class ScenarioSupport(_Frozen):
    scenario: str  # the scenario card's id
    support: float | None  # 0-100; None when no linked question has answers
    questions: list[str]  # the linked questions the support comes from


_T = TypeVar("_T", Measure, ScenarioSupport)


class Priorities(_Frozen):
    measures: list[Measure]  # highest support first; ties (and None, last) in deck order
    scenarios: list[ScenarioSupport]  # the same order


def option_support(result: Result, option_id: str) -> float | None:
    """An option's support (0-100) in a choice, ranking or budget result."""
    if result.respondents == 0:
        return None
    match result:
        case ChoiceResult():
            return next(o.percent for o in result.options if o.option_id == option_id)
        case RankingResult():
            most = result.respondents * (len(result.options) - 1)
            borda = next(o.borda for o in result.options if o.option_id == option_id)
            return float(Fraction(100 * borda, most))
        case BudgetResult():
            return next(o.share for o in result.options if o.option_id == option_id)
    raise ValueError(f"a {result.kind} result has no options")


def _supports(result: Result) -> dict[str, float | None]:
    """Every option's ``option_support``, in one pass over the options (none
    for a result without options)."""
    if result.respondents == 0:
        return {}
    match result:
        case ChoiceResult():
            return {o.option_id: o.percent for o in result.options}
        case RankingResult():
            most = result.respondents * (len(result.options) - 1)
            return {o.option_id: float(Fraction(100 * o.borda, most)) for o in result.options}
        case BudgetResult():
            return {o.option_id: o.share for o in result.options}
    return {}  # a text result: no options


def scale_support(result: ScaleResult) -> float | None:
    if result.mean is None:
        return None
    # mean is the nearest float to an exact fraction; this keeps the last rounding single.
    return float(Fraction(result.mean) - result.min) * 100 / (result.max - result.min)


def _counts(question: Question) -> bool:
    return not (isinstance(question, SingleChoice) and question.profile)


def _ranked(items: list[_T]) -> list[_T]:
    # sorted() is stable: equal support keeps deck order; no support goes last.
    return sorted(items, key=lambda item: -item.support if item.support is not None else 1.0)


def measures(deck: Deck, results: Mapping[str, Result]) -> list[Measure]:
    found = []
    for question in deck.questions():
        result = results.get(question.id)
        if result is None or not _counts(question) or isinstance(result, ScaleResult):
            continue
        supports = _supports(result)
        for option in options_of(question):
            found.append(
                Measure(
                    question_id=question.id,
                    option_id=option.id,
                    support=supports.get(option.id) if result.respondents else None,
                    respondents=result.respondents,
                )
            )
    return _ranked(found)


def scenario_support(
    deck: Deck,
    results: Mapping[str, Result],
    scenario: str,
    ranked: list[Measure] | None = None,
) -> ScenarioSupport:
    """A scenario's support: the mean support of its linked scale questions; with
    none, the support of its best-supported measure (``ranked``: the measures
    of these results, when the caller has them already)."""
    linked = [
        card.question
        for card in deck.cards
        if card.scenario == scenario and card.question is not None and _counts(card.question)
    ]
    scales = [
        (q.id, scale_support(r))
        for q in linked
        if isinstance(r := results.get(q.id), ScaleResult) and r.respondents
    ]
    if scales:
        values = [s for _, s in scales if s is not None]
        return ScenarioSupport(
            scenario=scenario, support=sum(values) / len(values), questions=[q for q, _ in scales]
        )
    ranked = measures(deck, results) if ranked is None else ranked
    linked_ids = {q.id for q in linked}
    best = [m for m in ranked if m.question_id in linked_ids]
    best = [m for m in best if m.support is not None]
    if not best:
        return ScenarioSupport(scenario=scenario, support=None, questions=[])
    return ScenarioSupport(
        scenario=scenario, support=best[0].support, questions=[best[0].question_id]
    )


def priorities(deck: Deck, results: Mapping[str, Result]) -> Priorities:
    """The ranking of measures and scenarios; ``results`` maps question ids to
    the results of the room (or of one group, for per-table priorities)."""
    scenarios = [card.id for card in deck.cards if card.kind is CardKind.SCENARIO]
    # Once, not once more per scenario (625 tables' priorities: thousands of calls).
    ranked = measures(deck, results)
    return Priorities(
        measures=ranked,
        scenarios=_ranked([scenario_support(deck, results, s, ranked) for s in scenarios]),
    )
