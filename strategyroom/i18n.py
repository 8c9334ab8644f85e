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
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from strategyroom import rounding
from strategyroom.paths import LOCALE_DIR
from strategyroom.rounding import Real

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


def language_name_in(language: str, reader: str) -> str:
    """A language's name as the reader says it: engelsk (en, read in da)."""
    return Locale.parse(language).get_display_name(reader) or language


def offered_languages(deck_languages: Iterable[str]) -> tuple[list[str], list[str]]:
    """The interface languages a deck's reader may choose: those the deck has
    text in, and the others (their buttons and messages are translated, but the
    deck's cards fall back to its default language, often in another script and
    direction), which are offered only with a note saying so."""
    wanted = set(deck_languages)
    interface = available_languages()
    return [c for c in interface if c in wanted], [c for c in interface if c not in wanted]


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
    """A number in an error message's parameters (strategyroom.errors wraps
    them): written the reader's way when a ``Message`` is filled in, e.g.
    2.534,5 in Danish, and the English way in logs."""

    __slots__ = ("value",)

    def __init__(self, value: Real) -> None:
        self.value = value

    def written(self, language: str) -> str:
        return format_number(self.value, language)

    def __str__(self) -> str:
        return self.written(DEFAULT_LANGUAGE)

    def __repr__(self) -> str:
        return f"Number({self.value!r})"


class Amount(Number):
    """A figure in a deck's own unit in an error message's parameters: the number
    the reader's way followed by the unit in the reader's language ("25 mio.
    kr./år"), or an amount of money in the reader's locale ("25.000 kr.")."""

    __slots__ = ("currency", "unit")

    def __init__(self, value: Real, unit: Mapping[str, str] | None, currency: str | None) -> None:
        super().__init__(value)
        self.unit, self.currency = unit, currency

    def written(self, language: str) -> str:
        unit = None if self.unit is None else text_for(self.unit, language)
        return format_amount(self.value, language, unit, self.currency)


def text_for(texts: Mapping[str, str], language: str) -> str:
    """A text given per language, for a reader of ``language``: their own, one
    for every language (deck texts keep it under "*"), else the first given."""
    for key in (language, "*", DEFAULT_LANGUAGE):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


class Said:
    """A whole error message as another's parameter ("…would not be a valid
    answer: the package costs 10, over the cap of 8"), translated with it."""

    __slots__ = ("message", "params")

    def __init__(self, message: str, params: Mapping[str, Any]) -> None:
        self.message, self.params = message, params

    def written(self, language: str) -> str:
        return gettext(language, self.message) % self.params

    def __str__(self) -> str:
        return self.written(DEFAULT_LANGUAGE)


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
                name: value.written(self.language) if isinstance(value, Number | Said) else value
                for name, value in params.items()
            }
        return str.__mod__(self, params)


def gettext(language: str, message: str) -> str:
    # A Message, typed as the str its callers treat it as.
    return Message(translations(language).gettext(message), language)


def choose_language(wanted: str | None, accept_language: str = "") -> str:
    """The first supported language among an explicit choice and Accept-Language.
    A tag with a region or script counts as its language (``da-DK``, ``sv_SE``,
    ``SV``): an app that passes on the phone's locale gets Danish, not English."""
    supported = available_languages()
    if chosen := supported_language(wanted or ""):
        return chosen
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
        ranked.append((weight, _primary(lang)))
    return (lang for _, lang in sorted(ranked, key=lambda r: -r[0]))


def supported_language(tag: str) -> str | None:
    """The interface language a tag names (``da-DK`` -> ``da``), or None."""
    primary = _primary(tag)
    return primary if primary in available_languages() else None


def _primary(tag: str) -> str:
    """The language subtag of a BCP 47 tag or POSIX locale name: da-DK -> da."""
    return tag.replace("_", "-").split("-")[0].strip().lower()


def format_number(value: Real, language: str, digits: int = rounding.DIGITS) -> str:
    """A figure with at most ``digits`` decimals, rounded by the one rule
    (strategyroom/rounding.py), trailing zeros dropped: 1,85 (da), 2 534,5 (sv)."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return numbers.format_decimal(rounding.rounded(value, digits), format=pattern, locale=language)


def format_percent(value: Real, language: str) -> str:
    # ``value`` is a percentage (0-100), shown as whole percent the reader's way:
    # "42%" in English, "42 %" (no-break space) in Danish and Swedish.
    return _percent(rounding.percent(value), language)


def format_goal(progress: Real, language: str) -> str:
    """Progress toward a goal (1 = met) as a percentage that never shows the
    goal as met before it is: 0.9968 is "99 %"."""
    return _percent(rounding.goal_percent(progress), language)


def _percent(shown: Decimal, language: str) -> str:
    # Already whole: Babel's own rounding (half to even) has nothing left to do.
    return numbers.format_percent(shown / 100, locale=language)


def format_currency(value: Real, currency: str, language: str) -> str:
    """An amount as the reader writes it: 2.500.000,00 kr. (da), £1,200.00 (en)."""
    digits = numbers.get_currency_precision(currency)
    return numbers.format_currency(rounding.rounded(value, digits), currency, locale=language)


def format_amount(value: Real, language: str, unit: str | None, currency: str | None) -> str:
    """A figure of a budget or an attribute in its own terms: with its unit when
    the deck names one ("30 mio. kr./år", the unit names the currency), else as
    whole money in the reader's locale ("30.000 kr.", "30 000 kr"), else the
    bare number (points)."""
    if unit:
        return f"{format_number(value, language)} {unit}"
    if currency:
        shown = rounding.rounded(value)
        pattern = Locale.parse(language).currency_formats["standard"].pattern
        if shown == shown.to_integral_value():  # whole amounts, as budgets are
            pattern = pattern.replace(".00", "")
        return numbers.format_currency(
            shown, currency, format=pattern, locale=language, currency_digits=False
        )
    return format_number(value, language)


def currency_symbol(currency: str, language: str) -> str:
    return numbers.get_currency_symbol(currency, locale=language)


def format_datetime(value: datetime, language: str, zone: str = "UTC") -> str:
    """A date and time in the reader's locale and the given time zone (named),
    e.g. 24. november 2026 18.05 UTC, or 19.05 CET in Europe/Copenhagen.

    Naive values are UTC: that is how the database stores them.
    """
    moment = _utc(value).astimezone(ZoneInfo(zone))
    day = dates.format_date(moment, format="long", locale=language)
    time = dates.format_time(moment, format="short", locale=language, tzinfo=ZoneInfo(zone))
    return f"{day} {time} {'UTC' if zone == 'UTC' else moment.tzname()}"


def format_date(value: datetime, language: str, zone: str = "UTC") -> str:
    """The date in the given time zone (an evening at 23.30 UTC is the next day in Denmark)."""
    moment = _utc(value).astimezone(ZoneInfo(zone))
    return dates.format_date(moment, format="long", locale=language)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
