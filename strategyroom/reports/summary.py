"""The report's first page and its comparisons between evenings, as text and
tables in the reader's language, generated from the report's figures (no
figure is computed here: strategyroom.aggregate.compare and .change do that).

Every evening is named by its title and date (``evening_name``), never by its
id, and every figure says whose answers it counts: residents' own answers, or
the tables' agreed answers (one per table), which are never ranked together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from strategyroom.aggregate.compare import MeasureComparison, clearest_differences
from strategyroom.aggregate.results import ScaleResult
from strategyroom.live.errors import N_
from strategyroom.reports.html_format import Formatter, Table
from strategyroom.reports.html_format import summary as result_text
from strategyroom.reports.model import QuestionReport, Report, SessionInfo
from strategyroom.reports.profiles import ProfileBreakdown


def evening_name(info: SessionInfo, f: Formatter) -> str:
    """An evening as the report names it: its title and date."""
    return f"{info.title} ({f.day(info.held_at)})"


def evening_names(report: Report, f: Formatter) -> dict[str, str]:
    return {s.id: evening_name(s, f) for s in report.sessions}


@dataclass
class Summary:
    turnout: Table
    broad: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    change: list[Table] = field(default_factory=list)
    limitations: list[str] = field(default_factory=list)


def _label(report: Report, question_id: str, option_id: str) -> tuple[str, str]:
    question = next(q for q in report.questions if q.id == question_id)
    label = next(o.label for o in question.options if o.id == option_id)
    return label, question.prompt


def _turnout(report: Report, f: Formatter) -> Table:
    head = [f._(N_("Evening")), f._(N_("Residents")), f._(N_("Tables"))]
    rows = [[evening_name(s, f), str(s.participants), str(len(s.tables))] for s in report.sessions]
    if len(report.sessions) > 1:
        tables = sum(len(s.tables) for s in report.sessions)
        rows.append([f._(N_("All evenings")), str(report.participants), str(tables)])
    return Table(f._(N_("Who took part: residents' own devices")), head, rows)


def _broad(report: Report, f: Formatter) -> list[str]:
    lines = []
    for c in report.comparison if len(report.sessions) > 1 else []:
        if not c.broad:
            continue
        label, prompt = _label(report, c.question_id, c.option_id)
        supports = [e.support for e in c.sessions if e.support is not None]
        lines.append(
            f._(
                N_(
                    "%(measure)s (%(question)s): %(low)s to %(high)s of the residents "
                    "in each evening"
                )
            )
            % {
                "measure": label,
                "question": prompt,
                "low": f.percent(min(supports)),
                "high": f.percent(max(supports)),
            }
        )
    return lines


def difference_text(report: Report, c: MeasureComparison, f: Formatter) -> str:
    """A difference between two evenings, with both evenings' numbers of
    respondents and the difference's 95 % interval."""
    assert c.difference is not None
    names = evening_names(report, f)
    by_id = {e.session_id: e for e in c.sessions}
    high, low = by_id[c.difference.high], by_id[c.difference.low]
    label, prompt = _label(report, c.question_id, c.option_id)
    return f._(
        N_(
            "%(measure)s (%(question)s): %(high_share)s in %(high)s (%(high_chose)s of "
            "%(high_n)s residents) against %(low_share)s in %(low)s (%(low_chose)s of "
            "%(low_n)s), a difference of %(points)s percentage points (95 %% interval "
            "%(ci_low)s to %(ci_high)s)"
        )
    ) % {
        "measure": label,
        "question": prompt,
        "high_share": f.percent(high.support),
        "high": names[high.session_id],
        "high_chose": high.chose,
        "high_n": high.respondents,
        "low_share": f.percent(low.support),
        "low": names[low.session_id],
        "low_chose": low.chose,
        "low_n": low.respondents,
        "points": f.number(c.difference.points, 0),
        "ci_low": f.number(c.difference.ci_low, 0),
        "ci_high": f.number(c.difference.ci_high, 0),
    }


def change_tables(report: Report, f: Formatter) -> list[Table]:
    """Each pair of scale questions' mean change per evening and over all, with
    its interval: a move in one evening is not hidden in the total."""
    names = evening_names(report, f)
    questions = {q.id: q for q in report.questions}
    head = [
        f._(N_("Evening")),
        f._(N_("Pairs")),
        f._(N_("Mean before")),
        f._(N_("Mean after")),
        f._(N_("Mean change")),
        f._(N_("95 %% confidence interval")) % {},
    ]
    tables = []
    for c in report.changes:
        rows = []
        parts = [(names[s.session_id], s.change) for s in c.sessions]
        label = f._(N_("All evenings")) if parts else f._(N_("The evening"))
        for name, change in [*parts, (label, c.change)]:
            if change.kind != "scale":
                continue
            interval = (
                f"{f.fixed(change.ci_low)} {f._(N_('to'))} {f.fixed(change.ci_high)}"
                if change.ci_low is not None and change.ci_high is not None
                else "–"
            )
            rows.append(
                [
                    name,
                    str(change.pairs),
                    f.fixed(change.mean_before),
                    f.fixed(change.mean_after),
                    f.fixed(change.mean_change, signed=True),
                    interval,
                ]
            )
        if rows:
            before = questions[c.before]
            tables.append(Table(f"{before.prompt} {scale_ends(before, f)}", head, rows))
    return tables


def scale_ends(question: QuestionReport, f: Formatter) -> str:
    """What a scale's ends mean: "(1 = Not at all, 5 = Very)"."""
    result = question.result
    if not isinstance(result, ScaleResult) or not question.scale_labels:
        return ""
    low, high = question.scale_labels
    return f"({result.min} = {low}, {result.max} = {high})"


def _limitations(report: Report, f: Formatter) -> list[str]:
    lines = [
        f._(
            N_(
                "The residents came of their own accord: they are not a random sample of "
                "their neighbourhood, and the figures say what those present thought."
            )
        )
    ]
    tables = sum(len(s.tables) for s in report.sessions)
    if report.table_votes.measures:
        lines.append(
            f._(
                N_(
                    "Table votes count one agreed answer per table (%(count)s tables in all), "
                    "not residents: they are listed apart and never ranked with residents' answers."
                )
            )
            % {"count": tables}
        )
    lines.append(
        f._(
            N_(
                "Intervals are 95 %% intervals: with a few dozen residents per evening, "
                "differences of less than about 20 percentage points may be chance."
            )
        )
        % {}
    )
    lines.append(
        f._(
            N_(
                "Percentages are rounded to whole numbers, so the options of a question "
                "may add up to 99 %% or 101 %%."
            )
        )
        % {}
    )
    lines.extend(_town(report, f))
    return lines


def _town(report: Report, f: Formatter) -> list[str]:
    """Who the room had too few of against the town, and a word on the weights."""
    missing = [
        _label(report, compared.question_id, option_id)[0]
        for compared in report.insight.town
        for option_id in compared.missing
    ]
    lines = []
    if missing:
        lines.append(
            f._(
                N_(
                    "Against the town, the room had too few of: %(groups)s. Weighting to the "
                    "town makes up for their numbers, not for their voices."
                )
            )
            % {"groups": ", ".join(missing)}
        )
    weighting = report.insight.weighting
    if weighting is not None and weighting.extreme:
        lines.append(
            f._(
                N_(
                    "The weights to the town are extreme: the weighted figures are as precise "
                    "as %(effective)s residents' answers would be."
                )
            )
            % {"effective": f.number(weighting.effective, 1)}
        )
    return lines


def summary(report: Report, f: Formatter) -> Summary:
    several = len(report.sessions) > 1
    return Summary(
        turnout=_turnout(report, f),
        broad=_broad(report, f),
        differences=[
            difference_text(report, c, f) for c in clearest_differences(report.comparison, 3)
        ]
        if several
        else [],
        change=change_tables(report, f),
        limitations=_limitations(report, f),
    )


def comparison_table(report: Report, question: QuestionReport, f: Formatter) -> Table | None:
    """A question's options by evening: support and respondents in each, whose
    answers they count in the caption."""
    rows = [c for c in report.comparison if c.question_id == question.id]
    names = evening_names(report, f)
    if rows:
        labels = {o.id: o.label for o in question.options}
        head = [f._(N_("Option")), *(names[e.session_id] for e in rows[0].sessions)]
        body = [
            [
                labels[c.option_id],
                *(
                    f"{f.percent(e.support)} ({e.respondents})" if e.respondents else "–"
                    for e in c.sessions
                ),
            ]
            for c in rows
        ]
        whose = (
            f._(N_("By evening: support (tables that answered), one answer per table"))
            if rows[0].counts == "tables"
            else f._(N_("By evening: support (residents who answered)"))
        )
        return Table(whose, head, body)
    if len(question.sessions) > 1 and isinstance(question.result, ScaleResult):
        head = [f._(N_("Evening")), f._(N_("Respondents")), f._(N_("Mean"))]
        body = [
            [names[s.session_id], str(s.result.respondents), f.fixed(s.result.mean)]
            for s in question.sessions
            if isinstance(s.result, ScaleResult)
        ]
        caption = f._(N_("By evening: residents' mean")) + " " + scale_ends(question, f)
        return Table(caption.strip(), head, body)
    return None


def profile_by_evening(
    report: Report,
    question: QuestionReport,
    breakdown: ProfileBreakdown,
    names: dict[str, str],
    f: Formatter,
) -> Table:
    """A profile breakdown per evening: each group's result and respondents in
    each evening, hidden exactly as in that evening's own report."""
    evenings = evening_names(report, f)
    head = [f._(N_("Group")), *(evenings[s.session_id] for s in breakdown.sessions)]
    rows = []
    for index, group in enumerate(breakdown.groups):
        cells = [names[group.group]]
        for part in breakdown.sessions:
            g = part.groups[index]
            cells.append(
                f._(N_("not shown"))
                if g.suppressed
                else f"{result_text(question, g.result, f)} ({g.respondents})"
            )
        rows.append(cells)
    caption = f._(N_("By evening and answer to: %(question)s")) % {
        "question": next(q.prompt for q in report.questions if q.id == breakdown.profile_question)
    }
    return Table(caption, head, rows)
