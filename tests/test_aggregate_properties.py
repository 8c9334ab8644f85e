"""Properties of the aggregates that hold for any answers (docs/aggregates.md),
checked with Hypothesis against figures computed here from the rows."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategyroom.aggregate import (
    NEWEST_COMMENTS,
    AnswerRow,
    BudgetResult,
    ChoiceResult,
    Comment,
    RankingResult,
    Result,
    ScaleResult,
    TextResult,
    aggregate,
    result_from_dict,
)
from strategyroom.decks.schema import FreeText, Question
from strategyroom.text import repair_text
from tests.questions import T0, budget, multiple, pct, ranking, scale, single, text

LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def round_trip(result: Result) -> Result:
    """Through JSON text, as a frozen result is stored and read back."""
    return result_from_dict(json.loads(json.dumps(result.model_dump(mode="json"))))


@st.composite
def option_ids(draw: st.DrawFn) -> list[str]:
    k = draw(st.integers(min_value=2, max_value=12))
    return [f"o{i}" for i in range(k)]


# Some rows share a moment, as rows written in the same second can.
times = st.one_of(
    st.sampled_from([T0, T0 + timedelta(seconds=1)]),
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
)


def answer_rows(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[AnswerRow]]:
    return st.lists(st.builds(AnswerRow, values, times), max_size=60)


@st.composite
def single_cases(draw: st.DrawFn) -> tuple[Question, list[AnswerRow]]:
    ids = draw(option_ids())
    return single(*ids), draw(answer_rows(st.sampled_from(ids)))


@st.composite
def multiple_cases(draw: st.DrawFn) -> tuple[Question, list[AnswerRow]]:
    ids = draw(option_ids())
    chosen = st.lists(st.sampled_from(ids), min_size=1, unique=True).map(
        lambda c: sorted(c, key=ids.index)
    )
    return multiple(*ids), draw(answer_rows(chosen))


@st.composite
def scale_cases(draw: st.DrawFn) -> tuple[Question, list[AnswerRow]]:
    low = draw(st.integers(min_value=-10, max_value=10))
    high = low + draw(st.integers(min_value=1, max_value=10))
    return scale(low, high), draw(answer_rows(st.integers(min_value=low, max_value=high)))


@st.composite
def ranking_cases(draw: st.DrawFn) -> tuple[Question, list[AnswerRow]]:
    ids = draw(option_ids())
    return ranking(*ids), draw(answer_rows(st.permutations(ids).map(list)))


@st.composite
def allocation(draw: st.DrawFn, ids: list[str], total: int) -> dict[str, int]:
    cuts = sorted(
        draw(st.lists(st.integers(0, total), min_size=len(ids) - 1, max_size=len(ids) - 1))
    )
    bounds = [0, *cuts, total]
    return {i: bounds[n + 1] - bounds[n] for n, i in enumerate(ids)}


@st.composite
def budget_cases(draw: st.DrawFn) -> tuple[Question, list[AnswerRow]]:
    ids = draw(option_ids())
    total = draw(st.one_of(st.integers(1, 200), st.integers(1, 1_000_000_000)))
    return budget(*ids, total=total), draw(answer_rows(allocation(ids, total)))


@st.composite
def text_cases(draw: st.DrawFn) -> tuple[Question, list[AnswerRow]]:
    # Stored comments are what parse_answer keeps: trimmed, not empty, and text
    # that passes strategyroom.text's check (what repair_text makes of any text).
    comments = st.text(min_size=1, max_size=50).map(lambda t: repair_text(t).strip())
    return text(), draw(answer_rows(comments.filter(bool)))


any_case = st.one_of(
    single_cases(), multiple_cases(), scale_cases(), ranking_cases(), budget_cases(), text_cases()
)


@given(single_cases())
def test_single_choice_counts_add_up_to_respondents(case: tuple[Question, list[AnswerRow]]) -> None:
    question, answers = case
    result = aggregate(question, answers)
    assert isinstance(result, ChoiceResult)
    assert result.respondents == len(answers)
    assert sum(o.count for o in result.options) == len(answers)
    assert [o.option_id for o in result.options] == [o.id for o in question.options]  # type: ignore[union-attr]
    if answers:
        assert sum(o.percent for o in result.options) == pytest.approx(100.0)


@given(multiple_cases())
def test_multiple_choice_counts_every_choice(case: tuple[Question, list[AnswerRow]]) -> None:
    question, answers = case
    result = aggregate(question, answers)
    assert isinstance(result, ChoiceResult)
    assert sum(o.count for o in result.options) == sum(len(row.value) for row in answers)
    for option in result.options:
        assert option.count == sum(option.option_id in row.value for row in answers)
        assert option.percent == (pct(option.count, len(answers)) if answers else 0.0)
    counts = [o.count for o in result.ranked()]
    assert counts == sorted(counts, reverse=True)


@given(scale_cases())
def test_scale_figures(case: tuple[Question, list[AnswerRow]]) -> None:
    question, answers = case
    result = aggregate(question, answers)
    assert isinstance(result, ScaleResult)
    values = [row.value for row in answers]
    assert [s.value for s in result.distribution] == list(range(result.min, result.max + 1))
    assert sum(s.count for s in result.distribution) == len(answers)
    if values:
        assert result.mean == float(Fraction(sum(values), len(values)))
        assert result.median == statistics.median(values)
        assert result.min <= result.mean <= result.max
    else:
        assert result.mean is None and result.median is None


@given(ranking_cases())
def test_borda_scores_add_up(case: tuple[Question, list[AnswerRow]]) -> None:
    question, answers = case
    result = aggregate(question, answers)
    assert isinstance(result, RankingResult)
    n, k = len(answers), len(result.options)
    assert sum(o.borda for o in result.options) == n * k * (k - 1) // 2
    for option in result.options:
        places = [row.value.index(option.option_id) + 1 for row in answers]
        assert option.borda == sum(k - place for place in places)
        assert option.mean_rank == (float(Fraction(sum(places), n)) if n else None)
    ranked = result.ranked()
    assert [o.borda for o in ranked] == sorted((o.borda for o in ranked), reverse=True)


@given(budget_cases())
def test_budget_sums_add_up_to_every_point_given(case: tuple[Question, list[AnswerRow]]) -> None:
    question, answers = case
    result = aggregate(question, answers)
    assert isinstance(result, BudgetResult)
    n = len(answers)
    assert result.total == question.total  # type: ignore[union-attr]
    assert sum(o.sum for o in result.options) == n * result.total
    for option in result.options:
        assert option.sum == sum(row.value[option.option_id] for row in answers)
        if n:
            assert option.mean == float(Fraction(option.sum, n))
            assert option.share == float(Fraction(100 * option.sum, n * result.total))
        else:
            assert option.mean is None and option.share is None
    if n:
        assert sum(o.share or 0.0 for o in result.options) == pytest.approx(100.0)


@given(text_cases())
def test_text_keeps_the_newest(case: tuple[Question, list[AnswerRow]]) -> None:
    question, answers = case
    result = aggregate(question, answers)
    assert isinstance(result, TextResult)
    assert result.respondents == len(answers)
    assert len(result.comments) == min(len(answers), NEWEST_COMMENTS)
    # Newest first; rows answered at the same moment in the order given.
    order = sorted(range(len(answers)), key=lambda i: (LATEST - answers[i].answered_at, i))
    assert result.comments == [
        Comment(text=answers[i].value, answered_at=answers[i].answered_at)
        for i in order[:NEWEST_COMMENTS]
    ]


@settings(max_examples=200)
@given(any_case)
def test_json_round_trip(case: tuple[Question, list[AnswerRow]]) -> None:
    question, answers = case
    result = aggregate(question, answers)
    assert result_from_dict(result.model_dump(mode="json")) == result
    assert round_trip(result) == result
    assert type(round_trip(result)) is type(result)


@given(any_case)
def test_the_order_of_the_rows_does_not_change_the_figures(
    case: tuple[Question, list[AnswerRow]],
) -> None:
    question, answers = case
    if isinstance(question, FreeText):
        return  # comments keep the input order among equal times
    assert aggregate(question, answers[::-1]) == aggregate(question, answers)
