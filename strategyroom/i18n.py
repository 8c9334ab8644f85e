"""Interface languages: gettext catalogues (Babel) and locale-aware formatting.

Catalogues live in ``strategyroom/locale/<lang>/LC_MESSAGES/messages.po`` and
are compiled in memory when first used, so there is no build step and no
compiled .mo files in the repository. Adding a language is adding a catalogue
(docs/translating.md).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from strategyroom.paths import LOCALE_DIR

DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


@functools.cache
def available_languages() -> tuple[str, ...]:
    """English plus every language that has a catalogue, English first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
    return (DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE))


def language_name(language: str) -> str:
    """The language's own name for itself, e.g. Dansk, Svenska."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


@functools.cache
def translations(language: str) -> NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class Number:
    """A number in an error message's parameters (strategyroom.live.errors wraps
    them): written the reader's way when a ``Message`` is filled in, e.g.
    2.534,5 in Danish, and the English way in logs."""

    __slots__ = ("value",)

    def __init__(self, value: int | float | Decimal | Fraction) -> None:
        if isinstance(value, Fraction):  # Babel formats Decimal, not Fraction
            value = Decimal(value.numerator) / Decimal(value.denominator)
        self.value: int | float | Decimal = value

    def __str__(self) -> str:
        return format_number(self.value, DEFAULT_LANGUAGE, 2)

    def __repr__(self) -> str:
        return f"Number({self.value!r})"


class Message(str):
    """A translated message that knows its language, so that filling in its
    ``%(name)s`` parameters writes the ``Number`` ones as its reader does. Every
    place that renders an error (``gettext(language, exc.message) % exc.params``:
    pages, the API, websocket error frames) gets this without knowing about it."""

    language: str

    def __new__(cls, text: str, language: str) -> Message:
        message = super().__new__(cls, text)
        message.language = language
        return message

    def __mod__(self, params: Any) -> str:
        if isinstance(params, Mapping):
            params = {
                name: format_number(value.value, self.language, 2)
                if isinstance(value, Number)
                else value
                for name, value in params.items()
            }
        return str.__mod__(self, params)


def gettext(language: str, message: str) -> str:
    # A Message, typed as the str its callers treat it as.
    return Message(translations(language).gettext(message), language)


def choose_language(wanted: str | None, accept_language: str = "") -> str:
    """The first supported language among an explicit choice and Accept-Language."""
    supported = available_languages()
    if wanted in supported:
        return wanted
    for candidate in _accepted(accept_language):
        if candidate in supported:
            return candidate
    return DEFAULT_LANGUAGE


def _accepted(header: str) -> Iterable[str]:
    ranked = []
    for part in header.split(","):
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        ranked.append((weight, lang.split("-")[0].strip().lower()))
    return (lang for _, lang in sorted(ranked, key=lambda r: -r[0]))


def format_number(value: float | Decimal, language: str, digits: int = 1) -> str:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=language)


def format_percent(value: float, language: str) -> str:
    # ``value`` is a percentage (0-100), shown as whole percent the reader's way:
    # "42%" in English, "42 %" (no-break space) in Danish and Swedish.
    return numbers.format_percent(value / 100, locale=language)


def format_currency(value: float, currency: str, language: str) -> str:
    """An amount as the reader writes it: 2.500.000,00 kr. (da), £1,200.00 (en)."""
    return numbers.format_currency(value, currency, locale=language)


def format_datetime(value: datetime, language: str) -> str:
    """A date and time in the reader's locale, in UTC (said so), e.g. 24. november 2026 18.05 UTC.

    Naive values are UTC: that is how the database stores them.
    """
    moment = _utc(value)
    day = dates.format_date(moment, format="long", locale=language)
    time = dates.format_time(moment, format="short", locale=language)
    return f"{day} {time} UTC"


def format_date(value: datetime, language: str) -> str:
    return dates.format_date(_utc(value), format="long", locale=language)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
