"""``strategyroom deck check``: every problem of a deck file in one run, in the
officer's language, each with its file, line, card and field.

Five sources of problems, all collected before anything is printed: the keys
a YAML deck writes twice in one mapping (decks.lines, each at the line of the
second), pydantic's whole error list (every field of every card, decks.messages says them in plain
words), the rules of each card and across the deck on the raw data
(decks.card_rules and decks.rules, which run even when a card is broken), the
media files named by every card that is right in itself (decks.media: there,
and what they must be by their content), and, once the deck loads, the texts
that lack a translation (warnings).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from strategyroom import i18n
from strategyroom.decks import media, rules
from strategyroom.decks.coverage import missing_translations
from strategyroom.decks.lines import line_of, read_yaml
from strategyroom.decks.messages import Problem, from_pydantic, repeated, where
from strategyroom.decks.schema import Card, Deck
from strategyroom.errors import N_


@dataclass
class Checked:
    """What the checker found in one file."""

    path: Path
    data: Any = None
    deck: Deck | None = None
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


def check_file(path: Path, *, show_folder: bool = True) -> Checked:
    """Every problem of the deck file at ``path``; a missing media file is said
    with the folder it was looked for in, unless ``show_folder`` is false (a
    private copy of an upload)."""
    checked = Checked(path)
    twice: list[Problem] = []
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return _fail(checked, N_("the file is not UTF-8 text"), {})
    except OSError as exc:
        return _fail(checked, N_("cannot read the file: %(reason)s"), {"reason": exc.strerror})
    try:
        if path.suffix == ".toml":
            checked.data = tomllib.loads(raw)
        else:
            read = read_yaml(raw)
            checked.data, checked.lines = read.data, read.lines
            twice = [repeated(r.path, r.first, r.second) for r in read.repeated]
    except tomllib.TOMLDecodeError as exc:
        return _fail(checked, N_("this is not TOML: %(detail)s"), {"detail": str(exc)})
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            checked.lines = {("",): mark.line + 1}
        detail = getattr(exc, "problem", None) or str(exc)
        return _fail(checked, N_("this is not YAML: %(detail)s"), {"detail": detail}, ("",))
    if not isinstance(checked.data, dict):
        return _fail(
            checked, N_("the file must hold fields with values: id, version, title and cards"), {}
        )
    folder = media.media_folder(path)
    checked.problems, checked.deck = check_document(checked.data, folder)
    if twice:  # the deck is not what its author wrote twice: it cannot be used
        checked.problems, checked.deck = twice + checked.problems, None
    if show_folder:
        checked.problems = [_looked_in(problem, folder) for problem in checked.problems]
    checked.problems.sort(key=lambda p: _line(checked, p) or 0)
    return checked


def check_document(
    data: dict[str, Any], media_folder: Path | None = None
) -> tuple[list[Problem], Deck | None]:
    """Every problem of a deck document (errors and warnings), and the deck when
    it has no errors; the file checker and the in-app editor both ask this.
    With ``media_folder``, the media files the deck names are checked in it."""
    structure = _structure(data)
    problems = structure + rules.check(data)
    if media_folder is not None:
        problems += _media(data, media_folder)
    if structure:
        return problems, None
    try:
        deck = Deck.model_validate(data)
    except ValidationError:
        return problems, None  # a rule across cards failed, and decks.rules has said which
    problems += _texts(deck)
    return problems, deck if not any(not p.warning for p in problems) else None


def _line(checked: Checked, problem: Problem) -> int | None:
    return problem.line or line_of(checked.lines, problem.path)


def _looked_in(problem: Problem, folder: Path) -> Problem:
    """A missing media file with the folder it was looked for in (a name
    relative to the deck file instead of to media/ is the usual slip)."""
    if problem.message != media.NO_FILE:
        return problem
    return Problem(
        problem.path,
        N_("there is no file %(name)s in the media folder %(folder)s"),
        {**problem.params, "folder": f"{folder}{os.sep}"},
    )


def _fail(
    checked: Checked, message: str, params: dict[str, Any], path: tuple[str, ...] = ()
) -> Checked:
    checked.problems = [Problem(path, message, params)]
    return checked


def _structure(data: dict[str, Any]) -> list[Problem]:
    try:
        Deck.model_validate(data)
    except ValidationError as exc:
        found = (from_pydantic(error, data) for error in exc.errors(include_url=False))
        return [problem for problem in found if problem is not None]
    return []


def _media(data: dict[str, Any], folder: Path) -> list[Problem]:
    """Each media file the deck names: in the media folder beside it, and
    what the card needs (an image, a video, captions) by its content. Every
    card that is right in itself is looked at, whatever is wrong elsewhere."""
    problems: list[Problem] = []
    seen: set[str] = set()
    cards = data.get("cards")
    for index, raw in enumerate(cards if isinstance(cards, list) else []):
        try:
            card = Card.model_validate(raw)
        except ValidationError:
            continue  # pydantic has said what is wrong with it
        for ref in media.card_references(index, card):
            if ref.name in seen:
                continue
            seen.add(ref.name)
            try:
                media.read(folder, ref.name, ref.kind)
            except media.MediaError as exc:
                problems.append(Problem(ref.path, exc.message, exc.params))
    return problems


def _texts(deck: Deck) -> list[Problem]:
    """Texts that lack one of the deck's languages (warnings); a language code
    that is none (se) is said once, at languages, and not for every text."""
    wrong = {code: rules.wrong_language(code) for code in deck.languages}
    problems = []
    languages = [code for code in deck.languages if wrong[code] is None]
    for missing in missing_translations(deck, languages):
        problems.append(
            Problem(
                missing.path,
                N_("no %(languages)s; readers see %(shown)s"),
                {"languages": ", ".join(missing.languages), "shown": missing.shown},
                warning=True,
            )
        )
    return problems


def report(checked: Checked, language: str, strict: bool) -> tuple[list[str], bool]:
    """The lines to print for one file, and whether the file fails the check."""
    catalogue = i18n.translations(language)

    def filled(message: str, num: int) -> str:
        return i18n.Message(message, language) % {"num": num}

    errors, warnings = checked.errors, checked.warnings
    failed = bool(errors) or (strict and bool(warnings))
    parts = []
    if errors:
        parts.append(
            filled(
                catalogue.ngettext("%(num)s problem", "%(num)s problems", len(errors)), len(errors)
            )
        )
    elif checked.deck is not None and not (strict and warnings):
        deck = checked.deck
        cards = filled(
            catalogue.ngettext("%(num)s card", "%(num)s cards", len(deck.cards)), len(deck.cards)
        )
        parts.append(
            i18n.gettext(language, N_("ok (%(id)s %(version)s, %(cards)s)"))
            % {"id": deck.id, "version": deck.version, "cards": cards}
        )
    if warnings:
        parts.append(
            filled(
                catalogue.ngettext("%(num)s warning", "%(num)s warnings", len(warnings)),
                len(warnings),
            )
        )
    head = f"{checked.path}: {', '.join(parts)}"
    if strict and warnings:
        head += i18n.gettext(language, N_("; --strict treats them as errors"))
    lines = [head]
    warning = i18n.gettext(language, N_("warning"))
    for problem in errors + warnings:
        line = _line(checked, problem)
        place = f"{checked.path}:{line}" if line else str(checked.path)
        said = where(problem.path, checked.data, language) if problem.path != ("",) else ""
        text = problem.text(language)
        prefix = f"{warning}: " if problem.warning else ""
        lines.append(f"  {place}: {prefix}{said + ': ' if said else ''}{text}")
    return lines, failed
