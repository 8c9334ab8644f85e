"""The report as an HTML page: the one the app shows and the PDF is made from.

Charts and data tables are prepared here from the report's figures (formatted
in the reader's locale); templates/reports/report.html lays them out. All
deck and resident text is escaped (Jinja2 autoescape; charts escape their
labels), so a comment like ``<script>`` is shown, never run.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from strategyroom import i18n
from strategyroom.aggregate import GroupFigures, Impact
from strategyroom.aggregate.priorities import option_support
from strategyroom.aggregate.results import (
    BudgetResult,
    ChoiceResult,
    RankingResult,
    Result,
    ScaleResult,
    TextResult,
)
from strategyroom.decks import Deck
from strategyroom.decks.schema import options_of
from strategyroom.live.errors import N_
from strategyroom.reports.charts import Bar, bar_chart, meter
from strategyroom.reports.model import QuestionReport, Report
from strategyroom.web.render import Renderer


@dataclass
class Formatter:
    language: str

    def _(self, message: str) -> str:
        return i18n.gettext(self.language, message)

    def number(self, value: float | None, digits: int = 1) -> str:
        return "–" if value is None else i18n.format_number(value, self.language, digits)

    def percent(self, value: float | None) -> str:
        return "–" if value is None else i18n.format_percent(value, self.language)

    def when(self, value: Any) -> str:
        return "–" if value is None else i18n.format_datetime(value, self.language)


@dataclass
class Table:
    """A data table: the text alternative beside a chart."""

    caption: str
    head: list[str]
    rows: list[list[str]]


@dataclass
class QuestionView:
    report: QuestionReport
    chart: Markup | None
    table: Table | None
    summary: str
    meter: Markup | None = None
    extra: list[Table] = field(default_factory=list)


def labels_of(question: QuestionReport) -> dict[str, str]:
    return {o.id: o.label for o in question.options}


def summary(question: QuestionReport, result: Result | None, f: Formatter) -> str:
    """One line: what most of a group said."""
    labels = labels_of(question)
    match result:
        case None:
            return f._(N_("fewer than 5"))
        case ChoiceResult() | RankingResult() | BudgetResult() if result.respondents:
            top = result.ranked()[0]
            support = option_support(result, top.option_id)
            return f"{labels[top.option_id]} ({f.percent(support)})"
        case ScaleResult() if result.mean is not None:
            return f._(N_("mean %(mean)s")) % {"mean": f.number(result.mean, 2)}
        case TextResult():
            return f._(N_("%(count)s comments")) % {"count": result.respondents}
    return "–"


def _result_bars(question: QuestionReport, result: Result, f: Formatter) -> tuple[list[Bar], Table]:
    labels = labels_of(question)
    if isinstance(result, ChoiceResult):
        head = [f._(N_("Option")), f._(N_("Answers")), f._(N_("Share"))]
        rows = [[labels[o.option_id], str(o.count), f.percent(o.percent)] for o in result.options]
        bars = [
            Bar(labels[o.option_id], o.percent, f"{f.percent(o.percent)} ({o.count})")
            for o in result.options
        ]
    elif isinstance(result, ScaleResult):
        head = [f._(N_("Value")), f._(N_("Answers")), f._(N_("Share"))]
        rows = [[str(s.value), str(s.count), f.percent(s.percent)] for s in result.distribution]
        bars = [
            Bar(str(s.value), s.percent, f"{f.percent(s.percent)} ({s.count})")
            for s in result.distribution
        ]
    elif isinstance(result, RankingResult):
        head = [
            f._(N_("Option")),
            f._(N_("Borda points")),
            f._(N_("Mean place")),
            f._(N_("Support")),
        ]
        rows, bars = [], []
        for o in result.ranked():
            support = option_support(result, o.option_id) if result.respondents else None
            rows.append(
                [labels[o.option_id], str(o.borda), f.number(o.mean_rank, 2), f.percent(support)]
            )
            bars.append(
                Bar(labels[o.option_id], support or 0.0, f"{f.percent(support)} ({o.borda})")
            )
    elif isinstance(result, BudgetResult):
        head = [f._(N_("Option")), f._(N_("Points")), f._(N_("Mean")), f._(N_("Share"))]
        rows = [
            [labels[o.option_id], str(o.sum), f.number(o.mean), f.percent(o.share)]
            for o in result.ranked()
        ]
        bars = [
            Bar(labels[o.option_id], o.share or 0.0, f.percent(o.share)) for o in result.ranked()
        ]
    else:
        return [], Table("", [], [])
    return bars, Table(respondents_text(question, result.respondents, f), head, rows)


def respondents_text(question: QuestionReport, count: int, f: Formatter) -> str:
    """How many answered: people, or for a table question the tables (one answer each)."""
    if question.scope == "table":
        return f._(N_("%(count)s tables answered")) % {"count": count}
    return f._(N_("%(count)s respondents")) % {"count": count}


def impact_text(deck: Deck, impact: Impact, f: Formatter) -> list[str]:
    lines = []
    for total in impact.totals:
        attribute = deck.attributes[total.attribute]
        unit = deck.text(attribute.unit, f.language)
        lines.append(
            f"{deck.text(attribute.label, f.language)}: {f.number(total.total)} {unit}".strip()
        )
    if impact.progress is not None:
        lines.append(
            f._(N_("%(progress)s of the target")) % {"progress": f.percent(100 * impact.progress)}
        )
    if impact.cap is not None:
        lines.append(f._(N_("Limit: %(cap)s")) % {"cap": f.number(impact.cap)})
    return lines


def group_table(
    question: QuestionReport,
    groups: list[GroupFigures],
    caption: str,
    f: Formatter,
    deck: Deck,
    group_head: str | None = None,
) -> Table:
    head = [
        group_head or f._(N_("Group")),
        f._(N_("Respondents")),
        f._(N_("Agreement")),
        f._(N_("Result")),
    ]
    if question.impact is not None:
        head.append(f._(N_("Impact")))
    rows = []
    for g in groups:
        respondents = f._(N_("fewer than 5")) if g.suppressed else str(g.respondents)
        row = [g.group, respondents, f.number(g.agreement, 2), summary(question, g.result, f)]
        if question.impact is not None:
            row.append("; ".join(impact_text(deck, g.impact, f)) if g.impact else "–")
        rows.append(row)
    return Table(caption, head, rows)


def question_view(deck: Deck, index: int, question: QuestionReport, f: Formatter) -> QuestionView:
    bars, table = _result_bars(question, question.result, f)
    chart = None
    if bars:
        described = "; ".join(f"{b.label}: {b.text}" for b in bars)
        chart = bar_chart(f"q{index}", question.prompt, described, bars, 100.0)
    view = QuestionView(
        question, chart, table if bars else None, summary(question, question.result, f)
    )
    impact = question.impact
    if impact is not None and impact.progress is not None:
        text = f.percent(100 * impact.progress)
        view.meter = meter(
            f"m{index}",
            f._(N_("Impact of the room's mean package")),
            "; ".join(impact_text(deck, impact, f)),
            impact.progress,
            text,
        )
    if len(question.sessions) > 1:
        head = [f._(N_("Session")), f._(N_("Respondents")), f._(N_("Agreement")), f._(N_("Result"))]
        rows = [
            [
                s.session_id[:8],
                str(s.result.respondents),
                f.number(s.agreement, 2),
                summary(question, s.result, f),
            ]
            for s in question.sessions
        ]
        view.extra.append(Table(f._(N_("Side by side")), head, rows))
    if question.tables and question.scope != "table":  # a table question: its answers below
        view.extra.append(
            group_table(question, question.tables, f._(N_("Per table")), f, deck, f._(N_("Table")))
        )
    if question.table_answers:
        labels = labels_of(question)
        head = [f._(N_("Table")), f._(N_("Answer"))]
        rows = [[t.table, _value_text(t.value, labels)] for t in question.table_answers]
        if question.impact is not None:  # a package question: each table's impact meter
            head.append(f._(N_("Impact")))
            for row, t in zip(rows, question.table_answers, strict=True):
                row.append("; ".join(impact_text(deck, t.impact, f)) if t.impact else "–")
        view.extra.append(Table(f._(N_("Table answers")), head, rows))
    for breakdown in question.profiles:
        profile = deck.question(breakdown.profile_question)
        names = {o.id: deck.text(o.label, f.language) for o in options_of(profile)}
        groups = [g.model_copy(update={"group": names[g.group]}) for g in breakdown.groups]
        caption = f._(N_("By answer to: %(question)s")) % {
            "question": deck.text(profile.prompt, f.language)
        }
        view.extra.append(group_table(question, groups, caption, f, deck))
    return view


def _value_text(value: Any, labels: dict[str, str]) -> str:
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{labels.get(k, k)} {v}" for k, v in value.items() if v)
    return labels.get(str(value), str(value))


def logo_data_uri(path: Path | None) -> str | None:
    """The council's logo inlined as a data: URI (the page and the PDF need no file access)."""
    if path is None or not path.is_file():
        return None
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def render_report(
    renderer: Renderer,
    report: Report,
    deck: Deck,
    *,
    logo: str | None,
    downloads: dict[str, str],
    printing: bool = False,
    extra: dict[str, Any] | None = None,
) -> str:
    f = Formatter(report.language)
    views = [question_view(deck, i, q, f) for i, q in enumerate(report.questions)]
    top = [m for m in report.priorities.measures if m.support is not None][:10]
    questions = {q.id: q for q in report.questions}
    bars = [
        Bar(
            labels_of(questions[m.question_id])[m.option_id], m.support or 0.0, f.percent(m.support)
        )
        for m in top
    ]
    priorities_chart = (
        bar_chart(
            "priorities",
            f._(N_("The measures with the most support")),
            "; ".join(f"{b.label}: {b.text}" for b in bars),
            bars,
            100.0,
        )
        if bars
        else None
    )
    return renderer.render(
        "reports/report.html",
        report.language,
        report=report,
        deck=deck,
        views=views,
        f=f,
        logo=logo,
        downloads=downloads,
        printing=printing,
        top_measures=top,
        questions=questions,
        priorities_chart=priorities_chart,
        **(extra or {}),
    )
