"""The session state machine.

``LiveState`` is what every screen is drawn from: where the session is, which
card is shown and the state of each question. It changes only by events:
``decide_*`` functions check that an action is legal from the current state and
return the events it causes; ``LiveState.apply`` folds an event in. Most actions
cause nothing when they were already done (showing the card that is shown,
closing a closed question), so a repeated click is harmless; extending the
timer is the exception, each extension adds time. The checks many commands
share (the session has not ended) are run by the command table
(commands.py) before the decision. The service stores the events and writes
the stored columns from the folded state (rows.py), a worker's hub applies them
to its cached copy, and a test can check that applying a client's events equals
a fresh snapshot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from strategyroom.decks import Deck
from strategyroom.decks.schema import FreeText
from strategyroom.live.errors import (
    N_,
    IllegalTransition,
    InvalidMessage,
    NotAtTable,
    NotFound,
    QuestionOpen,
)
from strategyroom.live.events import (
    CardShown,
    Envelope,
    Event,
    HelpAcknowledged,
    HelpDone,
    HelpRequested,
    JoiningLocked,
    JoiningUnlocked,
    ParticipantMoved,
    ProjectorSwitched,
    QuestionClosed,
    QuestionOpened,
    QuestionReopened,
    ResultsRevealed,
    SessionEnded,
    TableCreated,
    TimerExtended,
    TimerPaused,
    TimerStarted,
)
from strategyroom.store.models import QuestionState, SessionStatus


class HelpState(StrEnum):
    """Where a table's call for the facilitator stands (``LiveState.help``)."""

    REQUESTED = "requested"  # a member pressed "we need help"; the console flags it
    ACKNOWLEDGED = "acknowledged"  # the facilitator is on the way
    # The facilitator marked the table helped: no call stands, and the reasons
    # the live layer finds by itself do not flag it again until the next card
    # (live/help.py); a member's call flags it at once. Never a device's.
    HELPED = "helped"


class Projection(StrEnum):
    """What the projector shows besides the join code (``LiveState.projection``)."""

    CARD = "card"  # the shown card, its question and its results, as revealed
    THEMES = "themes"  # the themes of the shown text question's comments
    COMMON_GROUND = "common_ground"  # the measures every opinion group supports


@dataclass(frozen=True)
class QuestionStatus:
    state: QuestionState = QuestionState.PENDING
    revealed: bool = False


PENDING = QuestionStatus()

MAX_TABLES = 100
MAX_EXTEND_SECONDS = 3600


@dataclass(frozen=True)
class Timer:
    """The current card's discussion timer once it was touched: running until
    ``ends_at``, or stopped with ``remaining`` seconds (paused, or extended
    before it was started). A card whose timer is untouched has none."""

    card: int
    ends_at: str | None = None
    remaining: int | None = None

    @property
    def running(self) -> bool:
        return self.ends_at is not None

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds left at ``now``, rounded up (a countdown shows 0 only at the end)."""
        if self.ends_at is None:
            return self.remaining or 0
        left = (datetime.fromisoformat(self.ends_at) - now).total_seconds()
        return max(0, math.ceil(left))

    def to_dict(self) -> dict[str, Any]:
        return {"card": self.card, "ends_at": self.ends_at, "remaining": self.remaining}


def timestamp(moment: datetime) -> str:
    return moment.isoformat()


@dataclass(frozen=True)
class LiveState:
    session_id: str
    epoch: str
    seq: int
    status: SessionStatus
    current_card: int | None
    questions: dict[str, QuestionStatus] = field(default_factory=dict)
    # Table number -> its name ("" for a numbered table).
    tables: dict[int, str] = field(default_factory=dict)
    timer: Timer | None = None
    # New participants are refused with the session's code (a table's code still seats).
    joining_locked: bool = False
    # Table number -> its call for help (or HELPED: marked helped on this card);
    # a table that asked for none is absent.
    # Not in ``to_dict`` (every device's snapshot): the read model decides who
    # sees which table's call (policy.Figure.HELP).
    help: dict[int, HelpState] = field(default_factory=dict)
    # What the projector shows (the facilitator's choice, ``decide_project``). Not
    # in ``to_dict``: only the projector draws it, from its scene (the read
    # model decides what of the themes or the common ground it may show).
    projection: Projection = Projection.CARD

    def question(self, question_id: str) -> QuestionStatus:
        return self.questions.get(question_id, PENDING)

    @property
    def open_question(self) -> str | None:
        for question_id, status in self.questions.items():
            if status.state is QuestionState.OPEN:
                return question_id
        return None

    def apply(self, envelope: Envelope) -> LiveState:
        """The state after one more event; events must come in sequence."""
        if envelope.seq != self.seq + 1 or envelope.epoch != self.epoch:
            raise ValueError(f"event {envelope.seq} does not follow {self.seq}")
        return _fold(replace(self, seq=envelope.seq), envelope.event)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session": self.session_id,
            "epoch": self.epoch,
            "seq": self.seq,
            "status": self.status.value,
            "current_card": self.current_card,
            "questions": {
                qid: {"state": s.state.value, "revealed": s.revealed}
                for qid, s in sorted(self.questions.items())
            },
            "tables": [{"table": n, "name": name} for n, name in sorted(self.tables.items())],
            "timer": self.timer.to_dict() if self.timer else None,
            "joining_locked": self.joining_locked,
        }


def _fold(state: LiveState, event: Event) -> LiveState:
    questions = dict(state.questions)
    match event:
        case CardShown(card=card):
            # Each card's timer starts afresh when the card is shown; help that
            # is on the way was for the last card's question (a call not yet
            # answered still stands), and a table marked helped may be flagged again.
            waiting: dict[int, HelpState] = {
                n: s for n, s in state.help.items() if s is HelpState.REQUESTED
            }
            # The next card is shown on the projector too, not the themes of the last.
            return replace(
                state,
                current_card=card,
                status=SessionStatus.RUNNING,
                timer=None,
                help=waiting,
                projection=Projection.CARD,
            )
        case QuestionOpened(question=qid) | QuestionReopened(question=qid):
            questions[qid] = QuestionStatus(QuestionState.OPEN, False)
        case QuestionClosed(question=qid, revealed=revealed):
            questions[qid] = QuestionStatus(QuestionState.CLOSED, revealed)
        case ResultsRevealed(question=qid):
            questions[qid] = replace(state.question(qid), revealed=True)
        case SessionEnded():
            # An ended session has no discussion running: its timer stops, so no
            # screen is sent a countdown for a card that is no longer shown.
            return replace(
                state, status=SessionStatus.ENDED, timer=None, projection=Projection.CARD
            )
        case TableCreated(table=number, label=label):
            return replace(state, tables={**state.tables, number: label})
        case ParticipantMoved():
            return state  # where a device sits is not part of the room's state
        case TimerStarted(card=card, ends_at=ends_at):
            return replace(state, timer=Timer(card, ends_at=ends_at))
        case TimerPaused(card=card, remaining=remaining):
            return replace(state, timer=Timer(card, remaining=remaining))
        case TimerExtended(card=card, ends_at=ends_at, remaining=remaining):
            return replace(state, timer=Timer(card, ends_at, remaining))
        case JoiningLocked():
            return replace(state, joining_locked=True)
        case JoiningUnlocked():
            return replace(state, joining_locked=False)
        case HelpRequested(table=number):
            return replace(state, help={**state.help, number: HelpState.REQUESTED})
        case HelpAcknowledged(table=number):
            return replace(state, help={**state.help, number: HelpState.ACKNOWLEDGED})
        case HelpDone(table=number):
            return replace(state, help={**state.help, number: HelpState.HELPED})
        case ProjectorSwitched(view=view):
            return replace(state, projection=Projection(view))
        case _:
            raise TypeError(f"unknown event {event!r}")
    return replace(state, questions=questions)


def _close_open_question(state: LiveState) -> list[Event]:
    """Close the open question as a step of another action (moving on, ending):
    the results stay as they are. Revealing is never a side effect; only the
    question's own close reveals as the deck says (``decide_close``)."""
    open_id = state.open_question
    if open_id is None:
        return []
    return [QuestionClosed(open_id, revealed=state.question(open_id).revealed)]


def _reveal_on_close(state: LiveState, deck: Deck, question_id: str) -> bool:
    question = deck.question(question_id)
    return state.question(question_id).revealed or question.reveal == "on_close"


def decide_show_card(
    state: LiveState, deck: Deck, card: int, close_open: bool = False, keep_open: bool = False
) -> list[Event]:
    """Show a card. With a question open (and not on that card) the facilitator
    must choose: ``close_open`` closes it first, ``keep_open`` leaves it open, so
    phones half-way through still get their answers in."""
    if not 0 <= card < len(deck.cards):
        raise InvalidMessage(
            N_("There is no card %(card)s: the deck's cards are numbered 0 to %(last)s."),
            card=card,
            last=len(deck.cards) - 1,
        )
    if close_open and keep_open:
        raise InvalidMessage(N_("Either close the open question or keep it open, not both."))
    if state.current_card == card:
        return []
    open_id = state.open_question
    if open_id is None or keep_open or deck.question_card(open_id) == card:
        return [CardShown(card)]
    if not close_open:
        raise QuestionOpen(
            N_("A question is still open. Close it and go on, or go on and keep it open.")
        )
    return [*_close_open_question(state), CardShown(card)]


def _question_id(deck: Deck, question_id: str) -> str:
    try:
        deck.question(question_id)
    except KeyError:
        raise NotFound(
            N_("This deck has no question %(question)s."), question=question_id
        ) from None
    return question_id


def decide_open(state: LiveState, deck: Deck, question_id: str) -> list[Event]:
    _question_id(deck, question_id)
    status = state.question(question_id)
    if status.state is QuestionState.OPEN:
        return []
    if status.state is QuestionState.CLOSED:
        raise IllegalTransition(N_("This question is closed; its answers are locked."))
    _require_can_open(state, deck, question_id)
    return [QuestionOpened(question_id)]


def _require_can_open(state: LiveState, deck: Deck, question_id: str) -> None:
    """Answers are taken where the phones show the question, and for one question
    at a time (a question kept open while the next card shows blocks the next)."""
    if state.current_card != deck.question_card(question_id):
        raise IllegalTransition(N_("Show the question's card before opening the question."))
    if state.open_question not in (None, question_id):
        raise IllegalTransition(N_("Another question is still open: close it first."))


def decide_reopen(state: LiveState, deck: Deck, question_id: str) -> list[Event]:
    """Take answers to a closed question again (legal only from closed)."""
    _question_id(deck, question_id)
    status = state.question(question_id)
    if status.state is QuestionState.OPEN:
        return []
    if status.state is QuestionState.PENDING:
        raise IllegalTransition(N_("This question has not been opened yet."))
    _require_can_open(state, deck, question_id)
    return [QuestionReopened(question_id)]


def decide_close(state: LiveState, deck: Deck, question_id: str) -> list[Event]:
    _question_id(deck, question_id)
    status = state.question(question_id)
    if status.state is QuestionState.CLOSED:
        return []
    if status.state is QuestionState.PENDING:
        raise IllegalTransition(N_("This question has not been opened yet."))
    return [QuestionClosed(question_id, revealed=_reveal_on_close(state, deck, question_id))]


def decide_reveal(state: LiveState, deck: Deck, question_id: str) -> list[Event]:
    _question_id(deck, question_id)
    status = state.question(question_id)
    if status.state is QuestionState.PENDING:
        raise IllegalTransition(N_("This question has not been opened yet."))
    if status.revealed:
        return []
    return [ResultsRevealed(question_id)]


def decide_end(state: LiveState, deck: Deck) -> list[Event]:
    if state.status is SessionStatus.ENDED:
        return []
    return [*_close_open_question(state), SessionEnded()]


def decide_lock_joining(state: LiveState, locked: bool) -> list[Event]:
    """Close the door to new participants (``locked``) or open it again."""
    if state.joining_locked == locked:
        return []
    return [JoiningLocked() if locked else JoiningUnlocked()]


# -- tables -------------------------------------------------------------------------


def decide_add_table(state: LiveState, deck: Deck, name: str) -> list[Event]:
    """A new table; a named one only once (adding it again changes nothing)."""
    name = " ".join(name.split())
    if len(name) > 80:
        raise InvalidMessage(N_("A table name can have at most 80 characters."))
    if name and name in state.tables.values():
        return []
    if len(state.tables) >= MAX_TABLES:
        raise IllegalTransition(N_("A session can have at most %(max)s tables."), max=MAX_TABLES)
    return [TableCreated(max(state.tables, default=0) + 1, name)]


def decide_tables(state: LiveState, deck: Deck, count: int) -> list[Event]:
    """Numbered tables until there are ``count``: the same request twice adds none."""
    if not 1 <= count <= MAX_TABLES:
        raise InvalidMessage(N_("Say how many tables: 1 to %(max)s."), max=MAX_TABLES)
    first = max(state.tables, default=0) + 1
    return [TableCreated(n, "") for n in range(first, first + count - len(state.tables))]


def require_table(state: LiveState, table: int) -> None:
    if table not in state.tables:
        raise NotFound(N_("This session has no table %(table)s."), table=table)


def decide_move(state: LiveState, participant: str, current: int | None, table: int) -> list[Event]:
    require_table(state, table)
    if current == table:
        return []
    return [ParticipantMoved(participant, table)]


# -- a table's call for help -------------------------------------------------------


def decide_help_request(state: LiveState, table: int | None) -> list[Event]:
    """A member asks for the facilitator; pressing again while the call stands
    (or help is on the way) changes nothing."""
    if table is None or table not in state.tables:
        raise NotAtTable(N_("Sit at a table first: help is called for a table."))
    if state.help.get(table) in (HelpState.REQUESTED, HelpState.ACKNOWLEDGED):
        return []
    return [HelpRequested(table)]


def decide_help_acknowledge(state: LiveState, table: int) -> list[Event]:
    require_table(state, table)
    if state.help.get(table) is HelpState.ACKNOWLEDGED:
        return []
    # The facilitator may answer a flag the live layer raised by itself (a stalled
    # draft, a split table) as well as a member's call: both are acknowledged.
    return [HelpAcknowledged(table)]


def decide_help_done(state: LiveState, table: int) -> list[Event]:
    require_table(state, table)
    called = state.help.get(table) in (HelpState.REQUESTED, HelpState.ACKNOWLEDGED)
    return [HelpDone(table)] if called else []


# -- what the projector shows ------------------------------------------------------


def decide_project(state: LiveState, deck: Deck, view: str) -> list[Event]:
    """Put the themes of the shown text question, the common ground, or the card
    back on the projector. The themes quote comments, so they go up only once
    the question's results are shown to the room (as the comment wall does)."""
    try:
        projection = Projection(view)
    except ValueError:
        raise InvalidMessage(
            N_("Say what the projector shows: card, themes or common_ground.")
        ) from None
    if state.projection is projection:
        return []
    if projection is Projection.THEMES:
        card = state.current_card
        question = deck.cards[card].question if card is not None else None
        if not isinstance(question, FreeText):
            raise IllegalTransition(N_("Only a text question's comments have themes."))
        if not state.question(question.id).revealed:
            raise IllegalTransition(
                N_("Show the comments to the room first: the themes quote them.")
            )
    return [ProjectorSwitched(projection.value)]


# -- the discussion timer -----------------------------------------------------------


def _timer_card(state: LiveState, deck: Deck) -> tuple[int, int]:
    """The current card and its timer's length; refused when it has no timer."""
    card = state.current_card
    if card is None or deck.cards[card].timer is None:
        raise IllegalTransition(N_("The card shown has no discussion timer."))
    seconds = deck.cards[card].timer
    assert seconds is not None
    return card, seconds


def decide_timer_start(state: LiveState, deck: Deck, now: datetime) -> list[Event]:
    card, seconds = _timer_card(state, deck)
    timer = state.timer
    if timer is not None and timer.running:
        return []
    left = seconds if timer is None else timer.seconds_left(now)
    return [TimerStarted(card, timestamp(now + timedelta(seconds=left)))]


def decide_timer_pause(state: LiveState, deck: Deck, now: datetime) -> list[Event]:
    card, _ = _timer_card(state, deck)
    timer = state.timer
    if timer is None or not timer.running:
        return []
    return [TimerPaused(card, timer.seconds_left(now))]


def decide_timer_extend(state: LiveState, deck: Deck, now: datetime, seconds: int) -> list[Event]:
    """Each extension adds time (it is not idempotent: twice is twice as long)."""
    card, length = _timer_card(state, deck)
    if not 1 <= seconds <= MAX_EXTEND_SECONDS:
        raise InvalidMessage(N_("Extend by 1 to %(max)s seconds."), max=MAX_EXTEND_SECONDS)
    timer = state.timer
    if timer is not None and timer.ends_at is not None:
        # An expired timer restarts counting from now.
        ends = max(datetime.fromisoformat(timer.ends_at), now) + timedelta(seconds=seconds)
        return [TimerExtended(card, seconds, timestamp(ends), None)]
    left = length if timer is None else timer.seconds_left(now)
    return [TimerExtended(card, seconds, None, left + seconds)]
