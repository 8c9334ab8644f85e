"""The benchmark's themes phase (docs/aggregates.md, "Themes"): how well the
themes of free text agree with a person's reading, and how long they take.

Quality: the labelled comments in ``tests/data/comments/{en,da,sv}.yaml``
(158 per language, each labelled with the theme a person reads in it) are
grouped by ``strategyroom.aggregate.themes``; the adjusted Rand index and the
purity of the themes against the labels are reported per language
(``tests/test_themes.py`` asserts a floor a little below them). Time: the
themes of N comments (2,000 by default) made by joining labelled comments,
the worst of three runs.

``python -m bench.themes`` prints both without running the rest of the benchmark.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from sklearn.metrics import adjusted_rand_score

from strategyroom.aggregate.themes import LANGUAGES, ThemeComment, Themes, themes

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "comments"
UNTHEMED = "(unthemed)"


def labelled(language: str) -> list[tuple[ThemeComment, str]]:
    """The labelled comments of a language, in file order, with ids "0", "1", …"""
    data = yaml.safe_load((DATA / f"{language}.yaml").read_text(encoding="utf-8"))
    rows: list[tuple[ThemeComment, str]] = []
    for label, texts in data["themes"].items():
        for text in texts:
            rows.append((ThemeComment(str(len(rows)), text), label))
    return rows


def assigned(result: Themes) -> dict[str, str]:
    """Each comment id's theme (its position, as a string), or UNTHEMED."""
    found = {member: str(i) for i, theme in enumerate(result.themes) for member in theme.members}
    found.update(dict.fromkeys(result.unthemed, UNTHEMED))
    return found


def quality(language: str) -> dict[str, Any]:
    """Adjusted Rand index and purity of the themes against the labels.

    Purity: each theme counts the comments of its most common label, summed
    over themes and divided by all comments (unthemed comments count as
    wrong). Both are 1 for a perfect match; the adjusted Rand index is about 0
    for a random grouping.
    """
    rows = labelled(language)
    result = themes([comment for comment, _ in rows], language)
    found = assigned(result)
    truth = {comment.id: label for comment, label in rows}
    ids = [comment.id for comment, _ in rows]
    ari = adjusted_rand_score([truth[i] for i in ids], [found[i] for i in ids])
    majority = sum(
        Counter(truth[m] for m in theme.members).most_common(1)[0][1] for theme in result.themes
    )
    return {
        "language": language,
        "comments": len(rows),
        "labels": len(set(truth.values())),
        "themes": len(result.themes),
        "ari": float(ari),
        "purity": majority / len(rows),
    }


def made_up_comments(n: int, seed: int = 7) -> list[ThemeComment]:
    """n comments from the labelled ones of every language, every third joined
    to another, so that a long question has longer, mixed comments too."""
    texts = [comment.text for language in LANGUAGES for comment, _ in labelled(language)]
    rng = random.Random(seed)  # noqa: S311 (made-up comments, not secrets)
    made = []
    for i in range(n):
        text = rng.choice(texts)
        if i % 3 == 0:
            text = f"{text}. {rng.choice(texts)}"
        made.append(ThemeComment(str(i), text))
    return made


def timing(n: int, runs: int = 3) -> dict[str, Any]:
    comments = made_up_comments(n)
    seconds = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = themes(comments, "en")
        seconds.append(time.perf_counter() - started)
    assert result is not None
    return {"comments": n, "themes": len(result.themes), "seconds": max(seconds), "runs": runs}


def run_themes(n: int) -> dict[str, Any]:
    return {"quality": [quality(language) for language in LANGUAGES], "timing": timing(n)}


def table(figures: dict[str, Any]) -> str:
    lines = [
        "| language | comments | labels | themes | adjusted Rand index | purity |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in figures["quality"]:
        lines.append(
            f"| {row['language']} | {row['comments']} | {row['labels']} | {row['themes']} "
            f"| {row['ari']:.3f} | {row['purity']:.3f} |"
        )
    t = figures["timing"]
    lines.append("")
    lines.append(
        f"Themes of {t['comments']:,} comments: {t['seconds']:.2f} s "
        f"(worst of {t['runs']} runs), {t['themes']} themes."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.themes",
        description="How well the themes of free text agree with the labelled comments "
        "(tests/data/comments), per language, and how long N comments take.",
    )
    parser.add_argument("-n", "--comments", type=int, default=2000, help="(default 2000)")
    args = parser.parse_args(argv)
    print(table(run_themes(args.comments)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
