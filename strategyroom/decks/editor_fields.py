"""The deck editor's fields: which form fields the deck's settings and a card
(of each kind, its question of each type, its media) have, each with where its
value lives, how it is typed in and its label; and the media files a draft
names. strategyroom/decks/editing.py reads a submitted form back through
them and places the checker's problems at them.

Fields are listed per card kind and question type, so a new field (say, a
card's notes) is one more line here and no template change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from strategyroom.decks.messages import QUESTION_MODELS, Path
from strategyroom.decks.schema import MEDIA_CARDS, CardKind, QuestionType, _Question, _WithOptions
from strategyroom.errors import N_

Kind = Literal["text", "number", "integer", "word", "choice", "languages", "flag", "file"]
CURRENCIES = ("DKK", "SEK", "GBP", "EUR")
WITH_OPTIONS = {str(t) for t, m in QUESTION_MODELS.items() if issubclass(m, _WithOptions)}
COMMON = {*_Question.model_fields, "type"}
# The keys each question type may have besides the common ones, read from the
# schema: editing.tidy_card drops every other key of a question.
QUESTION_KEYS = {str(t): set(m.model_fields) - COMMON for t, m in QUESTION_MODELS.items()}
TYPE_NAMES = {
    "single": N_("Single choice"),
    "multiple": N_("Multiple choice"),
    "scale": N_("Scale"),
    "ranking": N_("Ranking"),
    "budget": N_("Budget"),
    "text": N_("Short text"),
}
KIND_NAMES = {
    "intro": N_("Introduction"),
    "scenario": N_("Scenario"),
    "evidence": N_("Evidence"),
    "question": N_("Question"),
    "break": N_("Break"),
    "closing": N_("Closing"),
}


@dataclass(frozen=True)
class Field:
    """One form field: where its value lives (from the card, or from the deck
    for settings), how it is typed in, its label (a msgid and parameters), and
    the group it is shown in (an evidence snippet, an option)."""

    path: Path
    kind: Kind
    label: str
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[tuple[str, str], ...] = ()
    group: tuple[str, Mapping[str, Any]] | None = None
    required: bool = False

    @property
    def name(self) -> str:
        return "f." + ".".join(str(part) for part in self.path)

    @property
    def key(self) -> str:
        return "-".join(str(part) for part in self.path)


def languages_of(document: Mapping[str, Any]) -> list[str]:
    found = document.get("languages")
    if isinstance(found, list) and found and all(isinstance(x, str) for x in found):
        return list(found)
    return ["en"]


def value_at(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


# -- the fields --------------------------------------------------------------------


def settings_fields(document: Mapping[str, Any]) -> list[Field]:
    attributes = document.get("attributes") if isinstance(document.get("attributes"), dict) else {}
    assert isinstance(attributes, dict)
    fields = [
        Field(("title",), "text", N_("Title"), required=True),
        Field(("description",), "text", N_("Description")),
        Field(("version",), "word", N_("Version label"), required=True),
        Field(("languages",), "languages", N_("Languages (codes, separated by commas)")),
        Field(
            ("default_language",),
            "choice",
            N_("Default language"),
            choices=tuple((code, code) for code in languages_of(document)),
        ),
    ]
    for name in attributes:
        group = (N_("Attribute %(name)s"), {"name": name})
        fields += [
            Field(("attributes", name, "label"), "text", N_("Label"), group=group, required=True),
            Field(("attributes", name, "unit"), "text", N_("Unit"), group=group),
            Field(
                ("attributes", name, "currency"),
                "choice",
                N_("Currency"),
                group=group,
                choices=_currencies(),
            ),
        ]
    target: tuple[str, Mapping[str, Any]] = (N_("Target"), {})
    fields += [
        Field(
            ("target", "attribute"),
            "choice",
            N_("Attribute"),
            group=target,
            choices=(("", N_("No target")), *((n, n) for n in attributes)),
        ),
        Field(("target", "value"), "number", N_("Value"), group=target),
        Field(("target", "label"), "text", N_("Label"), group=target),
    ]
    return fields


def _currencies() -> tuple[tuple[str, str], ...]:
    return (("", N_("None")), *((c, c) for c in CURRENCIES))


def card_fields(card: Mapping[str, Any], document: Mapping[str, Any]) -> list[Field]:
    kind = card.get("kind")
    fields = [
        Field(("id",), "word", N_("Card id"), required=True),
        Field(("title",), "text", N_("Title"), required=True),
        Field(("body",), "text", N_("Text")),
    ]
    if kind in (CardKind.EVIDENCE, CardKind.QUESTION):
        fields.append(Field(("scenario",), "word", N_("The scenario card it belongs to (its id)")))
    fields.append(Field(("theme",), "word", N_("Theme (an id the report groups cards by)")))
    for index, _item in enumerate(card.get("evidence") or []):
        group = (N_("Evidence %(number)s"), {"number": index + 1})
        at = ("evidence", index)
        fields += [
            Field((*at, "label"), "text", N_("Label"), group=group, required=True),
            Field((*at, "value"), "number", N_("Figure"), group=group),
            Field((*at, "unit"), "text", N_("Unit"), group=group),
            Field((*at, "currency"), "choice", N_("Currency"), group=group, choices=_currencies()),
            Field((*at, "text"), "text", N_("Fact in words"), group=group),
            Field(
                (*at, "source"),
                "text",
                N_("Source, with its web address"),
                group=group,
                required=True,
            ),
        ]
    if kind == CardKind.QUESTION:
        fields += question_fields(card.get("question") or {}, document)
    if kind in MEDIA_CARDS:
        fields += media_fields(card, document)
    fields += [
        Field(("prompt",), "text", N_("Discussion prompt for the tables")),
        Field(("timer",), "integer", N_("Discussion time in seconds")),
        # Shown on the console alone, never to residents (docs/decks.md).
        Field(("notes",), "text", N_("Notes for the facilitator")),
    ]
    return fields


def question_fields(question: Mapping[str, Any], document: Mapping[str, Any]) -> list[Field]:
    q = "question"
    group: tuple[str, Mapping[str, Any]] = (N_("Question"), {})
    kind = question.get("type")
    fields = [
        Field((q, "id"), "word", N_("Question id"), group=group, required=True),
        Field((q, "type"), "choice", N_("Type"), group=group, choices=tuple(TYPE_NAMES.items())),
        Field((q, "prompt"), "text", N_("Question"), group=group, required=True),
        Field((q, "help"), "text", N_("Help text"), group=group),
        Field(
            (q, "scope"),
            "choice",
            N_("Who answers"),
            group=group,
            choices=(("individual", N_("Each participant")), ("table", N_("Each table together"))),
        ),
        Field(
            (q, "reveal"),
            "choice",
            N_("When the room sees the results"),
            group=group,
            choices=(
                ("on_close", N_("When the question closes")),
                ("manual", N_("When the facilitator shows them")),
            ),
        ),
    ]
    if kind == QuestionType.SINGLE:
        fields.append(
            Field(
                (q, "profile"),
                "flag",
                N_(
                    "A profile question (age, area …): it may be skipped, and the report "
                    "breaks results down by its answers"
                ),
                group=group,
            )
        )
    if kind == QuestionType.SCALE:
        fields += [
            Field((q, "min"), "integer", N_("Lowest value"), group=group),
            Field((q, "max"), "integer", N_("Highest value"), group=group),
            Field(
                (q, "min_label"),
                "text",
                N_("Label of the lowest value"),
                group=group,
                required=True,
            ),
            Field(
                (q, "max_label"),
                "text",
                N_("Label of the highest value"),
                group=group,
                required=True,
            ),
        ]
    elif kind == QuestionType.MULTIPLE:
        fields.append(
            Field((q, "max_choices"), "integer", N_("At most this many choices"), group=group)
        )
    elif kind == QuestionType.BUDGET:
        fields += [
            Field((q, "total"), "integer", N_("Total to share out"), group=group, required=True),
            Field((q, "unit"), "text", N_("Unit"), group=group),
            Field((q, "currency"), "choice", N_("Currency"), group=group, choices=_currencies()),
        ]
    elif kind == QuestionType.TEXT:
        fields.append(
            Field((q, "max_length"), "integer", N_("At most this many characters"), group=group)
        )
    attributes = document.get("attributes")
    names = list(attributes) if isinstance(attributes, dict) else []
    if kind in (QuestionType.SINGLE, QuestionType.SCALE):
        fields += _pair_fields()
    if kind in (QuestionType.MULTIPLE, QuestionType.BUDGET):
        fields += _package_fields(names)
    if kind == QuestionType.SINGLE and (question.get("profile") or question.get("reference")):
        fields += _reference_fields(question)
    if kind in WITH_OPTIONS:
        for index, _option in enumerate(question.get("options") or []):
            at = (q, "options", index)
            option = (N_("Option %(number)s"), {"number": index + 1})
            fields += [
                Field((*at, "id"), "word", N_("Option id"), group=option, required=True),
                Field((*at, "label"), "text", N_("Label"), group=option, required=True),
                Field((*at, "description"), "text", N_("Description"), group=option),
            ]
            fields += [
                Field(
                    (*at, "attributes", name),
                    "number",
                    N_("Attribute %(name)s"),
                    {"name": name},
                    group=option,
                )
                for name in names
            ]
    return fields


def _pair_fields() -> list[Field]:
    group: tuple[str, Mapping[str, Any]] = (N_("Before and after"), {})
    at = ("question", "pair")
    return [
        Field(
            (*at, "id"),
            "word",
            N_("Pair id: the same on the question asked before and after (empty: not a pair)"),
            group=group,
        ),
        Field(
            (*at, "phase"),
            "choice",
            N_("This question is asked"),
            group=group,
            choices=(("before", N_("Before")), ("after", N_("After"))),
        ),
    ]


def _package_fields(attributes: list[str]) -> list[Field]:
    group: tuple[str, Mapping[str, Any]] = (N_("Package limit"), {})
    at = ("question", "package")
    return [
        Field(
            (*at, "cap_attribute"),
            "choice",
            N_("The options' attribute that is limited"),
            group=group,
            choices=(("", N_("No limit")), *((n, n) for n in attributes)),
        ),
        Field((*at, "cap"), "number", N_("At most this much of it in all"), group=group),
    ]


def _reference_fields(question: Mapping[str, Any]) -> list[Field]:
    """The town's own shares of a profile question's options, by option id."""
    group: tuple[str, Mapping[str, Any]] = (N_("The town's shares of the options"), {})
    at = ("question", "reference")
    # Shares are optional; once there are some, so are their source and year.
    given = isinstance(question.get("reference"), dict)
    fields = [
        Field(
            (*at, "source"),
            "text",
            N_("Source (who publishes the figures)"),
            group=group,
            required=given,
        ),
        Field((*at, "link"), "word", N_("Web address of the figures"), group=group),
        Field((*at, "year"), "integer", N_("Year of the figures"), group=group, required=given),
    ]
    for option in question.get("options") or []:
        if isinstance(option, dict) and isinstance(option.get("id"), str) and option["id"]:
            fields.append(
                Field(
                    (*at, "shares", option["id"]),
                    "number",
                    N_("Share of option %(option)s (from 0 to 1)"),
                    {"option": option["id"]},
                    group=group,
                )
            )
    return fields


def media_fields(card: Mapping[str, Any], document: Mapping[str, Any]) -> list[Field]:
    """An image with its alt text, and a video (a file or a link) with its
    title and a caption file per language. Files are uploaded (kind "file"):
    the web layer checks and stores them (decks.media.prepare)."""
    image: tuple[str, Mapping[str, Any]] = (N_("Image"), {})
    video: tuple[str, Mapping[str, Any]] = (N_("Video"), {})
    has_image = isinstance(card.get("image"), dict)
    has_video = isinstance(card.get("video"), dict)
    fields = [
        Field(("image", "file"), "file", N_("Image file (PNG, JPEG or WebP)"), group=image),
        Field(
            ("image", "alt"),
            "text",
            N_("Alt text: what the image shows, for those who cannot see it"),
            group=image,
            required=has_image,
        ),
        Field(("video", "file"), "file", N_("Video file (MP4 or WebM)"), group=video),
        Field(("video", "url"), "word", N_("Or a link to the video (https://…)"), group=video),
        Field(
            ("video", "title"), "text", N_("Title of the video"), group=video, required=has_video
        ),
    ]
    fields += [
        Field(
            ("video", "captions", code),
            "file",
            N_("Caption file (WebVTT) in %(language)s"),
            {"language": code},
            group=video,
        )
        for code in languages_of(document)
    ]
    return fields


def media_named(document: Mapping[str, Any]) -> dict[str, str]:
    """Every media file a draft's cards name, with its kind ("image",
    "video", "captions"): the files a draft's preview may serve."""
    found: dict[str, str] = {}
    for card in document.get("cards") or []:
        if not isinstance(card, dict):
            continue
        image, video = value_at(card, ("image", "file")), value_at(card, ("video", "file"))
        if isinstance(image, str):
            found.setdefault(image, "image")
        if isinstance(video, str):
            found.setdefault(video, "video")
        captions = value_at(card, ("video", "captions"))
        for name in captions.values() if isinstance(captions, dict) else ():
            if isinstance(name, str):
                found.setdefault(name, "captions")
    return found


def media_names(document: Mapping[str, Any]) -> set[str]:
    return set(media_named(document))
