"""The rules of what a question's figures are and who may see them, one
function each; every screen, the JSON API, the websocket frames and the
reports call these instead of deciding for themselves.

- ``counted_rows``: which rows a question counts (each participant's answer,
  or each table's submitted answer).
- ``result_source`` and ``question_result``: a question's result is frozen at
  close, and counted live from its rows before.
- ``group_min_size``: how many of a group (a table, a profile group) must
  have answered before the group's own figures are shown (``MIN_GROUP``, from
  strategyroom.aggregate, which the reports share).
- ``may_see``: who may see a figure (the console, the projector, a phone or a
  table's tablet), given the question's status, and ``table_seen``: of which
  tables; ``revealed_by``: which question's results an event shows the room;
  ``event_seen``: which events reach a screen as they are.

The read model (strategyroom.live.readmodel) applies them to load one finished
scene per audience; docs/aggregates.md states them in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from strategyroom.aggregate import MIN_GROUP, AnswerRow, Result, aggregate, result_from_dict
from strategyroom.aggregate.impact import is_package
from strategyroom.decks import Question
from strategyroom.decks.schema import FreeText
from strategyroom.live.events import (
    Event,
    HelpAcknowledged,
    HelpDone,
    HelpRequested,
    QuestionClosed,
    ResultsRevealed,
)
from strategyroom.live.state import QuestionStatus
from strategyroom.store.models import QuestionRun, QuestionState

# -- which rows a question counts ------------------------------------------------------


class Rows(StrEnum):
    PARTICIPANTS = "participants"  # one row per participant who answered
    TABLES = "tables"  # one row per table that submitted (drafts never count)


def counted_rows(question: Question) -> Rows:
    """The rows a question's figures count: a table question counts each table's
    one submitted answer, any other question each participant's current answer."""
    return Rows.TABLES if question.scope == "table" else Rows.PARTICIPANTS


# -- frozen at close, or live ----------------------------------------------------------


class ResultSource(StrEnum):
    FROZEN = "frozen"  # computed once in the transaction that closed the question
    LIVE = "live"  # counted from the rows each time it is shown


def result_source(run: QuestionRun | None) -> ResultSource:
    """Where a question's result comes from: the figures frozen at close once they
    exist (they never change again), else the rows as they are now."""
    if run is not None and run.frozen_results is not None:
        return ResultSource.FROZEN
    return ResultSource.LIVE


def question_result(
    question: Question, run: QuestionRun | None, rows: Callable[[], Sequence[AnswerRow]]
) -> Result:
    """A question's result by ``result_source``; ``rows`` (the ``counted_rows``)
    are read only when the result is live."""
    if result_source(run) is ResultSource.FROZEN:
        assert run is not None and run.frozen_results is not None
        return result_from_dict(run.frozen_results)
    return aggregate(question, list(rows()))


# -- how small a group may be shown ----------------------------------------------------

# A group's own figures (a table's members' answers to an individual question,
# a profile group's) are shown only when at least this many of its members
# answered: below it, a member who knows their own answer could work out a
# neighbour's ("your answer" beside "your table's answers" on a table of two),
# or a report could single someone out by their age band. The same on the
# phones, the projector, the console, the JSON API, the websocket frames and
# the reports.


def group_min_size(question: Question) -> int:
    """The fewest of a group who must have answered ``question`` for the group's
    figures to be shown: ``MIN_GROUP`` for an individual question; none for a
    table question, whose figures are each table's own agreed answer."""
    return 0 if counted_rows(question) is Rows.TABLES else MIN_GROUP


# -- who may see a figure --------------------------------------------------------------


class Screen(StrEnum):
    CONSOLE = "console"
    PROJECTOR = "projector"
    PHONE = "phone"
    TABLET = "tablet"  # a table's shared tablet
    # Every device in the room at once (projector, phones, tablets): what a shared
    # load reads before it is narrowed to one of them; never drawn as it is.
    ROOM = "room"


@dataclass(frozen=True)
class Audience:
    """Who a scene is for: the console, the projector, or a device with its seat."""

    screen: Screen
    table: int | None = None  # the table a phone or tablet sits at

    @classmethod
    def console(cls) -> Audience:
        return cls(Screen.CONSOLE)

    @classmethod
    def projector(cls) -> Audience:
        return cls(Screen.PROJECTOR)

    @classmethod
    def room(cls) -> Audience:
        return cls(Screen.ROOM)

    @classmethod
    def device(cls, table: int | None, tablet: bool = False) -> Audience:
        return cls(Screen.TABLET if tablet else Screen.PHONE, table)

    @property
    def is_console(self) -> bool:
        return self.screen is Screen.CONSOLE

    @property
    def seated(self) -> bool:
        """A phone or tablet at a table: it sees its own table's draft and figures."""
        return self.screen in (Screen.PHONE, Screen.TABLET) and self.table is not None


class Figure(StrEnum):
    RESULTS = "results"  # the room's result of a question
    TABLE_FIGURES = "table_figures"  # each table's distribution and agreement, the room's beside
    SPLIT = "split"  # a table's agreement on the question its table question follows on
    IMPACT = "impact"  # the impact meter of a table's own package draft
    DRAFTS = "drafts"  # the tables' drafts and submitted answers of a table question
    PRIORITIES = "priorities"  # the room's and each table's priorities
    COUNTS = "counts"  # answer, join and presence counts, and the table overview
    ANSWERED = "answered"  # how many have answered the shown question (never what)
    # Who can answer the shown question (the console's "3 of 4 answered"): the
    # joined phones, or the tables with someone seated.
    CAN_ANSWER = "can_answer"
    # The room's opinion groups, their common ground and the room against the
    # town (strategyroom.live.insight): the console's, across every question.
    INSIGHT = "insight"
    # The themes of a text question's comments (strategyroom.aggregate.themes):
    # the console's alone, once the question was opened. They quote comments,
    # which only the console sees live (the room sees the newest few once revealed).
    THEMES = "themes"
    # The same themes as the room sees them on the projector, when the
    # facilitator puts them there: labels, sizes and a short quote or two, once
    # the question's results (its comments) are shown to the room.
    ROOM_THEMES = "room_themes"
    # The measures every opinion group supports, with each group's size and share
    # (strategyroom.aggregate.opinion): the console's, and the projector's when
    # the facilitator puts them there. Groups are never under MIN_GROUP.
    COMMON_GROUND = "common_ground"
    # A table's call for the facilitator (asked, or on the way) and, for the
    # console, why the live layer flags a table by itself (live/help.py).
    HELP = "help"
    HELP_REASONS = "help_reasons"


# A device at some table stands for every seated phone and tablet (they see the
# same kinds of figure, each of its own table).
_ROOM_DEVICES = (Audience.projector(), Audience(Screen.PHONE, 1))


def may_see(
    audience: Audience, figure: Figure, question: Question | None, status: QuestionStatus | None
) -> bool:
    """Whether ``audience`` may see ``figure`` of ``question`` (status: that
    question's). The console sees every figure of a question once it was opened;
    the room sees results and per-table figures once they are revealed, a table
    its own draft and, for a package, its impact meter while it is being agreed;
    priorities, counts, who can answer and why a table is flagged are the console's alone,
    except the number of answers to the shown question, which the projector shows while the
    question is open; the themes of a text question's comments are the console's alone, once
    it was opened, and the projector sees them too (labels, sizes, a short quote) once the
    question's results are revealed; the common ground of the opinion groups is the console's
    and the projector's; a seated device sees its own table's call for help."""
    if audience.screen is Screen.ROOM:
        return any(may_see(a, figure, question, status) for a in _ROOM_DEVICES)
    if figure is Figure.ANSWERED:
        if audience.is_console:
            return True
        projector = audience.screen is Screen.PROJECTOR
        return projector and status is not None and status.state is QuestionState.OPEN
    if figure in (
        Figure.PRIORITIES,
        Figure.COUNTS,
        Figure.CAN_ANSWER,
        Figure.INSIGHT,
        Figure.HELP_REASONS,
    ):
        return audience.is_console
    if figure is Figure.COMMON_GROUND:
        return audience.is_console or audience.screen is Screen.PROJECTOR
    if figure is Figure.HELP:
        # Of its own table only (``table_seen``): the room never learns who called.
        return audience.is_console or audience.seated
    if question is None or status is None or status.state is QuestionState.PENDING:
        return False
    if figure is Figure.THEMES:
        return audience.is_console and isinstance(question, FreeText)
    if figure is Figure.ROOM_THEMES:
        # The comments are the room's once revealed (the projector's comment wall).
        shown = audience.is_console or audience.screen is Screen.PROJECTOR
        return shown and isinstance(question, FreeText) and status.revealed
    table_question = counted_rows(question) is Rows.TABLES
    if figure in (Figure.DRAFTS, Figure.IMPACT) and not table_question:
        return False
    if audience.is_console:
        return True
    match figure:
        case Figure.RESULTS | Figure.TABLE_FIGURES | Figure.SPLIT:
            return status.revealed
        case Figure.DRAFTS:
            return audience.seated or status.revealed
        case Figure.IMPACT:
            return is_package(question) and (audience.seated or status.revealed)
    return False


def table_seen(audience: Audience, table: int) -> bool:
    """Whose table's drafts and figures an audience sees (the kinds ``may_see``
    allows): a phone or tablet its own table's only, the console, the projector
    and the room every table's."""
    if audience.screen in (Screen.PHONE, Screen.TABLET):
        return table == audience.table
    return True


def revealed_by(event: Event) -> str | None:
    """The question whose results an event shows to the room (its frame carries
    them), or None: a reveal, or a close that reveals (the default)."""
    if isinstance(event, ResultsRevealed) or (isinstance(event, QuestionClosed) and event.revealed):
        return event.question
    return None


def event_seen(audience: Audience, event: Event) -> bool:
    """Whether an event reaches ``audience`` as it is. A table's call for help
    (requested, acknowledged, done) is ``Figure.HELP`` of that table: the
    console's and the table's own devices' (``table_seen``), never another
    table's, a device at no table's or the projector's. Every other event is
    every screen's. An event an audience may not see still takes its place in
    the sequence (docs/protocol.md, section 4: ``elsewhere``)."""
    if isinstance(event, HelpRequested | HelpAcknowledged | HelpDone):
        return may_see(audience, Figure.HELP, None, None) and table_seen(audience, event.table)
    return True
