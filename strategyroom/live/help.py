"""Tables that need the facilitator: why the console flags a table.

A table is flagged when a member asked for help (``LiveState.help``) or when
the live layer sees it by itself, from what it already knows: the shown table
question's draft has not moved while the discussion timer is nearly out, the
table is split (its agreement below ``SPLIT_BELOW``, the aggregates' one rule),
or its tablet has gone quiet (no tablet seated at the table is connected).
The thresholds are named here and nowhere else; docs/aggregates.md states them
in words. ``reasons`` is pure: the moment is given (a test injects it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from strategyroom.aggregate import is_split
from strategyroom.live.drafts import TableView
from strategyroom.live.state import HelpState

# A draft counts as stalled when nobody changed it for this long ...
DRAFT_STALLED_AFTER = timedelta(minutes=2)
# ... while the discussion timer has at most this much left (and is running).
TIMER_NEARLY_OUT_SECONDS = 60


class Reason(StrEnum):
    ASKED = "asked"  # a member pressed "we need help" on a phone or the tablet
    STALLED = "stalled"  # the draft has not moved and the timer is nearly out
    SPLIT = "split"  # the table's agreement is below the split threshold
    TABLET_QUIET = "tablet_quiet"  # the table's tablet is not connected


@dataclass(frozen=True)
class HelpFlag:
    """One table's flag: why it is raised, and whether help is on the way."""

    table: int
    reasons: tuple[Reason, ...] = ()
    state: HelpState | None = None  # the members' call, if any

    @property
    def on_the_way(self) -> bool:
        return self.state is HelpState.ACKNOWLEDGED


def reasons(
    *,
    asked: HelpState | None,
    view: TableView | None,
    draft_open: bool,
    timer_left: int | None,
    agreement: float | None,
    tablets: int,
    tablets_connected: int,
    now: datetime,
) -> tuple[Reason, ...]:
    """Why a table needs the facilitator now (empty: it does not).

    ``view``: its draft of the shown table question (``draft_open``: that
    question is open and the table has not submitted); ``timer_left``: seconds
    left on the running discussion timer (None: none runs); ``agreement``: the
    table's on the shown question (or the one its table question follows on)."""
    found = []
    if asked is HelpState.REQUESTED:
        found.append(Reason.ASKED)
    nearly_out = timer_left is not None and timer_left <= TIMER_NEARLY_OUT_SECONDS
    if draft_open and nearly_out:
        changed = view.changed_at if view is not None and view.revision else None
        if changed is None or now - _aware(changed, now) >= DRAFT_STALLED_AFTER:
            found.append(Reason.STALLED)
    if is_split(agreement):
        found.append(Reason.SPLIT)
    if tablets and not tablets_connected:
        found.append(Reason.TABLET_QUIET)
    return tuple(found)


def _aware(moment: datetime, now: datetime) -> datetime:
    """A stored time read back naive (SQLite) is UTC, as ``now`` is."""
    return moment.replace(tzinfo=now.tzinfo) if moment.tzinfo is None else moment
