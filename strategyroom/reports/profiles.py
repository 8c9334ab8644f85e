"""A report's profile breakdowns: each question by the answers to every
profile question, over all the report's sessions and per session, with the
groups hidden that aggregate.suppression says must be, so that no difference
between reports reveals a small group (docs/privacy.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate import (
    MIN_GROUP,
    GroupFigures,
    ParticipantAnswer,
    hidden_across_sessions,
    profile_breakdown,
    suppressed,
)
from strategyroom.aggregate.groups import profile_groups
from strategyroom.decks import Deck, Question
from strategyroom.decks.schema import FreeText, SingleChoice
from strategyroom.live.policy import Rows, counted_rows
from strategyroom.reports.data import SessionData
from strategyroom.reports.evenings import counted_answers


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class SessionGroups(_Model):
    session_id: str
    groups: list[GroupFigures]  # as that session's own report shows them


class ProfileBreakdown(_Model):
    profile_question: str
    groups: list[GroupFigures]  # the profile's options in deck order; small groups suppressed
    # Several sessions: each one's breakdown, hidden exactly as in its own report
    # (so it shows nothing that report does not).
    sessions: list[SessionGroups]


def breakdowns(
    deck: Deck,
    question: Question,
    sessions: Sequence[SessionData],
    answers: Sequence[ParticipantAnswer],
) -> list[ProfileBreakdown]:
    """The question broken down by every profile question (not for text or profiles)."""
    if (
        isinstance(question, FreeText)
        or getattr(question, "profile", False)
        or counted_rows(question) is Rows.TABLES
    ):
        return []
    breakdowns = []
    for profile in deck.questions():
        if isinstance(profile, SingleChoice) and profile.profile:
            parts = (
                [
                    SessionGroups(
                        session_id=s.room.id,
                        groups=_groups(deck, profile, question, [s], counted_answers(question, s)),
                    )
                    for s in sessions
                ]
                if len(sessions) > 1
                else []
            )
            breakdowns.append(
                ProfileBreakdown(
                    profile_question=profile.id,
                    groups=_groups(deck, profile, question, sessions, answers),
                    sessions=parts,
                )
            )
    return breakdowns


def _groups(
    deck: Deck,
    profile: SingleChoice,
    question: Question,
    sessions: Sequence[SessionData],
    answers: Sequence[ParticipantAnswer],
) -> list[GroupFigures]:
    profile_answers = [a for s in sessions for a in s.answers.get(profile.id, [])]
    # The report checked the question's values once (model._question_report).
    groups = profile_breakdown(
        deck, profile, profile_answers, question, answers, MIN_GROUP, checked=True
    )
    hidden = _hidden(profile, question, sessions)
    return [suppressed(g) if g.group in hidden else g for g in groups]


def _hidden(profile: SingleChoice, question: Question, sessions: Sequence[SessionData]) -> set[str]:
    """The profile groups this report hides: small in any of its sessions, or
    needed to keep a session's rest from being a small group
    (aggregate.suppression), so no difference of two reports reveals one."""
    per_session = []
    for s in sessions:
        groups = profile_groups(s.answers.get(profile.id, []))
        answers = counted_answers(question, s)
        counts = Counter(groups[a.participant_id] for a in answers if a.participant_id in groups)
        per_session.append((dict(counts), len(answers)))
    return hidden_across_sessions(per_session, MIN_GROUP)
