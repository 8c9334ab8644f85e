"""Opinion groups and common ground (strategyroom/aggregate/opinion.py) on made-up
rooms whose true groups are known: three groups of twelve with planted answer
patterns and a few stated exceptions, so every figure is known by hand."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from sklearn.metrics import adjusted_rand_score

from strategyroom.aggregate import MIN_GROUP, ParticipantAnswer
from strategyroom.aggregate.answermatrix import answer_matrix
from strategyroom.aggregate.opinion import (
    CommonGround,
    Difference,
    NoGroups,
    find_groups,
    opinion_groups,
)
from strategyroom.decks.schema import Deck
from tests.questions import T0, options


def _deck() -> Deck:
    questions: list[dict[str, Any]] = [
        {"id": "age", "type": "single", "profile": True, "prompt": "Age?",
         "options": options("young", "old")},
        {"id": "travel", "type": "single", "prompt": "How?",
         "options": options("bus", "bike", "car")},
        {"id": "measures", "type": "multiple", "prompt": "Which?",
         "options": options("solar", "heat", "trees", "parking", "tax")},
        {"id": "pace", "type": "scale", "prompt": "How fast?", "min": 1, "max": 5,
         "min_label": "Slow", "max_label": "Fast"},
        {"id": "rank", "type": "ranking", "prompt": "Order?",
         "options": options("x", "y", "z", "w")},
        {"id": "money", "type": "budget", "prompt": "Share", "total": 10,
         "options": options("m1", "m2")},
    ]  # fmt: skip
    return Deck.model_validate(
        {
            "id": "d",
            "version": "1",
            "title": "D",
            "cards": [
                {"id": f"c{i}", "kind": "question", "title": "Q", "question": q}
                for i, q in enumerate(questions)
            ],
        }
    )


# Each planted group's answers: travel, measures, pace, rank.
PLANTED: dict[str, tuple[str, list[str], int, list[str]]] = {
    "A": ("bus", ["solar", "trees"], 5, ["x", "y", "z", "w"]),
    "B": ("bike", ["heat", "trees"], 3, ["y", "x", "w", "z"]),
    "C": ("car", ["parking", "trees"], 1, ["x", "w", "z", "y"]),
}


def _room(
    sizes: dict[str, int], exceptions: dict[tuple[int, str], Any] | None = None
) -> dict[str, list[ParticipantAnswer]]:
    """Answers of residents p00, p01, ... group by group; an exception replaces
    one resident's answer to one question (None: they did not answer it)."""
    answers: dict[str, list[ParticipantAnswer]] = {}
    person = 0
    for group, size in sizes.items():
        travel, measures, pace, rank = PLANTED[group]
        for _ in range(size):
            given = {"age": "young", "travel": travel, "measures": measures, "pace": pace,
                     "rank": rank, "money": {"m1": 5, "m2": 5}}  # fmt: skip
            for (who, question), value in (exceptions or {}).items():
                if who == person:
                    given[question] = value
            for question, value in given.items():
                if value is not None:
                    answers.setdefault(question, []).append(
                        ParticipantAnswer(f"p{person:02}", value, T0)
                    )
            person += 1
    return answers


EXCEPTIONS: dict[tuple[int, str], Any] = {
    (0, "measures"): ["solar", "trees", "tax"],  # A: one also wants the tax
    (12, "measures"): ["heat"],  # B: two do not want trees
    (13, "measures"): ["heat"],
    (27, "pace"): 2,  # C: one a little faster
    (5, "pace"): None,  # A: one skipped the scale
    (30, "rank"): None,  # C: one skipped the ranking
}
TRUTH = [0] * 12 + [1] * 12 + [2] * 12


def test_the_answer_matrix_has_a_feature_per_option_scale_and_place() -> None:
    matrix = answer_matrix(_deck(), _room({"A": 1}))
    # Profile questions and budgets do not count.
    assert matrix.questions == 4
    assert [(f.question_id, f.option_id) for f in matrix.features][:4] == [
        ("travel", "bus"), ("travel", "bike"), ("travel", "car"), ("measures", "solar"),
    ]  # fmt: skip
    # bus; solar, trees; pace 5 -> 1.0; rank x y z w -> 1, 2/3, 1/3, 0.
    assert matrix.values[0].tolist() == [
        1, 0, 0, 1, 0, 1, 0, 0, 1.0, 1.0, 2 / 3, 1 / 3, 0.0,
    ]  # fmt: skip
    # Support: a scale above its middle, a ranking's upper half.
    assert matrix.support[0].tolist() == [1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]


def test_planted_groups_are_found_exactly() -> None:
    answers = _room({"A": 12, "B": 12, "C": 12}, EXCEPTIONS)
    grouping = find_groups(answer_matrix(_deck(), answers), MIN_GROUP)
    assert grouping.reason is None
    assert adjusted_rand_score(TRUTH, grouping.labels) == 1.0
    # The largest group is A; equal sizes keep the order of who answered first.
    assert grouping.labels.tolist() == TRUTH


def test_planted_groups_survive_random_noise() -> None:
    chance = random.Random(7)
    exceptions: dict[tuple[int, str], Any] = {}
    for person in range(36):
        if chance.random() < 0.3:
            exceptions[(person, "travel")] = chance.choice(["bus", "bike", "car"])
        if chance.random() < 0.3:
            exceptions[(person, "pace")] = chance.randint(1, 5)
        if chance.random() < 0.1:
            exceptions[(person, "rank")] = None
    answers = _room({"A": 12, "B": 12, "C": 12}, exceptions)
    grouping = find_groups(answer_matrix(_deck(), answers), MIN_GROUP)
    assert adjusted_rand_score(TRUTH, grouping.labels) == 1.0


def test_what_sets_each_group_apart_and_the_common_ground() -> None:
    found = opinion_groups(_deck(), _room({"A": 12, "B": 12, "C": 12}, EXCEPTIONS), MIN_GROUP)
    assert (found.placed, found.left_out, found.questions, found.reason) == (36, 0, 4, None)
    assert [(g.name, g.size) for g in found.groups] == [("A", 12), ("B", 12), ("C", 12)]
    # A differs by 100 points on bus, solar and the fast pace (deck order among ties);
    # 11 of A answered the scale, all with 5; nobody else above 3.
    assert found.groups[0].differences == [
        Difference(question_id="travel", option_id="bus", group_percent=100, rest_percent=0),
        Difference(question_id="measures", option_id="solar", group_percent=100, rest_percent=0),
        Difference(question_id="pace", option_id=None, group_percent=100, rest_percent=0),
    ]
    # C: car, parking, and y never in its upper half (but always in A's and B's);
    # w (always in C's upper half, never elsewhere) is as far apart but later in the deck.
    assert found.groups[2].differences == [
        Difference(question_id="travel", option_id="car", group_percent=100, rest_percent=0),
        Difference(question_id="measures", option_id="parking", group_percent=100, rest_percent=0),
        Difference(question_id="rank", option_id="y", group_percent=0, rest_percent=100),
    ]
    # x is in every group's upper half (C: 11 of 11); trees are wanted by 12, 10, 12.
    x = Fraction(13, 14) * Fraction(13, 14) * Fraction(12, 13)
    trees = Fraction(13, 14) * Fraction(11, 14) * Fraction(13, 14)
    assert found.common_ground == [
        CommonGround(
            question_id="rank",
            option_id="x",
            consensus=float(x),
            group_percents=[100, 100, 100],
            room_percent=100,
        ),
        CommonGround(
            question_id="measures",
            option_id="trees",
            consensus=float(trees),
            group_percents=[100, float(Fraction(1000, 12)), 100],
            room_percent=float(Fraction(3400, 36)),
        ),
    ]


def test_a_group_under_the_minimum_is_merged_never_shown() -> None:
    # Three residents answer like C: a group of 3 is never made, so two groups.
    found = opinion_groups(_deck(), _room({"A": 12, "B": 12, "C": 3}), MIN_GROUP)
    assert found.reason is None
    assert all(group.size >= MIN_GROUP for group in found.groups)
    assert sum(group.size for group in found.groups) == 27
    assert len(found.groups) == 2


def test_a_room_too_small_has_no_groups() -> None:
    found = opinion_groups(_deck(), _room({"A": 3, "B": 3, "C": 3}), MIN_GROUP)
    assert (found.reason, found.groups, found.common_ground) == (NoGroups.TOO_FEW, [], [])
    assert found.placed == 9


def test_a_uniform_room_has_no_groups() -> None:
    found = opinion_groups(_deck(), _room({"A": 36}), MIN_GROUP)
    assert (found.reason, found.groups) == (NoGroups.TOO_UNIFORM, [])


def test_answers_given_at_random_are_no_groups() -> None:
    # Of sixty such rooms, this one's best grouping scored highest (0.61).
    chance = random.Random(3)
    answers: dict[str, list[ParticipantAnswer]] = {}
    for person in range(40):
        order = ["x", "y", "z", "w"]
        chance.shuffle(order)
        given = {
            "travel": chance.choice(["bus", "bike", "car"]),
            "measures": [o for o in ["solar", "heat", "trees", "parking", "tax"]
                         if chance.random() < 0.5],
            "pace": chance.randint(1, 5),
            "rank": order,
        }  # fmt: skip
        for question, value in given.items():
            answers.setdefault(question, []).append(ParticipantAnswer(f"p{person:02}", value, T0))
    found = opinion_groups(_deck(), answers, MIN_GROUP)
    assert (found.reason, found.groups) == (NoGroups.TOO_UNIFORM, [])


def test_residents_who_answered_too_little_are_left_out() -> None:
    answers = _room({"A": 12, "B": 12, "C": 12}, EXCEPTIONS)
    # One more resident answers only the travel question (1 of 4: under half).
    answers["travel"].append(ParticipantAnswer("p99", "bus", T0))
    found = opinion_groups(_deck(), answers, MIN_GROUP)
    assert (found.placed, found.left_out) == (36, 1)
    assert [g.size for g in found.groups] == [12, 12, 12]
