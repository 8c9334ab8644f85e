"""Commands: every way a person changes a session, in one table.

A command is a name (the ``action`` the console's buttons and the JSON API
send), the parameters it takes, the checks the session's state must pass and
the decision that turns it into events (``decide_*`` in state.py). Callers hand
over the raw fields they received (a form or a JSON object); ``Command.parse``
turns them into typed arguments or refuses them with a message the web layer
translates. ``SessionService.command`` is the one dispatcher: it parses, then
runs the checks and the decision inside the session's locked transaction.

Invariant: a command's parameters are exactly the keyword parameters of its
decision after the context (tests/test_commands.py checks it), so a field can
neither be parsed and dropped nor reach a decision unchecked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from strategyroom.decks import Deck
from strategyroom.live import state as machine
from strategyroom.live.errors import N_, IllegalTransition, InvalidMessage, NotFound
from strategyroom.live.events import Event
from strategyroom.live.state import MAX_TABLES, LiveState
from strategyroom.store.models import Participant, SessionStatus
from strategyroom.text import clean_text

ParamKind = type[int] | type[str] | type[bool]


@dataclass(frozen=True)
class Context:
    """What a decision sees: the transaction (the session row is locked), the
    session's state and deck, and the moment of the action (stored with its events)."""

    db: Session
    state: LiveState
    deck: Deck
    now: datetime


@dataclass(frozen=True)
class Param:
    """A command's field. Without a default it is required; ``message`` (with
    ``params``) says what is wrong when it is missing or not of its kind."""

    name: str
    kind: ParamKind
    message: str
    default: int | str | bool | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    # An id the server handed out (hex): anything else names no one, and a lone
    # surrogate could not even be sent to the database. Other text is checked
    # and normalised as every text entering the app (strategyroom/text.py).
    ident: bool = False

    def parse(self, fields: Mapping[str, Any]) -> int | str | bool:
        raw = fields.get(self.name)
        if raw is None or raw == "":
            if self.default is None:
                raise InvalidMessage(self.message, **self.params)
            return self.default
        value = _coerce(self.kind, raw)
        if value is None or (self.ident and isinstance(value, str) and not value.isascii()):
            raise InvalidMessage(self.message, **self.params)
        if isinstance(value, str) and not self.ident:
            return clean_text(value)
        return value


def _coerce(kind: ParamKind, raw: Any) -> int | str | bool | None:
    """A field as ``kind``: JSON gives it typed, a form as text."""
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower() if isinstance(raw, str) else None
        return {"true": True, "1": True, "on": True, "false": False, "0": False}.get(text or "")
    if kind is int:
        if isinstance(raw, str) and raw.strip().isdigit():
            return int(raw)
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    return raw if isinstance(raw, str) else None


Check = Callable[[LiveState], None]
# Called as decide(context, **arguments); see the module's invariant.
Decide = Callable[..., list[Event]]


@dataclass(frozen=True)
class Command:
    decide: Decide
    params: tuple[Param, ...] = ()
    checks: tuple[Check, ...] = ()

    def parse(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {param.name: param.parse(fields) for param in self.params}

    def run(self, context: Context, arguments: Mapping[str, Any]) -> list[Event]:
        for check in self.checks:
            check(context.state)
        return self.decide(context, **arguments)


# -- checks -----------------------------------------------------------------------------


def not_ended(state: LiveState) -> None:
    if state.status is SessionStatus.ENDED:
        raise IllegalTransition(N_("This session has ended."))


# -- decisions that need more than the state --------------------------------------------


def _move(context: Context, participant: str, table: int) -> list[Event]:
    row = context.db.get(Participant, participant)
    if row is None or row.session_id != context.state.session_id:
        raise NotFound(N_("This session has no such participant."))
    return machine.decide_move(context.state, participant, row.table_number, table)


def _help(context: Context, participant: str) -> list[Event]:
    """A seated member's "we need help": the table is the one the device sits at
    (read here, in the locked transaction), never one the message names."""
    row = context.db.get(Participant, participant)
    if row is None or row.session_id != context.state.session_id:
        raise NotFound(N_("This session has no such participant."))
    return machine.decide_help_request(context.state, row.table_number)


QUESTION = Param("question", str, N_("Say which question."))
OPEN_CHOICE = N_("Say true or false.")
HELP_TABLE = Param("table", int, N_("Say which table."))

COMMANDS: dict[str, Command] = {
    "show_card": Command(
        lambda c, card, close_open, keep_open: machine.decide_show_card(
            c.state, c.deck, card, close_open, keep_open
        ),
        (
            Param("card", int, N_("Say which card to show.")),
            Param("close_open", bool, OPEN_CHOICE, default=False),
            Param("keep_open", bool, OPEN_CHOICE, default=False),
        ),
        (not_ended,),
    ),
    "open": Command(
        lambda c, question: machine.decide_open(c.state, c.deck, question),
        (QUESTION,),
        (not_ended,),
    ),
    "close": Command(
        lambda c, question: machine.decide_close(c.state, c.deck, question),
        (QUESTION,),
        (not_ended,),
    ),
    # Revealing stays possible after the end: the room may see the last results.
    "reopen": Command(
        lambda c, question: machine.decide_reopen(c.state, c.deck, question),
        (QUESTION,),
        (not_ended,),
    ),
    "reveal": Command(
        lambda c, question: machine.decide_reveal(c.state, c.deck, question),
        (QUESTION,),
    ),
    "end": Command(lambda c: machine.decide_end(c.state, c.deck)),
    "lock_joining": Command(
        lambda c: machine.decide_lock_joining(c.state, True), checks=(not_ended,)
    ),
    "unlock_joining": Command(
        lambda c: machine.decide_lock_joining(c.state, False), checks=(not_ended,)
    ),
    "add_table": Command(
        lambda c, name: machine.decide_add_table(c.state, c.deck, name),
        (Param("name", str, N_("A table name is text."), default=""),),
        (not_ended,),
    ),
    "tables": Command(
        lambda c, count: machine.decide_tables(c.state, c.deck, count),
        (
            Param(
                "count", int, N_("Say how many tables: 1 to %(max)s."), params={"max": MAX_TABLES}
            ),
        ),
        (not_ended,),
    ),
    "move": Command(
        _move,
        (
            Param("participant", str, N_("Say which participant or tablet to move."), ident=True),
            Param("table", int, N_("Say which table to move to.")),
        ),
        (not_ended,),
    ),
    "timer_start": Command(
        lambda c: machine.decide_timer_start(c.state, c.deck, c.now), checks=(not_ended,)
    ),
    "timer_pause": Command(
        lambda c: machine.decide_timer_pause(c.state, c.deck, c.now), checks=(not_ended,)
    ),
    "timer_extend": Command(
        lambda c, seconds: machine.decide_timer_extend(c.state, c.deck, c.now, seconds),
        (Param("seconds", int, N_("Say by how many seconds to extend.")),),
        (not_ended,),
    ),
    # A participant's command: the web layer fills in the device behind the
    # socket; nothing a message carries names another device or table.
    "help": Command(
        _help,
        (Param("participant", str, N_("Say which participant asks for help."), ident=True),),
        (not_ended,),
    ),
    "help_acknowledge": Command(
        lambda c, table: machine.decide_help_acknowledge(c.state, table),
        (HELP_TABLE,),
        (not_ended,),
    ),
    "help_done": Command(
        lambda c, table: machine.decide_help_done(c.state, table),
        (HELP_TABLE,),
    ),
    # What the projector shows: the card (as always), the themes of the shown
    # text question, or the common ground of the room's opinion groups.
    "project": Command(
        lambda c, view: machine.decide_project(c.state, c.deck, view),
        (Param("view", str, N_("Say what the projector shows: card, themes or common_ground.")),),
        (not_ended,),
    ),
}

# The commands a participant's device may send (the rest are the facilitator's).
PARTICIPANT_COMMANDS = frozenset({"help"})


def command(name: str) -> Command:
    found = COMMANDS.get(name)
    if found is None:
        raise InvalidMessage(N_("Unknown action."))
    return found
