"""Filling in a question's real form on a phone or the table's tablet, as a
resident would: tap choices, order a ranking by tapping or with its arrow buttons, type points
and comments. ``variant`` makes each device answer differently, so the room's
results have some spread."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from playwright.sync_api import Locator, expect

from strategyroom.decks.packages import package_total
from strategyroom.decks.schema import (
    Budget,
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
)

# Comments of the length residents write: a short one and a long one per
# language, so the projector's wall of comments is rehearsed at its fullest.
COMMENTS = {
    "en": [
        "More buses in the evening, please.",
        "Start with the schools and the town hall: the council should go first, and show "
        "the rest of us what it costs and what it saves, before it asks households to pay "
        "for heat pumps and new windows.",
    ],
    "da": [
        "Flere busser om aftenen, tak.",
        "Start med skolerne og rådhuset: kommunen skal gå forrest og vise os andre, hvad "
        "det koster, og hvad det sparer, før den beder husstandene betale for varmepumper "
        "og nye vinduer.",
    ],
    "sv": [
        "Fler bussar på kvällen, tack.",
        "Börja med skolorna och kommunhuset: kommunen ska gå före och visa oss andra vad "
        "det kostar och vad det sparar, innan den ber hushållen betala för värmepumpar och "
        "nya fönster.",
    ],
}


def fill(form: Locator, question: Question, variant: int, language: str) -> None:
    """Fill in ``form`` (the answer form or the table's draft form); not sent yet."""
    choices = form.locator(".choice")
    match question:
        case SingleChoice():
            choices.nth(variant % len(question.options)).click()
        case Scale():
            choices.nth(variant % (question.max - question.min + 1)).click()
        case MultipleChoice():
            for index in pick(question, variant):
                choices.nth(index).click()
        case Ranking():
            _rank(form, question, variant)
        case Budget():
            _share_out(form, question, variant)
        case FreeText():
            comments = COMMENTS.get(language, COMMENTS["en"])
            text = comments[variant % len(comments)][: question.max_length]
            form.locator("textarea").fill(text)


def _rank(form: Locator, question: Ranking, variant: int) -> None:
    """Even variants tap the options in reverse order (each tap takes the next
    place), odd ones move the first option down a place with its arrow button;
    the server sends the reordered list back after each."""
    places = form.locator(f"#ranking-{question.id} input[name=value]")
    if variant % 2 == 0:
        for option in reversed(question.options):
            form.locator(f"#rank-pick-{question.id}-{option.id}").click()
            expect(form.locator(f"#rank-pick-{question.id}-{option.id}")).to_be_visible()
    else:
        form.locator(f"#rank-down-{question.id}-{question.options[0].id}").click()
    # Sent only once the list shows every tap (the page makes them in turn).
    for index, option_id in enumerate(value(question, variant, "en")):
        expect(places.nth(index)).to_have_value(option_id)


def pick(question: MultipleChoice, variant: int) -> list[int]:
    """Up to three options from the ``variant``-th on, leaving out any that would
    take a package over its cap (the server would refuse it)."""
    count, chosen = len(question.options), list[int]()
    for offset in range(count):
        index = (variant + offset) % count
        if len(chosen) == min(question.max_choices or 3, 3):
            break
        ids = [question.options[i].id for i in [*chosen, index]]
        if question.package is None or package_total(
            question, ids, question.package.cap_attribute
        ) <= Fraction(question.package.cap):
            chosen.append(index)
    return chosen


def shares(question: Budget, variant: int) -> dict[str, int]:
    """Every option an equal share, the rest and a bit more to one of them; all to
    the cheapest option when that takes a package over its cap."""
    count = len(question.options)
    share = question.total // (count + 1)
    favourite = variant % count
    points = {
        option.id: share + (question.total - share * count if index == favourite else 0)
        for index, option in enumerate(question.options)
    }
    package = question.package
    if package is not None and package_total(question, points, package.cap_attribute) > Fraction(
        package.cap
    ):
        cheapest = min(question.options, key=lambda o: o.attributes.get(package.cap_attribute, 0))
        points = {option.id: 0 for option in question.options} | {cheapest.id: question.total}
    return points


def _share_out(form: Locator, question: Budget, variant: int) -> None:
    for option_id, value in shares(question, variant).items():
        form.locator(f'input[name="points:{option_id}"]').fill(str(value))


def value(question: Question, variant: int, language: str) -> Any:
    """The answer ``fill`` gives with ``variant``, as the JSON protocol sends it
    (docs/protocol.md, section 5): what a resident without a screen answers."""
    ids = [option.id for option in getattr(question, "options", [])]
    match question:
        case SingleChoice():
            return ids[variant % len(ids)]
        case Scale():
            return question.min + variant % (question.max - question.min + 1)
        case MultipleChoice():
            return [ids[index] for index in sorted(pick(question, variant))]
        case Ranking():
            # As _rank leaves it: tapped in reverse, or the first moved down a place.
            return ids[::-1] if variant % 2 == 0 else [ids[1], ids[0], *ids[2:]]
        case Budget():
            return shares(question, variant)
        case FreeText():
            comments = COMMENTS.get(language, COMMENTS["en"])
            return comments[variant % len(comments)][: question.max_length]
    raise TypeError(f"no answer for {question!r}")
