"""The figures beyond counting (docs/aggregates.md): agreement, the impact meter,
priorities, before/after change, group and profile breakdowns. Each is checked
against an independent computation from its textbook definition, and by
properties that hold for any answers."""

from __future__ import annotations

import itertools
import math
import statistics
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategyroom.aggregate import (
    MIN_GROUP,
    AnswerRow,
    PairRow,
    ParticipantAnswer,
    aggregate,
    agreement,
    by_group,
    choice_change,
    package_impact,
    pair_rows,
    priorities,
    profile_breakdown,
    scale_change,
)
from strategyroom.aggregate.tdist import t_cdf, t_quantile
from strategyroom.decks import Deck, load_deck
from strategyroom.decks.schema import (
    PREFER_NOT_TO_SAY,
    Budget,
    MultipleChoice,
    Ranking,
    Scale,
    SingleChoice,
)
from tests.conftest import TEST_DECKS

T0 = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
DECK = load_deck(TEST_DECKS / "town-test.yaml")


def q(question_id: str) -> Any:
    return DECK.question(question_id)


def answers(*values: Any) -> list[ParticipantAnswer]:
    return [ParticipantAnswer(f"p{i}", v, T0) for i, v in enumerate(values)]


# -- agreement ------------------------------------------------------------------------


def test_single_choice_agreement_is_one_minus_normalised_entropy() -> None:
    # 3 options; answers main, main, church: p = 2/3, 1/3, 0.
    h = -(2 / 3) * math.log(2 / 3, 3) - (1 / 3) * math.log(1 / 3, 3)
    assert agreement(q("street"), ["main", "main", "church"]) == pytest.approx(1 - h, abs=1e-12)
    assert agreement(q("street"), ["main", "main"]) == 1.0
    assert agreement(q("street"), ["main", "church", "none"]) == pytest.approx(0.0, abs=1e-12)
    assert agreement(q("street"), ["main"]) is None
    assert agreement(q("comment"), ["a", "b"]) is None


def test_multiple_choice_agreement_is_mean_binary_agreement() -> None:
    # bus chosen by 1 of 4, bike by 4 of 4, park by 2 of 4.
    def h2(p: float) -> float:
        return 0.0 if p in (0, 1) else -p * math.log2(p) - (1 - p) * math.log2(1 - p)

    values = [["bus", "bike"], ["bike"], ["bike", "park"], ["bike", "park"]]
    expected = ((1 - h2(0.25)) + (1 - h2(1.0)) + (1 - h2(0.5))) / 3
    assert agreement(q("measures"), values) == pytest.approx(expected, abs=1e-12)


def test_scale_agreement_is_one_minus_relative_spread() -> None:
    values = [5, 4, 2, 4]
    expected = 1 - statistics.pstdev(values) / ((5 - 1) / 2)
    assert agreement(q("support"), values) == pytest.approx(expected, abs=1e-12)
    assert agreement(q("support"), [1, 5, 1, 5]) == pytest.approx(0.0, abs=1e-12)
    assert agreement(q("support"), [3, 3, 3]) == 1.0


def kendall_w_by_definition(orders: list[list[str]]) -> float:
    m, k = len(orders), len(orders[0])
    ranks = {item: [order.index(item) + 1 for order in orders] for item in orders[0]}
    totals = [sum(r) for r in ranks.values()]
    mean = sum(totals) / k
    s = sum((t - mean) ** 2 for t in totals)
    return 12 * s / (m**2 * (k**3 - k))


def test_ranking_agreement_is_kendalls_w() -> None:
    orders = [["heat", "solar", "trees"], ["solar", "heat", "trees"], ["trees", "solar", "heat"]]
    # Rank sums 6, 5, 7; mean 6; S = 2; W = 12 * 2 / (9 * 24) = 1/9.
    assert agreement(q("priorities"), orders) == pytest.approx(1 / 9, abs=1e-15)
    assert agreement(q("priorities"), [orders[0]] * 4) == 1.0
    assert agreement(q("priorities"), orders) == pytest.approx(kendall_w_by_definition(orders))


def budget_agreement_pairwise(values: list[dict[str, int]], total: int) -> float:
    pairs = list(itertools.combinations(values, 2))
    distance = sum(sum(abs(a[o] - b[o]) for o in a) for a, b in pairs) / len(pairs)
    return 1 - distance / (2 * total)


def test_budget_agreement_is_one_minus_mean_pairwise_distance() -> None:
    values = [
        {"heat": 50, "solar": 50, "trees": 0},
        {"heat": 20, "solar": 30, "trees": 50},
        {"heat": 0, "solar": 0, "trees": 100},
    ]
    # Distances 100, 200, 100: mean 400/3; 1 - (400/3)/200 = 1/3.
    assert agreement(q("budget"), values) == pytest.approx(1 / 3, abs=1e-15)
    opposite = [{"heat": 100, "solar": 0, "trees": 0}, {"heat": 0, "solar": 100, "trees": 0}]
    assert agreement(q("budget"), opposite) == 0.0


allocations = st.lists(st.integers(0, 100), min_size=3, max_size=3).map(
    lambda xs: dict(zip(["heat", "solar", "trees"], [*xs[:2], 0], strict=True))
)


@settings(max_examples=60, deadline=None)
@given(
    singles=st.lists(st.sampled_from(["main", "church", "none"]), min_size=2, max_size=30),
    scales=st.lists(st.integers(1, 5), min_size=2, max_size=30),
    orders=st.lists(st.permutations(["heat", "solar", "trees"]), min_size=2, max_size=20),
    splits=st.lists(st.integers(0, 100), min_size=2, max_size=20),
)
def test_agreement_is_in_range_and_independent(
    singles: list[str], scales: list[int], orders: list[list[str]], splits: list[int]
) -> None:
    budgets = [{"heat": x, "solar": 100 - x, "trees": 0} for x in splits]
    cases = [
        (q("street"), singles),
        (q("support"), scales),
        (q("priorities"), [list(o) for o in orders]),
        (q("budget"), budgets),
    ]
    for question, values in cases:
        score = agreement(question, values)
        assert score is not None and 0.0 <= score <= 1.0
        assert score == pytest.approx(agreement(question, list(reversed(values))), abs=1e-12)
        assert agreement(question, [values[0]] * len(values)) == pytest.approx(1.0)
    assert agreement(q("priorities"), [list(o) for o in orders]) == pytest.approx(
        kendall_w_by_definition([list(o) for o in orders]), abs=1e-12
    )
    assert agreement(q("budget"), budgets) == pytest.approx(
        budget_agreement_pairwise(budgets, 100), abs=1e-12
    )
    assert agreement(q("support"), scales) == pytest.approx(
        1 - statistics.pstdev(scales) / 2, abs=1e-9
    )


# -- the t distribution and before/after ------------------------------------------------

# Two-sided 95 % critical values from published t tables.
T_TABLE = {1: 12.7062, 2: 4.3027, 3: 3.1824, 5: 2.5706, 10: 2.2281, 20: 2.0860, 30: 2.0423}


def test_t_quantiles_match_the_tables() -> None:
    for df, value in T_TABLE.items():
        assert t_quantile(0.975, df) == pytest.approx(value, abs=5e-5)
    assert t_quantile(0.975, 10_000) == pytest.approx(1.95996, abs=5e-4)  # ~ the normal
    assert t_quantile(0.025, 7) == -t_quantile(0.975, 7)
    # df = 1 is the Cauchy distribution: the quantile is tan(pi (p - 1/2)).
    assert t_quantile(0.9, 1) == pytest.approx(math.tan(math.pi * 0.4), rel=1e-9)
    # df = 2 has a closed form too: t = (2p - 1) sqrt(2 / (4 p (1 - p))).
    p = 0.8
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) * math.sqrt(2 / (4 * p * (1 - p))))


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 0.99), st.integers(1, 200))
def test_t_quantile_inverts_the_cdf(p: float, df: int) -> None:
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-9)


def test_scale_change_is_paired_with_a_t_interval() -> None:
    before = {"a": 2, "b": 3, "c": 3, "d": 4, "e": 1, "solo": 5}
    after = {"a": 4, "b": 3, "c": 5, "d": 4, "e": 3, "late": 1}
    rows = pair_rows(before, after)
    assert sorted(r.participant_id for r in rows) == ["a", "b", "c", "d", "e"]
    change = scale_change(rows)
    diffs = [2, 0, 2, 0, 2]
    half = 2.7764451051977987 * statistics.stdev(diffs) / math.sqrt(5)  # t(0.975, 4)
    assert change.pairs == 5 and change.mean_change == pytest.approx(1.2)
    assert (change.mean_before, change.mean_after) == (pytest.approx(2.6), pytest.approx(3.8))
    assert change.sd_change == pytest.approx(statistics.stdev(diffs))
    assert change.ci_low == pytest.approx(1.2 - half) and change.ci_high == pytest.approx(
        1.2 + half
    )
    assert (change.increased, change.decreased, change.unchanged) == (3, 0, 2)
    one = scale_change([PairRow("a", 1, 3)])
    assert one.mean_change == 2.0 and one.ci_low is None and one.sd_change is None
    assert scale_change([]).mean_change is None


def test_choice_change_counts_transitions() -> None:
    rows = [PairRow("a", "x", "y"), PairRow("b", "x", "x"), PairRow("c", "x", "y")]
    change = choice_change(["x", "y"], rows)
    assert (change.pairs, change.changed) == (3, 2)
    assert [(t.before, t.after, t.count) for t in change.transitions] == [
        ("x", "x", 1),
        ("x", "y", 2),
    ]


# -- the impact meter ---------------------------------------------------------------------


def test_impact_of_a_package_is_summed_from_option_attributes() -> None:
    # town-test: bus 300 t / 4 mDKK, bike 200 t / 2 mDKK; the target is 1000 t.
    impact = package_impact(DECK, q("measures"), [["bus", "bike"]])
    assert impact is not None
    assert {t.attribute: t.total for t in impact.totals} == {"co2_tonnes": 500.0, "cost_mdkk": 6.0}
    assert impact.progress == 0.5 and impact.target_value == 1000
    mean = package_impact(DECK, q("measures"), [["bus", "bike"], ["park"]])
    assert mean is not None and mean.totals[0].total == 300.0 and mean.packages == 2
    assert package_impact(DECK, q("street"), ["main"]) is None


def test_a_budget_package_counts_options_by_their_share() -> None:
    deck = Deck.model_validate(
        {
            **DECK.model_dump(mode="json"),
            "cards": [
                {
                    "id": "c",
                    "kind": "question",
                    "title": "B",
                    "question": {
                        "id": "b",
                        "type": "budget",
                        "total": 10,
                        "prompt": "Split",
                        "package": {"cap_attribute": "cost_mdkk", "cap": 5},
                        "options": [
                            {
                                "id": "x",
                                "label": "X",
                                "attributes": {"co2_tonnes": 100, "cost_mdkk": 8},
                            },
                            {
                                "id": "y",
                                "label": "Y",
                                "attributes": {"co2_tonnes": 50, "cost_mdkk": 2},
                            },
                        ],
                    },
                }
            ],
        }
    )
    impact = package_impact(deck, deck.question("b"), [{"x": 3, "y": 7}])
    assert impact is not None
    # co2 = 100 * 3/10 + 50 * 7/10 = 65; cost = 8 * 0.3 + 2 * 0.7 = 3.8.
    assert [t.total for t in impact.totals] == [65.0, 3.8]
    assert impact.progress == 0.065 and not impact.over_cap and impact.cap == 5


# -- priorities ---------------------------------------------------------------------------


def test_priorities_rank_measures_by_support() -> None:
    results = {
        "street": aggregate(q("street"), [AnswerRow(v, T0) for v in ["main", "main", "church"]]),
        "priorities": aggregate(
            q("priorities"),
            [AnswerRow(["solar", "heat", "trees"], T0), AnswerRow(["solar", "trees", "heat"], T0)],
        ),
        "support": aggregate(q("support"), [AnswerRow(4, T0), AnswerRow(5, T0)]),
    }
    ranked = priorities(DECK, results)
    top = [(m.question_id, m.option_id, m.support) for m in ranked.measures]
    # solar: Borda 4 of at most 2 * 2 = 100 %; main 2/3; heat 1/4 of 4 ...
    assert top[0] == ("priorities", "solar", 100.0)
    assert top[1] == ("street", "main", pytest.approx(200 / 3))
    assert [m.support for m in ranked.measures[2:]] == [
        pytest.approx(100 / 3),
        25.0,
        25.0,
        0.0,
    ]
    # The scenario "cars" is linked to the single-choice street question: its best measure.
    assert ranked.scenarios[0].scenario == "cars"
    assert ranked.scenarios[0].support == pytest.approx(200 / 3)


# -- groups and profiles ------------------------------------------------------------------


def test_group_figures_use_the_same_aggregate() -> None:
    values = answers("main", "main", "church", "none", "main")
    tables = {"p0": "Table 1", "p1": "Table 1", "p2": "Table 2", "p3": "Table 2"}
    groups = by_group(DECK, q("street"), values, tables)
    assert [g.group for g in groups] == ["Table 1", "Table 2"]
    assert groups[0].result == aggregate(q("street"), [AnswerRow("main", T0)] * 2)
    assert groups[0].agreement == 1.0 and groups[1].agreement == pytest.approx(1 - math.log(2, 3))
    assert sum(g.respondents for g in groups) == 4  # p4 sits at no table


def test_profile_groups_under_five_are_suppressed() -> None:
    profile = SingleChoice.model_validate(
        {
            "id": "age",
            "type": "single",
            "profile": True,
            "prompt": "Age",
            "options": [{"id": "young", "label": "Y"}, {"id": "old", "label": "O"}],
        }
    )
    ages = ["young"] * 6 + ["old"] * 3 + [PREFER_NOT_TO_SAY]
    profile_answers = answers(*ages)
    support = answers(*[5, 4, 4, 3, 5, 5, 1, 2, 1, 4])
    rows = profile_breakdown(DECK, profile, profile_answers, q("support"), support, MIN_GROUP)
    young, old = rows
    assert (young.group, young.respondents, young.suppressed) == ("young", 6, False)
    assert young.result is not None and young.result.mean == pytest.approx(26 / 6)
    assert (old.group, old.respondents, old.suppressed, old.result) == ("old", None, True, None)
    assert MIN_GROUP == 5
    counted = aggregate(profile, [AnswerRow(a, T0) for a in ages])
    assert counted.respondents == 9 and counted.skipped == 1  # type: ignore[union-attr]


def test_question_types_in_the_figures() -> None:
    assert isinstance(q("measures"), MultipleChoice) and isinstance(q("budget"), Budget)
    assert isinstance(q("support"), Scale) and isinstance(q("priorities"), Ranking)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=40))
def test_scale_change_matches_the_textbook_interval(pairs: list[tuple[int, int]]) -> None:
    rows = [PairRow(f"p{i}", b, a) for i, (b, a) in enumerate(pairs)]
    change = scale_change(rows)
    diffs = [a - b for b, a in pairs]
    n = len(diffs)
    mean, sd = statistics.mean(diffs), statistics.stdev(diffs)
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    assert change.pairs == n and change.mean_change == pytest.approx(mean)
    assert change.ci_low == pytest.approx(mean - half, abs=1e-9)
    assert change.ci_high == pytest.approx(mean + half, abs=1e-9)
    assert change.increased + change.decreased + change.unchanged == n
    assert change.ci_low <= change.mean_change <= change.ci_high  # type: ignore[operator]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.sets(st.sampled_from(["bus", "bike", "park"]), min_size=1), min_size=1, max_size=20)
)
def test_the_mean_package_is_the_mean_of_the_packages(chosen: list[set[str]]) -> None:
    order = ["bus", "bike", "park"]
    packages = [sorted(c, key=order.index) for c in chosen]
    co2 = {"bus": 300, "bike": 200, "park": 100}
    impact = package_impact(DECK, q("measures"), packages)
    assert impact is not None and impact.packages == len(packages)
    each = [sum(co2[o] for o in p) for p in packages]
    assert impact.totals[0].total == pytest.approx(statistics.mean(each))
    assert impact.progress == pytest.approx(statistics.mean(each) / 1000)
