"""What ``strategyroom deck check`` says about a problem, in the officer's language.

A ``Problem`` is a place in the deck's data (its path, the same as pydantic's
error locations) and a gettext message with its parameters. This module turns
pydantic's errors into problems in plain words ("rank is not a question type;
the types are ...", not "Input tag 'rank' found using 'type' does not match any
of the expected tags"), and writes a place as people count: cards, options and
evidence snippets from 1, a card by its number and its id.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from strategyroom import i18n
from strategyroom.decks.schema import (
    ANY_LANGUAGE,
    Attribute,
    Budget,
    Card,
    CardKind,
    Deck,
    Evidence,
    FreeText,
    Image,
    MultipleChoice,
    Option,
    Package,
    Pair,
    QuestionType,
    Ranking,
    Reference,
    Scale,
    SingleChoice,
    Target,
    Video,
)
from strategyroom.errors import N_

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deck (or, as a warning, worth a look)."""

    path: Path
    message: str  # a gettext msgid with %(name)s parameters
    params: Mapping[str, Any] = field(default_factory=dict)
    warning: bool = False
    # The line it is at, when not the line of its path: a key written twice is
    # at its second line (the path's is the first).
    line: int | None = None

    def text(self, language: str) -> str:
        return i18n.gettext(language, self.message) % dict(self.params)


QUESTION_MODELS: dict[str, type[BaseModel]] = {
    QuestionType.SINGLE: SingleChoice,
    QuestionType.MULTIPLE: MultipleChoice,
    QuestionType.SCALE: Scale,
    QuestionType.RANKING: Ranking,
    QuestionType.BUDGET: Budget,
    QuestionType.TEXT: FreeText,
}
# The model a mapping is, by the key it is written under.
_MODELS_BY_KEY: dict[str, type[BaseModel]] = {
    "cards": Card,
    "options": Option,
    "evidence": Evidence,
    "target": Target,
    "package": Package,
    "pair": Pair,
    "reference": Reference,
    "image": Image,
    "video": Video,
}
_MODEL_NAMES: dict[type[BaseModel], str] = {
    Deck: N_("the deck"),
    Card: N_("a card"),
    Option: N_("an option"),
    Evidence: N_("an evidence snippet"),
    Target: N_("the target"),
    Attribute: N_("an attribute"),
    Package: N_("a package"),
    Pair: N_("a pair"),
    Reference: N_("the reference shares"),
    Image: N_("an image"),
    Video: N_("a video"),
}
SLUG_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$"


def _names(values: list[str]) -> str:
    return ", ".join(values)


def _close(value: Any, allowed: list[str]) -> str:
    """The allowed word the value most likely means ("multiple-choice" is
    multiple, "outro" intro), or "" when none is close."""
    if not isinstance(value, str):
        return ""
    lowered = value.strip().lower()
    starts = [word for word in allowed if lowered.startswith(word) or word.startswith(lowered)]
    if starts and lowered:
        return max(starts, key=len)
    close = difflib.get_close_matches(lowered, allowed, n=1, cutoff=0.6)
    return close[0] if close else ""


def _strip_tags(loc: Path) -> Path:
    """pydantic puts a question's type into the path ("budget"), and a plain text's
    "*" key: people write neither."""
    out: list[str | int] = []
    for index, part in enumerate(loc):
        if index > 0 and loc[index - 1] == "question" and part in QUESTION_MODELS:
            continue
        if part == ANY_LANGUAGE:
            continue  # a text given once for every language is stored under "*"
        out.append(part)
    return tuple(out)


def _model_of(loc: Path, data: Any) -> tuple[type[BaseModel], str] | None:
    """The model of the mapping at ``loc`` and its name for people."""
    if not loc:
        return Deck, N_("the deck")
    if loc[-1] == "question":
        kind = _at(data, loc)
        kind = kind.get("type") if isinstance(kind, dict) else None
        if kind in QUESTION_MODELS:
            return QUESTION_MODELS[str(kind)], N_("a question of type %(type)s")
        return None
    if len(loc) >= 2 and loc[-2] == "attributes" and len(loc) == 2:
        return Attribute, _MODEL_NAMES[Attribute]
    key = loc[-2] if isinstance(loc[-1], int) and len(loc) >= 2 else loc[-1]
    model = _MODELS_BY_KEY.get(str(key))
    return (model, _MODEL_NAMES[model]) if model else None


def _at(data: Any, loc: Path) -> Any:
    node = data
    for part in loc:
        listed = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if listed or (isinstance(node, dict) and part in node):
            node = node[part]
        else:
            return None
    return node


def repeated(path: Path, first: int, second: int) -> Problem:
    """A key written twice in one mapping of a YAML deck (decks.lines)."""
    return Problem(
        path,
        N_(
            "%(field)s is written twice here, at lines %(first)s and %(second)s: "
            "keep the one you mean and remove the other"
        ),
        {"field": str(path[-1]) if path else "", "first": first, "second": second},
        line=second,
    )


def from_pydantic(error: ErrorDetails, data: Any) -> Problem | None:
    """The error in plain words; None for the checks across cards, which
    ``decks.rules`` makes on the raw data (and so also when a card fails)."""
    loc = _strip_tags(tuple(error["loc"]))
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    name = str(loc[-1]) if loc else ""
    if kind == "value_error" and not loc:
        return None
    if kind == "options_repeated" or kind in SAID_BY_RULES:
        return None
    if kind == "union_tag_invalid":
        tag, types = str(ctx.get("tag", "")), list(QUESTION_MODELS)
        params = {"value": tag, "types": _names(types), "suggestion": _close(tag, types)}
        if params["suggestion"]:
            return Problem(
                (*loc, "type"),
                N_(
                    "%(value)s is not a question type; did you mean %(suggestion)s? "
                    "The types are %(types)s"
                ),
                params,
            )
        return Problem(
            (*loc, "type"), N_("%(value)s is not a question type; the types are %(types)s"), params
        )
    if kind == "union_tag_not_found":
        return Problem(
            loc,
            N_("a question needs a type; the types are %(types)s"),
            {"types": _names(list(QUESTION_MODELS))},
        )
    if kind == "extra_forbidden":
        return _extra(loc, data)
    if kind == "missing":
        return Problem(loc, N_("%(field)s is missing"), {"field": name})
    if kind == "enum" and name == "kind":
        kinds = [k.value for k in CardKind]
        params = {"value": value, "kinds": _names(kinds), "suggestion": _close(value, kinds)}
        if params["suggestion"]:
            return Problem(
                loc,
                N_(
                    "%(value)s is not a card kind; did you mean %(suggestion)s? "
                    "The kinds are %(kinds)s"
                ),
                params,
            )
        return Problem(loc, N_("%(value)s is not a card kind; the kinds are %(kinds)s"), params)
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return Problem(
            loc,
            N_("%(value)s is not allowed here; write one of %(allowed)s"),
            {"value": value, "allowed": _names(allowed)},
        )
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == SLUG_PATTERN:
            return Problem(
                loc,
                N_(
                    "%(value)s is not an id: use lower-case letters a-z, digits, - and _, "
                    "beginning with a letter or a digit (at most 64)"
                ),
                {"value": value},
            )
        if name in ("file", "captions") or "captions" in loc:
            return Problem(
                loc,
                N_(
                    "%(value)s is not a media file name: a name in the media folder beside the "
                    "deck, of letters a-z, A-Z, digits, ., _ and -, in up to 4 folders"
                ),
                {"value": value},
            )
        if name == "link":  # a reference source's page, on the web or not yet on https
            return Problem(
                loc,
                N_("%(value)s is not a web address: it must begin with https:// or http://"),
                {"value": value},
            )
        if name == "url":  # a video link, whose origin goes into the pages' CSP
            return Problem(
                loc,
                N_("%(value)s is not a web address: it must begin with https://"),
                {"value": value},
            )
        return Problem(loc, N_("%(value)s is not a language code"), {"value": value})
    found = _sizes_and_types(loc, kind, value, ctx, error)
    # pydantic's own words, for an error this module has no plain words for yet.
    detail = error["msg"].removeprefix("Value error, ")
    return found or Problem(loc, "%(detail)s", {"detail": detail})


def _extra(loc: Path, data: Any) -> Problem:
    name = str(loc[-1])
    found = _model_of(loc[:-1], data)
    if found is None:
        return Problem(loc, N_("%(field)s is not a field here"), {"field": name})
    model, what = found
    fields = list(model.model_fields)
    params: dict[str, Any] = {"field": name, "fields": _names(fields)}
    question = _at(data, loc[:-1])
    what_params = {"type": question.get("type")} if isinstance(question, dict) else {}
    params["what"] = Phrase(what, what_params)
    close = difflib.get_close_matches(name, fields, n=1, cutoff=0.75)
    if close:
        params["suggestion"] = close[0]
        return Problem(
            loc, N_("%(field)s is not a field of %(what)s; did you mean %(suggestion)s?"), params
        )
    return Problem(loc, N_("%(field)s is not a field of %(what)s; it may have %(fields)s"), params)


class Phrase(i18n.Number):
    """A translated phrase inside a message ("a question of type budget"),
    written in the message's language like the numbers are."""

    __slots__ = ("message", "params")

    def __init__(self, message: str, params: Mapping[str, Any]) -> None:
        super().__init__(0)
        self.message, self.params = message, params

    def written(self, language: str) -> str:
        return i18n.gettext(language, self.message) % dict(self.params)


def _sizes_and_types(
    loc: Path, kind: str, value: Any, ctx: Mapping[str, Any], error: ErrorDetails
) -> Problem | None:
    if kind == "string_too_short":
        return Problem(loc, N_("the text is empty"))
    if kind == "string_too_long":
        return Problem(
            loc,
            N_("the text is longer than %(max)s characters"),
            {"max": i18n.Number(ctx["max_length"])},
        )
    if kind == "too_short":
        return Problem(
            loc,
            N_("%(field)s needs at least %(min)s"),
            {"field": str(loc[-1]) if loc else "", "min": i18n.Number(ctx["min_length"])},
        )
    if kind == "too_long":
        return Problem(
            loc,
            N_("%(field)s may have at most %(max)s"),
            {"field": str(loc[-1]) if loc else "", "max": i18n.Number(ctx["max_length"])},
        )
    limits = {
        "greater_than": N_("%(value)s is too small: it must be more than %(limit)s"),
        "greater_than_equal": N_("%(value)s is too small: it must be at least %(limit)s"),
        "less_than_equal": N_("%(value)s is too large: it may be at most %(limit)s"),
    }
    if kind in limits:
        limit = next(iter(ctx.values()))
        return Problem(loc, limits[kind], {"value": value, "limit": i18n.Number(limit)})
    expected = {
        "int_parsing": N_("%(value)s is not a whole number"),
        "int_type": N_("%(value)s is not a whole number"),
        "int_from_float": N_("%(value)s is not a whole number"),
        "float_parsing": N_("%(value)s is not a number"),
        "float_type": N_("%(value)s is not a number"),
        "bool_parsing": N_("%(value)s is neither true nor false"),
        "bool_type": N_("%(value)s is neither true nor false"),
        "string_type": N_("this should be a text"),
        "list_type": N_("this should be a list (lines beginning with -)"),
        "dict_type": N_("this should be fields with values (name: value)"),
        "model_type": N_("this should be fields with values (name: value)"),
        "model_attributes_type": N_("this should be fields with values (name: value)"),
    }
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads version: 1.10 as the number 1.1; in quotes it stays as written.
        quote = N_('this should be a text, not a number: put it in quotes, like "1.10"')
        return Problem(loc, quote)
    if kind in ("int_type", "float_type") and _quoted_number(value, whole=kind == "int_type"):
        # "30" in quotes is a text in YAML and TOML; the schema takes no text for a number.
        return Problem(
            loc,
            N_(
                '"%(value)s" is in quotes, so it is a text, but %(field)s takes a number: '
                "write %(value)s without quotes"
            ),
            {"value": str(value).strip(), "field": str(loc[-1]) if loc else ""},
        )
    if kind in expected:
        return Problem(loc, expected[kind], {"value": value})
    return None


def _quoted_number(value: Any, whole: bool) -> bool:
    """Whether the value is a number written as a text ("30", "0.25")."""
    if not isinstance(value, str):
        return False
    try:
        number = float(value)
    except ValueError:
        return False
    return math.isfinite(number) and (number.is_integer() if whole else True)


# A model's own rules (a scale's steps, a question on a closing card, ...):
# pydantic runs them only once the model's fields are right, so decks.card_rules
# makes them on the raw data in every check, and says them there.
SAID_BY_RULES = frozenset(
    {
        "evidence_empty",
        "option_reserved",
        "profile_pair",
        "max_choices_over",
        "scale_steps",
        "question_missing",
        "question_not_allowed",
        "media_not_allowed",
        "video_source",
        "reference_not_profile",
        "reference_options",
        "reference_sum",
    }
)


def where(path: Path, data: Any, language: str) -> str:
    """The place as people count: "card 3 (id: buses), option 2 (id: bike), field label"."""
    parts: list[str] = []
    rest: list[str] = []
    for index, part in enumerate(path):
        parent = path[index - 1] if index else None
        if isinstance(part, int) and parent in ("cards", "options", "evidence"):
            item = _at(data, path[: index + 1])
            ident = item.get("id") if isinstance(item, dict) else None
            params: dict[str, Any] = {"number": part + 1, "id": ident}
            if parent == "evidence":
                parts.append(i18n.gettext(language, N_("evidence %(number)s")) % params)
            elif parent == "cards":
                parts.append(
                    _named(
                        N_("card %(number)s (id: %(id)s)"), N_("card %(number)s"), params, language
                    )
                )
            else:
                parts.append(
                    _named(
                        N_("option %(number)s (id: %(id)s)"),
                        N_("option %(number)s"),
                        params,
                        language,
                    )
                )
            rest = []
        elif part not in ("cards", "options", "evidence") or index == len(path) - 1:
            rest.append(str(part + 1) if isinstance(part, int) else str(part))
    if rest:
        parts.append(i18n.gettext(language, N_("field %(field)s")) % {"field": ".".join(rest)})
    return ", ".join(parts)


def _named(with_id: str, without: str, params: Mapping[str, Any], language: str) -> str:
    message = with_id if isinstance(params.get("id"), str) else without
    return i18n.gettext(language, message) % dict(params)
