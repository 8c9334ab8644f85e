"""Before and after: each participant's change between the two halves of a
question pair (docs/aggregates.md, "Before and after").

Only participants who answered both halves count (paired data); a participant
who skipped one half is left out rather than guessed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate.tdist import t_quantile

CONFIDENCE = 0.95


class PairRow(NamedTuple):
    """One participant's answers to the before and the after question."""

    participant_id: str
    before: Any
    after: Any


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ScaleChange(_Frozen):
    kind: Literal["scale"] = "scale"
    pairs: int  # participants who answered both
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None  # mean of (after - before); None without pairs
    sd_change: float | None  # sample standard deviation of the changes; None below 2 pairs
    ci_low: float | None  # 95 % confidence interval of the mean change (t, df = pairs - 1)
    ci_high: float | None
    increased: int  # participants whose answer went up
    decreased: int
    unchanged: int


class Transition(_Frozen):
    before: str
    after: str
    count: int


class ChoiceChange(_Frozen):
    kind: Literal["choice"] = "choice"
    pairs: int
    changed: int  # participants whose answer differs after
    transitions: list[Transition]  # every (before, after) with a count > 0, deck order


def pair_rows(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[PairRow]:
    """The pairs from two {participant: answer} maps: those who answered both."""
    return [PairRow(pid, value, after[pid]) for pid, value in before.items() if pid in after]


def scale_change(rows: Sequence[PairRow]) -> ScaleChange:
    n = len(rows)
    changes = [Fraction(row.after - row.before) for row in rows]
    counts = Counter((c > 0) - (c < 0) for c in changes)
    base = {"pairs": n, "increased": counts[1], "decreased": counts[-1], "unchanged": counts[0]}
    if n == 0:
        return ScaleChange(
            **base,
            mean_before=None,
            mean_after=None,
            mean_change=None,
            sd_change=None,
            ci_low=None,
            ci_high=None,
        )
    mean = sum(changes, Fraction(0)) / n
    means = {
        "mean_before": float(Fraction(sum(row.before for row in rows), n)),
        "mean_after": float(Fraction(sum(row.after for row in rows), n)),
        "mean_change": float(mean),
    }
    if n < 2:
        return ScaleChange(**base, **means, sd_change=None, ci_low=None, ci_high=None)
    sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / (n - 1))
    half = t_quantile(1 - (1 - CONFIDENCE) / 2, n - 1) * sd / math.sqrt(n)
    return ScaleChange(
        **base, **means, sd_change=sd, ci_low=float(mean) - half, ci_high=float(mean) + half
    )


def choice_change(options: Sequence[str], rows: Sequence[PairRow]) -> ChoiceChange:
    counts = Counter((row.before, row.after) for row in rows)
    return ChoiceChange(
        pairs=len(rows),
        changed=sum(1 for row in rows if row.before != row.after),
        transitions=[
            Transition(before=b, after=a, count=counts[b, a])
            for b in options
            for a in options
            if counts[b, a]
        ],
    )
