"""The report's content: every figure, from strategyroom.aggregate, for one
session or several sessions of the same deck side by side with their total.

The HTML page, the PDF, the CSV and the JSON are all drawn from a
:class:`Report`; the JSON is its ``model_dump`` and report.schema.json its JSON
Schema. Which rows a question counts and whether its result is the one frozen
at close are the rules every screen follows (strategyroom.live.policy); the
total across several sessions is counted from all their answer rows (which
cannot change after close either). Breakdowns (tables, profiles, pairs) are
counted from the rows, by the same functions the live console uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from strategyroom.aggregate import (
    GroupFigures,
    Impact,
    Priorities,
    Result,
    aggregate,
    agreement,
    by_group,
    package_impact,
    priorities,
)
from strategyroom.aggregate.compare import MeasureComparison, compare_measures
from strategyroom.aggregate.compute import check_values
from strategyroom.aggregate.suppression import hidden_groups, suppressed
from strategyroom.decks import Deck, Question
from strategyroom.decks.schema import Scale, options_of
from strategyroom.decks.titles import session_title
from strategyroom.live.policy import (
    ResultSource,
    Rows,
    counted_rows,
    group_min_size,
    question_result,
    result_source,
)
from strategyroom.reports import glossary
from strategyroom.reports.data import SessionData
from strategyroom.reports.evenings import (
    ChangeReport,
    SessionComment,
    changes,
    comments,
    counted_answers,
    held_at,
    rows_of,
)
from strategyroom.reports.glossary import AttributeInfo
from strategyroom.reports.insight import ReportInsight, report_insight
from strategyroom.reports.profiles import ProfileBreakdown, breakdowns
from strategyroom.reports.themes import QuestionThemes, question_themes

SCHEMA_ID: Literal["strategyroom-report/1"] = "strategyroom-report/1"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeckInfo(_Model):
    id: str
    version: str  # the deck's own version text, as its author wrote it
    # The deck library's version number the sessions were opened with (none for a
    # session opened before the library).
    number: int | None
    title: str
    attributes: list[AttributeInfo]  # what impact totals, targets and caps are in


class SessionInfo(_Model):
    id: str
    title: str  # the evening's name and place as typed, else the deck's title (decks.titles)
    status: str  # lobby, running or ended
    created_at: datetime
    # The evening's date: when its first question opened (the session row may be
    # made days before), else when it was made.
    held_at: datetime
    ended_at: datetime | None
    participants: int  # residents' own devices that joined (not the tables' shared tablets)
    tablets: int  # the tables' shared tablets
    tables: list[str]  # the table labels, in number order
    # The facilitator's introduction, plain text ("" when none): shown above the summary.
    introduction: str


class OptionLabel(_Model):
    id: str
    label: str


class SessionFigures(_Model):
    session_id: str
    state: Literal["pending", "open", "closed"]
    frozen: bool  # the result was read from the figures frozen at close
    result: Result
    agreement: float | None
    impact: Impact | None


class TableAnswerFigures(_Model):
    table: str
    value: Any  # the table's agreed answer, normalised
    impact: Impact | None


class QuestionReport(_Model):
    id: str
    type: str
    scope: Literal["individual", "table"]  # table: each table's one agreed answer counts
    card_id: str
    card_title: str
    scenario: str | None
    prompt: str
    profile: bool
    options: list[OptionLabel]
    scale_labels: list[str]  # a scale question: what its lowest and highest value mean
    state: Literal["pending", "open", "closed"]  # closed only when closed in every session
    result: Result  # the room (all sessions together)
    agreement: float | None
    impact: Impact | None  # package questions: the room's mean package
    sessions: list[SessionFigures]
    tables: list[GroupFigures]
    table_answers: list[TableAnswerFigures]
    profiles: list[ProfileBreakdown]
    comments: list[SessionComment]  # text questions: every comment, by evening, oldest first
    themes: QuestionThemes | None  # text questions: the comments grouped by what they are about


class TablePriorities(_Model):
    table: str
    # The table's top measures: only those someone at the table supported (support
    # above 0), best first; every table's full figures are in QuestionReport.tables.
    priorities: Priorities


class Report(_Model):
    report_schema: Literal["strategyroom-report/1"] = SCHEMA_ID
    generated_at: datetime
    language: str
    units: dict[str, str]  # each figure's name -> what it counts, in which unit
    council: str
    deck: DeckInfo
    sessions: list[SessionInfo]
    participants: int
    priorities: Priorities  # residents' answers only (questions for each resident)
    table_votes: Priorities  # the tables' agreed answers only: one per table, never ranked
    # beside residents' answers
    comparison: list[MeasureComparison]  # several sessions: every measure per evening
    session_priorities: list[SessionPriorities]
    table_priorities: list[TablePriorities]
    questions: list[QuestionReport]
    changes: list[ChangeReport]
    # Opinion groups and common ground; the room against the town and every figure
    # weighted to it (reports/insight.py).
    insight: ReportInsight


class SessionPriorities(_Model):
    session_id: str
    priorities: Priorities


Report.model_rebuild()


# -- building ----------------------------------------------------------------------------


def _session_figures(deck: Deck, question: Question, data: SessionData) -> SessionFigures:
    run = data.runs.get(question.id)
    answers = counted_answers(question, data)
    # Frozen at close, or live before (policy.result_source), as every screen reads it.
    result = question_result(question, run, lambda: rows_of(answers))
    values = [a.value for a in answers]
    return SessionFigures(
        session_id=data.room.id,
        state="pending" if run is None else run.state.value,
        frozen=result_source(run) is ResultSource.FROZEN,
        result=result,
        agreement=agreement(question, values),
        impact=package_impact(deck, question, values),
    )


def _table_name(data: SessionData, name: str, several: bool, language: str) -> str:
    return f"{session_title(data.room, data.deck, language)}: {name}" if several else name


def _tables(
    deck: Deck, question: Question, sessions: Sequence[SessionData], language: str
) -> tuple[list[GroupFigures], list[TableAnswerFigures]]:
    """Each table's figures (its members' answers, or for a table question its own
    answer) and each table's own answer (several sessions: the table names carry
    the session's title). The answers' values are checked (_question_report).

    A table below the minimum is hidden, and then the smallest shown tables too
    while the session's respondents outside the shown tables (hidden tables and
    unseated residents) are fewer than the minimum (aggregate.suppression, as for
    profile groups): otherwise the room minus the shown tables would be a small
    table. Tables belong to one session, so a report over several sessions hides
    what each session's own report hides, and every session's rest stays 0 or at
    least the minimum in their sum too."""
    several = len(sessions) > 1
    tables: list[GroupFigures] = []
    table_answers: list[TableAnswerFigures] = []
    for s in sessions:
        answers = counted_answers(question, s)
        seats = (
            {name: name for name in s.tables.names}
            if counted_rows(question) is Rows.TABLES
            else s.tables.tables
        )
        small = group_min_size(question)
        groups = by_group(
            deck, question, answers, seats, s.tables.names, min_size=small, checked=True
        )
        counts = Counter(seats[a.participant_id] for a in answers if a.participant_id in seats)
        hidden = hidden_groups(counts, len(answers), small)
        for g in groups:
            shown = suppressed(g) if g.group in hidden else g
            tables.append(
                shown.model_copy(update={"group": _table_name(s, g.group, several, language)})
            )
        table_answers += [
            TableAnswerFigures(
                table=_table_name(s, t.table, several, language),
                value=t.value,
                impact=package_impact(deck, question, [t.value]),
            )
            for t in s.tables.answers
            if t.question_id == question.id
        ]
    return tables, table_answers


def _scale_labels(deck: Deck, question: Question, language: str) -> list[str]:
    if not isinstance(question, Scale):
        return []
    return [deck.text(question.min_label, language), deck.text(question.max_label, language)]


def _question_report(
    deck: Deck, card_index: int, sessions: Sequence[SessionData], language: str
) -> QuestionReport:
    card = deck.cards[card_index]
    question = card.question
    assert question is not None
    several = len(sessions) > 1
    per_session = [_session_figures(deck, question, s) for s in sessions]
    answers = [a for s in sessions for a in counted_answers(question, s)]
    values = [a.value for a in answers]
    # Checked once here, not again for each table and profile group (a closed
    # question's room result is read frozen, without its rows).
    check_values(question, values)
    tables, table_answers = _tables(deck, question, sessions, language)
    profiles = breakdowns(deck, question, sessions, answers)
    states = {f.state for f in per_session}
    return QuestionReport(
        id=question.id,
        type=question.type.value,
        scope=question.scope,
        card_id=card.id,
        card_title=deck.text(card.title, language),
        scenario=card.scenario,
        prompt=deck.text(question.prompt, language),
        profile=getattr(question, "profile", False),
        options=[
            OptionLabel(id=o.id, label=deck.text(o.label, language)) for o in options_of(question)
        ],
        scale_labels=[
            deck.text(question.min_label, language),
            deck.text(question.max_label, language),
        ]
        if isinstance(question, Scale)
        else [],
        state="closed" if states == {"closed"} else "open" if "open" in states else "pending",
        # One session: the room is that session (its figures are not computed twice).
        result=per_session[0].result if not several else aggregate(question, rows_of(answers)),
        agreement=per_session[0].agreement if not several else agreement(question, values),
        impact=per_session[0].impact if not several else package_impact(deck, question, values),
        sessions=per_session,
        tables=tables,
        table_answers=table_answers,
        profiles=profiles,
        comments=comments(question, sessions),
        themes=question_themes(question, sessions)[0],
    )


def _scoped(
    questions: Sequence[QuestionReport], scope: str, per_session: int | None = None
) -> dict[str, Result]:
    """Question id -> result of the questions of one scope (the room's, or one session's)."""
    return {
        q.id: q.result if per_session is None else q.sessions[per_session].result
        for q in questions
        if q.scope == scope
    }


def _comparison(
    deck: Deck, sessions: Sequence[SessionData], questions: Sequence[QuestionReport]
) -> list[MeasureComparison]:
    if len(sessions) < 2:
        return []
    ids = [s.room.id for s in sessions]
    return [
        c
        for q in questions
        for c in compare_measures(deck.question(q.id), ids, [f.result for f in q.sessions])
    ]


def _table_priorities(deck: Deck, questions: Sequence[QuestionReport]) -> list[TablePriorities]:
    names: list[str] = []
    results: dict[str, dict[str, Result]] = {}
    for question in questions:
        for group in question.tables:
            if group.group not in names:  # a table whose figures are all hidden too
                names.append(group.group)
            if group.result is not None:
                results.setdefault(group.group, {})[question.id] = group.result
    return [
        TablePriorities(table=n, priorities=_supported(priorities(deck, results.get(n, {}))))
        for n in names
    ]


def _supported(ranked: Priorities) -> Priorities:
    """Only the measures with some support: a measure nobody at a table supported
    (0 %, or no answers) is not one of the table's top measures."""
    measures = [m for m in ranked.measures if m.support is not None and m.support > 0]
    return ranked.model_copy(update={"measures": measures})


def build_report(
    sessions: Sequence[SessionData], language: str, council: str, generated_at: datetime
) -> Report:
    """The report over one or more sessions of the same deck (the first's deck)."""
    deck = sessions[0].deck
    card_indexes = [i for i, card in enumerate(deck.cards) if card.question is not None]
    questions = [_question_report(deck, i, sessions, language) for i in card_indexes]
    several = len(sessions) > 1
    return Report(
        generated_at=generated_at,
        language=language,
        council=council,
        deck=DeckInfo(
            id=deck.id,
            version=deck.version,
            number=sessions[0].room.deck_number,
            title=deck.text(deck.title, language),
            attributes=glossary.attributes(deck, language),
        ),
        units=glossary.UNITS,
        sessions=[
            SessionInfo(
                id=s.room.id,
                title=session_title(s.room, s.deck, language),
                status=s.room.status.value,
                created_at=s.room.created_at,
                held_at=held_at(s),
                ended_at=s.room.ended_at,
                participants=s.participants,
                tablets=s.tablets,
                tables=list(s.tables.names),
                introduction=s.room.introduction,
            )
            for s in sessions
        ],
        participants=sum(s.participants for s in sessions),
        priorities=priorities(deck, _scoped(questions, "individual")),
        table_votes=priorities(deck, _scoped(questions, "table")),
        comparison=_comparison(deck, sessions, questions),
        session_priorities=[
            SessionPriorities(
                session_id=s.room.id,
                priorities=priorities(deck, _scoped(questions, "individual", i)),
            )
            for i, s in enumerate(sessions)
        ]
        if several
        else [],
        table_priorities=_table_priorities(deck, questions),
        questions=questions,
        changes=changes(deck, sessions),
        insight=report_insight(deck, sessions, language),
    )
