"""What an answer to a deck question may be: the one place answers are checked.

``parse_answer`` turns what a client sent into the normalised value that is
stored (multiple choice in deck order, a budget with every option), or raises
InvalidAnswer saying, in words a resident understands, what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from strategyroom.decks.packages import package_total
from strategyroom.decks.schema import (
    PREFER_NOT_TO_SAY,
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
    options_of,
)
from strategyroom.live.errors import N_, InvalidAnswer


def _as_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidAnswer(N_("Please give a whole number."))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit() and len(raw) < 12:
        return int(raw.strip())
    raise InvalidAnswer(N_("Please give a whole number."))


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return raw
    raise InvalidAnswer(N_("This answer has the wrong form for the question."))


def _known(question: Question, option_ids: Sequence[Any]) -> list[str]:
    known = {o.id for o in options_of(question)}
    for option_id in option_ids:
        if not isinstance(option_id, str) or option_id not in known:
            raise InvalidAnswer(N_("That is not one of the options."))
    return list(option_ids)


def parse_answer(question: Question, raw: Any) -> Any:
    """The normalised value of an answer, or InvalidAnswer saying what is wrong."""
    match question:
        case SingleChoice():
            if question.profile and raw == PREFER_NOT_TO_SAY:
                return PREFER_NOT_TO_SAY
            if raw in (None, "", []):
                raise InvalidAnswer(N_("Please choose an option."))
            chosen = _known(question, _as_list(raw))
            if len(chosen) != 1:
                raise InvalidAnswer(N_("Please choose only one option."))
            return chosen[0]
        case MultipleChoice():
            chosen = _known(question, _as_list(raw if raw not in (None, "") else []))
            if not chosen:
                raise InvalidAnswer(N_("Please choose at least one option."))
            if len(set(chosen)) != len(chosen):
                raise InvalidAnswer(N_("Each option can be chosen only once."))
            if question.max_choices is not None and len(chosen) > question.max_choices:
                raise InvalidAnswer(
                    N_("Please choose at most %(max)s options."), max=question.max_choices
                )
            order = [o.id for o in question.options]
            return _within_cap(question, sorted(chosen, key=order.index))
        case Scale():
            value = _as_int(raw)
            if not question.min <= value <= question.max:
                raise InvalidAnswer(
                    N_("Please choose a value from %(min)s to %(max)s."),
                    min=question.min,
                    max=question.max,
                )
            return value
        case Ranking():
            order = _known(question, _as_list(raw))
            if len(set(order)) != len(order):
                raise InvalidAnswer(N_("Each option can have only one place in the ranking."))
            if len(order) != len(question.options):
                raise InvalidAnswer(N_("Please give every option a place in the ranking."))
            return order
        case Budget():
            return _within_cap(question, _parse_budget(question, raw))
        case FreeText():
            if not isinstance(raw, str) or not raw.strip():
                raise InvalidAnswer(N_("Please write a short comment."))
            text = raw.replace("\x00", "").strip()
            if len(text) > question.max_length:
                raise InvalidAnswer(
                    N_("Please keep it to %(max)s characters (this is %(length)s)."),
                    max=question.max_length,
                    length=len(text),
                )
            return text
    raise InvalidAnswer(N_("This answer has the wrong form for the question."))


def _parse_budget(question: Budget, raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise InvalidAnswer(N_("This answer has the wrong form for the question."))
    _known(question, list(raw))
    allocation = {o.id: 0 for o in question.options}
    for option_id, points in raw.items():
        value = _as_int(points) if points not in ("", None) else 0
        if value < 0:
            raise InvalidAnswer(N_("Points cannot be negative."))
        allocation[option_id] = value
    spent = sum(allocation.values())
    if spent != question.total:
        raise InvalidAnswer(
            N_("The points must add up to %(total)s; these add up to %(spent)s."),
            total=question.total,
            spent=spent,
        )
    return allocation


def _within_cap(question: MultipleChoice | Budget, value: Any) -> Any:
    """The package, unless it adds up to more than the deck's cap allows."""
    package = question.package
    if package is not None:
        spent = package_total(question, value, package.cap_attribute)
        if spent > Fraction(package.cap):
            raise InvalidAnswer(
                N_(
                    "This package is over the limit: it adds up to %(spent)s, "
                    "and at most %(cap)s is allowed. Please leave something out."
                ),
                spent=spent,
                cap=package.cap,
            )
    return value
