"""What an answer to a deck question may be: the one place answers are checked.

``parse_answer`` turns what a client sent into the normalised value that is
stored (multiple choice in deck order, a budget with every option), or raises
InvalidAnswer saying, in words a resident understands, what is wrong.

It is strict about JSON types (docs/protocol.md, "Answering"): a scale takes a
whole number, not "4"; a single choice a string, not ["x"]; a multiple choice a
list, not "x". A value of another type is refused, never coerced into one that
fits. The HTML form, which can only send strings, has its fields converted
explicitly before they get here (strategyroom/web/answer_forms.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from strategyroom.decks.packages import package_total
from strategyroom.decks.schema import (
    PREFER_NOT_TO_SAY,
    Attribute,
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
    options_of,
)
from strategyroom.errors import N_, InvalidAnswer
from strategyroom.i18n import Amount
from strategyroom.text import clean_text


def _as_int(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise InvalidAnswer(N_("Please give a whole number."))


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, list):
        return raw
    raise InvalidAnswer(N_("This answer has the wrong form for the question."))


def _known(question: Question, option_ids: Sequence[Any]) -> list[str]:
    known = {o.id for o in options_of(question)}
    for option_id in option_ids:
        if not isinstance(option_id, str) or option_id not in known:
            raise InvalidAnswer(N_("That is not one of the options."))
    return list(option_ids)


def parse_answer(
    question: Question, raw: Any, attributes: Mapping[str, Attribute] | None = None
) -> Any:
    """The normalised value of an answer, or InvalidAnswer saying what is wrong."""
    match question:
        case SingleChoice():
            if question.profile and raw == PREFER_NOT_TO_SAY:
                return PREFER_NOT_TO_SAY
            if raw is None or raw == "":
                raise InvalidAnswer(N_("Please choose an option."))
            if not isinstance(raw, str):
                raise InvalidAnswer(N_("This answer has the wrong form for the question."))
            return _known(question, [raw])[0]
        case MultipleChoice():
            chosen = _known(question, _as_list(raw if raw is not None else []))
            if not chosen:
                raise InvalidAnswer(N_("Please choose at least one option."))
            if len(set(chosen)) != len(chosen):
                raise InvalidAnswer(N_("Each option can be chosen only once."))
            if question.max_choices is not None and len(chosen) > question.max_choices:
                raise InvalidAnswer(
                    N_("Please choose at most %(max)s options."), max=question.max_choices
                )
            order = [o.id for o in question.options]
            return _within_cap(question, sorted(chosen, key=order.index), attributes)
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
            return _within_cap(question, _parse_budget(question, raw), attributes)
        case FreeText():
            if not isinstance(raw, str) or not raw.strip():
                raise InvalidAnswer(N_("Please write a short comment."))
            text = clean_text(raw, lines=True).strip()
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
        value = _as_int(points)
        if value < 0:
            raise InvalidAnswer(N_("Points cannot be negative."))
        allocation[option_id] = value
    spent = sum(allocation.values())
    if spent != question.total:
        if question.unit is None and question.currency is None:
            raise InvalidAnswer(
                N_("The points must add up to %(total)s; these add up to %(spent)s."),
                total=question.total,
                spent=spent,
            )
        # A budget of money (or of another unit) speaks it, in the reader's words.
        raise InvalidAnswer(
            N_("Together they must come to %(total)s; these come to %(spent)s."),
            total=Amount(question.total, question.unit, question.currency),
            spent=Amount(spent, question.unit, question.currency),
        )
    return allocation


def _within_cap(
    question: MultipleChoice | Budget, value: Any, attributes: Mapping[str, Attribute] | None
) -> Any:
    """The package, unless it adds up to more than the deck's cap allows. With
    the deck's ``attributes`` the refusal names the cap's unit ("25 mio. kr./år")."""
    package = question.package
    if package is not None:
        spent = package_total(question, value, package.cap_attribute)
        if spent > Fraction(package.cap):
            attribute = (attributes or {}).get(package.cap_attribute)
            unit = attribute.unit if attribute else None
            currency = attribute.currency if attribute else None
            raise InvalidAnswer(
                N_(
                    "This package is over the limit: it adds up to %(spent)s, "
                    "and at most %(cap)s is allowed. Please leave something out."
                ),
                spent=Amount(spent, unit, currency),
                cap=Amount(package.cap, unit, currency),
            )
    return value
