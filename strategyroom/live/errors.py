"""The errors a live session raises: the project's error types
(strategyroom/errors.py), re-exported for the live and web layers, which have
always imported them from here."""

from __future__ import annotations

from strategyroom.errors import (
    N_,
    AlreadySubmitted,
    AnswerIdReused,
    IllegalTransition,
    InvalidAnswer,
    InvalidMessage,
    JoiningLocked,
    NotAtTable,
    NotFound,
    NotJoined,
    QuestionNotOpen,
    QuestionOpen,
    RateLimited,
    SessionEnded,
    SessionError,
    SessionFull,
    StaleDraft,
    WrongAddress,
)

__all__ = [
    "N_",
    "AlreadySubmitted",
    "AnswerIdReused",
    "IllegalTransition",
    "InvalidAnswer",
    "InvalidMessage",
    "JoiningLocked",
    "NotAtTable",
    "NotFound",
    "NotJoined",
    "QuestionNotOpen",
    "QuestionOpen",
    "RateLimited",
    "SessionEnded",
    "SessionError",
    "SessionFull",
    "StaleDraft",
    "WrongAddress",
]
