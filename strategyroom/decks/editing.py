"""The in-app deck editor's model of a deck: reading a submitted form back
into the document, tidying what a form leaves, the card list's operations, and
which of the checker's problems belong to which field (the fields themselves
are in decks/editor_fields.py; the web layer, strategyroom/web/deck_editor.py,
draws and stores them).

A draft is the deck document (the library's stored form, decks/bundle.py)
that may be invalid while it is edited: a form writes what was typed, a number
that is not one stays text, and the checker (decks/check.py) says what is
wrong, each problem at the field its path names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from strategyroom.decks import rules
from strategyroom.decks.editor_fields import (
    COMMON,
    KIND_NAMES,
    QUESTION_KEYS,
    TYPE_NAMES,
    WITH_OPTIONS,
    Field,
    card_fields,
    languages_of,
    media_fields,
    media_named,
    media_names,
    question_fields,
    settings_fields,
    value_at,
)
from strategyroom.decks.messages import Path, Problem
from strategyroom.decks.schema import ANY_LANGUAGE, CardKind

# What the web layer reaches through this module.
__all__ = [
    "KIND_NAMES",
    "TYPE_NAMES",
    "WITH_OPTIONS",
    "Field",
    "add_evidence",
    "add_option",
    "apply",
    "card_fields",
    "card_problems",
    "deck_problems",
    "drop_language",
    "group_key",
    "grouped_fields",
    "languages_of",
    "media_fields",
    "media_named",
    "media_names",
    "move",
    "new_card",
    "place_problems",
    "put",
    "question_fields",
    "remove_at",
    "settings_fields",
    "stray_languages",
    "text_languages",
    "tidy_card",
    "tidy_settings",
    "upload_name",
    "value_at",
]


def put(data: dict[str, Any], path: Path, value: Any) -> None:
    """Set the value at ``path``, making the mappings on the way (None: remove it)."""
    _set(data, path, value)


def _set(data: dict[str, Any], path: Path, value: Any) -> None:
    target: Any = data
    for part, following in pairwise(path):
        if isinstance(part, int):
            target = target[part]
        else:
            if not isinstance(target.get(part), dict | list):
                target[part] = [] if isinstance(following, int) else {}
            target = target[part]
    if value is None and isinstance(target, dict):
        target.pop(path[-1], None)  # absent: the schema's default, or "missing"
    else:
        target[path[-1]] = value


def upload_name(card: Mapping[str, Any], path: Path, suffix: str, data: bytes) -> str:
    """The name an uploaded file is kept under: its card, what it is (an
    image, a video, the captions in a language) and its content's hash, so
    another file never takes an older one's name (a version keeps its own)."""
    card_id = str(card.get("id") or "")
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in card_id)
    safe = safe.lower().lstrip("-_")[:40] or "card"
    what = "-".join(str(part) for part in path if part not in ("file", "video", "captions"))
    what = {"image": "image", "": "video"}.get(what, f"captions-{what}")
    return f"{safe}-{what}-{hashlib.sha256(data).hexdigest()[:12]}.{suffix}"


# -- reading a form back ------------------------------------------------------------


def text_languages(value: Any, languages: list[str]) -> list[str]:
    """The languages a text field shows: the deck's, and "every language" when
    the text has one (a plain string in the file)."""
    extra = [ANY_LANGUAGE] if isinstance(value, dict) and ANY_LANGUAGE in value else []
    return languages + extra


def apply(
    target: dict[str, Any], fields: list[Field], form: Mapping[str, str], languages: list[str]
) -> None:
    """Write the submitted values of ``fields`` into ``target`` (a card or the
    deck). An empty field is an absent value; what is not a number stays text,
    for the checker to name."""
    for f in fields:
        if f.kind == "text":
            shown = text_languages(value_at(target, f.path), languages)
            typed = {
                code: form[f"{f.name}.{code}"].strip()
                for code in shown
                if f"{f.name}.{code}" in form
            }
            old = value_at(target, f.path)
            kept = {c: t for c, t in (old or {}).items() if c not in shown}
            text = {**kept, **{c: t for c, t in typed.items() if t}}
            _set(target, f.path, text or None)
            continue
        if f.kind == "file":
            continue  # an upload: the web layer stores it and names it
        if f.kind == "flag":
            # An unticked box is not sent at all: absent is the default, False.
            _set(target, f.path, True if form.get(f.name) else None)
            continue
        if f.name not in form:
            continue
        raw = form[f.name].strip()
        if f.kind == "languages":
            _set(target, f.path, [c.strip() for c in raw.replace(",", " ").split() if c.strip()])
        elif f.kind in ("number", "integer"):
            _set(target, f.path, _number(raw, f.kind == "integer"))
        else:
            _set(target, f.path, raw or None)


def _number(raw: str, whole: bool) -> Any:
    if not raw:
        return None
    cleaned = raw.replace(",", ".").replace(" ", "")
    try:
        return int(cleaned) if whole else float(cleaned)
    except ValueError:
        try:
            number = float(cleaned)
        except ValueError:
            return raw  # the checker says it is not a number
        return int(number) if number.is_integer() else number


def stray_languages(document: Mapping[str, Any]) -> list[str]:
    """The languages of texts (and caption files) that are not the deck's, in
    the order they are first found: what is left when a language is dropped."""
    listed = set(languages_of(document)) | {ANY_LANGUAGE}
    found: list[str] = []
    for _path, text in rules.raw_texts((), document):
        found += [code for code in text if code not in listed and code not in found]
    return found


def drop_language(document: dict[str, Any], code: str) -> None:
    """Remove every text (and caption file) in ``code``, a language the deck no
    longer has; a text left with no language is removed, for the checker to
    ask for when it is needed."""
    if code in languages_of(document):
        return
    for path, text in list(rules.raw_texts((), document)):
        text.pop(code, None)
        if not text:
            put(document, path, None)


def tidy_settings(document: dict[str, Any]) -> None:
    """No target without its attribute; empty option attributes left out."""
    target = document.get("target")
    if isinstance(target, dict) and not target.get("attribute"):
        document["target"] = None


def tidy_card(card: dict[str, Any]) -> None:
    """A question keeps only its type's fields, and gets what its type needs
    (a changed type: a scale's range, a choice's two options); an image
    without a file and a video with nothing in it are not there."""
    if isinstance(card.get("image"), dict) and not card["image"].get("file"):
        card.pop("image")
    video = card.get("video")
    if isinstance(video, dict):
        if not video.get("captions"):
            video.pop("captions", None)
        if not video:
            card.pop("video")
    question = card.get("question")
    if not isinstance(question, dict):
        return
    kind = str(question.get("type"))
    allowed = COMMON | QUESTION_KEYS.get(kind, set())
    for key in [k for k in question if k not in allowed]:
        del question[key]
    if kind == "scale":
        question.setdefault("min", 1)
        question.setdefault("max", 5)
    if kind in WITH_OPTIONS and not question.get("options"):
        question["options"] = [_option(1), _option(2)]
    if kind == "budget":
        question.setdefault("total", 100)
    for option in question.get("options") or []:
        attributes = option.get("attributes")
        if isinstance(attributes, dict):
            option["attributes"] = {k: v for k, v in attributes.items() if v is not None}
    # A pair without its id, a package without its attribute, a reference with
    # nothing in it: not there at all (the phase's and a choice's defaults are
    # always sent).
    if not value_at(question, ("pair", "id")):
        question.pop("pair", None)
    if not value_at(question, ("package", "cap_attribute")):
        question.pop("package", None)
    reference = question.get("reference")
    if isinstance(reference, dict):
        shares = {k: v for k, v in (reference.get("shares") or {}).items() if v is not None}
        if shares:
            reference["shares"] = shares
        else:
            reference.pop("shares", None)
        if not reference:
            question.pop("reference", None)


def _option(number: int) -> dict[str, Any]:
    return {"id": f"option-{number}", "attributes": {}}


# -- the card list ------------------------------------------------------------------


def new_card(document: dict[str, Any], kind: str) -> dict[str, Any]:
    """A card of a kind (``question:scale`` for a question of a type), with ids
    not yet taken; its texts are empty, for the checker to ask for."""
    kind, _, question_type = kind.partition(":")
    cards = document.get("cards") or []
    taken = {c.get("id") for c in cards if isinstance(c, dict)}
    card_id = next(f"{kind}-{n}" for n in range(1, 1000) if f"{kind}-{n}" not in taken)
    card: dict[str, Any] = {"id": card_id, "kind": kind}
    if kind == CardKind.QUESTION:
        asked = {value_at(c, ("question", "id")) for c in cards if isinstance(c, dict)}
        question_id = next(f"q-{n}" for n in range(1, 1000) if f"q-{n}" not in asked)
        card["question"] = {"id": question_id, "type": question_type or "single"}
        tidy_card(card)
    return card


def add_evidence(card: dict[str, Any]) -> None:
    card["evidence"] = [*(card.get("evidence") or []), {}]


def add_option(card: dict[str, Any]) -> None:
    question = card.get("question")
    if isinstance(question, dict):
        options = question.get("options") or []
        question["options"] = [*options, _option(len(options) + 1)]


def remove_at(container: dict[str, Any], key: str, index: int) -> None:
    items = container.get(key)
    if isinstance(items, list) and 0 <= index < len(items):
        del items[index]


def move(document: dict[str, Any], index: int, step: int) -> int:
    """Move a card one place up (-1) or down (+1); its new index."""
    cards = document.get("cards") or []
    other = index + step
    if 0 <= index < len(cards) and 0 <= other < len(cards):
        cards[index], cards[other] = cards[other], cards[index]
        return other
    return index


# -- the checker's problems at their fields ----------------------------------------


def place_problems(
    problems: list[Problem], prefix: Path, fields: list[Field]
) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """The problems under ``prefix`` (a card's path, or () for the deck) by
    where they are shown: at the field whose path holds the problem's (its
    key), else at the group that holds it (an option, the question: the key
    ``group-`` and the group's path, see ``group_key``); and those of neither
    (the card's or the deck's as a whole)."""
    placed: dict[str, list[Problem]] = {}
    rest: list[Problem] = []
    paths = sorted(fields, key=lambda f: -len(f.path))
    # A group is drawn (with its own problems' list) by its first field's path:
    # a problem in a group is put there, never at a path nothing draws.
    firsts = {items[0].path[:-1] for group, items in grouped_fields(fields) if group is not None}
    groups = sorted(firsts, key=lambda g: -len(g))
    for problem in problems:
        if problem.path[: len(prefix)] != prefix:
            continue
        inner = problem.path[len(prefix) :]
        found = next((f for f in paths if inner[: len(f.path)] == f.path), None)
        group = next((g for g in groups if g and inner[: len(g)] == g), None)
        if found is not None:
            placed.setdefault(found.key, []).append(problem)
        elif group is not None:
            placed.setdefault(group_key(group), []).append(problem)
        else:
            rest.append(problem)
    return placed, rest


def grouped_fields(fields: list[Field]) -> list[tuple[Any, list[Field]]]:
    """Consecutive fields of one group together, in order (as they are drawn)."""
    groups: list[tuple[Any, list[Field]]] = []
    for f in fields:
        if groups and groups[-1][0] == f.group:
            groups[-1][1].append(f)
        else:
            groups.append((f.group, [f]))
    return groups


def group_key(path: Path) -> str:
    """Where a group's own problems are found: the path its fields share."""
    return "group-" + "-".join(str(part) for part in path)


def card_problems(problems: list[Problem], index: int) -> list[Problem]:
    return [p for p in problems if p.path[:2] == ("cards", index)]


def deck_problems(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not (p.path[:1] == ("cards",) and len(p.path) > 1)]
