"""Figures per group of participants: per table, per profile answer.

A group is any partition of participants given as a plain mapping
(participant id -> group name): the tables a session's participants sit at, or
the answers they gave to a profile question. Each group's result comes from
the same :func:`aggregate` as the room's. docs/aggregates.md, "Groups".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate.agreement import agreement
from strategyroom.aggregate.compute import AnswerRow, aggregate, check_values
from strategyroom.aggregate.impact import Impact, package_impact
from strategyroom.aggregate.results import Result
from strategyroom.decks.schema import PREFER_NOT_TO_SAY, Deck, Question, SingleChoice


class ParticipantAnswer(NamedTuple):
    """An answer row with the (anonymous) participant who gave it."""

    participant_id: str
    value: Any
    answered_at: datetime


class GroupFigures(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: str  # the table's name, or the profile option's id
    # The group's members who answered the question; None when suppressed (a
    # hidden group's size is hidden too, aggregate/suppression.py).
    respondents: int | None
    suppressed: bool  # fewer than the minimum group size: no figures shown
    result: Result | None  # None when suppressed
    agreement: float | None  # None when suppressed or fewer than 2 answers
    impact: Impact | None  # package questions: the group's mean package


def rows_of(answers: Sequence[ParticipantAnswer]) -> list[AnswerRow]:
    return [AnswerRow(a.value, a.answered_at) for a in answers]


def group_figures(
    deck: Deck,
    question: Question,
    group: str,
    answers: Sequence[ParticipantAnswer],
    min_size: int = 0,
    *,
    checked: bool = False,
) -> GroupFigures:
    """One group's figures from its members' answers; suppressed below min_size.
    ``checked``: as for ``aggregate`` (the values were checked already)."""
    if len(answers) < min_size:
        return GroupFigures(
            group=group,
            respondents=None,
            suppressed=True,
            result=None,
            agreement=None,
            impact=None,
        )
    values = [a.value for a in answers]
    return GroupFigures(
        group=group,
        respondents=len(answers),
        suppressed=False,
        result=aggregate(question, rows_of(answers), checked=checked),
        agreement=agreement(question, values),
        impact=package_impact(deck, question, values),
    )


def by_group(
    deck: Deck,
    question: Question,
    answers: Sequence[ParticipantAnswer],
    groups: Mapping[str, str],
    order: Sequence[str] | None = None,
    min_size: int = 0,
    *,
    checked: bool = False,
) -> list[GroupFigures]:
    """Each group's figures: those in ``order`` first (also without answers,
    respondents 0), then any other group by name. Participants not in the
    mapping belong to no group. ``checked``: as for ``aggregate``."""
    members: dict[str, list[ParticipantAnswer]] = {name: [] for name in order or []}
    for answer in answers:
        name = groups.get(answer.participant_id)
        if name is not None:
            members.setdefault(name, []).append(answer)
    names = list(order or [])
    names += sorted(name for name in members if name not in names)
    if not checked:  # every group's values at once, not once per group
        check_values(question, (a.value for rows in members.values() for a in rows))
    return [
        group_figures(deck, question, name, members.get(name, []), min_size, checked=True)
        for name in names
    ]


def profile_groups(profile_answers: Sequence[ParticipantAnswer]) -> dict[str, str]:
    """participant -> the option they chose on a profile question; skips left out."""
    return {a.participant_id: a.value for a in profile_answers if a.value != PREFER_NOT_TO_SAY}


def profile_breakdown(
    deck: Deck,
    profile: SingleChoice,
    profile_answers: Sequence[ParticipantAnswer],
    question: Question,
    answers: Sequence[ParticipantAnswer],
    min_size: int,
    *,
    checked: bool = False,
) -> list[GroupFigures]:
    """A question's figures per answer to a profile question, every option in deck
    order, groups with fewer than ``min_size`` respondents suppressed (the caller
    gives the minimum group size, MIN_GROUP). ``checked``: as for ``aggregate``."""
    return by_group(
        deck,
        question,
        answers,
        profile_groups(profile_answers),
        order=[o.id for o in profile.options],
        min_size=min_size,
        checked=checked,
    )
