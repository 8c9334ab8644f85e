"""The report's opinion groups, common ground, room against the town and
weighted figures (docs/reports.md, "Opinion groups" and "The room and the
town"): every figure from strategyroom.aggregate.opinion and .weighting, over
the answers of every session the report covers together.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate import MIN_GROUP, ParticipantAnswer
from strategyroom.aggregate.opinion import OpinionGroups, opinion_groups
from strategyroom.aggregate.weighting import (
    TownComparison,
    Weighting,
    room_vs_town,
    town_in,
    town_weighting,
)
from strategyroom.decks import Deck
from strategyroom.reports.data import SessionData


class ReportInsight(BaseModel):
    model_config = ConfigDict(frozen=True)

    opinion: OpinionGroups
    # Profile questions with the town's shares, in deck order (the source in the
    # report's language).
    town: list[TownComparison]
    weighting: Weighting | None  # None when the deck gives no reference shares


def all_answers(sessions: Sequence[SessionData]) -> dict[str, list[ParticipantAnswer]]:
    """Every resident's answers of every session: question id -> rows."""
    found: dict[str, list[ParticipantAnswer]] = {}
    for data in sessions:
        for question_id, rows in data.answers.items():
            found.setdefault(question_id, []).extend(rows)
    return found


def report_insight(deck: Deck, sessions: Sequence[SessionData], language: str) -> ReportInsight:
    answers = all_answers(sessions)
    return ReportInsight(
        opinion=opinion_groups(deck, answers, MIN_GROUP),
        town=town_in(deck, room_vs_town(deck, answers), language),
        weighting=town_weighting(deck, answers),
    )
