"""The session state machine.

``LiveState`` is what every screen is drawn from: where the session is, which
card is shown and the state of each question. It changes only by events:
``decide_*`` functions check that an action is legal from the current state and
return the events it causes (none when the action was already done, so every
facilitator action is idempotent); ``LiveState.apply`` folds an event in. The
service stores the events, a worker's hub applies them to its cached copy, and a
test can check that applying a client's events equals a fresh snapshot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from strategyroom.decks import Deck
from strategyroom.live.errors import N_, IllegalTransition, InvalidMessage, NotFound
from strategyroom.live.events import (
    CardShown,
    Envelope,
    Event,
    ParticipantMoved,
    QuestionClosed,
    QuestionOpened,
    ResultsRevealed,
    SessionEnded,
    TableCreated,
    TimerExtended,
    TimerPaused,
    TimerStarted,
)
from strategyroom.store.models import QuestionState, SessionStatus


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
        }


def _fold(state: LiveState, event: Event) -> LiveState:
    questions = dict(state.questions)
    match event:
        case CardShown(card=card):
            # Each card's timer starts afresh when the card is shown.
            return replace(state, current_card=card, status=SessionStatus.RUNNING, timer=None)
        case QuestionOpened(question=qid):
            questions[qid] = QuestionStatus(QuestionState.OPEN, False)
        case QuestionClosed(question=qid, revealed=revealed):
            questions[qid] = QuestionStatus(QuestionState.CLOSED, revealed)
        case ResultsRevealed(question=qid):
            questions[qid] = replace(state.question(qid), revealed=True)
        case SessionEnded():
            return replace(state, status=SessionStatus.ENDED)
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
        case _:
            raise TypeError(f"unknown event {event!r}")
    return replace(state, questions=questions)


def _require_not_ended(state: LiveState) -> None:
    if state.status is SessionStatus.ENDED:
        raise IllegalTransition(N_("This session has ended."))


def _close_open_question(state: LiveState, deck: Deck) -> list[Event]:
    open_id = state.open_question
    if open_id is None:
        return []
    return [QuestionClosed(open_id, revealed=_reveal_on_close(state, deck, open_id))]


def _reveal_on_close(state: LiveState, deck: Deck, question_id: str) -> bool:
    question = deck.question(question_id)
    return state.question(question_id).revealed or question.reveal == "on_close"


def decide_show_card(state: LiveState, deck: Deck, card: int) -> list[Event]:
    _require_not_ended(state)
    if not 0 <= card < len(deck.cards):
        raise InvalidMessage(N_("There is no card number %(card)s."), card=card + 1)
    if state.current_card == card:
        return []
    # A question can only be answered while its card is shown: moving on closes it.
    return [*_close_open_question(state, deck), CardShown(card)]


def _question_id(deck: Deck, question_id: str) -> str:
    try:
        deck.question(question_id)
    except KeyError:
        raise NotFound(
            N_("This deck has no question %(question)s."), question=question_id
        ) from None
    return question_id


def decide_open(state: LiveState, deck: Deck, question_id: str) -> list[Event]:
    _require_not_ended(state)
    _question_id(deck, question_id)
    status = state.question(question_id)
    if status.state is QuestionState.OPEN:
        return []
    if status.state is QuestionState.CLOSED:
        raise IllegalTransition(N_("This question is closed; its answers are locked."))
    if state.current_card != deck.question_card(question_id):
        raise IllegalTransition(N_("Show the question's card before opening the question."))
    return [QuestionOpened(question_id)]


def decide_close(state: LiveState, deck: Deck, question_id: str) -> list[Event]:
    _require_not_ended(state)
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
    return [*_close_open_question(state, deck), SessionEnded()]


# -- tables -------------------------------------------------------------------------


def decide_add_table(state: LiveState, deck: Deck, name: str) -> list[Event]:
    """A new table; a named one only once (adding it again changes nothing)."""
    _require_not_ended(state)
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
    _require_not_ended(state)
    if not 1 <= count <= MAX_TABLES:
        raise InvalidMessage(N_("Say how many tables: 1 to %(max)s."), max=MAX_TABLES)
    first = max(state.tables, default=0) + 1
    return [TableCreated(n, "") for n in range(first, first + count - len(state.tables))]


def require_table(state: LiveState, table: int) -> None:
    if table not in state.tables:
        raise NotFound(N_("This session has no table %(table)s."), table=table)


def decide_move(state: LiveState, participant: str, current: int | None, table: int) -> list[Event]:
    _require_not_ended(state)
    require_table(state, table)
    if current == table:
        return []
    return [ParticipantMoved(participant, table)]


# -- the discussion timer -----------------------------------------------------------


def _timer_card(state: LiveState, deck: Deck) -> tuple[int, int]:
    """The current card and its timer's length; refused when it has no timer."""
    _require_not_ended(state)
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
