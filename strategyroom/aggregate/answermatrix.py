"""The answer matrix that opinion groups are found in: one row per resident, one
column per answer feature (docs/aggregates.md, "Opinion groups").

Which questions count: every individually answered single choice (not profile
questions: they say who someone is, not what they think), multiple choice,
scale and ranking question. Budgets and comments do not count (a budget's
shares depend on each other; a comment is not a position).

The features, each in [0, 1]:

- a choice option: 1 if chosen, else 0;
- a scale: (value - min) / (max - min);
- a ranking option: (k - place) / (k - 1), 1 at the top, 0 at the bottom.

Each feature is also a *measure* with a yes-or-no "supports" that groups and
common ground are counted on (:func:`supports`): chose the option, answered
above the middle of the scale, ranked the option in the upper half.

Missing answers are NaN here; strategyroom.aggregate.opinion fills them the
way Polis does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from strategyroom.aggregate.groups import ParticipantAnswer
from strategyroom.decks.schema import (
    Deck,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
)

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Feature:
    """One column: a question, and the option it is about (None for a scale)."""

    question_id: str
    option_id: str | None


@dataclass(frozen=True)
class AnswerMatrix:
    participants: list[str]  # row order: participant ids, sorted
    features: list[Feature]  # column order: deck order of questions, then options
    values: Matrix  # len(participants) x len(features); NaN where not answered
    support: Matrix  # the same shape: 1.0 supports, 0.0 does not, NaN not answered
    questions: int  # questions that count (a resident's share answered is out of these)
    answered: npt.NDArray[np.int64]  # per row: how many of those questions they answered


def counts_for_groups(question: Question) -> bool:
    """Whether a question's answers place residents in opinion groups."""
    if question.scope != "individual":
        return False
    if isinstance(question, SingleChoice):
        return not question.profile
    return isinstance(question, MultipleChoice | Scale | Ranking)


def _features(question: Question) -> list[Feature]:
    if isinstance(question, Scale):
        return [Feature(question.id, None)]
    if isinstance(question, SingleChoice | MultipleChoice | Ranking):
        return [Feature(question.id, option.id) for option in question.options]
    return []


def _row(question: Question, value: Any) -> tuple[list[float], list[float]]:
    """One answer as (feature values, supports) in the question's feature order."""
    match question:
        case SingleChoice() | MultipleChoice():
            chosen = {value} if isinstance(question, SingleChoice) else set(value)
            flags = [1.0 if option.id in chosen else 0.0 for option in question.options]
            return flags, flags
        case Scale():
            span = question.max - question.min
            middle = (question.min + question.max) / 2
            return [(value - question.min) / span], [1.0 if value > middle else 0.0]
        case Ranking():
            k = len(question.options)
            place = {option_id: index + 1 for index, option_id in enumerate(value)}
            points = [(k - place[o.id]) / (k - 1) for o in question.options]
            upper = [1.0 if place[o.id] <= k // 2 else 0.0 for o in question.options]
            return points, upper
    raise AssertionError(f"{question.type} does not count for groups")


def answer_matrix(deck: Deck, answers: Mapping[str, Sequence[ParticipantAnswer]]) -> AnswerMatrix:
    """The matrix of every resident who answered at least one question that counts."""
    questions = [q for q in deck.questions() if counts_for_groups(q)]
    people = sorted({a.participant_id for q in questions for a in answers.get(q.id, ())})
    row_of = {person: index for index, person in enumerate(people)}
    features = [f for q in questions for f in _features(q)]
    values = np.full((len(people), len(features)), np.nan)
    support = np.full((len(people), len(features)), np.nan)
    answered = np.zeros(len(people), dtype=np.int64)
    column = 0
    for question in questions:
        width = len(_features(question))
        for answer in answers.get(question.id, ()):
            row = row_of[answer.participant_id]
            points, supports = _row(question, answer.value)
            values[row, column : column + width] = points
            support[row, column : column + width] = supports
            answered[row] += 1
        column += width
    return AnswerMatrix(people, features, values, support, len(questions), answered)
