"""The room against the town, and every figure weighted to the town
(docs/aggregates.md, "Weighting to the town").

A deck's profile questions may carry the town's shares of their options
(``reference`` in the deck, decks/schema.py). :func:`room_vs_town` compares the
room's answers with them; :func:`rake` gives each resident a weight so that the
weighted room has the town's shares on every such question at once (raking,
iterative proportional fitting), trimmed so that nobody counts for more than
``CAP`` residents; :func:`weighted_figures` gives every question's figures
weighted beside unweighted, with the effective sample size (Kish).

Raking is written here with numpy: the loop is a few lines, while samplics
(which has it) requires polars, pyarrow and statsmodels, and ipfn has had no
release since 2021, requires pandas and fits contingency tables; see
docs/aggregates.md.

A resident with no answer to a reference question (skipped or not asked yet)
is in an "unknown" cell for it, which keeps the room's own share: raking moves
weight only among those who said, never invents what the others would have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate.groups import ParticipantAnswer
from strategyroom.decks.schema import (
    PREFER_NOT_TO_SAY,
    Budget,
    Deck,
    MultipleChoice,
    Ranking,
    Scale,
    SingleChoice,
)

# No resident counts for more than this many (weights have mean 1); the weight
# cut off is spread over the others in proportion to theirs.
CAP = 5.0
# Weights are "extreme" (the report warns) when someone counts for this many or
# more, or the effective sample size is under this share of the residents.
EXTREME_WEIGHT = 3.0
EXTREME_ESS_SHARE = 0.5
# A group is under- (over-) represented when its share of the room is under
# two thirds (over three halves) of its share of the town.
UNDER, OVER = Fraction(2, 3), Fraction(3, 2)
ITERATIONS, TOLERANCE = 1000, 1e-12
UNKNOWN = ""  # the cell of residents with no answer to a reference question

Weights = npt.NDArray[np.float64]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TownShare(_Frozen):
    option_id: str
    room: int  # residents in the room who chose it
    room_percent: float  # of those who answered the question (skips not counted)
    town_percent: float  # the reference share
    representation: str  # "under", "over" or "fair"


class RoomVsTown(_Frozen):
    question_id: str
    answered: int  # residents who chose an option (not "prefer not to say")
    source: dict[str, str]  # the reference's source, per language (the deck's text)
    link: str | None
    year: int
    options: list[TownShare]  # deck order

    @property
    def missing(self) -> list[str]:
        """The options the room has too few of: whom to invite next time."""
        return [o.option_id for o in self.options if o.representation == "under"]


class TownComparison(_Frozen):
    """The room against the town for one profile question as a reader gets it
    (the report JSON, the insight API): the source is plain text in the reader's
    language, like every other deck text."""

    question_id: str
    answered: int
    source: str  # the reference's source in the reader's language
    link: str | None
    year: int
    options: list[TownShare]

    @property
    def missing(self) -> list[str]:
        """The options the room has too few of: whom to invite next time."""
        return [o.option_id for o in self.options if o.representation == "under"]


def town_in(deck: Deck, town: Sequence[RoomVsTown], language: str) -> list[TownComparison]:
    """``town`` with each source in ``language`` (falling back as deck texts do)."""
    return [
        TownComparison(
            question_id=c.question_id,
            answered=c.answered,
            source=deck.text(c.source, language),
            link=c.link,
            year=c.year,
            options=c.options,
        )
        for c in town
    ]


def room_vs_town(
    deck: Deck, profile_answers: Mapping[str, Sequence[ParticipantAnswer]]
) -> list[RoomVsTown]:
    """Each profile question with reference shares: the room's shares beside the town's."""
    found = []
    for question in _referenced(deck):
        assert question.reference is not None
        chosen = [
            a.value for a in profile_answers.get(question.id, ()) if a.value != PREFER_NOT_TO_SAY
        ]
        options = []
        for option in question.options:
            count = chosen.count(option.id)
            town = Fraction(question.reference.shares[option.id]).limit_denominator(10**6)
            room = Fraction(count, len(chosen)) if chosen else Fraction(0)
            options.append(
                TownShare(
                    option_id=option.id,
                    room=count,
                    room_percent=float(100 * room),
                    town_percent=float(100 * town),
                    representation=_representation(room, town) if chosen else "fair",
                )
            )
        found.append(
            RoomVsTown(
                question_id=question.id,
                answered=len(chosen),
                source=question.reference.source,
                link=question.reference.link,
                year=question.reference.year,
                options=options,
            )
        )
    return found


def _representation(room: Fraction, town: Fraction) -> str:
    if room < UNDER * town:
        return "under"
    if (town == 0 and room > 0) or room > OVER * town:
        return "over"
    return "fair"


def _referenced(deck: Deck) -> list[SingleChoice]:
    return [
        q
        for q in deck.questions()
        if isinstance(q, SingleChoice) and q.profile and q.reference is not None
    ]


@dataclass(frozen=True)
class Raking:
    residents: list[str]  # sorted participant ids
    weights: Weights  # one per resident, mean 1
    converged: bool  # the margins were met before the cap (always, unless a cell is empty)
    capped: int  # residents whose weight was cut to CAP
    empty: list[tuple[str, str]]  # (question, option) the town has and the room has not


def _margins(question: SingleChoice, cells: list[str]) -> tuple[dict[str, float], list[str]]:
    """The target share of each cell: the room keeps its share of unknowns, the
    rest is the town's, over the options somebody in the room chose."""
    assert question.reference is not None
    n = len(cells)
    unknown = cells.count(UNKNOWN) / n
    present = {o.id: question.reference.shares[o.id] for o in question.options if o.id in cells}
    empty = [
        o.id for o in question.options if o.id not in cells and question.reference.shares[o.id] > 0
    ]
    total = sum(present.values())
    targets = {option: (1 - unknown) * share / total for option, share in present.items()}
    if unknown:
        targets[UNKNOWN] = unknown
    return targets, empty


def rake(
    deck: Deck, profile_answers: Mapping[str, Sequence[ParticipantAnswer]], residents: Sequence[str]
) -> Raking:
    """Each resident's weight (mean 1) so that the weighted room has the town's
    shares on every profile question with reference shares."""
    people = sorted(set(residents))
    n = len(people)
    weights = np.ones(n)
    columns: list[tuple[npt.NDArray[np.str_], dict[str, float]]] = []
    empty: list[tuple[str, str]] = []
    for question in _referenced(deck):
        given = {a.participant_id: a.value for a in profile_answers.get(question.id, ())}
        cells = [given.get(p, UNKNOWN) for p in people]
        cells = [UNKNOWN if c == PREFER_NOT_TO_SAY else c for c in cells]
        if n == 0 or all(c == UNKNOWN for c in cells):
            continue
        targets, missing = _margins(question, cells)
        empty += [(question.id, option) for option in missing]
        columns.append((np.array(cells), targets))
    converged = True
    if columns:
        converged = False
        for _ in range(ITERATIONS):
            for column, targets in columns:
                for cell, target in targets.items():
                    inside = column == cell
                    weights[inside] *= target * n / weights[inside].sum()
            if all(
                abs(weights[column == cell].sum() / n - target) < TOLERANCE
                for column, targets in columns
                for cell, target in targets.items()
            ):
                converged = True
                break
    weights, capped = _capped(weights)
    return Raking(people, weights, converged, capped, empty)


def _capped(weights: Weights) -> tuple[Weights, int]:
    """Weights cut to CAP, the weight cut off spread over the others in proportion
    to theirs (the total stays the same), until none is over CAP."""
    weights = weights.copy()
    over = np.zeros(len(weights), dtype=bool)
    while True:
        new = (weights > CAP + 1e-12) & ~over
        if not new.any():
            return weights, int(over.sum())
        over |= new
        excess = float((weights[over] - CAP).sum())
        weights[over] = CAP
        free = ~over
        if not free.any():
            return weights, int(over.sum())
        weights[free] *= 1 + excess / weights[free].sum()


def effective_size(weights: Weights) -> float:
    """Kish's effective sample size: (sum of weights)^2 / sum of squared weights."""
    if len(weights) == 0:
        return 0.0
    return float(weights.sum() ** 2 / (weights**2).sum())


class WeightedFigure(_Frozen):
    """One figure of a question, as the room gave it and weighted to the town."""

    question_id: str
    option_id: str | None  # None: a scale's mean
    measure: (
        str  # "percent" (choice), "mean" (scale), "mean_rank" (ranking), "mean_points" (budget)
    )
    unweighted: float
    weighted: float


class WeightedQuestion(_Frozen):
    question_id: str
    respondents: int
    effective: float  # Kish's effective sample size of the respondents' weights
    figures: list[WeightedFigure]


class Weighting(_Frozen):
    residents: int
    effective: float
    largest: float  # the largest weight
    smallest: float
    capped: int
    converged: bool
    extreme: bool  # the report warns (EXTREME_WEIGHT, EXTREME_ESS_SHARE)
    empty: list[tuple[str, str]]  # (question, option) nobody in the room speaks for
    questions: list[WeightedQuestion]


def town_weighting(
    deck: Deck, answers: Mapping[str, Sequence[ParticipantAnswer]]
) -> Weighting | None:
    """Every resident who answered anything, raked to the town and every figure
    weighted (None when the deck's profile questions carry no reference shares):
    the report's and the console's one computation."""
    if not _referenced(deck):
        return None
    residents = sorted({a.participant_id for rows in answers.values() for a in rows})
    return weighted_figures(deck, answers, rake(deck, answers, residents))


def _figures_of(question: Any) -> list[tuple[str | None, str]]:
    """The figures a question has, in order: (option, measure)."""
    if isinstance(question, Scale):
        return [(None, "mean")]
    measure = "mean_rank" if isinstance(question, Ranking) else "percent"
    if isinstance(question, Budget):
        measure = "mean_points"
    return [(o.id, measure) for o in question.options]


def _values(question: Any, value: Any) -> list[float]:
    """An answer as one value per figure, in the order of :func:`_figures_of`."""
    match question:
        case SingleChoice() | MultipleChoice():
            chosen = {value} if isinstance(question, SingleChoice) else set(value)
            return [100.0 if o.id in chosen else 0.0 for o in question.options]
        case Scale():
            return [float(value)]
        case Ranking():
            place = {option_id: index + 1 for index, option_id in enumerate(value)}
            return [float(place[o.id]) for o in question.options]
        case Budget():
            return [float(value.get(o.id, 0)) for o in question.options]
    raise AssertionError(f"{question.type} has no weighted figures")


def weighted_figures(
    deck: Deck,
    answers: Mapping[str, Sequence[ParticipantAnswer]],
    raking: Raking,
) -> Weighting:
    """Every individually answered choice, scale, ranking and budget question's
    figures weighted by ``raking`` beside unweighted (profile answers that skip
    are left out, as in the results)."""
    weight_of = dict(zip(raking.residents, raking.weights.tolist(), strict=True))
    questions = []
    for question in deck.questions():
        if question.scope != "individual" or not isinstance(
            question, SingleChoice | MultipleChoice | Scale | Ranking | Budget
        ):
            continue
        rows = [
            a
            for a in answers.get(question.id, ())
            if a.participant_id in weight_of and a.value != PREFER_NOT_TO_SAY
        ]
        w = np.array([weight_of[a.participant_id] for a in rows])
        shape = _figures_of(question)
        table = np.array([_values(question, a.value) for a in rows]).reshape(len(rows), len(shape))
        figures = []
        for index, (option, measure) in enumerate(shape):
            column = table[:, index]
            figures.append(
                WeightedFigure(
                    question_id=question.id,
                    option_id=option,
                    measure=measure,
                    unweighted=float(column.mean()) if len(rows) else 0.0,
                    weighted=float((w * column).sum() / w.sum()) if len(rows) else 0.0,
                )
            )
        questions.append(
            WeightedQuestion(
                question_id=question.id,
                respondents=len(rows),
                effective=effective_size(w),
                figures=figures,
            )
        )
    n = len(raking.residents)
    effective = effective_size(raking.weights)
    largest = float(raking.weights.max()) if n else 1.0
    return Weighting(
        residents=n,
        effective=effective,
        largest=largest,
        smallest=float(raking.weights.min()) if n else 1.0,
        capped=raking.capped,
        converged=raking.converged,
        extreme=bool(n) and (largest >= EXTREME_WEIGHT or effective < EXTREME_ESS_SHARE * n),
        empty=raking.empty,
        questions=questions,
    )
