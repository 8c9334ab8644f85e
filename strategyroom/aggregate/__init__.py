"""Every figure the product shows: the results of a question from its answers.

The console, the projector, the JSON API and the reports all call
:func:`aggregate`; nothing else counts answers. docs/aggregates.md defines
every figure.
"""

from strategyroom.aggregate.agreement import SPLIT_BELOW, agreement, is_split
from strategyroom.aggregate.change import (
    ChoiceChange,
    PairRow,
    ScaleChange,
    choice_change,
    pair_rows,
    scale_change,
)
from strategyroom.aggregate.compute import NEWEST_COMMENTS, AnswerRow, aggregate, all_comments
from strategyroom.aggregate.groups import (
    MIN_PROFILE_GROUP,
    GroupFigures,
    ParticipantAnswer,
    by_group,
    profile_breakdown,
)
from strategyroom.aggregate.impact import Impact, package_impact
from strategyroom.aggregate.priorities import Priorities, priorities
from strategyroom.aggregate.results import (
    Allocation,
    BudgetResult,
    ChoiceResult,
    Comment,
    OptionCount,
    RankingResult,
    RankScore,
    Result,
    ScaleResult,
    ScaleStep,
    TextResult,
    result_from_dict,
)

__all__ = [
    "MIN_PROFILE_GROUP",
    "NEWEST_COMMENTS",
    "SPLIT_BELOW",
    "Allocation",
    "AnswerRow",
    "BudgetResult",
    "ChoiceChange",
    "ChoiceResult",
    "Comment",
    "GroupFigures",
    "Impact",
    "OptionCount",
    "PairRow",
    "ParticipantAnswer",
    "Priorities",
    "RankScore",
    "RankingResult",
    "Result",
    "ScaleChange",
    "ScaleResult",
    "ScaleStep",
    "TextResult",
    "aggregate",
    "agreement",
    "all_comments",
    "by_group",
    "choice_change",
    "is_split",
    "package_impact",
    "pair_rows",
    "priorities",
    "profile_breakdown",
    "result_from_dict",
    "scale_change",
]
