"""The room against the town and figures weighted to the town
(strategyroom/aggregate/weighting.py), on made-up rooms whose weights and
weighted results are worked out by hand here. Raking iterates in floats, so
weights are compared to 1e-9; everything else follows from them."""

from __future__ import annotations

from typing import Any

import pytest

from strategyroom.aggregate import ParticipantAnswer
from strategyroom.aggregate.weighting import (
    WeightedFigure,
    effective_size,
    rake,
    room_vs_town,
    weighted_figures,
)
from strategyroom.decks.schema import Deck
from tests.questions import T0, options


def _deck(age: dict[str, float], area: dict[str, float] | None = None) -> Deck:
    reference = {"source": "Statistics Denmark, FOLK1A", "year": 2025}
    questions: list[dict[str, Any]] = [
        {"id": "age", "type": "single", "profile": True, "prompt": "Age?",
         "options": options(*age), "reference": reference | {"shares": age}},
        {"id": "buses", "type": "single", "prompt": "More buses?", "options": options("yes", "no")},
        {"id": "pace", "type": "scale", "prompt": "How fast?", "min": 1, "max": 5,
         "min_label": "Slow", "max_label": "Fast"},
    ]  # fmt: skip
    if area is not None:
        questions.append(
            {"id": "area", "type": "single", "profile": True, "prompt": "Where?",
             "options": options(*area), "reference": reference | {"shares": area}}
        )  # fmt: skip
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


def _room(*people: dict[str, Any]) -> dict[str, list[ParticipantAnswer]]:
    answers: dict[str, list[ParticipantAnswer]] = {}
    for number, given in enumerate(people):
        for question, value in given.items():
            answers.setdefault(question, []).append(ParticipantAnswer(f"p{number:02}", value, T0))
    return answers


def _residents(answers: dict[str, list[ParticipantAnswer]]) -> list[str]:
    return sorted({a.participant_id for rows in answers.values() for a in rows})


def _figure(weighting: Any, question: str, option: str | None) -> WeightedFigure:
    for q in weighting.questions:
        for figure in q.figures:
            if (figure.question_id, figure.option_id) == (question, option):
                return figure  # type: ignore[no-any-return]
    raise KeyError((question, option))


HALF = {"young": 0.5, "old": 0.5}


def test_one_margin_is_post_stratification() -> None:
    # 6 young, 2 old; the town is half and half. Young weigh 0.5 * 8 / 6 = 2/3,
    # old 0.5 * 8 / 2 = 2. Buses: yes from 3 young and both old.
    answers = _room(
        *[{"age": "young", "buses": "yes" if i < 3 else "no"} for i in range(6)],
        *[{"age": "old", "buses": "yes"} for _ in range(2)],
    )
    deck = _deck(HALF)
    raking = rake(deck, answers, _residents(answers))
    assert raking.weights.tolist() == pytest.approx([2 / 3] * 6 + [2, 2], abs=1e-9)
    assert (raking.converged, raking.capped, raking.empty) == (True, 0, [])
    weighting = weighted_figures(deck, answers, raking)
    # Unweighted 5 / 8; weighted (3 x 2/3 + 2 x 2) / 8 = 6 / 8.
    yes = _figure(weighting, "buses", "yes")
    assert (yes.unweighted, yes.weighted) == (62.5, pytest.approx(75.0, abs=1e-9))
    # Kish: 8^2 / (6 x 4/9 + 2 x 4) = 64 / (32/3) = 6.
    assert weighting.effective == pytest.approx(6.0, abs=1e-9)
    assert (weighting.extreme, weighting.largest) == (False, pytest.approx(2.0, abs=1e-9))


def test_the_room_against_the_town_names_who_is_missing() -> None:
    answers = _room(*[{"age": "young"}] * 6, *[{"age": "old"}] * 2, {"age": "prefer-not-to-say"})
    [compared] = room_vs_town(_deck(HALF), answers)
    # The skip is not counted: 6 of 8 are young (75 %, not over 3/2 x 50 %),
    # 2 of 8 old (25 %, under 2/3 x 50 %).
    assert compared.answered == 8
    assert [(o.option_id, o.room, o.room_percent, o.town_percent, o.representation)
            for o in compared.options] == [
        ("young", 6, 75.0, 50.0, "fair"),
        ("old", 2, 25.0, 50.0, "under"),
    ]  # fmt: skip
    assert compared.missing == ["old"]
    assert (compared.source, compared.year) == ({"*": "Statistics Denmark, FOLK1A"}, 2025)


def test_two_margins_are_raked_together() -> None:
    # Age: 6 young, 2 old (town 1/2, 1/2); area: 4 north, 4 south (town 1/4, 3/4);
    # 3 young-north, 3 young-south, 1 old-north, 1 old-south. The age step gives
    # 2/3 and 2; the area step then multiplies north by 2 / 4 and south by 6 / 4:
    # young-north 1/3, young-south 1, old-north 1, old-south 3; the age margins
    # still hold (3/3 + 3 = 4, 1 + 3 = 4), so that is the answer.
    cells = [("young", "north", 1)] * 3 + [("young", "south", 2)] * 3
    cells += [("old", "north", 4), ("old", "south", 5)]
    answers = _room(*[{"age": a, "area": r, "pace": p} for a, r, p in cells])
    deck = _deck(HALF, {"north": 0.25, "south": 0.75})
    raking = rake(deck, answers, _residents(answers))
    assert raking.weights.tolist() == pytest.approx([1 / 3] * 3 + [1] * 3 + [1, 3], abs=1e-9)
    weighting = weighted_figures(deck, answers, raking)
    # Pace: unweighted (3 + 6 + 4 + 5) / 8 = 2.25; weighted (1 x 1 + 3 x 2 + 4 + 3 x 5) / 8.
    pace = _figure(weighting, "pace", None)
    assert (pace.measure, pace.unweighted) == ("mean", 2.25)
    assert pace.weighted == pytest.approx(26 / 8, abs=1e-9)
    # Kish: 64 / (3 x 1/9 + 3 + 1 + 9) = 4.8; someone counts for 3: the warning.
    assert weighting.effective == pytest.approx(4.8, abs=1e-9)
    assert weighting.extreme is True


def test_residents_who_did_not_say_keep_their_share() -> None:
    # 4 young, 2 old, one skip, one who never answered the profile question: the
    # 2 unknowns keep 2/8; young and old share the other 6/8 half and half:
    # young 3/8 x 8 / 4 = 3/4, old 3/8 x 8 / 2 = 3/2, unknowns 1.
    answers = _room(
        *[{"age": "young", "buses": "no"}] * 4,
        *[{"age": "old", "buses": "yes"}] * 2,
        {"age": "prefer-not-to-say", "buses": "yes"},
        {"buses": "no"},
    )
    raking = rake(_deck(HALF), answers, _residents(answers))
    assert raking.weights.tolist() == pytest.approx([0.75] * 4 + [1.5] * 2 + [1, 1], abs=1e-9)
    yes = _figure(weighted_figures(_deck(HALF), answers, raking), "buses", "yes")
    # (2 x 1.5 + 1) / 8 = 50 % against 3 / 8 unweighted.
    assert (yes.unweighted, yes.weighted) == (37.5, pytest.approx(50.0, abs=1e-9))


def test_a_weight_over_the_cap_is_cut_and_spread_over_the_others() -> None:
    # 10 young, 1 old, half and half: raking gives the old resident 5.5 and each
    # young 0.55; the cap cuts 0.5 off and spreads it over the young in
    # proportion, 0.05 each: 0.6 and 5.
    answers = _room(*[{"age": "young", "buses": "no"}] * 10, {"age": "old", "buses": "yes"})
    raking = rake(_deck(HALF), answers, _residents(answers))
    assert raking.weights.tolist() == pytest.approx([0.6] * 10 + [5], abs=1e-9)
    assert raking.capped == 1
    weighting = weighted_figures(_deck(HALF), answers, raking)
    assert _figure(weighting, "buses", "yes").weighted == pytest.approx(500 / 11, abs=1e-9)
    # Kish: 11^2 / (10 x 0.36 + 25) = 121 / 28.6.
    assert weighting.effective == pytest.approx(121 / 28.6, abs=1e-9)
    assert weighting.extreme is True


def test_a_band_nobody_in_the_room_belongs_to_cannot_be_weighted_up() -> None:
    thirds = {"young": 0.34, "middle": 0.33, "old": 0.33}
    answers = _room(*[{"age": "young"}] * 4, *[{"age": "middle"}] * 4)
    raking = rake(_deck(thirds), answers, _residents(answers))
    # Young and middle share the room as the town shares them between the two.
    assert raking.weights.tolist() == pytest.approx(
        [0.34 / 0.67 * 2] * 4 + [0.33 / 0.67 * 2] * 4, abs=1e-9
    )
    assert raking.empty == [("age", "old")]


def test_effective_size_of_equal_weights_is_the_count() -> None:
    import numpy as np

    assert effective_size(np.ones(7)) == 7.0
