"""The rules of one card, question or snippet, made on the raw data of the file.

pydantic runs a model's own validator (a scale's steps, a question on a
closing card, a video with both a file and a url) only once every field of
that model is right, so a missing title used to hide a scale of 20 steps until
the next run. These rules read the raw mapping, tolerate whatever else is
wrong with it, and so run in every check; ``decks.messages`` leaves the same
errors of pydantic unsaid, so each is said once. A question whose type is
none of the types has its fields checked against those of every type (pydantic
cannot tell which fields it may have).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter, ValidationError

from strategyroom import i18n
from strategyroom.decks.messages import QUESTION_MODELS, Phrase, Problem
from strategyroom.decks.schema import (
    MEDIA_CARDS,
    PREFER_NOT_TO_SAY,
    REFERENCE_TOLERANCE,
    CardKind,
)
from strategyroom.errors import N_

# Every field a question of some type may have.
QUESTION_FIELDS = list(dict.fromkeys(f for m in QUESTION_MODELS.values() for f in m.model_fields))


def _as(kind: type, value: Any) -> Any:
    """The value as the schema reads it (strictly: "30" in quotes is no number,
    the schema says so), or None when it is not one."""
    try:
        return TypeAdapter(kind).validate_python(value, strict=True)
    except ValidationError:
        return None


def mappings(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings in a list, with their places (anything else is pydantic's
    to name); also decks.rules'."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def check(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for index, card in mappings(data.get("cards")):
        at = ("cards", index)
        problems += _card(at, card)
        for number, evidence in mappings(card.get("evidence")):
            if evidence.get("value") is None and evidence.get("text") is None:
                problems.append(
                    Problem(
                        (*at, "evidence", number), N_("an evidence snippet needs a value or a text")
                    )
                )
        video = card.get("video")
        if isinstance(video, dict) and (video.get("file") is None) == (video.get("url") is None):
            problems.append(
                Problem((*at, "video"), N_("a video needs a file or a url (a link), not both"))
            )
        question = card.get("question")
        if isinstance(question, dict):
            problems += _question((*at, "question"), question)
    return problems


def _card(at: tuple[str | int, ...], card: dict[str, Any]) -> Iterator[Problem]:
    kind = card.get("kind")
    if kind not in list(CardKind):
        return  # pydantic names the kind that is none
    question = card.get("question") is not None
    if kind == CardKind.QUESTION and not question:
        yield Problem(at, N_("a question card needs a question"))
    if kind != CardKind.QUESTION and question:
        yield Problem(
            at,
            N_("a card of kind %(kind)s cannot carry a question; only question cards can"),
            {"kind": kind},
        )
    media = card.get("image") is not None or card.get("video") is not None
    if media and kind not in MEDIA_CARDS:
        yield Problem(
            at,
            N_(
                "a card of kind %(kind)s cannot carry an image or a video; intro, scenario and "
                "evidence cards can"
            ),
            {"kind": kind},
        )


def _question(at: tuple[str | int, ...], question: dict[str, Any]) -> Iterator[Problem]:
    kind = question.get("type")
    if not isinstance(kind, str) or kind not in QUESTION_MODELS:
        yield from _fields_of_any_type(at, question)
        return
    options = [o.get("id") for _, o in mappings(question.get("options"))]
    if kind == "scale":
        low, high = _as(int, question.get("min", 1)), _as(int, question.get("max", 5))
        if low is not None and high is not None and not 1 <= high - low <= 10:
            yield Problem(at, N_("a scale needs 2 to 11 steps: max - min from 1 to 10"))
    if kind == "multiple":
        most = _as(int, question.get("max_choices"))
        given = question.get("options")
        # Every item counts, as the schema counts them: pydantic names the one
        # that is no option.
        if most is not None and isinstance(given, list) and most > len(given):
            yield Problem(at, N_("max_choices is larger than the number of options"))
    if kind == "single":
        yield from _profile(at, question, options)


def _profile(
    at: tuple[str | int, ...], question: dict[str, Any], options: list[Any]
) -> Iterator[Problem]:
    profile = _as(bool, question.get("profile", False)) is True
    if profile and PREFER_NOT_TO_SAY in options:
        yield Problem(at, N_("the option id prefer-not-to-say is kept for profile questions"))
    if profile and question.get("pair") is not None:
        yield Problem(at, N_("a profile question cannot also be half of a before/after pair"))
    reference = question.get("reference")
    if not isinstance(reference, dict):
        return
    where = (*at, "reference")
    if not profile:
        yield Problem(
            where, N_("only a profile question can have reference shares (add profile: true)")
        )
        return
    shares = reference.get("shares")
    if not isinstance(shares, dict):
        return  # pydantic says what shares should be
    if len(options) != len(question.get("options") or ()) or not all(
        isinstance(i, str) for i in options
    ):
        return  # an option without a proper id: pydantic names it
    missing = [str(i) for i in options if i not in shares]
    unknown = [str(i) for i in shares if i not in options]
    if missing or unknown:
        yield Problem(
            where,
            N_(
                "the reference shares must give every option of the question and nothing else: "
                "missing %(missing)s; not an option %(unknown)s"
            ),
            {"missing": ", ".join(missing) or "-", "unknown": ", ".join(unknown) or "-"},
        )
        return
    values = [_as(float, v) for v in shares.values()]
    if None in values:
        return
    total = sum(values)
    if abs(total - 1) > REFERENCE_TOLERANCE:
        yield Problem(
            where,
            N_("the reference shares add up to %(total)s; they must add up to 1 (within 0.01)"),
            {"total": i18n.Number(round(total, 3))},
        )


def _fields_of_any_type(at: tuple[str | int, ...], question: dict[str, Any]) -> Iterator[Problem]:
    """A question of no known type: pydantic stops at its type, so a field no
    type has (``profil``) is named here, in the same run."""
    what = Phrase(N_("a question"), {})
    for name in question:
        if name in QUESTION_FIELDS:
            continue
        close = difflib.get_close_matches(str(name), QUESTION_FIELDS, n=1, cutoff=0.75)
        params: dict[str, Any] = {"field": name, "what": what}
        if close:
            params["suggestion"] = close[0]
            message = N_("%(field)s is not a field of %(what)s; did you mean %(suggestion)s?")
        else:
            params["fields"] = ", ".join(QUESTION_FIELDS)
            message = N_("%(field)s is not a field of %(what)s; it may have %(fields)s")
        yield Problem((*at, str(name)), message, params)
