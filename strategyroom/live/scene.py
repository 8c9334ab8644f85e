"""A scene: everything one audience's screen of a session shows at one moment,
already decided. strategyroom.live.readmodel loads it (by the rules of
strategyroom.live.policy); strategyroom.web draws it as HTML or JSON and decides
nothing about which figures it may show: what is not in the scene is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from strategyroom.aggregate import GroupFigures, Result
from strategyroom.aggregate.impact import is_package
from strategyroom.decks import Card, Deck
from strategyroom.decks.schema import Question
from strategyroom.live.drafts import TableView
from strategyroom.live.figures import RoomPriorities
from strategyroom.live.help import HelpFlag
from strategyroom.live.policy import Audience, Rows, counted_rows
from strategyroom.live.state import LiveState, QuestionStatus
from strategyroom.live.tables import Member, TableRow
from strategyroom.store.models import QuestionState, RoomSession, SessionStatus

if TYPE_CHECKING:  # scikit-learn is loaded with the first themes or groups
    from strategyroom.aggregate.opinion import RoomCommonGround
    from strategyroom.aggregate.themes import RoomThemes


class Step(StrEnum):
    """What the facilitator does next, from the session's state (the console's
    one line of guidance; ``Scene.step``)."""

    WAITING = "waiting"  # no card shown yet: the checklist before starting
    START_TIMER = "start_timer"  # the card's discussion timer was not started
    OPEN_QUESTION = "open_question"  # the shown question is not opened yet
    ANSWERING = "answering"  # the shown question is open
    CLOSED = "closed"  # closed, its results not shown to the room
    GO_ON = "go_on"  # nothing left to do on this card
    LAST = "last"  # the last card, nothing left to do on it
    ENDED = "ended"


@dataclass
class Scene:
    room: RoomSession
    deck: Deck
    state: LiveState
    join_url: str
    audience: Audience = field(default_factory=Audience.room)
    # The shown question's result, when the audience may see it (empty otherwise).
    results: dict[str, Result] = field(default_factory=dict)
    # Whether the room (projector, phones, tablets) sees the shown question's
    # results: decided by policy.may_see; the console marks them hidden otherwise.
    results_visible: bool = False
    # Whether the projector compares the tables' package drafts (a revealed table
    # package question) instead of drawing the room's result.
    packages_visible: bool = False
    # How many answered the shown question: the console always, the projector while
    # it is open (policy.Figure.ANSWERED); zero for every other audience.
    answered: int = 0
    # Who can answer the shown question, the console's alone (Figure.CAN_ANSWER,
    # tables.can_answer): "answered" is read as "3 of 4".
    can_answer: int = 0
    joined: int = 0
    connected: int = 0
    # The moment the scene was drawn: the timer's remaining time is computed for it.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The drafted table question's drafts and answers (``drafted``: the shown
    # card's, or one kept open from another card), by table number: the tables
    # the audience may see (a device: its own).
    table_views: dict[int, TableView] = field(default_factory=dict)
    tables: list[TableRow] = field(default_factory=list)  # the console's overview
    unseated: list[Member] = field(default_factory=list)  # the console's devices at no table
    # The shown question's figures per table (distribution, agreement, impact) and
    # the room's, drawn by strategyroom.aggregate; empty when the audience may not see them.
    table_figures: dict[int, GroupFigures] = field(default_factory=dict)
    room_figures: GroupFigures | None = None
    # A table question kept open from another card: each table's figures on its
    # draft (the impact meter), when the audience may see them.
    kept_figures: dict[int, GroupFigures] = field(default_factory=dict)
    # A table question's prior question (strategyroom.live.figures.prior_question)
    # and each table's figures on it: its agreement flags a split table.
    prior_question: Question | None = None
    prior_figures: dict[int, GroupFigures] = field(default_factory=dict)
    priorities: RoomPriorities | None = None  # the console's live priorities
    # Where the card's media are served from, when not from the session's own
    # route: a card preview's (strategyroom.web.preview), which has no session.
    media_base: str = ""
    # Tables that need the facilitator (live/help.py), by table number: the
    # console's every flag with its reasons; a seated device its own table's
    # call for help only (whether help is asked for or on the way), no reasons.
    help: dict[int, HelpFlag] = field(default_factory=dict)
    # What the facilitator put on the projector instead of the card
    # (``LiveState.projection``), as far as the audience may see it
    # (Figure.ROOM_THEMES, Figure.COMMON_GROUND): None draws the card.
    projected_themes: RoomThemes | None = None
    common_ground: RoomCommonGround | None = None

    @property
    def card(self) -> Card | None:
        if self.state.current_card is None:
            return None
        return self.deck.cards[self.state.current_card]

    @property
    def question(self) -> Question | None:
        """The shown card's question, if it has one."""
        card = self.card
        return card.question if card is not None else None

    @property
    def kept_open(self) -> Question | None:
        """A question of another card that was kept open when this card was shown
        (``show_card``'s ``keep_open``), when each participant answers it: it
        still takes answers, so phones show its form below this card. (A table
        question kept open is ``kept_open_table``.)"""
        kept = self._kept()
        return kept if kept is not None and counted_rows(kept) is Rows.PARTICIPANTS else None

    @property
    def kept_open_table(self) -> Question | None:
        """A question of another card kept open when this card was shown, when
        each table answers it: the devices at a table still edit and submit its
        draft, below this card."""
        kept = self._kept()
        return kept if kept is not None and counted_rows(kept) is Rows.TABLES else None

    def _kept(self) -> Question | None:
        open_id = self.state.open_question
        question = self.question
        if open_id is None or (question is not None and question.id == open_id):
            return None
        return self.deck.question(open_id)

    @property
    def drafted(self) -> Question | None:
        """The table question whose drafts the tables see now: one kept open from
        another card (the one question open then), else the shown card's."""
        kept = self.kept_open_table
        if kept is not None:
            return kept
        return self.question if self.table_question else None

    @property
    def answerable(self) -> list[Question]:
        """The questions a phone's screen shows with the participant's own answer:
        the shown card's and the one kept open from another card."""
        return [q for q in (self.question, self.kept_open) if q is not None]

    @property
    def question_status(self) -> QuestionStatus | None:
        question = self.question
        return None if question is None else self.state.question(question.id)

    @property
    def table_question(self) -> bool:
        """The shown question is answered by each table (``policy.counted_rows``)."""
        question = self.question
        return question is not None and counted_rows(question) is Rows.TABLES

    @property
    def package_question(self) -> bool:
        """The shown question is a package the impact meter adds up."""
        question = self.question
        return question is not None and is_package(question)

    @property
    def step(self) -> Step:
        """The facilitator's next step: a question being answered comes first,
        then the discussion timer (a table talks before it answers), then the
        question's own steps, then moving on."""
        card, status = self.card, self.question_status
        if self.state.status is SessionStatus.ENDED:
            return Step.ENDED
        if card is None:
            return Step.WAITING
        question_state = status.state if status is not None else None
        if question_state is QuestionState.OPEN:
            return Step.ANSWERING
        untouched_timer = card.timer is not None and self.state.timer is None
        if untouched_timer and question_state is not QuestionState.CLOSED:
            return Step.START_TIMER
        if question_state is QuestionState.PENDING:
            return Step.OPEN_QUESTION
        if question_state is QuestionState.CLOSED and not self.results_visible:
            return Step.CLOSED
        if self.state.current_card == len(self.deck.cards) - 1:
            return Step.LAST
        return Step.GO_ON

    @property
    def next_card(self) -> Card | None:
        """The card "Next card" shows (the first card in the waiting room)."""
        index = 0 if self.state.current_card is None else self.state.current_card + 1
        return self.deck.cards[index] if index < len(self.deck.cards) else None

    @property
    def timer_card(self) -> Card | None:
        """The shown card, when it carries a discussion timer."""
        card = self.card
        return card if card is not None and card.timer is not None else None

    @property
    def timer_left(self) -> int:
        card = self.timer_card
        if card is None or card.timer is None:
            return 0
        timer = self.state.timer
        return card.timer if timer is None else timer.seconds_left(self.now)

    @property
    def timer_running(self) -> bool:
        timer = self.state.timer
        return timer is not None and timer.running and self.timer_left > 0

    @property
    def current_results(self) -> Result | None:
        question = self.question
        return self.results.get(question.id) if question is not None else None

    def table_view(self, table: int | None) -> TableView | None:
        """A table's draft of the ``drafted`` question (empty before its first edit)."""
        question = self.drafted
        if table is None or question is None:
            return None
        return self.table_views.get(table, TableView(question.id, table))

    def draft_figures(self, table: int) -> GroupFigures | None:
        """The figures beside a table's draft (its package's impact)."""
        if self.kept_open_table is not None:
            return self.kept_figures.get(table)
        return self.table_figures.get(table)

    def help_of(self, table: int | None) -> HelpFlag | None:
        """A table's flag, as far as the audience sees it."""
        return self.help.get(table) if table is not None else None

    def table_results(self, table: int | None) -> GroupFigures | None:
        """A table's own distribution, shown beside the room's revealed results of
        an individual question (a table question's figures are its draft's)."""
        if table is None or self.question is None or self.table_question:
            return None
        return self.table_figures.get(table) if self.results_visible else None
