"""Package arithmetic from deck data: what a set of chosen options, or a budget
shared out across options, adds up to in any option attribute.

Kept with the deck (not in strategyroom.aggregate) because answer checking needs
it too: a package over the deck's cap is refused before anything is stored.
The impact meter (strategyroom.aggregate.impact) builds its figures on it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from strategyroom.decks.schema import Budget, MultipleChoice


def package_weights(question: MultipleChoice | Budget, value: Any) -> dict[str, Fraction]:
    """How much of each option one package holds: 1 for a chosen option
    (multiple choice), the share of the budget it got (budget)."""
    if isinstance(question, MultipleChoice):
        return {option_id: Fraction(1) for option_id in value}
    return {option_id: Fraction(points, question.total) for option_id, points in value.items()}


def weighted_total(
    question: MultipleChoice | Budget, weights: dict[str, Fraction], attribute: str
) -> Fraction:
    """The sum of the attribute over the options, each times its weight."""
    total = Fraction(0)
    for option in question.options:
        weight = weights.get(option.id)
        if weight and attribute in option.attributes:
            total += weight * Fraction(option.attributes[attribute])
    return total


def package_total(question: MultipleChoice | Budget, value: Any, attribute: str) -> Fraction:
    """The package's total of one attribute, exactly.

    Multiple choice: the sum of the attribute over the chosen options.
    Budget: each option counts in proportion to the share of the budget it got,
    sum of attribute x points / total (an option's attribute is its effect when
    funded with the whole budget). An option without the attribute counts 0.
    """
    return weighted_total(question, package_weights(question, value), attribute)
