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

from dataclasses import dataclass, field, replace
from typing import Any

from strategyroom.decks import Deck
from strategyroom.live.errors import N_, IllegalTransition, InvalidMessage, NotFound
from strategyroom.live.events import (
    CardShown,
    Envelope,
    Event,
    QuestionClosed,
    QuestionOpened,
    ResultsRevealed,
    SessionEnded,
)
from strategyroom.store.models import QuestionState, SessionStatus


@dataclass(frozen=True)
class QuestionStatus:
    state: QuestionState = QuestionState.PENDING
    revealed: bool = False


PENDING = QuestionStatus()


@dataclass(frozen=True)
class LiveState:
    session_id: str
    epoch: str
    seq: int
    status: SessionStatus
    current_card: int | None
    questions: dict[str, QuestionStatus] = field(default_factory=dict)

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
        }


def _fold(state: LiveState, event: Event) -> LiveState:
    questions = dict(state.questions)
    match event:
        case CardShown(card=card):
            return replace(state, current_card=card, status=SessionStatus.RUNNING)
        case QuestionOpened(question=qid):
            questions[qid] = QuestionStatus(QuestionState.OPEN, False)
        case QuestionClosed(question=qid, revealed=revealed):
            questions[qid] = QuestionStatus(QuestionState.CLOSED, revealed)
        case ResultsRevealed(question=qid):
            questions[qid] = replace(state.question(qid), revealed=True)
        case SessionEnded():
            return replace(state, status=SessionStatus.ENDED)
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
