"""The live figures per table: reading the rows the aggregates need.

Every figure is computed in strategyroom.aggregate (agreement, impact,
priorities, groups); this module only reads who sits where and who answered
what, so the console, the phones, the projector and the API share one reading.
Which screen may see which of them is the read model's decision
(strategyroom.live.readmodel).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session, col, select

from strategyroom.aggregate import (
    AnswerRow,
    GroupFigures,
    ParticipantAnswer,
    Priorities,
    Result,
    aggregate,
    by_group,
    priorities,
)
from strategyroom.aggregate.groups import group_figures, rows_of
from strategyroom.decks import Deck, Question
from strategyroom.decks.schema import FreeText, options_of
from strategyroom.live import drafts
from strategyroom.live.policy import Rows, counted_rows, group_min_size, question_result
from strategyroom.live.state import LiveState
from strategyroom.store.models import Answer, Participant, QuestionRun, QuestionState, TableAnswer


def seats(db: Session, session_id: str) -> dict[str, str]:
    """participant id -> the number (as text) of the table they sit at."""
    rows = db.exec(
        select(Participant.id, Participant.table_number).where(
            Participant.session_id == session_id, col(Participant.table_number).is_not(None)
        )
    ).all()
    return {pid: str(table) for pid, table in rows}


def participant_answers(db: Session, session_id: str, question_id: str) -> list[ParticipantAnswer]:
    rows = db.exec(
        select(Answer.participant_id, Answer.value, Answer.answered_at)
        .where(Answer.session_id == session_id, Answer.question_id == question_id)
        .order_by(col(Answer.id))
    ).all()
    return [ParticipantAnswer(pid, value, at) for pid, value, at in rows]


def table_figures(
    db: Session, deck: Deck, state: LiveState, question: Question
) -> dict[int, GroupFigures]:
    """Each table's figures on a question, by table number.

    An individual question: the table's members' answers (distribution,
    agreement, mean package). A table question: the table's one draft or
    submitted answer, so its package's impact shows live as the draft changes.
    """
    order = [str(n) for n in sorted(state.tables)]
    if counted_rows(question) is Rows.TABLES:
        views = drafts.table_views(db, state.session_id, question.id)
        found = {}
        for number in sorted(state.tables):
            view = views.get(number)
            answers = []
            if view is not None and view.changed_at is not None:
                at = view.submitted_at or view.changed_at
                answers = [ParticipantAnswer(f"table-{number}", view.value, at)]
            found[number] = group_figures(deck, question, str(number), answers)
        return found
    answers = participant_answers(db, state.session_id, question.id)
    groups = by_group(
        deck,
        question,
        answers,
        seats(db, state.session_id),
        order=order,
        min_size=group_min_size(question),
    )
    return {int(g.group): g for g in groups if g.group.isdigit()}


def prior_question(deck: Deck, question: Question) -> Question | None:
    """The individual question a table question follows on: the last one before
    it in the deck with the same options (each resident's own budget before the
    table's plan). A table's agreement on it says how split its members were
    when they each answered on their own; the draft the table shares has none.
    """
    if counted_rows(question) is not Rows.TABLES:
        return None
    options = {o.id for o in options_of(question)}
    found = None
    for earlier in deck.questions():
        if earlier.id == question.id:
            return found
        same = {o.id for o in options_of(earlier)} == options
        if counted_rows(earlier) is Rows.PARTICIPANTS and options and same:
            found = earlier
    return None


def room_figures(db: Session, deck: Deck, state: LiveState, question: Question) -> GroupFigures:
    """The whole room's figures on an individual question, beside the tables'."""
    answers = participant_answers(db, state.session_id, question.id)
    return group_figures(deck, question, "room", answers)


@dataclass(frozen=True)
class RoomPriorities:
    """The room's ranking of measures and scenarios, and each table's."""

    room: Priorities
    tables: dict[int, Priorities]

    def by_table(self) -> dict[str, dict[int, float | None]]:
        """Each measure's ("question/option") and scenario's support per table."""
        found: dict[str, dict[int, float | None]] = {}
        for number, ranked in self.tables.items():
            for measure in ranked.measures:
                key = f"{measure.question_id}/{measure.option_id}"
                found.setdefault(key, {})[number] = measure.support
            for scenario in ranked.scenarios:
                found.setdefault(scenario.scenario, {})[number] = scenario.support
        return found


def _asked(db: Session, session_id: str) -> dict[str, QuestionRun]:
    runs = db.exec(select(QuestionRun).where(QuestionRun.session_id == session_id)).all()
    return {run.question_id: run for run in runs if run.state is not QuestionState.PENDING}


class _SessionAnswers:
    """Every answer of a session, read in two queries (not two per question): the
    console's priorities are redrawn with each tally flush."""

    def __init__(self, db: Session, session_id: str) -> None:
        self.people: dict[str, list[ParticipantAnswer]] = {}
        rows = db.exec(
            select(Answer.question_id, Answer.participant_id, Answer.value, Answer.answered_at)
            .where(Answer.session_id == session_id)
            .order_by(col(Answer.id))
        ).all()
        for qid, pid, value, at in rows:
            self.people.setdefault(qid, []).append(ParticipantAnswer(pid, value, at))
        self.tables: dict[str, dict[int, AnswerRow]] = {}
        table_rows = db.exec(
            select(
                TableAnswer.question_id,
                TableAnswer.table_number,
                TableAnswer.value,
                TableAnswer.submitted_at,
            )
            .where(TableAnswer.session_id == session_id)
            .order_by(col(TableAnswer.table_number))
        ).all()
        for qid, number, value, at in table_rows:
            self.tables.setdefault(qid, {})[number] = AnswerRow(value, at)

    def room_rows(self, question: Question) -> list[AnswerRow]:
        """The rows the room's result counts (``policy.counted_rows``)."""
        if counted_rows(question) is Rows.TABLES:
            return list(self.tables.get(question.id, {}).values())
        return rows_of(self.people.get(question.id, []))


def _table_results(
    deck: Deck,
    state: LiveState,
    question: Question,
    answers: _SessionAnswers,
    where: Mapping[str, str],
) -> dict[int, Result]:
    """Each table's result on a question: its members' answers, or its submitted
    answer (``policy.counted_rows``)."""
    if counted_rows(question) is Rows.TABLES:
        submitted = answers.tables.get(question.id, {})
        return {
            n: aggregate(question, [submitted[n]] if n in submitted else [])
            for n in sorted(state.tables)
        }
    order = [str(n) for n in sorted(state.tables)]
    groups = by_group(
        deck,
        question,
        answers.people.get(question.id, []),
        where,
        order=order,
        min_size=group_min_size(question),  # a small table's priorities would tell
    )
    return {int(g.group): g.result for g in groups if g.group.isdigit() and g.result is not None}


def room_priorities(db: Session, deck: Deck, state: LiveState) -> RoomPriorities:
    """Priorities from every question asked so far, for the room and per table."""
    runs = _asked(db, state.session_id)
    where = seats(db, state.session_id)
    answers = _SessionAnswers(db, state.session_id)
    room: dict[str, Result] = {}
    tables: dict[int, dict[str, Result]] = {n: {} for n in state.tables}
    for question in deck.questions():
        run = runs.get(question.id)
        if run is None or isinstance(question, FreeText):  # text has no priorities
            continue
        # The same figures the reports read (policy.question_result).
        room[question.id] = question_result(question, run, partial(answers.room_rows, question))
        for number, result in _table_results(deck, state, question, answers, where).items():
            tables.setdefault(number, {})[question.id] = result
    return RoomPriorities(
        room=priorities(deck, room),
        tables={n: priorities(deck, results) for n, results in sorted(tables.items())},
    )
