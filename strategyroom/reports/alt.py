"""What each chart says, in words and figures: its alternative text.

A chart is an image to a screen reader and, in the PDF, a Figure whose
alternative text is the SVG's title (WeasyPrint's PDF/UA tagging). So the
title is not a caption ("Which street first?") but the chart's content in one
sentence, in the reader's language and number format: "Which street first?
(8 respondents): Main Street: 88 % (7 of 8); Church Lane: 0 % (0 of 8); …". The
data table beside each chart holds the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from strategyroom.aggregate.priorities import option_support
from strategyroom.aggregate.results import (
    BudgetResult,
    ChoiceResult,
    RankingResult,
    Result,
    ScaleResult,
)
from strategyroom.live.errors import N_
from strategyroom.reports.html_format import Formatter


def _of(f: Formatter, label: str, share: float | None, count: int, total: int) -> str:
    return f._(N_("%(label)s: %(share)s (%(count)s of %(total)s)")) % {
        "label": label,
        "share": f.percent(share),
        "count": f.number(count, 0),
        "total": f.number(total, 0),
    }


def result_alt(
    prompt: str,
    respondents: str,
    result: Result,
    labels: dict[str, str],
    scale_names: dict[int, str],
    f: Formatter,
) -> str:
    """A question's result chart: the question, who answered ("8 respondents",
    "5 tables answered"), then every bar's figure as the chart orders them."""
    items: list[str] = []
    if isinstance(result, ChoiceResult):
        n = result.respondents
        items = [_of(f, labels[o.option_id], o.percent, o.count, n) for o in result.options]
    elif isinstance(result, ScaleResult):
        n = result.respondents
        items = [_of(f, scale_names[s.value], s.percent, s.count, n) for s in result.distribution]
        items.append(f._(N_("mean %(mean)s")) % {"mean": f.number(result.mean)})
    elif isinstance(result, RankingResult):
        items = [
            f._(N_("%(label)s: support %(support)s, %(points)s Borda points"))
            % {
                "label": labels[o.option_id],
                "support": f.percent(
                    option_support(result, o.option_id) if result.respondents else None
                ),
                "points": f.number(o.borda, 0),
            }
            for o in result.ranked()
        ]
    elif isinstance(result, BudgetResult):
        items = [
            f._(N_("%(label)s: %(share)s of all points (%(points)s)"))
            % {"label": labels[o.option_id], "share": f.percent(o.share), "points": f.number(o.sum)}
            for o in result.ranked()
        ]
    return f"{prompt} ({respondents}): {'; '.join(items)}"


def priorities_alt(measures: Sequence[tuple[str, str, float | None, int]], f: Formatter) -> str:
    """The priorities chart: each measure (with its question: one option may be
    in several) with its support and how many answered."""
    items = [
        f._(N_("%(label)s (%(question)s): %(support)s of %(count)s respondents"))
        % {
            "label": label,
            "question": question,
            "support": f.percent(support),
            "count": f.number(count, 0),
        }
        for label, question, support, count in measures
    ]
    title = f._(N_("The measures with the most support among residents"))
    return f"{title}: {'; '.join(items)}"


def meter_alt(target: str, lines: Sequence[str], f: Formatter) -> str:
    """The impact meter: the target, then the package's totals and how far it goes."""
    title = f._(N_("Impact of the room's mean package (target %(target)s)")) % {"target": target}
    return f"{title}: {'; '.join(lines)}"
