"""The aggregates (docs/aggregates.md): hand-computed examples for every
question type, no answers at all, answers that do not fit, and stored results.
Properties that hold for any answers are in test_aggregate_properties.py."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from pydantic import ValidationError

from strategyroom.aggregate import (
    NEWEST_COMMENTS,
    Allocation,
    AnswerRow,
    BudgetResult,
    ChoiceResult,
    Comment,
    OptionCount,
    RankingResult,
    RankScore,
    ScaleResult,
    ScaleStep,
    TextResult,
    aggregate,
    result_from_dict,
)
from strategyroom.decks.schema import Question
from tests.questions import T0, budget, multiple, pct, ranking, rows, scale, single, text

# -- hand-computed examples ---------------------------------------------------------------


def test_single_choice() -> None:
    result = aggregate(single("bus", "bike", "walk"), rows("bike", "bus", "bike"))
    assert result == ChoiceResult(
        respondents=3,
        options=[
            OptionCount(option_id="bus", count=1, percent=pct(1, 3)),
            OptionCount(option_id="bike", count=2, percent=pct(2, 3)),
            OptionCount(option_id="walk", count=0, percent=0.0),
        ],
    )
    assert [o.option_id for o in result.ranked()] == ["bike", "bus", "walk"]
    assert result.model_dump(mode="json") == {
        "kind": "choice",
        "respondents": 3,
        "options": [
            {"option_id": "bus", "count": 1, "percent": pct(1, 3)},
            {"option_id": "bike", "count": 2, "percent": pct(2, 3)},
            {"option_id": "walk", "count": 0, "percent": 0.0},
        ],
        "skipped": 0,
    }


def test_multiple_choice_percentages_may_add_up_to_more_than_100() -> None:
    question = multiple("bus", "bike", "park", "trees", max_choices=2)
    result = aggregate(question, rows(["bus", "bike"], ["bike"], ["bike", "park"], ["park"]))
    assert isinstance(result, ChoiceResult)
    assert result.respondents == 4
    assert [(o.option_id, o.count, o.percent) for o in result.options] == [
        ("bus", 1, 25.0),
        ("bike", 3, 75.0),
        ("park", 2, 50.0),
        ("trees", 0, 0.0),
    ]
    assert sum(o.percent for o in result.options) == 150.0
    # Ties keep deck order.
    tied = aggregate(question, rows(["park"], ["bus"]))
    assert isinstance(tied, ChoiceResult)
    assert [o.option_id for o in tied.ranked()] == ["bus", "park", "bike", "trees"]


def test_percentages_are_the_nearest_float_to_the_exact_value() -> None:
    result = aggregate(single("a", "b", "c"), rows("a", "b", "b", "c", "c", "c", "c"))
    assert isinstance(result, ChoiceResult)
    assert [o.percent for o in result.options] == [pct(1, 7), pct(2, 7), pct(4, 7)]
    assert [Fraction(o.percent).limit_denominator(7) for o in result.options] == [
        Fraction(100, 7),
        Fraction(200, 7),
        Fraction(400, 7),
    ]


def test_scale() -> None:
    result = aggregate(scale(1, 5), rows(5, 4, 2, 4))
    assert result == ScaleResult(
        respondents=4,
        min=1,
        max=5,
        mean=3.75,  # 15 / 4
        median=4.0,  # (4 + 4) / 2
        distribution=[
            ScaleStep(value=1, count=0, percent=0.0),
            ScaleStep(value=2, count=1, percent=25.0),
            ScaleStep(value=3, count=0, percent=0.0),
            ScaleStep(value=4, count=2, percent=50.0),
            ScaleStep(value=5, count=1, percent=25.0),
        ],
    )


def test_scale_median_of_an_even_count_is_the_middle_pair_mean() -> None:
    result = aggregate(scale(0, 10), rows(0, 3, 10, 4, 7, 9))
    assert isinstance(result, ScaleResult)
    assert result.mean == float(Fraction(33, 6)) == 5.5
    assert result.median == 5.5  # (4 + 7) / 2
    assert [s.value for s in result.distribution] == list(range(11))
    odd = aggregate(scale(-2, 2), rows(-2, 1, 2))
    assert isinstance(odd, ScaleResult)
    assert (odd.mean, odd.median) == (float(Fraction(1, 3)), 1.0)
    assert isinstance(odd.median, float)


def test_ranking() -> None:
    # k = 3: first place 2 points, second 1, third 0.
    orders = [["heat", "solar", "trees"], ["solar", "heat", "trees"], ["trees", "solar", "heat"]]
    result = aggregate(ranking("heat", "solar", "trees"), rows(*orders))
    assert result == RankingResult(
        respondents=3,
        options=[
            RankScore(option_id="heat", borda=2 + 1 + 0, mean_rank=float(Fraction(1 + 2 + 3, 3))),
            RankScore(option_id="solar", borda=1 + 2 + 1, mean_rank=float(Fraction(2 + 1 + 2, 3))),
            RankScore(option_id="trees", borda=0 + 0 + 2, mean_rank=float(Fraction(3 + 3 + 1, 3))),
        ],
    )
    assert [o.option_id for o in result.ranked()] == ["solar", "heat", "trees"]


def test_ranking_ties_fall_back_to_deck_order() -> None:
    result = aggregate(
        ranking("a", "b", "c", "d"), rows(["d", "c", "b", "a"], ["c", "d", "a", "b"])
    )
    assert isinstance(result, RankingResult)
    assert [(o.option_id, o.borda, o.mean_rank) for o in result.options] == [
        ("a", 0 + 1, 3.5),
        ("b", 1 + 0, 3.5),
        ("c", 2 + 3, 1.5),
        ("d", 3 + 2, 1.5),
    ]
    assert [o.option_id for o in result.ranked()] == ["c", "d", "a", "b"]


def test_ranking_ties_are_broken_by_mean_rank_first() -> None:
    # Not reachable from complete rankings (equal Borda means equal mean place),
    # but a stored result must still order this way.
    result = RankingResult(
        respondents=2,
        options=[
            RankScore(option_id="a", borda=3, mean_rank=2.0),
            RankScore(option_id="b", borda=3, mean_rank=1.5),
            RankScore(option_id="c", borda=4, mean_rank=1.0),
        ],
    )
    assert [o.option_id for o in result.ranked()] == ["c", "b", "a"]


def test_budget() -> None:
    question = budget("heat", "solar", "trees", total=100)
    result = aggregate(
        question,
        rows(
            {"heat": 50, "solar": 50, "trees": 0},
            {"heat": 20, "solar": 30, "trees": 50},
            {"heat": 0, "solar": 0, "trees": 100},
        ),
    )
    assert result == BudgetResult(
        respondents=3,
        total=100,
        options=[
            Allocation(option_id="heat", sum=70, mean=float(Fraction(70, 3)), share=pct(70, 300)),
            Allocation(option_id="solar", sum=80, mean=float(Fraction(80, 3)), share=pct(80, 300)),
            Allocation(option_id="trees", sum=150, mean=50.0, share=50.0),
        ],
    )
    assert [o.option_id for o in result.ranked()] == ["trees", "solar", "heat"]


def test_budget_ties_keep_deck_order() -> None:
    result = aggregate(budget("a", "b", "c", total=10), rows({"a": 3, "b": 3, "c": 4}))
    assert isinstance(result, BudgetResult)
    assert [(o.sum, o.mean, o.share) for o in result.options] == [
        (3, 3.0, 30.0),
        (3, 3.0, 30.0),
        (4, 4.0, 40.0),
    ]
    assert [o.option_id for o in result.ranked()] == ["c", "a", "b"]


def test_text_keeps_the_newest_comments_newest_first() -> None:
    answers = [AnswerRow(f"comment {i}", T0 + timedelta(minutes=i)) for i in range(25)]
    shuffled = [answers[i * 7 % 25] for i in range(25)]  # 7 and 25 are coprime
    result = aggregate(text(), shuffled)
    assert isinstance(result, TextResult)
    assert result.respondents == 25
    assert len(result.comments) == NEWEST_COMMENTS == 20
    assert [c.text for c in result.comments] == [f"comment {i}" for i in range(24, 4, -1)]
    assert result.comments[0] == Comment(text="comment 24", answered_at=T0 + timedelta(minutes=24))


def test_text_comments_at_the_same_moment_keep_their_order() -> None:
    later = T0 + timedelta(seconds=1)
    answers = [AnswerRow("x", T0), AnswerRow("a", later), AnswerRow("b", T0), AnswerRow("c", later)]
    result = aggregate(text(), answers)
    assert isinstance(result, TextResult)
    assert [c.text for c in result.comments] == ["a", "c", "x", "b"]


# -- no answers -----------------------------------------------------------------------------


def test_no_answers() -> None:
    assert aggregate(single("a", "b"), []) == ChoiceResult(
        respondents=0,
        options=[
            OptionCount(option_id="a", count=0, percent=0.0),
            OptionCount(option_id="b", count=0, percent=0.0),
        ],
    )
    assert aggregate(multiple("a", "b"), []) == aggregate(single("a", "b"), [])
    assert aggregate(scale(1, 3), []) == ScaleResult(
        respondents=0,
        min=1,
        max=3,
        mean=None,
        median=None,
        distribution=[ScaleStep(value=v, count=0, percent=0.0) for v in (1, 2, 3)],
    )
    no_ranking = aggregate(ranking("a", "b", "c"), [])
    assert no_ranking == RankingResult(
        respondents=0,
        options=[RankScore(option_id=i, borda=0, mean_rank=None) for i in ("a", "b", "c")],
    )
    assert isinstance(no_ranking, RankingResult)
    assert [o.option_id for o in no_ranking.ranked()] == ["a", "b", "c"]
    no_budget = aggregate(budget("a", "b", total=7), [])
    assert no_budget == BudgetResult(
        respondents=0,
        total=7,
        options=[Allocation(option_id=i, sum=0, mean=None, share=None) for i in ("a", "b")],
    )
    assert isinstance(no_budget, BudgetResult)
    assert [o.option_id for o in no_budget.ranked()] == ["a", "b"]
    assert aggregate(text(), []) == TextResult(respondents=0, comments=[])


# -- answers that do not fit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (single("a", "b"), "c"),
        (single("a", "b"), ["a"]),
        (multiple("a", "b"), ["a", "a"]),
        (multiple("a", "b"), ["z"]),
        (multiple("a", "b"), "a"),
        (scale(1, 5), 6),
        (scale(1, 5), True),
        (scale(1, 5), 2.5),
        (ranking("a", "b", "c"), ["a", "b"]),
        (ranking("a", "b", "c"), ["a", "b", "b"]),
        (budget("a", "b", total=10), {"a": 10}),
        (budget("a", "b", total=10), {"a": 5, "b": 4}),
        (budget("a", "b", total=10), {"a": 11, "b": -1}),
        (budget("a", "b", total=10), {"a": 5.0, "b": 5}),
        (text(), 3),
    ],
)
def test_an_answer_that_does_not_fit_is_refused_not_miscounted(
    question: Question, value: Any
) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        aggregate(question, rows(value))


# -- stored results --------------------------------------------------------------------------


def test_result_from_dict_refuses_what_is_not_a_result() -> None:
    with pytest.raises(ValidationError):
        result_from_dict({"kind": "pie", "respondents": 1})
    with pytest.raises(ValidationError):
        result_from_dict({"kind": "choice", "respondents": 1})


def test_results_are_frozen() -> None:
    result = aggregate(single("a", "b"), rows("a"))
    with pytest.raises(ValidationError):
        result.respondents = 2  # type: ignore[misc]
