"""How much a group agrees: one score from 0 (as split as possible) to 1 (all
the same), for every question type but free text.

Each measure is a standard one from the literature, normalised by its largest
possible value so scores are comparable across tables of different sizes
(docs/aggregates.md, "Agreement", has the formulas and a worked example each).
A group with fewer than 2 answers has no agreement (None): one person always
agrees with themselves.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from strategyroom.decks.schema import (
    PREFER_NOT_TO_SAY,
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
)

# A group whose agreement is below this is "split": the console, the phones at a
# table and the projector mark it so (docs/aggregates.md, "Agreement").
SPLIT_BELOW = 0.5


def is_split(value: float | None) -> bool:
    """Whether an agreement marks its group as split (no agreement: not split)."""
    return value is not None and value < SPLIT_BELOW


def agreement(question: Question, values: Sequence[Any]) -> float | None:
    """The group's agreement on a question from its normalised answer values."""
    if isinstance(question, SingleChoice):
        values = [value for value in values if value != PREFER_NOT_TO_SAY]
    if len(values) < 2 or isinstance(question, FreeText):
        return None
    match question:
        case SingleChoice():
            return single_agreement(values, len(question.options))
        case MultipleChoice():
            return multiple_agreement(values, [o.id for o in question.options])
        case Scale():
            return scale_agreement(values, question.min, question.max)
        case Ranking():
            return kendalls_w(values)
        case Budget():
            return budget_agreement(values, [o.id for o in question.options], question.total)
    return None


def _clamp(value: float) -> float:
    # Logarithms and square roots can land a hair outside [0, 1]; the score cannot.
    return min(1.0, max(0.0, value))


def _entropy(counts: Sequence[int], whole: int) -> float:
    """Shannon entropy (natural log) of the distribution counts / whole."""
    return -sum((c / whole) * math.log(c / whole) for c in counts if c)


def single_agreement(values: Sequence[str], options: int) -> float:
    """1 - H / ln(k): Shannon entropy normalised by its maximum ln(k) for k options
    (the "normalised entropy" or Pielou evenness, Shannon 1948). 1 when everyone
    chose the same option, 0 when the answers are spread evenly over all k."""
    counts = Counter(values)
    return _clamp(1 - _entropy(list(counts.values()), len(values)) / math.log(options))


def multiple_agreement(values: Sequence[list[str]], options: list[str]) -> float:
    """Mean over the options of 1 - H2(p), H2 the binary entropy in bits of the
    share p who chose the option. Each option is a yes/no vote, and the group
    agrees on it when nearly all or nearly nobody chose it; an option chosen by
    half the group scores 0."""
    n = len(values)
    chosen = Counter(option for value in values for option in value)
    scores = []
    for option in options:
        c = chosen[option]
        scores.append(1 - _entropy([c, n - c], n) / math.log(2))
    return _clamp(sum(scores) / len(scores))


def scale_agreement(values: Sequence[int], low: int, high: int) -> float:
    """1 - sd / max_sd, sd the population standard deviation of the answers and
    max_sd = (high - low) / 2 its largest possible value (half the group at each
    end), the normalised spread used for Likert items (cf. Tastle & Wierman 2007)."""
    n = len(values)
    # sum((v - mean)^2) / n = (n sum(v^2) - sum(v)^2) / n^2: the same exact
    # fraction from two integer sums (a Fraction per answer took seconds for
    # a large evening's groups).
    total = sum(values)
    variance = Fraction(n * sum(v * v for v in values) - total * total, n * n)
    return _clamp(1 - math.sqrt(variance) / (Fraction(high - low, 2)))


def kendalls_w(orders: Sequence[list[str]]) -> float:
    """Kendall's coefficient of concordance W = 12 S / (m^2 (k^3 - k)) for m
    complete rankings of k items without ties, S the sum of squared deviations of
    the items' rank sums from their mean (Kendall & Babington Smith 1939)."""
    m, k = len(orders), len(orders[0])
    sums: Counter[str] = Counter()
    for order in orders:
        for place, option in enumerate(order, start=1):
            sums[option] += place
    mean = Fraction(m * (k + 1), 2)
    s = sum((Fraction(total) - mean) ** 2 for total in sums.values())
    return float(Fraction(12) * s / (m * m * (k**3 - k)))


def budget_agreement(values: Sequence[dict[str, int]], options: list[str], total: int) -> float:
    """1 - D / (2 T): D the mean L1 distance between two members' allocations,
    over all pairs, and 2 T the largest distance two allocations of T points can
    have (all points on different options). Computed per option from the sorted
    points, sum over pairs |x_i - x_j| = sum_i x_(i) (2 i - n - 1), so it stays
    fast for a whole room."""
    n = len(values)
    distance = 0
    for option in options:
        points = sorted(value[option] for value in values)
        distance += sum(x * (2 * i - n - 1) for i, x in enumerate(points, start=1))
    pairs = n * (n - 1) // 2
    return float(1 - Fraction(distance, pairs * 2 * total))
