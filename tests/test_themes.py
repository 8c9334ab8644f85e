"""Themes in free text (strategyroom/aggregate/themes.py, docs/aggregates.md "Themes")."""

from __future__ import annotations

import pytest

from bench.themes import labelled, made_up_comments, quality, table, timing
from strategyroom.aggregate.themes import (
    MAX_THEMES,
    Quote,
    Theme,
    ThemeComment,
    Themes,
    comment_language,
    edited,
    number_of_themes_bound,
    themes,
)

TEN = [
    "More buses in the evening",
    "The bus is always late",
    "Cheaper bus tickets please",
    "A bus every 15 minutes",
    "Bus shelters at every stop",
    "Safe bike lanes to school",
    "More bike parking at the station",
    "Light the bike path by the river",
    "Bike lanes separated from cars",
    "A bike sharing scheme",
]


def _comments(texts: list[str]) -> list[ThemeComment]:
    return [ThemeComment(f"c{i}", text) for i, text in enumerate(texts)]


def test_no_comments_no_themes() -> None:
    assert themes([], "da") == Themes(comments=0, themes=[], unthemed=[])


def test_one_comment_is_one_theme_quoting_it() -> None:
    result = themes([ThemeComment("a", "Plant more trees in the park")], "en")
    assert result == Themes(
        comments=1,
        themes=[
            Theme(
                label=["park", "plant", "trees"],
                quotes=[Quote(id="a", text="Plant more trees in the park")],
                members=["a"],
                size=1,
            )
        ],
        unthemed=[],
    )


def test_comments_with_no_word_to_group_by_are_unthemed() -> None:
    result = themes([ThemeComment("a", "ok"), ThemeComment("b", "Tak!")], "da")
    assert result == Themes(comments=2, themes=[], unthemed=["a", "b"])


def test_ten_comments_on_two_themes() -> None:
    result = themes(_comments(TEN), "en")
    assert result.comments == 10
    assert [theme.members for theme in result.themes] == [
        ["c5", "c6", "c7", "c8", "c9"],
        ["c0", "c1", "c2", "c3", "c4"],
    ]
    assert [theme.label for theme in result.themes] == [
        ["bike", "lanes", "cars"],
        ["bus", "cheaper", "evening"],
    ]
    assert [[quote.id for quote in theme.quotes] for theme in result.themes] == [
        ["c5", "c6", "c7"],
        ["c1", "c2", "c3"],
    ]
    assert result.unthemed == []


def test_the_same_comments_give_the_same_themes() -> None:
    comments = [comment for comment, _ in labelled("sv")]
    assert themes(comments, "sv") == themes(comments, "sv")


def test_the_number_of_themes_grows_with_the_comments_up_to_a_bound() -> None:
    assert [number_of_themes_bound(n) for n in (0, 1, 7, 8, 10, 18, 50, 158, 200, 2000)] == [
        1, 1, 1, 2, 2, 3, 5, 8, 10, 10,
    ]  # fmt: skip
    assert MAX_THEMES == 10


def test_two_thousand_comments() -> None:
    comments = made_up_comments(2000)
    result = themes(comments, "en")
    assert result.comments == 2000
    assert len(result.themes) == MAX_THEMES
    assert sum(theme.size for theme in result.themes) + len(result.unthemed) == 2000
    everyone = sorted(m for theme in result.themes for m in theme.members) + result.unthemed
    assert sorted(everyone) == sorted(comment.id for comment in comments)
    sizes = [theme.size for theme in result.themes]
    assert sizes == sorted(sizes, reverse=True)
    for theme in result.themes:
        assert len(theme.quotes) == 3
        assert {quote.id for quote in theme.quotes} <= set(theme.members)
        assert len(theme.label) == 3


def test_each_comment_is_stemmed_in_its_own_language() -> None:
    assert comment_language(["bussen", "er", "altid", "forsinket"], "en") == "da"
    assert comment_language(["bussarna", "är", "alltid", "sena"], "en") == "sv"
    assert comment_language(["the", "bus", "is", "late"], "da") == "en"
    assert comment_language(["bus"], "sv") == "sv"  # nothing tells: the question's
    mixed = themes(
        _comments(["Flere busser", "bussen er altid forsinket", "More buses", "Fler bussar"]),
        "en",
    )
    assert [theme.members for theme in mixed.themes] == [["c0", "c1", "c2", "c3"]]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        themes([], "de")


# Measured on tests/data/comments (docs/aggregates.md, "Themes"): adjusted Rand
# index 0.291, 0.210, 0.235 and purity 0.576, 0.468, 0.481 for en, da, sv. The
# floors sit a little below, so a change that makes the themes worse fails here.
FLOORS = {"en": (0.27, 0.55), "da": (0.19, 0.44), "sv": (0.21, 0.45)}


@pytest.mark.parametrize("language", ["en", "da", "sv"])
def test_themes_agree_with_a_persons_reading(language: str) -> None:
    measured = quality(language)
    assert measured["comments"] == 158
    assert measured["labels"] == 8
    assert measured["themes"] == 8
    ari_floor, purity_floor = FLOORS[language]
    assert measured["ari"] >= ari_floor
    assert measured["purity"] >= purity_floor


def test_the_facilitator_renames_a_theme_and_moves_a_comment() -> None:
    result = themes(_comments(TEN), "en")
    # "Bike lanes separated from cars" (c8) is about cars too: moved to the bus
    # theme (the one holding c0); the bike theme is named through any of its comments.
    changed = edited(result, names={"c5": "Cycling"}, moves={"c8": "c0"})
    assert [(t.label, t.members, t.size, t.edited) for t in changed.themes] == [
        (["bus", "cheaper", "evening"], ["c0", "c1", "c2", "c3", "c4", "c8"], 6, True),
        (["Cycling"], ["c5", "c6", "c7", "c9"], 4, True),
    ]
    assert [[q.id for q in t.quotes] for t in changed.themes] == [
        ["c1", "c2", "c3"],
        ["c5", "c6", "c7"],
    ]
    # A quote moved away is no longer quoted where it left.
    away = edited(result, names={}, moves={"c5": "c0"})
    assert [[q.id for q in t.quotes] for t in away.themes] == [["c1", "c2", "c3"], ["c6", "c7"]]
    # Edits naming comments in no theme, or a move within its own theme, change nothing.
    same = edited(result, names={"nobody": "X", "c5": "  "}, moves={"c6": "c5", "c7": "nobody"})
    assert same == result
    # A theme whose every comment moves away goes.
    emptied = edited(result, names={}, moves={f"c{i}": "c5" for i in range(5)})
    assert [(t.size, t.edited) for t in emptied.themes] == [(10, True)]


def test_the_benchmark_times_the_themes_and_tabulates_the_quality() -> None:
    """./dev bench --themes-comments N (no time is asserted)."""
    timed = timing(40, runs=1)
    assert (timed["comments"], timed["themes"], timed["runs"]) == (40, 4, 1)
    rows = [
        {"language": "en", "comments": 158, "labels": 8, "themes": 8, "ari": 0.5, "purity": 0.75}
    ]
    assert table({"quality": rows, "timing": {**timed, "seconds": 1.5}}).splitlines() == [
        "| language | comments | labels | themes | adjusted Rand index | purity |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        "| en | 158 | 8 | 8 | 0.500 | 0.750 |",
        "",
        "Themes of 40 comments: 1.50 s (worst of 1 runs), 4 themes.",
    ]
