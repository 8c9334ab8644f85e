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

from strategyroom.aggregate import MIN_GROUP, GroupFigures, Impact
from strategyroom.aggregate.compare import most_different
from strategyroom.aggregate.priorities import option_support
from strategyroom.aggregate.results import (
    BudgetResult,
    ChoiceResult,
    RankingResult,
    Result,
    ScaleResult,
)
from strategyroom.decks import Deck
from strategyroom.decks.schema import options_of
from strategyroom.live.errors import N_
from strategyroom.paths import STATIC_DIR
from strategyroom.reports import summary as first_page
from strategyroom.reports.alt import meter_alt, priorities_alt, result_alt
from strategyroom.reports.charts import Bar, bar_chart, meter
from strategyroom.reports.html_format import Formatter, Table, labels_of, summary
from strategyroom.reports.model import QuestionReport, Report
from strategyroom.templating import Renderer

# A document lists at most this many tables per question (and no table's own
# answers or top measures beyond it): a 625-table evening would fill hundreds
# of pages. Every table is in the CSV and JSON (docs/reports.md, "Large sessions").
MAX_TABLES = 12
# An evening's comments on one question are listed when there are at most this
# many; beyond it the document gives their number and the themes that quote
# them, and the JSON (and the facilitator's CSV) every comment: 10,000
# comments were 200 of a 255-page PDF that nobody reads through.
MAX_COMMENTS = 200


@dataclass
class QuestionView:
    report: QuestionReport
    chart: Markup | None
    table: Table | None
    summary: str
    meter: Markup | None = None
    extra: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is in the downloads instead


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
        names = scale_names(question, result)
        rows = [[names[s.value], str(s.count), f.percent(s.percent)] for s in result.distribution]
        bars = [
            Bar(names[s.value], s.percent, f"{f.percent(s.percent)} ({s.count})")
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


def scale_names(question: QuestionReport, result: Result) -> dict[int, str]:
    """A scale's values as the chart and its table name them: the ends say what
    they mean ("1 · Not at all"). Empty for other results."""
    if not isinstance(result, ScaleResult):
        return {}
    ends = dict(zip((result.min, result.max), question.scale_labels, strict=False))
    return {
        s.value: f"{s.value} · {ends[s.value]}" if s.value in ends else str(s.value)
        for s in result.distribution
    }


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
        lines.append(f._(N_("%(progress)s of the target")) % {"progress": f.goal(impact.progress)})
    if impact.cap is not None:
        lines.append(
            f._(N_("Limit: %(cap)s")) % {"cap": amount(deck, impact.cap_attribute, impact.cap, f)}
        )
    return lines


def amount(deck: Deck, attribute: str | None, value: float | None, f: Formatter) -> str:
    """A figure with its attribute's unit ("8 mDKK"), so no limit or target is a bare number."""
    if attribute is None or attribute not in deck.attributes:
        return f.number(value)
    unit = deck.text(deck.attributes[attribute].unit, f.language)
    return f"{f.number(value)} {unit}".strip()


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
        respondents = f._(N_("not shown")) if g.suppressed else str(g.respondents)
        row = [g.group, respondents, f.fixed(g.agreement), summary(question, g.result, f)]
        if question.impact is not None:
            row.append("; ".join(impact_text(deck, g.impact, f)) if g.impact else "–")
        rows.append(row)
    return Table(caption, head, rows)


def question_view(
    deck: Deck, report: Report, index: int, question: QuestionReport, f: Formatter
) -> QuestionView:
    bars, table = _result_bars(question, question.result, f)
    chart = None
    if bars:
        alt = result_alt(
            question.prompt,
            respondents_text(question, question.result.respondents, f),
            question.result,
            labels_of(question),
            scale_names(question, question.result),
            f,
        )
        chart = bar_chart(f"q{index}", alt, bars, 100.0)
    view = QuestionView(
        question, chart, table if bars else None, summary(question, question.result, f)
    )
    impact = question.impact
    if impact is not None and impact.progress is not None:
        text = f.goal(impact.progress)
        target = amount(deck, impact.target_attribute, impact.target_value, f)
        view.meter = meter(
            f"m{index}",
            meter_alt(target, impact_text(deck, impact, f), f),
            impact.progress,
            text,
            f._(N_("Target: %(target)s")) % {"target": target},
        )
    by_evening = first_page.comparison_table(report, question, f)
    if by_evening is not None:
        view.extra.append(by_evening)
    if question.tables and question.scope != "table":  # a table question: its answers below
        tables, caption = question.tables, f._(N_("Per table"))
        if len(tables) > MAX_TABLES:
            # Hundreds of tables help nobody on paper: those that differ most
            # from all residents, the rest in the CSV and JSON.
            spec = deck.question(question.id)
            keep = most_different(spec, question.result, [g.result for g in tables], MAX_TABLES)
            tables = [tables[i] for i in keep]
            caption = f._(
                N_(
                    "Per table: the %(shown)s of %(count)s tables whose answers differ most "
                    "from all residents' (every table is in the CSV and JSON downloads)"
                )
            ) % {"shown": MAX_TABLES, "count": len(question.tables)}
        view.extra.append(group_table(question, tables, caption, f, deck, f._(N_("Table"))))
    if len(question.table_answers) > MAX_TABLES:
        view.notes.append(
            f._(N_("The %(count)s tables' own answers are in the CSV and JSON downloads."))
            % {"count": len(question.table_answers)}
        )
    elif question.table_answers:
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
        if breakdown.sessions:
            view.extra.append(first_page.profile_by_evening(report, question, breakdown, names, f))
    return view


def _value_text(value: Any, labels: dict[str, str]) -> str:
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{labels.get(k, k)} {v}" for k, v in value.items() if v)
    return labels.get(str(value), str(value))


def stylesheet() -> Markup:
    """The report's stylesheet, to put inside a downloaded page."""
    # Safe: our own file, not user input.
    return Markup((STATIC_DIR / "report.css").read_text(encoding="utf-8"))  # noqa: S704


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
    zone: str = "UTC",
    extra: dict[str, Any] | None = None,
) -> str:
    f = Formatter(report.language, zone)
    views = [question_view(deck, report, i, q, f) for i, q in enumerate(report.questions)]
    top = [m for m in report.priorities.measures if m.support is not None][:10]
    questions = {q.id: q for q in report.questions}
    bars = [
        Bar(
            labels_of(questions[m.question_id])[m.option_id], m.support or 0.0, f.percent(m.support)
        )
        for m in top
    ]
    alt = priorities_alt(
        [
            (b.label, questions[m.question_id].prompt, m.support, m.respondents)
            for b, m in zip(bars, top, strict=True)
        ],
        f,
    )
    priorities_chart = bar_chart("priorities", alt, bars, 100.0) if bars else None
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
        min_group=MIN_GROUP,
        max_tables=MAX_TABLES,
        max_comments=MAX_COMMENTS,
        summary=first_page.summary(report, f),
        evenings=first_page.evening_names(report, f),
        scale_ends=lambda q: first_page.scale_ends(q, f),
        **(extra or {}),
    )
