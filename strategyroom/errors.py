"""Errors a user can cause, each with a stable code for the protocol and an
English message that the web layer translates (the messages are gettext msgids).

This is the bottom layer: decks, aggregates, live sessions and the web all raise
these, and it imports nothing of theirs (only i18n's Number)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from strategyroom.i18n import Number


def N_(message: str) -> str:
    """Mark a string for translation without translating it here."""
    return message


class SessionError(Exception):
    """Something the user asked for that cannot be done; never a server fault."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        # Numbers stay numbers until the message is rendered in the reader's
        # language (strategyroom.i18n.Message): 10.000 in Danish, 10,000 in English.
        self.params = {name: _number(value) for name, value in params.items()}
        super().__init__(message % self.params if params else message)


def _number(value: Any) -> Any:
    if isinstance(value, int | float | Decimal | Fraction) and not isinstance(value, bool):
        return Number(value)
    return value


class NotFound(SessionError):
    code = "not_found"
    status = 404


class IllegalTransition(SessionError):
    """The action is not allowed from the session's or question's current state."""

    code = "illegal_transition"
    status = 409


class QuestionOpen(IllegalTransition):
    """Moving on while a question is open: the facilitator says whether to close
    it (without revealing) or keep it open (facilitator actions only)."""

    code = "question_open"


class SessionEnded(SessionError):
    code = "session_ended"
    status = 410


class QuestionNotOpen(SessionError):
    code = "question_not_open"
    status = 409


class InvalidAnswer(SessionError):
    code = "invalid_answer"
    status = 422


class AnswerIdReused(SessionError):
    """An answer id the device already used for another question: the id names one
    answer, so this one is refused rather than taken for a retry and lost."""

    code = "answer_id_reused"
    status = 409


class InvalidMessage(SessionError):
    code = "invalid_message"
    status = 400


class NotJoined(SessionError):
    code = "not_joined"
    status = 401


class NotAtTable(SessionError):
    """A table answer from a device that is not seated at that table."""

    code = "not_at_table"
    status = 403


class StaleDraft(SessionError):
    """A draft edit or submission based on a revision that is no longer current.
    ``draft`` is the current draft, sent back so the edit is never lost silently;
    for an edit that could not be merged, ``conflicts`` are the fields both
    changed and ``attempt`` the edit merged as far as it went."""

    code = "stale_draft"
    status = 409
    draft: object = None
    conflicts: tuple[str, ...] = ()
    attempt: object = None


class AlreadySubmitted(SessionError):
    code = "already_submitted"
    status = 409


class RateLimited(SessionError):
    """Too many attempts, messages or connections from one client."""

    code = "rate_limited"
    status = 429


class JoiningLocked(SessionError):
    """A join with the session's code while the facilitator has closed the door."""

    code = "joining_locked"
    status = 403


class SessionFull(SessionError):
    code = "session_full"
    status = 409


class WrongAddress(SessionError):
    """A browser page opened under another address than the public URL: its
    socket (the Origin check) and its joins are not served there."""

    code = "wrong_address"
    status = 400
