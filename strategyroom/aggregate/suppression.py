"""Which profile groups a report hides, so that no small group can be recovered
by subtracting one report's figures from another's (docs/privacy.md, "Small
groups in reports").

A facilitator (or a share link) can produce a report over any set of sessions
of a deck. A group's figures in a report over several sessions are the sum of
its figures in each session, so hiding a small group only where it is small is
not enough: with a group of 2 in one evening and of 10 in two others, the
combined report minus the other two evenings' own reports gives the 2 people's
answers. Likewise, within one report, the question's respondents minus every
shown group are the people in the hidden groups and those who gave no profile
answer; when they are fewer than the minimum, that difference is a small group.

The rule, per question and profile question:

1. In each session, a group with 1 to ``min_size - 1`` respondents is hidden,
   and then the smallest shown groups too, until the session's rest (its
   respondents in no shown group) is 0 or at least ``min_size``.
2. A report over several sessions hides every group any of its sessions hides
   (rule 1), then applies rule 1 to its own totals.

So every figure any report shows is a sum of per-session groups that each
session's own report shows, and what a session hides is only ever seen as one
block of at least ``min_size`` people (its rest), in every report alike.

A session's tables are hidden by rule 1 too (reports/model.py), the groups
being its tables and the rest its respondents at no shown table (docs/privacy.md,
"Tables in reports"); a table belongs to one session, so rule 2 adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from strategyroom.aggregate.groups import GroupFigures

# The smallest group whose own figures are shown: a table's on an individual
# question, and a profile group's in the reports (docs/privacy.md, "Small groups
# are not shown"). Who sees what is decided in strategyroom.live.policy, which
# takes this number from here so the reports (which must not import the live
# layer's screens) and the screens hide the same groups.
MIN_GROUP = 5


def hidden_groups(
    counts: Mapping[str, int],
    respondents: int,
    min_size: int,
    already: Iterable[str] = (),
) -> set[str]:
    """The groups to hide given each group's respondents (``counts``) and the
    question's respondents (also those in no group): the small ones, those in
    ``already``, and then the smallest shown ones while the rest is small."""
    hidden = set(already) | {g for g, n in counts.items() if 0 < n < min_size}
    while True:
        rest = respondents - sum(n for g, n in counts.items() if g not in hidden)
        shown = sorted((n, g) for g, n in counts.items() if g not in hidden and n > 0)
        if rest == 0 or rest >= min_size or not shown:
            return hidden
        hidden.add(shown[0][1])


def hidden_across_sessions(
    sessions: Sequence[tuple[Mapping[str, int], int]], min_size: int
) -> set[str]:
    """The groups a report over these sessions hides: each session's
    ``(counts, respondents)`` by :func:`hidden_groups`, then the report's own
    totals with all of those hidden already."""
    hidden: set[str] = set()
    for counts, respondents in sessions:
        hidden |= hidden_groups(counts, respondents, min_size)
    if len(sessions) < 2:
        return hidden
    total: dict[str, int] = {}
    for counts, _ in sessions:
        for group, n in counts.items():
            total[group] = total.get(group, 0) + n
    return hidden_groups(total, sum(r for _, r in sessions), min_size, hidden)


def suppressed(figures: GroupFigures) -> GroupFigures:
    """A group's figures as a report shows a hidden group: none, not even its size."""
    return GroupFigures(
        group=figures.group,
        respondents=None,
        suppressed=True,
        result=None,
        agreement=None,
        impact=None,
    )
