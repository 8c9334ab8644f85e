"""How a figure is rounded for display: one rule for every screen and the report.

The figures themselves stay exact (``strategyroom.aggregate``,
docs/aggregates.md); only what a reader sees is rounded, here, once.
``strategyroom.i18n`` formats the rounded value the reader's way (Babel), so the
console, the projector, a phone and the council's report all show the same
digits for the same figure. It sits beside ``aggregate`` rather than in it
because i18n, which the aggregate layer's errors use, depends on it.

- Ties go away from zero (1.85 → 1.9 at one decimal, 62.5 % → 63 %), as people
  round by hand; Babel alone rounds half to even (62.5 % → 62 %).
- A float is rounded as it is written (``repr``), not as its binary value, so
  1.85 is a tie even though the nearest float is a little above it.
- Percentages are whole; every other figure has at most ``DIGITS`` decimals,
  trailing zeros dropped (1,85 kr., 3,75, 23).
- Progress toward a goal below the goal is rounded down, so 99.68 % of a goal
  shows as 99 %: a goal is never shown as met when it is not.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

PERCENT_DIGITS = 0
DIGITS = 2

Real = int | float | Decimal | Fraction


def exact(value: Real) -> Decimal:
    """The value as a Decimal: a float as it is written (its shortest repr)."""
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _step(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)


def rounded(value: Real, digits: int = DIGITS) -> Decimal:
    """``value`` to ``digits`` decimals, ties away from zero."""
    return exact(value).quantize(_step(digits), rounding=ROUND_HALF_UP)


def percent(value: Real) -> Decimal:
    """A percentage (0-100) as it is shown: whole, ties away from zero."""
    return rounded(value, PERCENT_DIGITS)


def goal_percent(progress: Real) -> Decimal:
    """Progress toward a goal (1 = the goal is met) as the percentage shown:
    below the goal it is rounded down, so it never reads 100 % too early."""
    share = exact(progress) * 100
    if 0 <= share < 100:
        return share.quantize(_step(PERCENT_DIGITS), rounding=ROUND_FLOOR)
    return percent(share)
