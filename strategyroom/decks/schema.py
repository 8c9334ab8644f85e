"""The deck schema: what a session script may contain, validated with pydantic.

Every model forbids unknown fields, so a typo in a deck is an error that names
the field instead of a silently ignored setting. A validator of one model raises
a typed error (``PydanticCustomError``), so that ``strategyroom deck check``
can say it in the officer's language (decks/messages.py). pydantic runs a
model's validator only once its fields are right, so the checker makes the same
rules on the raw file (decks/card_rules.py for one card, decks/rules.py across
cards): every problem is found in one run, not only those before the first
failing field.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]

# Numbers are strict: "30" in quotes is a text in YAML and TOML, and a deck
# author who quotes a number has likely slipped, so the checker says so
# (decks/messages.py) instead of pydantic's turning it into 30. A whole number
# is a number where a fraction may be given (float accepts 30), never the other
# way round (an int field refuses 30.5 and 30.0 alike), nor is true or false.
Number = Annotated[float, Field(strict=True)]

# Text given per language ({"en": ..., "da": ...}) or once for every language.
# A plain string is stored under the key "*".
ANY_LANGUAGE = "*"


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return {ANY_LANGUAGE: value}
    return value


LocalizedText = Annotated[
    dict[str, Annotated[str, StringConstraints(min_length=1, max_length=4000)]],
    BeforeValidator(_text),
    Field(min_length=1),
]
# A source is short text too, per language like any other (the sample deck's
# sources name Danish agencies in Danish and Swedish words); a plain string, as
# older decks give it, is the same source in every language.
SourceText = Annotated[
    dict[str, Annotated[str, StringConstraints(min_length=1, max_length=500)]],
    BeforeValidator(_text),
    Field(min_length=1),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Attribute(_Model):
    """A numeric property that options may carry, e.g. tonnes of CO2 saved a year."""

    label: LocalizedText
    unit: LocalizedText | None = None
    currency: Literal["DKK", "SEK", "GBP", "EUR"] | None = None


class Target(_Model):
    """A goal the room's choices are measured against, e.g. the council's CO2 goal."""

    attribute: Slug
    value: float = Field(gt=0, strict=True)
    label: LocalizedText


class Evidence(_Model):
    """A short evidence snippet: a figure or a fact, always with its source."""

    label: LocalizedText
    value: float | None = Field(default=None, strict=True)
    unit: LocalizedText | None = None
    currency: Literal["DKK", "SEK", "GBP", "EUR"] | None = None
    text: LocalizedText | None = None
    source: SourceText

    @model_validator(mode="after")
    def _has_content(self) -> Evidence:
        if self.value is None and self.text is None:
            raise PydanticCustomError(
                "evidence_empty", "an evidence snippet needs a value or a text"
            )
        return self


class Option(_Model):
    id: Slug
    label: LocalizedText
    description: LocalizedText | None = None
    # Numeric evidence attributes keyed by the deck's declared attributes.
    attributes: dict[Slug, Number] = Field(default_factory=dict)


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    RANKING = "ranking"
    BUDGET = "budget"
    TEXT = "text"


class _Question(_Model):
    id: Slug
    prompt: LocalizedText
    help: LocalizedText | None = None
    # Results stay hidden from the room until revealed; by default at close.
    reveal: Literal["on_close", "manual"] = "on_close"
    # Who answers: each participant, or each table together (one agreed answer).
    scope: Literal["individual", "table"] = "individual"


# The answer a participant gives to a profile question they would rather skip.
PREFER_NOT_TO_SAY = "prefer-not-to-say"


class Pair(_Model):
    """Marks a question as the "before" or "after" half of a pair asked twice,
    so the report can show each participant's change (docs/aggregates.md)."""

    id: Slug
    phase: Literal["before", "after"]


class Package(_Model):
    """A package question (options chosen, or a budget shared out) may not add
    up to more than ``cap`` of one option attribute, e.g. cost."""

    cap_attribute: Slug
    cap: float = Field(gt=0, strict=True)


class _WithOptions(_Question):
    options: list[Option] = Field(min_length=2, max_length=12)

    @model_validator(mode="after")
    def _unique_options(self) -> _WithOptions:
        ids = [o.id for o in self.options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise PydanticCustomError(
                "options_repeated",
                "option ids must be unique, repeated: {ids}",
                {"ids": ", ".join(duplicates)},
            )
        return self


# How far a profile question's reference shares may add up to other than 1 (they
# are usually rounded from a table of counts).
REFERENCE_TOLERANCE = 0.01


class Reference(_Model):
    """The town's own shares of a profile question's options (e.g. the age bands
    of the municipality's adults, from the national statistics office), that the
    room is compared against and its figures weighted to (docs/decks.md)."""

    shares: dict[Slug, Annotated[float, Field(ge=0, le=1, strict=True)]] = Field(min_length=2)
    source: SourceText  # who publishes the figures, and which table
    link: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+\.[^\s]+$")] | None = None
    year: int = Field(ge=1900, le=2200, strict=True)


class SingleChoice(_WithOptions):
    type: Literal[QuestionType.SINGLE]
    pair: Pair | None = None
    # A profile question (age band, neighbourhood, ...) may be skipped; the report
    # breaks results down by its answers.
    profile: bool = False
    # Profile questions only: the town's shares of the options.
    reference: Reference | None = None

    @model_validator(mode="after")
    def _skip_is_reserved(self) -> SingleChoice:
        if self.profile and any(o.id == PREFER_NOT_TO_SAY for o in self.options):
            raise PydanticCustomError(
                "option_reserved",
                f"option id {PREFER_NOT_TO_SAY!r} is reserved on profile questions",
            )
        if self.profile and self.pair is not None:
            raise PydanticCustomError(
                "profile_pair", "a profile question cannot also be half of a before/after pair"
            )
        if self.reference is not None:
            self._reference_fits(self.reference)
        return self

    def _reference_fits(self, reference: Reference) -> None:
        if not self.profile:
            raise PydanticCustomError(
                "reference_not_profile", "only a profile question can have reference shares"
            )
        ids = [o.id for o in self.options]
        missing = [i for i in ids if i not in reference.shares]
        unknown = [i for i in reference.shares if i not in ids]
        if missing or unknown:
            raise PydanticCustomError(
                "reference_options",
                "reference shares must give every option, and only the options: "
                "missing {missing}; not options {unknown}",
                {"missing": ", ".join(missing) or "-", "unknown": ", ".join(unknown) or "-"},
            )
        total = sum(reference.shares.values())
        if abs(total - 1) > REFERENCE_TOLERANCE:
            raise PydanticCustomError(
                "reference_sum",
                "reference shares add up to {total}, not 1",
                {"total": round(total, 3)},
            )


class MultipleChoice(_WithOptions):
    type: Literal[QuestionType.MULTIPLE]
    max_choices: int | None = Field(default=None, ge=1, strict=True)
    package: Package | None = None

    @model_validator(mode="after")
    def _max_fits(self) -> MultipleChoice:
        if self.max_choices is not None and self.max_choices > len(self.options):
            raise PydanticCustomError(
                "max_choices_over", "max_choices is larger than the number of options"
            )
        return self


class Scale(_Question):
    type: Literal[QuestionType.SCALE]
    min: int = Field(default=1, strict=True)
    max: int = Field(default=5, strict=True)
    min_label: LocalizedText
    max_label: LocalizedText
    pair: Pair | None = None

    @model_validator(mode="after")
    def _range(self) -> Scale:
        if not 1 <= self.max - self.min <= 10:
            raise PydanticCustomError(
                "scale_steps", "a scale needs between 2 and 11 steps (max - min from 1 to 10)"
            )
        return self


class Ranking(_WithOptions):
    type: Literal[QuestionType.RANKING]


class Budget(_WithOptions):
    type: Literal[QuestionType.BUDGET]
    total: int = Field(gt=0, le=1_000_000_000, strict=True)
    unit: LocalizedText | None = None
    currency: Literal["DKK", "SEK", "GBP", "EUR"] | None = None
    package: Package | None = None


class FreeText(_Question):
    type: Literal[QuestionType.TEXT]
    max_length: int = Field(default=500, ge=1, le=2000, strict=True)


Question = Annotated[
    SingleChoice | MultipleChoice | Scale | Ranking | Budget | FreeText,
    Field(discriminator="type"),
]


def options_of(question: Question) -> list[Option]:
    """The options of a choice, ranking or budget question; none for scales and text."""
    return question.options if isinstance(question, _WithOptions) else []


# A media file's name, relative to the deck's media folder (docs/decks.md,
# "Media"): folders and names of letters, digits, ".", "_" and "-", each
# beginning with a letter or digit, so a name never climbs out of the folder
# (".."); the same names a deck bundle's media/ may hold.
MediaName = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,3}$"
    ),
]
# A link to a video elsewhere: https, a host name of letters, digits, - and
# dots (with a dot) and maybe a port, then any path without spaces. Its origin
# goes into pages' Content-Security-Policy, so nothing else may be in the host.
HttpsUrl = Annotated[
    str,
    StringConstraints(
        pattern=r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]{1,5})?(/[^\s]*)?$",
        max_length=500,
    ),
]


class Image(_Model):
    """A picture on a card. ``alt`` says what a reader who cannot see it should
    know, in every language of the deck (a rule of the deck, decks.rules)."""

    file: MediaName
    alt: LocalizedText | None = None


class Video(_Model):
    """A video on a card: a file in the media folder or an https link, with a
    WebVTT caption file per language of the deck."""

    file: MediaName | None = None
    url: HttpsUrl | None = None
    title: LocalizedText
    captions: dict[LanguageCode, MediaName] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_source(self) -> Video:
        if (self.file is None) == (self.url is None):
            raise PydanticCustomError("video_source", "a video needs a file or a url, not both")
        return self


class CardKind(StrEnum):
    INTRO = "intro"
    SCENARIO = "scenario"
    EVIDENCE = "evidence"
    QUESTION = "question"
    BREAK = "break"
    CLOSING = "closing"


class Card(_Model):
    id: Slug
    kind: CardKind
    title: LocalizedText
    body: LocalizedText | None = None
    theme: Slug | None = None
    # Evidence and question cards name the scenario they belong to, for the report.
    scenario: Slug | None = None
    evidence: list[Evidence] = Field(default_factory=list, max_length=12)
    question: Question | None = None
    # A discussion prompt for the tables, and how long they talk (the facilitator
    # starts, pauses and extends the timer).
    prompt: LocalizedText | None = None
    timer: int | None = Field(default=None, ge=10, le=4 * 3600, strict=True)
    # What the facilitator says, how long it takes, what to watch for: shown on
    # the console alone (docs/decks.md, "Facilitator notes").
    notes: LocalizedText | None = None
    image: Image | None = None
    video: Video | None = None

    @model_validator(mode="after")
    def _question_only_on_question_cards(self) -> Card:
        if self.kind is CardKind.QUESTION and self.question is None:
            raise PydanticCustomError("question_missing", "a question card needs a question")
        if self.kind is not CardKind.QUESTION and self.question is not None:
            raise PydanticCustomError(
                "question_not_allowed",
                "a {kind} card cannot carry a question",
                {"kind": self.kind.value},
            )
        if (self.image or self.video) and self.kind not in MEDIA_CARDS:
            raise PydanticCustomError(
                "media_not_allowed",
                "a {kind} card cannot carry an image or a video",
                {"kind": self.kind.value},
            )
        return self


# The kinds of card that may show an image or a video.
MEDIA_CARDS = (CardKind.INTRO, CardKind.SCENARIO, CardKind.EVIDENCE)


class Deck(_Model):
    id: Slug
    version: str = Field(min_length=1, max_length=40)
    title: LocalizedText
    description: LocalizedText | None = None
    default_language: LanguageCode = "en"
    languages: list[LanguageCode] = Field(default_factory=lambda: ["en"], min_length=1)
    attributes: dict[Slug, Attribute] = Field(default_factory=dict)
    target: Target | None = None
    cards: list[Card] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> Deck:
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")
        problems: list[str] = []
        seen_cards: set[str] = set()
        seen_questions: set[str] = set()
        scenarios = {c.id for c in self.cards if c.kind is CardKind.SCENARIO}
        for card in self.cards:
            if card.id in seen_cards:
                problems.append(f"card id {card.id!r} is used twice")
            seen_cards.add(card.id)
            if card.scenario is not None and card.scenario not in scenarios:
                problems.append(
                    f"card {card.id!r}: scenario {card.scenario!r} is not a scenario card"
                )
            question = card.question
            if question is None:
                continue
            if question.id in seen_questions:
                problems.append(f"question id {question.id!r} is used twice")
            seen_questions.add(question.id)
            for option in options_of(question):
                for name in option.attributes:
                    if name not in self.attributes:
                        problems.append(
                            f"card {card.id!r}: option {option.id!r} has attribute {name!r}, "
                            "which the deck does not declare under attributes"
                        )
        if self.target is not None and self.target.attribute not in self.attributes:
            problems.append(f"target attribute {self.target.attribute!r} is not declared")
        problems.extend(self._package_problems())
        problems.extend(self._media_problems())
        problems.extend(pair_problems(self.questions()))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def questions(self) -> list[Question]:
        """Every question, in deck order."""
        return [card.question for card in self.cards if card.question is not None]

    def _package_problems(self) -> list[str]:
        problems = []
        for question in self.questions():
            package = getattr(question, "package", None)
            if package is not None and package.cap_attribute not in self.attributes:
                problems.append(
                    f"question {question.id!r}: package cap attribute "
                    f"{package.cap_attribute!r} is not declared under attributes"
                )
        return problems

    def _media_problems(self) -> list[str]:
        """Every image needs alt text, and every video captions, in each of the
        deck's languages (decks.rules says so in the checker's words)."""
        problems = []
        for card in self.cards:
            if card.image is not None:
                alt = card.image.alt or {}
                if ANY_LANGUAGE not in alt and set(self.languages) - set(alt):
                    problems.append(f"card {card.id!r}: the image lacks alt text")
            if card.video is not None and set(self.languages) - set(card.video.captions):
                problems.append(f"card {card.id!r}: the video lacks captions")
        return problems

    def card_index(self, card_id: str) -> int:
        for index, card in enumerate(self.cards):
            if card.id == card_id:
                return index
        raise KeyError(card_id)

    def question_card(self, question_id: str) -> int:
        """The index of the card that asks the question with this id."""
        for index, card in enumerate(self.cards):
            if card.question is not None and card.question.id == question_id:
                return index
        raise KeyError(question_id)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError when the deck has none."""
        question = self.cards[self.question_card(question_id)].question
        assert question is not None
        return question

    def text(self, value: dict[str, str] | None, language: str) -> str:
        """A text in the reader's language, falling back to the deck's default."""
        if not value:
            return ""
        for key in (language, self.default_language, ANY_LANGUAGE):
            if key in value:
                return value[key]
        return next(iter(value.values()))


def pair_problems(questions: list[Question]) -> list[str]:
    """What is wrong with the deck's before/after pairs: each pair id needs one
    "before" and one "after" question of the same type with the same choices."""
    halves: dict[str, dict[str, list[Question]]] = {}
    for question in questions:
        pair = getattr(question, "pair", None)
        if pair is not None:
            halves.setdefault(pair.id, {}).setdefault(pair.phase, []).append(question)
    problems = []
    for pair_id, phases in halves.items():
        before, after = phases.get("before", []), phases.get("after", [])
        if len(before) != 1 or len(after) != 1:
            problems.append(
                f"pair {pair_id!r} needs exactly one before and one after question "
                f"(has {len(before)} before, {len(after)} after)"
            )
            continue
        if _pair_shape(before[0]) != _pair_shape(after[0]):
            problems.append(
                f"pair {pair_id!r}: {before[0].id!r} and {after[0].id!r} must have the same "
                "type and the same options or scale range"
            )
    return problems


def _pair_shape(question: Question) -> tuple[Any, ...]:
    if isinstance(question, Scale):
        return ("scale", question.min, question.max)
    return (question.type.value, tuple(o.id for o in options_of(question)))
