"""The report's content: every figure, from strategyroom.aggregate, for one
session or several sessions of the same deck side by side with their total.

The HTML page, the PDF, the CSV and the JSON are all drawn from a
:class:`Report`; the JSON is its ``model_dump`` and report.schema.json its JSON
Schema. Closed questions read the figures frozen at close; the total across
several sessions is counted from all their answer rows (which cannot change
after close either). Breakdowns (tables, profiles, pairs) are counted from the
rows, by the same functions the live console uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from strategyroom.aggregate import (
    AnswerRow,
    ChoiceChange,
    Comment,
    GroupFigures,
    Impact,
    ParticipantAnswer,
    Priorities,
    Result,
    ScaleChange,
    aggregate,
    agreement,
    all_comments,
    by_group,
    choice_change,
    package_impact,
    pair_rows,
    priorities,
    profile_breakdown,
    result_from_dict,
    scale_change,
)
from strategyroom.decks import Deck, Question
from strategyroom.decks.schema import FreeText, Scale, SingleChoice, options_of
from strategyroom.reports.data import SessionData

SCHEMA_ID: Literal["strategyroom-report/1"] = "strategyroom-report/1"
Change = Annotated[ScaleChange | ChoiceChange, Field(discriminator="kind")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeckInfo(_Model):
    id: str
    version: str
    title: str


class SessionInfo(_Model):
    id: str
    title: str
    status: str  # lobby, running or ended
    created_at: datetime
    ended_at: datetime | None
    participants: int  # residents' own devices that joined (not the tables' shared tablets)
    tablets: int  # the tables' shared tablets
    tables: list[str]  # the table labels, in number order


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


class ProfileBreakdown(_Model):
    profile_question: str
    groups: list[GroupFigures]  # the profile's options in deck order; small groups suppressed


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
    state: Literal["pending", "open", "closed"]  # closed only when closed in every session
    result: Result  # the room (all sessions together)
    agreement: float | None
    impact: Impact | None  # package questions: the room's mean package
    sessions: list[SessionFigures]
    tables: list[GroupFigures]
    table_answers: list[TableAnswerFigures]
    profiles: list[ProfileBreakdown]
    comments: list[Comment]  # text questions: every comment, oldest first


class ChangeReport(_Model):
    pair: str
    before: str  # question ids
    after: str
    change: Change
    sessions: list[SessionChange]


class SessionChange(_Model):
    session_id: str
    change: Change


class TablePriorities(_Model):
    table: str
    priorities: Priorities


class Report(_Model):
    report_schema: Literal["strategyroom-report/1"] = SCHEMA_ID
    generated_at: datetime
    language: str
    council: str
    deck: DeckInfo
    sessions: list[SessionInfo]
    participants: int
    priorities: Priorities
    session_priorities: list[SessionPriorities]
    table_priorities: list[TablePriorities]
    questions: list[QuestionReport]
    changes: list[ChangeReport]


class SessionPriorities(_Model):
    session_id: str
    priorities: Priorities


ChangeReport.model_rebuild()
Report.model_rebuild()


# -- building ----------------------------------------------------------------------------


def _rows(answers: Sequence[ParticipantAnswer]) -> list[AnswerRow]:
    return [AnswerRow(a.value, a.answered_at) for a in answers]


def _answers(question: Question, data: SessionData) -> list[ParticipantAnswer]:
    """The answers a question's results count: each participant's, or for a table
    question each table's submitted answer (the table's label in place of a
    participant), as the live results count them (live/rows.py)."""
    if question.scope != "table":
        return data.answers.get(question.id, [])
    return [
        ParticipantAnswer(t.table, t.value, t.submitted_at or data.room.created_at)
        for t in data.tables.answers
        if t.question_id == question.id
    ]


def _session_figures(deck: Deck, question: Question, data: SessionData) -> SessionFigures:
    run = data.runs.get(question.id)
    answers = _answers(question, data)
    frozen_results = run.frozen_results if run is not None else None
    frozen = frozen_results is not None
    result = (
        result_from_dict(frozen_results)
        if frozen_results is not None
        else aggregate(question, _rows(answers))
    )
    values = [a.value for a in answers]
    return SessionFigures(
        session_id=data.room.id,
        state="pending" if run is None else run.state.value,
        frozen=frozen,
        result=result,
        agreement=agreement(question, values),
        impact=package_impact(deck, question, values),
    )


def _table_name(data: SessionData, name: str, several: bool) -> str:
    return f"{data.room.title}: {name}" if several else name


def _tables(
    deck: Deck, question: Question, sessions: Sequence[SessionData]
) -> tuple[list[GroupFigures], list[TableAnswerFigures]]:
    """Each table's figures (its members' answers, or for a table question its own
    answer) and each table's own answer (several sessions: the table names carry
    the session's title)."""
    several = len(sessions) > 1
    tables: list[GroupFigures] = []
    table_answers: list[TableAnswerFigures] = []
    for s in sessions:
        answers = _answers(question, s)
        seats = (
            {name: name for name in s.tables.names}
            if question.scope == "table"
            else s.tables.tables
        )
        for g in by_group(deck, question, answers, seats, s.tables.names):
            tables.append(g.model_copy(update={"group": _table_name(s, g.group, several)}))
        table_answers += [
            TableAnswerFigures(
                table=_table_name(s, t.table, several),
                value=t.value,
                impact=package_impact(deck, question, [t.value]),
            )
            for t in s.tables.answers
            if t.question_id == question.id
        ]
    return tables, table_answers


def _profiles(
    deck: Deck,
    question: Question,
    sessions: Sequence[SessionData],
    answers: Sequence[ParticipantAnswer],
) -> list[ProfileBreakdown]:
    """The question broken down by every profile question (not for text or profiles)."""
    if (
        isinstance(question, FreeText)
        or getattr(question, "profile", False)
        or question.scope == "table"
    ):
        return []
    breakdowns = []
    for profile in deck.questions():
        if isinstance(profile, SingleChoice) and profile.profile:
            profile_answers = [a for s in sessions for a in s.answers.get(profile.id, [])]
            groups = profile_breakdown(deck, profile, profile_answers, question, answers)
            breakdowns.append(ProfileBreakdown(profile_question=profile.id, groups=groups))
    return breakdowns


def _question_report(
    deck: Deck, card_index: int, sessions: Sequence[SessionData], language: str
) -> QuestionReport:
    card = deck.cards[card_index]
    question = card.question
    assert question is not None
    several = len(sessions) > 1
    per_session = [_session_figures(deck, question, s) for s in sessions]
    answers = [a for s in sessions for a in _answers(question, s)]
    values = [a.value for a in answers]
    tables, table_answers = _tables(deck, question, sessions)
    profiles = _profiles(deck, question, sessions, answers)
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
        state="closed" if states == {"closed"} else "open" if "open" in states else "pending",
        # One session: the room is that session (its figures are not computed twice).
        result=per_session[0].result if not several else aggregate(question, _rows(answers)),
        agreement=per_session[0].agreement if not several else agreement(question, values),
        impact=per_session[0].impact if not several else package_impact(deck, question, values),
        sessions=per_session,
        tables=tables,
        table_answers=table_answers,
        profiles=profiles,
        comments=all_comments(_rows(answers)) if isinstance(question, FreeText) else [],
    )


def _change(question: Question, before: dict[str, Any], after: dict[str, Any]) -> Change:
    rows = pair_rows(before, after)
    if isinstance(question, Scale):
        return scale_change(rows)
    return choice_change([o.id for o in options_of(question)], rows)


def _changes(deck: Deck, sessions: Sequence[SessionData]) -> list[ChangeReport]:
    halves: dict[str, dict[str, Question]] = {}
    for question in deck.questions():
        pair = getattr(question, "pair", None)
        if pair is not None:
            halves.setdefault(pair.id, {})[pair.phase] = question
    reports = []
    for pair_id, phases in halves.items():
        before, after = phases["before"], phases["after"]

        def answers(data: Sequence[SessionData], q: Question) -> dict[str, Any]:
            return {a.participant_id: a.value for s in data for a in s.answers.get(q.id, [])}

        reports.append(
            ChangeReport(
                pair=pair_id,
                before=before.id,
                after=after.id,
                change=_change(before, answers(sessions, before), answers(sessions, after)),
                sessions=[
                    SessionChange(
                        session_id=s.room.id,
                        change=_change(before, answers([s], before), answers([s], after)),
                    )
                    for s in sessions
                ]
                if len(sessions) > 1
                else [],
            )
        )
    return reports


def _table_priorities(deck: Deck, questions: Sequence[QuestionReport]) -> list[TablePriorities]:
    names: list[str] = []
    results: dict[str, dict[str, Result]] = {}
    for question in questions:
        for group in question.tables:
            if group.group not in results:
                names.append(group.group)
            if group.result is not None:
                results.setdefault(group.group, {})[question.id] = group.result
    return [
        TablePriorities(table=n, priorities=priorities(deck, results.get(n, {}))) for n in names
    ]


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
        deck=DeckInfo(id=deck.id, version=deck.version, title=deck.text(deck.title, language)),
        sessions=[
            SessionInfo(
                id=s.room.id,
                title=s.room.title,
                status=s.room.status.value,
                created_at=s.room.created_at,
                ended_at=s.room.ended_at,
                participants=s.participants,
                tablets=s.tablets,
                tables=list(s.tables.names),
            )
            for s in sessions
        ],
        participants=sum(s.participants for s in sessions),
        priorities=priorities(deck, {q.id: q.result for q in questions}),
        session_priorities=[
            SessionPriorities(
                session_id=s.room.id,
                priorities=priorities(deck, {q.id: q.sessions[i].result for q in questions}),
            )
            for i, s in enumerate(sessions)
        ]
        if several
        else [],
        table_priorities=_table_priorities(deck, questions),
        questions=questions,
        changes=_changes(deck, sessions),
    )
