"""Rendering: one Jinja2 environment per interface language.

Templates call ``_()`` for interface text (extracted by Babel) and ``t()`` for
deck text, which falls back to the deck's default language. Autoescaping is on
for every template, so text from residents can never become markup.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jinja2
import segno
from markupsafe import Markup

from strategyroom import i18n, rounding
from strategyroom.aggregate import is_split
from strategyroom.decks import Deck, Question
from strategyroom.decks.packages import package_total
from strategyroom.decks.schema import ANY_LANGUAGE, Budget, MultipleChoice, options_of
from strategyroom.decks.titles import session_title
from strategyroom.paths import TEMPLATES_DIR


def qr_svg(url: str, scale: int = 8) -> str:
    """A QR code for a URL, as inline SVG markup (made from our own URL, not user text)."""
    return str(
        segno.make(url, error="m").svg_inline(
            scale=scale, border=2, dark="#000", light="#fff", omitsize=True
        )
    )


def answer_key(value: Any) -> str:
    """A short, stable name for a stored answer (None when there is none), so a
    form redrawn with the same answer can be recognised as unchanged."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:12]


def _offered_languages(
    deck: Deck,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A deck's reader's language choices: (code, own name) of the languages
    the deck has, and of those only the interface has (offered with a note)."""
    has, lacks = i18n.offered_languages(deck.languages)
    return _named(has), _named(lacks)


def _named(codes: list[str]) -> list[tuple[str, str]]:
    return [(code, i18n.language_name(code)) for code in codes]


def package_sum(value: Any, question: Question, attribute: str) -> float:
    """What a (possibly unsent) package adds up to in one attribute."""
    if not isinstance(question, MultipleChoice | Budget):
        return 0.0
    return float(
        package_total(question, value or ({} if isinstance(question, Budget) else []), attribute)
    )


def sent_fields(value: Any, question: Question) -> str:
    """A counted answer as its form's fields hold it, for static/live-status.js
    to tell an unsent change from what is counted: the chosen values in order
    (a ranking's order, the ticked options in deck order), or each budget
    option's points in deck order. Compact JSON, as JavaScript writes it."""
    if isinstance(value, dict):
        shown = [str(value.get(option.id, 0)) for option in options_of(question)]
    elif isinstance(value, list):
        shown = [str(item) for item in value]
    else:
        shown = [str(value).strip()]
    return json.dumps(shown, ensure_ascii=False, separators=(",", ":"))


class Renderer:
    def __init__(self) -> None:
        self._loader = jinja2.FileSystemLoader(str(TEMPLATES_DIR))
        self._environments: dict[str, jinja2.Environment] = {}
        self.globals: dict[str, Any] = {}

    def environment(self, language: str) -> jinja2.Environment:
        env = self._environments.get(language)
        if env is None:
            env = self._environments[language] = self._make_environment(language)
        return env

    def _make_environment(self, language: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=self._loader,
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(self.globals)
        env.globals.update(
            language=language,
            text_direction="rtl" if i18n.is_rtl(language) else "ltr",
            languages=[(code, i18n.language_name(code)) for code in i18n.available_languages()],
        )
        env.globals["offered_languages"] = _offered_languages
        env.globals["language_name"] = lambda code: i18n.language_name_in(code, language)
        # A session's title in the page's language (strategyroom/decks/titles.py).
        env.globals["session_title"] = lambda room, deck: session_title(room, deck, language)
        env.tests["valid_deck"] = lambda value: isinstance(value, Deck)
        env.tests["split"] = is_split  # the threshold lives with the figure
        env.filters.update(
            # Every figure is rounded by one rule (strategyroom/rounding.py).
            number=lambda v, digits=rounding.DIGITS: i18n.format_number(v, language, digits),
            percent=lambda v: i18n.format_percent(v, language),
            goal=lambda progress: i18n.format_goal(progress, language),
            currency=lambda v, code: i18n.format_currency(v, code, language),
            amount=lambda v, unit, code: i18n.format_amount(v, language, unit, code),
            currency_symbol=lambda code: i18n.currency_symbol(code, language),
            datetime=lambda v: i18n.format_datetime(v, language),
            answer_key=answer_key,
            sent_fields=sent_fields,
            package_sum=package_sum,
        )
        return env

    def render(self, template: str, language: str, **context: Any) -> str:
        deck: Deck | None = context.get("deck")
        if deck is not None and "t" not in context:
            context["t"] = lambda value: deck_text(deck, value, language)
        return self.environment(language).get_template(template).render(**context)


def deck_text(deck: Deck, value: dict[str, str] | None, language: str) -> str:
    """Deck text for a page in ``language``; text that falls back to another
    language is marked with it (WCAG 3.1.2), so a screen reader reads an English
    fallback on a Danish page with an English voice."""
    text = deck.text(value, language)
    if not value or language in value or ANY_LANGUAGE in value:
        return text
    # The same choice as Deck.text: the default language, else the first given.
    source = deck.default_language if deck.default_language in value else next(iter(value))
    return Markup('<span lang="{}">{}</span>').format(source, text)
