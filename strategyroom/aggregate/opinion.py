"""Opinion groups and common ground, after Polis (docs/aggregates.md, "Opinion
groups and common ground").

Residents who answer alike are found in the answer matrix
(strategyroom.aggregate.answermatrix) the way Polis finds them: missing answers
filled with the room's mean for that feature, a principal component analysis
down to two dimensions, each resident's position scaled up by how little they
answered, then k-means for k = 2 to 5, keeping the k with the best silhouette.
scikit-learn does the PCA, k-means and silhouette (fixed random state, so the
same answers always give the same groups).

Privacy: a clustering with a group under ``min_size`` (MIN_GROUP) is never
chosen: its small group is merged into the others by choosing fewer groups, and
when no k gives groups that are all large enough, there are no groups. Nothing
here says who is in which group; only each group's size and figures leave.

For each group: what sets it apart (the measures where its share of support
differs most from everyone else's), and for the room the common ground: the
measures a majority of every group supports, ranked by Polis's group-informed
consensus, the product over groups of the smoothed share supporting,
(supporters + 1) / (answered + 2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict
from threadpoolctl import threadpool_limits

from strategyroom.aggregate.answermatrix import AnswerMatrix, Matrix, answer_matrix
from strategyroom.aggregate.groups import ParticipantAnswer
from strategyroom.decks.schema import Deck

# k is chosen among these (Polis's bounds).
GROUP_COUNTS = range(2, 6)
# Below this silhouette the room is one spread of views, not groups: k-means cuts
# even answers given at random into pieces (sixty made-up rooms of 40 scored 0.43
# to 0.61), while planted groups with a third of some answers random score 0.73
# and more (tests/test_opinion.py).
CLEAR_GROUPS = 0.65
# A measure sets a group apart when its share differs from the rest's by at least
# this many percentage points; at most DIFFERENCES_SHOWN of them, largest first.
APART_BY = 20
DIFFERENCES_SHOWN = 3
RANDOM_STATE = 0
SILHOUETTE_SAMPLE = 1000


class NoGroups(StrEnum):
    """Why a room has no opinion groups."""

    NO_QUESTIONS = "no_questions"  # no choice, scale or ranking answers yet
    TOO_FEW = "too_few"  # fewer than two groups' worth of residents placed
    TOO_UNIFORM = "too_uniform"  # answers too alike, or no clear groups


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Difference(_Frozen):
    """A measure where a group differs from the rest of the room."""

    question_id: str
    option_id: str | None  # None: the scale itself
    group_percent: float  # the group's members who answered it and support it
    rest_percent: float  # the same among everyone else placed in a group


class OpinionGroup(_Frozen):
    name: str  # "A", "B", ...: the largest group first
    size: int
    differences: list[Difference]  # largest difference first


class CommonGround(_Frozen):
    """A measure a majority of every group supports."""

    question_id: str
    option_id: str | None
    consensus: float  # product over groups of (supporters + 1) / (answered + 2)
    group_percents: list[float]  # per group, in group order
    room_percent: float  # everyone placed who answered it


class OpinionGroups(_Frozen):
    placed: int  # residents who answered enough to be placed
    left_out: int  # residents who answered too few of the questions
    questions: int  # the questions that count
    silhouette: float | None  # of the chosen grouping
    groups: list[OpinionGroup]  # empty when ``reason`` says why
    common_ground: list[CommonGround]  # highest consensus first
    reason: NoGroups | None = None


@dataclass(frozen=True)
class Grouping:
    """Which group each row of the matrix is in (-1: not placed), before naming."""

    labels: npt.NDArray[np.int64]
    silhouette: float | None
    reason: NoGroups | None


def enough_answers(questions: int) -> int:
    """How many questions a resident must have answered to be placed: half, at
    least one (Polis asks 7 votes; a session asks a few questions)."""
    return max(1, math.ceil(questions / 2))


def _positions(matrix: AnswerMatrix, rows: npt.NDArray[np.bool_]) -> Matrix | None:
    """The placed rows in two dimensions, or None when their answers do not vary."""
    values = matrix.values[rows]
    seen = ~np.all(np.isnan(values), axis=0)
    values = values[:, seen]
    means = np.nanmean(values, axis=0)
    filled = np.where(np.isnan(values), means, values)
    if filled.shape[1] == 0 or np.allclose(filled.var(axis=0), 0.0):
        return None
    # scikit-learn is imported where it is used: it takes seconds to import, and
    # every server start (and every test's) paid for it before any room had groups.
    from sklearn.decomposition import PCA

    pca = PCA(n_components=min(2, filled.shape[1]), svd_solver="full")
    positions: Matrix = pca.fit_transform(filled)
    # Polis: a resident who answered little sits near the middle only because their
    # gaps were filled with the mean; scaling by sqrt(questions / answered) undoes it.
    scale = np.sqrt(matrix.questions / matrix.answered[rows])
    return positions * scale[:, None]


def find_groups(matrix: AnswerMatrix, min_size: int) -> Grouping:
    """The grouping with the best silhouette among k in GROUP_COUNTS whose every
    group has at least ``min_size`` members."""
    # One thread: the arrays are small, and starting BLAS and OpenMP threads on a
    # server whose cores are busy with the live session took four times longer
    # (5,000 residents: 3 s against 0.7 s).
    with threadpool_limits(limits=1):
        return _find_groups(matrix, min_size)


def _find_groups(matrix: AnswerMatrix, min_size: int) -> Grouping:
    rows = matrix.answered >= enough_answers(matrix.questions)
    labels = np.full(len(matrix.participants), -1, dtype=np.int64)
    if matrix.questions == 0 or not matrix.participants:
        return Grouping(labels, None, NoGroups.NO_QUESTIONS)
    placed = int(rows.sum())
    if placed < 2 * max(min_size, 1):
        return Grouping(labels, None, NoGroups.TOO_FEW)
    positions = _positions(matrix, rows)
    if positions is None:
        return Grouping(labels, None, NoGroups.TOO_UNIFORM)
    best: tuple[float, npt.NDArray[np.int64]] | None = None
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    # Residents who answered the same sit on the same point: k-means runs on the
    # distinct points, each weighted by how many sit there (the same objective as
    # on every resident, and a few hundred points however large the room).
    points, where, weight = np.unique(
        positions.round(9), axis=0, return_inverse=True, return_counts=True
    )
    for k in GROUP_COUNTS:
        if k * max(min_size, 1) > placed or k > len(points):
            break
        kmeans = KMeans(n_clusters=k, random_state=RANDOM_STATE, n_init=10)
        found = kmeans.fit(points, sample_weight=weight).labels_[where.ravel()]
        if np.bincount(found, minlength=k).min() < min_size or len(set(found)) < k:
            continue
        # Exact up to SILHOUETTE_SAMPLE residents; beyond, on a fixed sample (the
        # silhouette compares every pair: 5,000 residents are 12 million pairs).
        sample = SILHOUETTE_SAMPLE if placed > SILHOUETTE_SAMPLE else None
        score = float(silhouette_score(positions, found, sample_size=sample, random_state=0))
        if best is None or score > best[0]:
            best = (score, found.astype(np.int64))
    if best is None or best[0] < CLEAR_GROUPS:
        return Grouping(labels, best[0] if best else None, NoGroups.TOO_UNIFORM)
    labels[rows] = _in_order(best[1])
    return Grouping(labels, best[0], None)


def _in_order(found: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The labels renumbered: the largest group 0, ties by who comes first."""
    sizes = np.bincount(found)
    first = {label: int(np.argmax(found == label)) for label in range(len(sizes))}
    order = sorted(first, key=lambda label: (-sizes[label], first[label]))
    renumber = {old: new for new, old in enumerate(order)}
    return np.array([renumber[int(label)] for label in found], dtype=np.int64)


def _share(support: Matrix) -> tuple[int, int]:
    """(supporters, answered) in a column of supports (NaN: not answered)."""
    answered = support[~np.isnan(support)]
    return int(answered.sum()), len(answered)


def _percent(count: int, whole: int) -> float:
    return float(Fraction(100 * count, whole)) if whole else 0.0


def _differences(
    matrix: AnswerMatrix, labels: npt.NDArray[np.int64], group: int
) -> list[Difference]:
    inside = labels == group
    rest = (labels >= 0) & ~inside
    found = []
    for column, feature in enumerate(matrix.features):
        group_percent = _percent(*_share(matrix.support[inside, column]))
        rest_percent = _percent(*_share(matrix.support[rest, column]))
        if abs(group_percent - rest_percent) >= APART_BY:
            found.append(
                Difference(
                    question_id=feature.question_id,
                    option_id=feature.option_id,
                    group_percent=group_percent,
                    rest_percent=rest_percent,
                )
            )
    # sorted() is stable: equal differences stay in deck order.
    found.sort(key=lambda d: -abs(d.group_percent - d.rest_percent))
    return found[:DIFFERENCES_SHOWN]


def _common_ground(
    matrix: AnswerMatrix, labels: npt.NDArray[np.int64], k: int
) -> list[CommonGround]:
    found = []
    for column, feature in enumerate(matrix.features):
        shares = [_share(matrix.support[labels == g, column]) for g in range(k)]
        # (a + 1) / (s + 2) > 1/2 exactly when a > s / 2: a majority of the group.
        if not all(2 * supporters > answered for supporters, answered in shares):
            continue
        consensus = math.prod((Fraction(a + 1, s + 2) for a, s in shares), start=Fraction(1))
        found.append(
            CommonGround(
                question_id=feature.question_id,
                option_id=feature.option_id,
                consensus=float(consensus),
                group_percents=[_percent(a, s) for a, s in shares],
                room_percent=_percent(*_share(matrix.support[labels >= 0, column])),
            )
        )
    found.sort(key=lambda c: -c.consensus)
    return found


def group_names(k: int) -> list[str]:
    return [chr(ord("A") + g) for g in range(k)]


def opinion_groups(
    deck: Deck, answers: Mapping[str, Sequence[ParticipantAnswer]], min_size: int
) -> OpinionGroups:
    """The room's opinion groups and common ground from every answer so far
    (question id -> rows); groups under ``min_size`` (MIN_GROUP) are never made."""
    matrix = answer_matrix(deck, answers)
    grouping = find_groups(matrix, min_size)
    placed = int((matrix.answered >= enough_answers(matrix.questions)).sum())
    left_out = len(matrix.participants) - placed
    if grouping.reason is not None:
        return OpinionGroups(
            placed=placed,
            left_out=left_out,
            questions=matrix.questions,
            silhouette=grouping.silhouette,
            groups=[],
            common_ground=[],
            reason=grouping.reason,
        )
    k = int(grouping.labels.max()) + 1
    return OpinionGroups(
        placed=placed,
        left_out=left_out,
        questions=matrix.questions,
        silhouette=grouping.silhouette,
        groups=[
            OpinionGroup(
                name=name,
                size=int((grouping.labels == g).sum()),
                differences=_differences(matrix, grouping.labels, g),
            )
            for g, name in enumerate(group_names(k))
        ],
        common_ground=_common_ground(matrix, grouping.labels, k),
    )


# The projector shows this many measures of the common ground at most, the
# broadest first, and no group's differences: what a hall shares, read from afar.
ROOM_COMMON_GROUND = 5


class RoomCommonGround(_Frozen):
    """The common ground as the projector shows it."""

    placed: int
    groups: list[OpinionGroup]  # names and sizes (never under MIN_GROUP), no differences
    common_ground: list[CommonGround]  # the broadest ROOM_COMMON_GROUND
    more: int  # further measures every group supports, not shown
    reason: NoGroups | None = None


def room_common_ground(found: OpinionGroups) -> RoomCommonGround:
    return RoomCommonGround(
        placed=found.placed,
        groups=[group.model_copy(update={"differences": []}) for group in found.groups],
        common_ground=found.common_ground[:ROOM_COMMON_GROUND],
        more=max(0, len(found.common_ground) - ROOM_COMMON_GROUND),
        reason=found.reason,
    )
