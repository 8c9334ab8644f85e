"""The deck fields for reports: before/after pairs, profile questions and
package caps are checked when a deck loads, and a package over its cap is
refused with a clear message."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from strategyroom import i18n
from strategyroom.decks import Deck, load_deck
from strategyroom.decks.answers import parse_answer
from strategyroom.decks.schema import PREFER_NOT_TO_SAY
from strategyroom.live.errors import InvalidAnswer
from strategyroom.paths import SAMPLE_DECKS_DIR


def scale(qid: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "scale",
        "prompt": "How?",
        "min_label": "no",
        "max_label": "yes",
    } | extra


def single(qid: str, **extra: Any) -> dict[str, Any]:
    options = [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]
    return {"id": qid, "type": "single", "prompt": "Which?", "options": options} | extra


def deck(*questions: dict[str, Any]) -> Deck:
    return Deck.model_validate(
        {
            "id": "d",
            "version": "1",
            "title": "D",
            "attributes": {"cost": {"label": "Cost"}},
            "cards": [
                {"id": f"c{i}", "kind": "question", "title": "Q", "question": question}
                for i, question in enumerate(questions)
            ],
        }
    )


def test_a_pair_needs_both_halves_of_the_same_shape() -> None:
    deck(
        scale("b", pair={"id": "x", "phase": "before"}),
        scale("a", pair={"id": "x", "phase": "after"}),
    )
    with pytest.raises(ValidationError, match="pair 'x' needs exactly one before and one after"):
        deck(scale("b", pair={"id": "x", "phase": "before"}))
    with pytest.raises(ValidationError, match="must have the same type"):
        deck(
            scale("b", pair={"id": "x", "phase": "before"}),
            single("a", pair={"id": "x", "phase": "after"}),
        )
    with pytest.raises(ValidationError, match="must have the same type"):
        deck(
            scale("b", pair={"id": "x", "phase": "before"}),
            scale("a", max=7, pair={"id": "x", "phase": "after"}),
        )
    with pytest.raises(ValidationError, match="phase"):
        deck(scale("b", pair={"id": "x", "phase": "during"}))


def test_profile_questions_can_be_skipped() -> None:
    d = deck(single("age", profile=True), single("colour"))
    assert parse_answer(d.question("age"), PREFER_NOT_TO_SAY) == PREFER_NOT_TO_SAY
    with pytest.raises(InvalidAnswer):
        parse_answer(d.question("colour"), PREFER_NOT_TO_SAY)
    with pytest.raises(ValidationError, match="reserved on profile questions"):
        deck(
            single(
                "age",
                profile=True,
                options=[{"id": PREFER_NOT_TO_SAY, "label": "x"}, {"id": "b", "label": "B"}],
            )
        )


def test_a_package_over_its_cap_is_refused_in_the_readers_language() -> None:
    sample = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    question = sample.question("centre-measures")
    costs = {o.id: o.attributes["cost_mdkk"] for o in question.options}
    within = [o for o in costs if costs[o] < 0] + [o for o in costs if 0 < costs[o] <= 1.5][:2]
    assert sum(costs[o] for o in within) <= 2
    assert parse_answer(question, within) == sorted(within, key=list(costs).index)
    over = sorted((o for o in costs if costs[o] > 0), key=lambda o: -costs[o])[:3]
    with pytest.raises(InvalidAnswer) as refused:
        parse_answer(question, over)
    total = sum(costs[o] for o in over)
    written = {name: str(value) for name, value in refused.value.params.items()}
    assert written == {"spent": f"{total:,.2f}".rstrip("0").rstrip("."), "cap": "2"}
    danish = i18n.gettext("da", refused.value.message)
    assert danish != refused.value.message and "%(cap)s" in danish
    with pytest.raises(ValidationError, match="package cap attribute 'co2' is not declared"):
        deck({**single("m"), "type": "multiple", "package": {"cap_attribute": "co2", "cap": 1}})


def test_the_sample_deck_has_a_pair_profiles_and_a_capped_package() -> None:
    sample = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    pairs = [q for q in sample.questions() if getattr(q, "pair", None)]
    assert sorted((q.pair.id, q.pair.phase) for q in pairs) == [  # type: ignore[union-attr]
        ("climate-importance", "after"),
        ("climate-importance", "before"),
    ]
    assert len([q for q in sample.questions() if getattr(q, "profile", False)]) == 2
    assert any(getattr(q, "package", None) for q in sample.questions())


def test_a_budget_package_over_its_cap_is_refused() -> None:
    d = deck(
        {
            "id": "b",
            "type": "budget",
            "total": 10,
            "prompt": "Split",
            "package": {"cap_attribute": "cost", "cap": 5},
            "options": [
                {"id": "x", "label": "X", "attributes": {"cost": 8}},
                {"id": "y", "label": "Y", "attributes": {"cost": 2}},
            ],
        }
    )
    # cost = 8 x share(x) + 2 x share(y): 8 * 0.5 + 2 * 0.5 = 5 is allowed, 8 * 0.6 + 0.8 is not.
    assert parse_answer(d.question("b"), {"x": 5, "y": 5}) == {"x": 5, "y": 5}
    with pytest.raises(InvalidAnswer) as refused:
        parse_answer(d.question("b"), {"x": 6, "y": 4})
    assert {name: str(value) for name, value in refused.value.params.items()} == {
        "spent": "5.6",
        "cap": "5",
    }
