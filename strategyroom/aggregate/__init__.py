"""Every figure the product shows, computed from answer rows: a question's
result (:func:`aggregate`), agreement, a package's impact, priorities, change
before and after, and the figures per group. The themes of free text are in
strategyroom.aggregate.themes, imported from there only (not re-exported here)
because it loads scikit-learn, which every other import of this package can do
without.

The console, the projector, the JSON API and the reports all take their
figures from here. Which rows a question counts, whether its result is frozen
at close or live, and who may see a figure are decided in
strategyroom.live.policy, not here; the one count made elsewhere is the live
"N answered" (a row count in SQL, strategyroom.live.reading). docs/aggregates.md
defines every figure.
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
from strategyroom.aggregate.suppression import (
    MIN_GROUP,
    hidden_across_sessions,
    hidden_groups,
    suppressed,
)

__all__ = [
    "MIN_GROUP",
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
    "hidden_across_sessions",
    "hidden_groups",
    "is_split",
    "package_impact",
    "pair_rows",
    "priorities",
    "profile_breakdown",
    "result_from_dict",
    "scale_change",
    "suppressed",
]
