"""Session events: what happened in a session, in order.

Every event leaving a session travels in an ``Envelope`` carrying the session
id, the session's epoch and a per-session sequence number without gaps, so a
client can tell that it missed something and resume or re-sync (see
docs/protocol.md). Events are stored in the ``session_event`` table in the same
transaction as the change they describe, then published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    name: ClassVar[str]

    def data(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CardShown(Event):
    """The facilitator put a card on every screen."""

    name: ClassVar[str] = "card_shown"
    card: int


@dataclass(frozen=True)
class QuestionOpened(Event):
    """Participants may answer the question from now on."""

    name: ClassVar[str] = "question_opened"
    question: str


@dataclass(frozen=True)
class QuestionClosed(Event):
    """Answers are locked; the totals are frozen. ``revealed`` says whether the
    results are now shown to the room (the default at close)."""

    name: ClassVar[str] = "question_closed"
    question: str
    revealed: bool


@dataclass(frozen=True)
class QuestionReopened(Event):
    """A closed question takes answers again: its frozen totals are void until the
    next close freezes them anew, and its results are hidden from the room again."""

    name: ClassVar[str] = "question_reopened"
    question: str


@dataclass(frozen=True)
class ResultsRevealed(Event):
    """The question's results are shown on the projector and to participants."""

    name: ClassVar[str] = "results_revealed"
    question: str


@dataclass(frozen=True)
class SessionEnded(Event):
    """The evening is over; participants see the thank-you screen."""

    name: ClassVar[str] = "session_ended"


@dataclass(frozen=True)
class TableCreated(Event):
    """A table was added to the room (numbered from 1; ``name`` may be empty)."""

    name: ClassVar[str] = "table_created"
    table: int
    label: str


@dataclass(frozen=True)
class ParticipantMoved(Event):
    """A device sits at another table from now on (it chose one, or the facilitator
    moved it). Its table answers go to that table from now on."""

    name: ClassVar[str] = "participant_moved"
    participant: str
    table: int


@dataclass(frozen=True)
class TimerStarted(Event):
    """The card's discussion timer runs until ``ends_at`` (ISO 8601, UTC)."""

    name: ClassVar[str] = "timer_started"
    card: int
    ends_at: str


@dataclass(frozen=True)
class TimerPaused(Event):
    """The timer stopped with ``remaining`` whole seconds left."""

    name: ClassVar[str] = "timer_paused"
    card: int
    remaining: int


@dataclass(frozen=True)
class TimerExtended(Event):
    """The timer got ``seconds`` more: a running timer ends later (``ends_at``),
    a stopped one has more ``remaining`` (the other field is null)."""

    name: ClassVar[str] = "timer_extended"
    card: int
    seconds: int
    ends_at: str | None
    remaining: int | None


@dataclass(frozen=True)
class JoiningLocked(Event):
    """The session takes no new participants with its code; a table's own code
    still seats a late arrival, and devices that joined already come back."""

    name: ClassVar[str] = "joining_locked"


@dataclass(frozen=True)
class JoiningUnlocked(Event):
    """The session takes new participants with its code again."""

    name: ClassVar[str] = "joining_unlocked"


@dataclass(frozen=True)
class HelpRequested(Event):
    """A member of ``table`` (a phone or the table's tablet) asked for the
    facilitator; the console flags the table until the facilitator answers."""

    name: ClassVar[str] = "help_requested"
    table: int


@dataclass(frozen=True)
class HelpAcknowledged(Event):
    """The facilitator saw the table's flag and is on the way: its members see
    "Help is on the way" until the facilitator marks it done or shows the next card."""

    name: ClassVar[str] = "help_acknowledged"
    table: int


@dataclass(frozen=True)
class HelpDone(Event):
    """The facilitator marked the table's request for help done."""

    name: ClassVar[str] = "help_done"
    table: int


@dataclass(frozen=True)
class ProjectorSwitched(Event):
    """The projector shows ``view`` instead of what it showed: ``"card"`` (the
    card and its question, as always), ``"themes"`` (the themes of the shown
    text question's comments) or ``"common_ground"`` (what every opinion group
    supports). Showing a card, and the end, switch it back to the card."""

    name: ClassVar[str] = "projector_switched"
    view: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.name: cls
    for cls in (
        CardShown,
        QuestionOpened,
        QuestionClosed,
        QuestionReopened,
        ResultsRevealed,
        SessionEnded,
        TableCreated,
        ParticipantMoved,
        TimerStarted,
        TimerPaused,
        TimerExtended,
        JoiningLocked,
        JoiningUnlocked,
        HelpRequested,
        HelpAcknowledged,
        HelpDone,
        ProjectorSwitched,
    )
}


def event_from(name: str, data: dict[str, Any]) -> Event:
    cls = EVENT_TYPES[name]
    return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Envelope:
    """An event as it leaves its session: on the broker (live/news.py) and, with
    what its screen needs added, as a JSON client's event frame."""

    session_id: str
    epoch: str
    seq: int
    event: Event

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "event",
            "session": self.session_id,
            "epoch": self.epoch,
            "seq": self.seq,
            "event": self.event.name,
            "data": self.event.data(),
        }

    @classmethod
    def from_dict(cls, message: dict[str, Any]) -> Envelope:
        return cls(
            session_id=message["session"],
            epoch=message["epoch"],
            seq=message["seq"],
            event=event_from(message["event"], message["data"]),
        )
