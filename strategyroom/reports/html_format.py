"""How the report writes figures and dates in the reader's language and the
council's time zone, a group's result in one line, and the data table every
chart has beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import numbers

from strategyroom import i18n, rounding
from strategyroom.aggregate.priorities import option_support
from strategyroom.aggregate.results import (
    BudgetResult,
    ChoiceResult,
    RankingResult,
    Result,
    ScaleResult,
    TextResult,
)
from strategyroom.live.errors import N_
from strategyroom.reports.model import QuestionReport


@dataclass
class Formatter:
    language: str
    zone: str = "UTC"  # the council's time zone (settings.timezone)

    def _(self, message: str) -> str:
        return i18n.gettext(self.language, message)

    def number(
        self, value: float | None, digits: int = rounding.DIGITS, signed: bool = False
    ) -> str:
        """The figure by the one rounding rule, a negative one with a real minus
        sign (U+2212, not a hyphen); ``signed`` puts + before a positive change."""
        if value is None:
            return "–"
        text = i18n.format_number(value, self.language, digits)
        if text.startswith(("-", "\u2212")):
            digits_only = text.lstrip("-\u2212")
            return "0" if digits_only.strip("0,. \u00a0") == "" else "\u2212" + digits_only
        return f"+{text}" if signed and text.strip("0,. \u00a0") else text

    def fixed(
        self, value: float | None, digits: int = rounding.DIGITS, signed: bool = False
    ) -> str:
        """The figure with exactly ``digits`` decimals (the one rounding rule), so
        a column's figures line up: 4.00 beside 4.17, not 4."""
        if value is None:
            return "–"
        shown = rounding.rounded(value, digits)
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        text = numbers.format_decimal(abs(shown), format=pattern, locale=self.language)
        if shown < 0:
            return "\u2212" + text
        return f"+{text}" if signed and shown > 0 else text

    def percent(self, value: float | None) -> str:
        return "–" if value is None else i18n.format_percent(value, self.language)

    def goal(self, progress: float | None) -> str:
        return "–" if progress is None else i18n.format_goal(progress, self.language)

    def when(self, value: Any) -> str:
        return "–" if value is None else i18n.format_datetime(value, self.language, self.zone)

    def day(self, value: Any) -> str:
        """The date alone, in the council's time zone."""
        return "–" if value is None else i18n.format_date(value, self.language, self.zone)


@dataclass
class Table:
    """A data table: the text alternative beside a chart."""

    caption: str
    head: list[str]
    rows: list[list[str]]


def labels_of(question: QuestionReport) -> dict[str, str]:
    return {o.id: o.label for o in question.options}


def summary(question: QuestionReport, result: Result | None, f: Formatter) -> str:
    """One line: what most of a group said."""
    labels = labels_of(question)
    match result:
        case None:
            return f._(N_("not shown"))
        case ChoiceResult() | RankingResult() | BudgetResult() if result.respondents:
            top = result.ranked()[0]
            support = option_support(result, top.option_id)
            return f"{labels[top.option_id]} ({f.percent(support)})"
        case ScaleResult() if result.mean is not None:
            return f._(N_("mean %(mean)s")) % {"mean": f.fixed(result.mean)}
        case TextResult():
            return f._(N_("%(count)s comments")) % {"count": result.respondents}
    return "–"
