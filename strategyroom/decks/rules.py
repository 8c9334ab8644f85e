"""The checker's rules across the deck, made on the raw data of the file.

pydantic stops at the deck's own validator when any card fails, so a duplicate
card id stays hidden until a broken option elsewhere is fixed. These rules read
the raw mapping instead, tolerate whatever else is wrong with it, and so run in
every check: unique ids, references to scenarios and attributes, before/after
pairs, language codes, texts in a language the deck lacks, source links and the
figures of budget options.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from typing import Any

from babel import Locale, UnknownLocaleError

from strategyroom import i18n
from strategyroom.decks import card_rules
from strategyroom.decks.card_rules import mappings as _items
from strategyroom.decks.messages import Path, Phrase, Problem
from strategyroom.decks.schema import ANY_LANGUAGE
from strategyroom.errors import N_

# Country codes written where a language code belongs (Sweden's se is also
# Northern Sami, but a council in Scandinavia that writes se means Swedish).
COUNTRY_NOT_LANGUAGE = {"se": "sv", "dk": "da", "gb": "en", "us": "en"}
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def _questions(data: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, card in _items(data.get("cards")):
        question = card.get("question")
        if isinstance(question, dict):
            yield index, question


def wrong_language(code: str) -> str | None:
    """The language meant by a code that is not one, or None when it is a
    language ("" when nothing close is known)."""
    if code in COUNTRY_NOT_LANGUAGE:
        return COUNTRY_NOT_LANGUAGE[code]
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return ""
    return None


def check(data: dict[str, Any]) -> list[Problem]:
    return [
        *card_rules.check(data),
        *_languages(data),
        *_unique_ids(data),
        *_references(data),
        *_pairs(data),
        *_budget_figures(data),
        *_source_links(data),
        *_stray_languages(data),
        *_media_languages(data),
    ]


def _languages(data: dict[str, Any]) -> Iterator[Problem]:
    languages = data.get("languages", ["en"])
    if not isinstance(languages, list):
        return
    for index, code in enumerate(languages):
        if not isinstance(code, str) or not LANGUAGE_CODE.match(code):
            continue  # pydantic says so
        meant = wrong_language(code)
        if meant:
            yield Problem(
                ("languages", index),
                N_("%(code)s is not a language code; did you mean %(meant)s?"),
                {"code": code, "meant": meant},
            )
        elif meant == "":
            yield Problem(
                ("languages", index), N_("%(code)s is not a language code"), {"code": code}
            )
    default = data.get("default_language", "en")
    if isinstance(default, str) and default not in languages:
        meant = wrong_language(default) if LANGUAGE_CODE.match(default) else None
        params = {"code": default, "languages": ", ".join(map(str, languages)), "meant": meant}
        message = N_("%(code)s is not one of the deck's languages (%(languages)s)")
        if meant and meant in languages:
            message = N_(
                "%(code)s is not one of the deck's languages (%(languages)s); "
                "did you mean %(meant)s?"
            )
        yield Problem(("default_language",), message, params)


def _unique_ids(data: dict[str, Any]) -> Iterator[Problem]:
    cards: dict[Any, int] = {}
    questions: dict[Any, int] = {}
    for index, card in _items(data.get("cards")):
        ident = card.get("id")
        if not isinstance(ident, Hashable):
            continue  # a list or a mapping: pydantic says an id is a text
        if ident in cards:
            yield Problem(
                ("cards", index, "id"),
                N_("the card id %(id)s is used twice: card %(other)s has it too"),
                {"id": ident, "other": cards[ident] + 1},
            )
        cards.setdefault(ident, index)
    for index, question in _questions(data):
        ident = question.get("id")
        if isinstance(ident, Hashable) and ident in questions:
            yield Problem(
                ("cards", index, "question", "id"),
                N_("the question id %(id)s is used twice: card %(other)s asks it too"),
                {"id": ident, "other": questions[ident] + 1},
            )
        if isinstance(ident, Hashable):
            questions.setdefault(ident, index)
        options: dict[Any, int] = {}
        for number, option in _items(question.get("options")):
            ident = option.get("id")
            if not isinstance(ident, Hashable):
                continue
            if ident in options:
                yield Problem(
                    ("cards", index, "question", "options", number, "id"),
                    N_("the option id %(id)s is used twice: option %(other)s has it too"),
                    {"id": ident, "other": options[ident] + 1},
                )
            options.setdefault(ident, number)


def _references(data: dict[str, Any]) -> Iterator[Problem]:
    declared = data.get("attributes")
    declared = set(declared) if isinstance(declared, dict) else set()
    undeclared = N_("%(name)s is not declared under attributes at the top of the deck")
    scenarios = {
        c.get("id")
        for _, c in _items(data.get("cards"))
        if c.get("kind") == "scenario" and isinstance(c.get("id"), Hashable)
    }
    for index, card in _items(data.get("cards")):
        scenario = card.get("scenario")
        if scenario is not None and isinstance(scenario, Hashable) and scenario not in scenarios:
            yield Problem(
                ("cards", index, "scenario"),
                N_("%(id)s is not the id of a scenario card"),
                {"id": scenario},
            )
    for index, question in _questions(data):
        for number, option in _items(question.get("options")):
            attributes = option.get("attributes")
            for name in attributes if isinstance(attributes, dict) else ():
                if name not in declared:
                    at: Path = ("cards", index, "question", "options", number, "attributes", name)
                    yield Problem(at, undeclared, {"name": name})
        package = question.get("package")
        cap = package.get("cap_attribute") if isinstance(package, dict) else None
        if cap is not None and isinstance(cap, Hashable) and cap not in declared:
            where: Path = ("cards", index, "question", "package", "cap_attribute")
            yield Problem(where, undeclared, {"name": cap})
    target = data.get("target")
    if (
        isinstance(target, dict)
        and "attribute" in target
        and isinstance(target["attribute"], Hashable)
        and target["attribute"] not in declared
    ):
        yield Problem(("target", "attribute"), undeclared, {"name": target["attribute"]})


def _pairs(data: dict[str, Any]) -> Iterator[Problem]:
    halves: dict[Any, dict[Any, list[tuple[int, dict[str, Any]]]]] = {}
    for index, question in _questions(data):
        pair = question.get("pair")
        if isinstance(pair, dict) and all(
            isinstance(pair.get(k), Hashable) for k in ("id", "phase")
        ):
            halves.setdefault(pair.get("id"), {}).setdefault(pair.get("phase"), []).append(
                (index, question)
            )
    for ident, phases in halves.items():
        if set(phases) - {"before", "after"}:
            continue  # pydantic names the phase that is neither
        before, after = phases.get("before", []), phases.get("after", [])
        first = next(iter(phases.values()))[0][0]
        if len(before) != 1 or len(after) != 1:
            yield Problem(
                ("cards", first, "question", "pair"),
                N_(
                    "the pair %(id)s needs one before and one after question "
                    "(it has %(before)s before, %(after)s after)"
                ),
                {"id": ident, "before": len(before), "after": len(after)},
            )
        elif _shape(before[0][1]) != _shape(after[0][1]):
            yield Problem(
                ("cards", after[0][0], "question", "pair"),
                N_(
                    "the pair %(id)s asks %(before)s and %(after)s, which must have the same "
                    "type and the same options or scale"
                ),
                {"id": ident, "before": before[0][1].get("id"), "after": after[0][1].get("id")},
            )


def _shape(question: dict[str, Any]) -> tuple[Any, ...]:
    if question.get("type") == "scale":
        return ("scale", question.get("min", 1), question.get("max", 5))
    options = [o.get("id") for _, o in _items(question.get("options"))]
    return (question.get("type"), tuple(options))


def _budget_figures(data: dict[str, Any]) -> Iterator[Problem]:
    """A budget option's figures are what it costs and achieves with the whole
    budget, and the impact meter counts its share of them; an option without
    one of them counts 0 (docs/aggregates.md, "Impact meter")."""
    for index, question in _questions(data):
        if question.get("type") != "budget":
            continue
        options = list(_items(question.get("options")))
        wanted: list[str] = []
        for _, option in options:
            attributes = option.get("attributes")
            for name in attributes if isinstance(attributes, dict) else ():
                if name not in wanted:
                    wanted.append(name)
        package = question.get("package")
        cap = package.get("cap_attribute") if isinstance(package, dict) else None
        if isinstance(cap, str) and cap not in wanted:
            wanted.append(cap)
        total = question.get("total")
        declared = data.get("attributes")
        if not wanted and isinstance(declared, dict) and declared and options:
            # The meter is shown for every budget of a deck with figures; with
            # none on its options it reads 0 whatever the room decides.
            yield Problem(
                ("cards", index, "question", "options"),
                N_(
                    "none of the options has figures (%(names)s), so the impact meter "
                    "shows 0 for this budget; give each option what it costs and achieves "
                    "with the whole budget (%(total)s)"
                ),
                {"names": ", ".join(map(str, declared)), "total": _number(total)},
                warning=True,
            )
        for number, option in options:
            attributes = option.get("attributes", {})
            if not isinstance(attributes, dict):
                continue  # pydantic says what attributes should be
            lacking = [name for name in wanted if name not in attributes]
            if lacking:
                yield Problem(
                    ("cards", index, "question", "options", number, "attributes"),
                    N_(
                        "the option has no %(names)s, so the impact meter counts 0 for it; "
                        "give what the option costs and achieves with the whole budget "
                        "(%(total)s), and the meter counts its share"
                    ),
                    {"names": ", ".join(map(str, lacking)), "total": _number(total)},
                )


def _number(value: Any) -> Any:
    return i18n.Number(value) if isinstance(value, int | float) else value


_LINK = re.compile(r"(?:\b[a-z][a-z0-9+.-]*:?//|\bwww\.)\S*", re.IGNORECASE)
# A link broken by a space: what follows the space goes on like an address.
_GOES_ON = re.compile(r"[ \t]+([./][^\s]+)")


def _source_links(data: dict[str, Any]) -> Iterator[Problem]:
    """The shape of every link in an evidence source (nothing is fetched)."""
    for index, card in _items(data.get("cards")):
        for number, evidence in _items(card.get("evidence")):
            source = evidence.get("source")
            texts = source.items() if isinstance(source, dict) else [(None, source)]
            for language, text in texts:
                if not isinstance(text, str):
                    continue
                path: Path = ("cards", index, "evidence", number, "source")
                if language is not None:
                    path = (*path, language)
                for link, reasons in links_in(text):
                    yield Problem(
                        path,
                        N_("%(link)s is not a web address: %(reasons)s"),
                        {"link": link, "reasons": _Reasons(reasons)},
                    )


def links_in(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each link-like run of the text that is not a well-formed http(s)
    address, with what is wrong with it (gettext msgids)."""
    for match in _LINK.finditer(text):
        link, reasons = match.group(0).rstrip(".,;)"), []
        goes_on = _GOES_ON.match(text, match.end())
        if goes_on:
            link = f"{link}{goes_on.group(0)}".rstrip(".,;)")
            reasons.append(N_("it has a space in it"))
        scheme, sep, rest = link.partition("://")
        if not sep or scheme.lower() not in ("http", "https"):
            reasons.insert(0, N_("it must begin with https:// or http://"))
            rest = re.sub(r"^[a-z0-9+.-]*:?//", "", link, flags=re.IGNORECASE)
        host = re.split(r"[/\s?#]", rest, maxsplit=1)[0]
        if "." not in host.strip(".") and not goes_on:
            reasons.append(N_("its host has no dot (like www.example.org)"))
        if reasons:
            yield link, reasons


class _Reasons(Phrase):
    """Several reasons, each in the message's language, joined by semicolons."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("", {})
        self.reasons = reasons

    __slots__ = ("reasons",)

    def written(self, language: str) -> str:
        return "; ".join(i18n.gettext(language, reason) for reason in self.reasons)


def _raw_texts(path: Path, value: Any) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The texts given per language in the raw data: mappings of strings whose
    keys all look like language codes ("id" is an id, not Indonesian)."""
    if isinstance(value, dict):
        keys = [str(key) for key in value]
        if (
            value
            and all(isinstance(v, str) for v in value.values())
            and all(LANGUAGE_CODE.match(key) or key == ANY_LANGUAGE for key in keys)
            and "id" not in keys
        ):
            yield path, value
            return
        for key, inner in value.items():
            yield from _raw_texts((*path, str(key)), inner)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _raw_texts((*path, index), inner)


# The same walk for the deck editor, which removes a dropped language's texts.
raw_texts = _raw_texts


def _stray_languages(data: dict[str, Any]) -> Iterator[Problem]:
    """Texts in a language the deck does not list: one problem per language,
    at its first text (a typo repeated in every text is one mistake, not a
    hundred). A likely slip (se for sv) hides the text from its readers: an
    error. Another language may be a translation under way: a warning."""
    languages = data.get("languages", ["en"])
    if not isinstance(languages, list):
        return
    listed = [str(code) for code in languages]
    meant = {wrong_language(code) for code in listed} - {None, ""}  # said at languages
    stray: dict[str, list[Path]] = {}
    for path, value in _raw_texts((), data):
        for key in value:
            if key not in listed and key != ANY_LANGUAGE and key not in meant:
                stray.setdefault(key, []).append((*path, key))
    for key, paths in stray.items():
        guess = wrong_language(key)
        params = {"code": key, "num": len(paths), "languages": ", ".join(listed), "meant": guess}
        typo = bool(guess) and guess in listed
        if typo:
            message = N_(
                "texts in %(code)s (%(num)s, the first one here), but %(code)s is not one of "
                "the deck's languages (%(languages)s); did you mean %(meant)s?"
            )
        else:
            message = N_(
                "texts in %(code)s (%(num)s, the first one here), but %(code)s is not one of "
                "the deck's languages (%(languages)s), so nobody reads them"
            )
        yield Problem(paths[0], message, params, warning=not typo)


def _media_languages(data: dict[str, Any]) -> Iterator[Problem]:
    """An image says what it shows in every language of the deck (its ``alt``,
    read out by screen readers and shown when it does not load), and a video
    has captions in each: an error, unlike another text's missing translation,
    since nothing stands in for them."""
    languages = data.get("languages", ["en"])
    if not isinstance(languages, list):
        return
    # A code that is no language (se) is said once, at languages.
    listed = [str(code) for code in languages if wrong_language(str(code)) is None]
    for index, card in _items(data.get("cards")):
        image = card.get("image")
        if isinstance(image, dict):
            alt = image.get("alt")
            given = _given(alt) if alt is not None else set()
            lacking = [code for code in listed if code not in given and ANY_LANGUAGE not in given]
            if lacking:
                yield Problem(
                    ("cards", index, "image", "alt"),
                    N_(
                        "the image needs alt text in %(languages)s: a sentence saying what it "
                        "shows, for those who cannot see it"
                    ),
                    {"languages": ", ".join(lacking)},
                )
        video = card.get("video")
        if isinstance(video, dict):
            captions = video.get("captions")
            given = set(captions) if isinstance(captions, dict) else set()
            lacking = [code for code in listed if code not in given]
            if lacking:
                yield Problem(
                    ("cards", index, "video", "captions"),
                    N_(
                        "the video needs a caption file (WebVTT) in %(languages)s, for those "
                        "who cannot hear it"
                    ),
                    {"languages": ", ".join(lacking)},
                )


def _given(text: Any) -> set[str]:
    if isinstance(text, str):
        return {ANY_LANGUAGE}
    return {str(key) for key in text} if isinstance(text, dict) else set()
