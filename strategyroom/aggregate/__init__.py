"""Every figure the product shows: the results of a question from its answers.

The console, the projector, the JSON API and the reports all call
:func:`aggregate`; nothing else counts answers. docs/aggregates.md defines
every figure.
"""

from strategyroom.aggregate.compute import NEWEST_COMMENTS, AnswerRow, aggregate
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
    "NEWEST_COMMENTS",
    "Allocation",
    "AnswerRow",
    "BudgetResult",
    "ChoiceResult",
    "Comment",
    "OptionCount",
    "RankScore",
    "RankingResult",
    "Result",
    "ScaleResult",
    "ScaleStep",
    "TextResult",
    "aggregate",
    "result_from_dict",
]
