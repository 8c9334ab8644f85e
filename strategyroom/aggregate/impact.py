"""The impact meter: what a package of measures adds up to, from the deck's
option attributes, and how far it goes toward the deck's target.

Generic: any attribute in any unit (tonnes of CO2, cost, jobs, ...), whatever
the deck declares; nothing here knows about CO2. The arithmetic of one package
is strategyroom.decks.packages (answer checking refuses packages over a cap with
it); docs/aggregates.md, "Impact meter", defines the figures.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from strategyroom.decks.schema import Budget, Deck, MultipleChoice, Question


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class AttributeTotal(_Frozen):
    attribute: str  # a key of the deck's attributes
    total: float  # the package's sum of the attribute


class Impact(_Frozen):
    packages: int  # how many packages the figures are the mean of (1 for one package)
    totals: list[AttributeTotal]  # every deck attribute, in deck order
    target_attribute: str | None  # the deck's target, if it has one
    target_value: float | None
    progress: float | None  # total of the target attribute / target value (1.0 = goal met)
    cap_attribute: str | None  # the question's package cap, if it has one
    cap: float | None
    over_cap: bool  # the (mean) package adds up to more than the cap


def _mean_total(
    question: MultipleChoice | Budget, sums: Counter[str], denominator: int, attribute: str
) -> Fraction:
    """``strategyroom.decks.packages.weighted_total`` of the weights
    sums[option] / denominator, exactly, in integers until one division: an
    attribute is a float, a fraction whose denominator is a power of two
    (thousands of groups' meters summed Fractions option by option)."""
    terms = [
        (count, option.attributes[attribute].as_integer_ratio())
        for option in question.options
        if (count := sums.get(option.id)) and attribute in option.attributes
    ]
    common = math.lcm(*(q for _, (_, q) in terms)) if terms else 1
    numerator = sum(count * p * (common // q) for count, (p, q) in terms)
    return Fraction(numerator, common * denominator)


def is_package(question: Question) -> bool:
    """Whether the question's answers are packages the meter can add up."""
    return isinstance(question, MultipleChoice | Budget)


def package_impact(deck: Deck, question: Question, values: Sequence[Any]) -> Impact | None:
    """The mean package of the answers' packages (one value: that package's figures).

    The mean of sums is the sum of means, so this equals the impact of the
    group's average allocation. None for a question that is not a package
    question, or when there are no packages.
    """
    if not isinstance(question, MultipleChoice | Budget) or not values:
        return None
    n = len(values)
    # A total is linear in the options' weights: the mean package's total is
    # the total of the mean weights. Summing each option's weight over the
    # packages once (integers: choices counted, budget points added) is exact
    # and takes one pass, not one Fraction sum per package and attribute.
    if isinstance(question, MultipleChoice):
        sums = Counter(option_id for v in values for option_id in set(v))
        denominator = n
    else:
        sums = Counter()
        for v in values:
            sums.update(v)
        denominator = question.total * n
    totals = {name: _mean_total(question, sums, denominator, name) for name in deck.attributes}
    target = deck.target
    package = question.package
    progress = None
    if target is not None:
        progress = float(totals[target.attribute] / Fraction(target.value))
    return Impact(
        packages=n,
        totals=[AttributeTotal(attribute=name, total=float(t)) for name, t in totals.items()],
        target_attribute=target.attribute if target else None,
        target_value=target.value if target else None,
        progress=progress,
        cap_attribute=package.cap_attribute if package else None,
        cap=package.cap if package else None,
        over_cap=package is not None and totals[package.cap_attribute] > Fraction(package.cap),
    )
