"""Themes in free text: the comments of a question grouped by what they are
about, each theme with a label of key words, two or three representative
quotes and its members.

Offline and deterministic: TF-IDF over Snowball-stemmed words (stop words per
language, :mod:`strategyroom.aggregate._stopwords`) and over the character
n-grams of those words (so that the parts of a Danish or Swedish compound,
"cykelsti", "cykelparkering", count as alike), factorised by NMF with a
fixed seed, each comment joining the component it weighs most on; the number
of themes grows with the number of comments (about √(n/2), at most
MAX_THEMES). Nothing is downloaded and the same comments always give the same themes.
docs/aggregates.md ("Themes") says how it works, how well it agrees with a
person's reading and where it fails.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import snowballstemmer
from pydantic import BaseModel, ConfigDict
from threadpoolctl import threadpool_limits

from strategyroom.aggregate._stopwords import STOP_WORDS

LANGUAGES = ("en", "da", "sv")
MAX_THEMES = 10
LABEL_WORDS = 3
QUOTES = 3
SEED = 0
GRAMS_WEIGHT = 0.7
MAX_ITER = 400

_STEMMERS = {"en": "english", "da": "danish", "sv": "swedish"}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ALL_STOP = frozenset().union(*STOP_WORDS.values())


class ThemeComment(NamedTuple):
    """One comment to group: its id (an answer's, or a row number) and its text."""

    id: str
    text: str


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Quote(_Frozen):
    id: str
    text: str


class Theme(_Frozen):
    label: list[str]  # key words, most telling first, as residents wrote them; or a name
    quotes: list[Quote]  # the members nearest the theme's centre, nearest first
    members: list[str]  # comment ids, in the order the comments were given
    size: int
    edited: bool = False  # renamed, or a comment moved in or out, by the facilitator


class Themes(_Frozen):
    """The themes of a question's comments, largest first (ties by label)."""

    comments: int  # every comment given, also those in no theme
    themes: list[Theme]
    unthemed: list[str]  # ids of comments with no word to group by ("ok", "thanks")


def number_of_themes_bound(n: int) -> int:
    """The most themes n comments are split into: about √(n/2), at most MAX_THEMES."""
    return max(1, min(MAX_THEMES, math.isqrt(n // 2)))


def themes(comments: Sequence[ThemeComment], language: str) -> Themes:
    """The themes of ``comments``; ``language`` ("en", "da" or "sv") is the
    question's, used for a comment whose own language cannot be told."""
    if language not in _STEMMERS:
        raise ValueError(f"unknown language {language!r}")
    docs: list[list[str]] = []
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    kept: list[ThemeComment] = []
    unthemed: list[str] = []
    stemmers = _Stemmers()
    for comment in comments:
        stems = _stems(comment.text, language, surface, stemmers)
        if stems:
            kept.append(comment)
            docs.append(stems)
        else:
            unthemed.append(comment.id)
    groups = _groups(docs)
    built = [_theme(kept, docs, members, near, surface) for members, near in groups]
    built.sort(key=lambda theme: (-theme.size, theme.label))
    return Themes(comments=len(comments), themes=built, unthemed=unthemed)


def edited(result: Themes, names: Mapping[str, str], moves: Mapping[str, str]) -> Themes:
    """The themes after the facilitator's edits, which name comments rather than
    themes (themes are computed again as comments arrive, and their numbers
    change; a comment stays in or near its theme):

    - ``moves``: comment id -> the id of a comment in the theme it is moved to;
      it joins that theme (after its members; never quoted there).
    - ``names``: comment id -> a name for the theme that comment is in (after
      the moves); the name replaces the label's key words.

    An edit naming a comment in no theme changes nothing. A theme renamed, or
    with a comment moved in or out, is ``edited``; a theme left empty goes.
    Themes are listed largest first again (ties by label).
    """
    where = {member: i for i, theme in enumerate(result.themes) for member in theme.members}
    members = [list(theme.members) for theme in result.themes]
    labels = [list(theme.label) for theme in result.themes]
    touched = [theme.edited for theme in result.themes]
    for comment, anchor in sorted(moves.items()):
        if comment in where and anchor in where and where[comment] != where[anchor]:
            old, new = where[comment], where[anchor]
            members[old].remove(comment)
            members[new].append(comment)
            where[comment] = new
            touched[old] = touched[new] = True
    for comment, name in sorted(names.items()):
        if comment in where and name.strip():
            labels[where[comment]] = [name.strip()]
            touched[where[comment]] = True
    built = [
        Theme(
            label=labels[i],
            quotes=[q for q in theme.quotes if where.get(q.id) == i],
            members=members[i],
            size=len(members[i]),
            edited=touched[i],
        )
        for i, theme in enumerate(result.themes)
        if members[i]
    ]
    built.sort(key=lambda theme: (-theme.size, theme.label))
    return Themes(comments=result.comments, themes=built, unthemed=result.unthemed)


# -- words ----------------------------------------------------------------------------------


def comment_language(words: Sequence[str], default: str) -> str:
    """The language a comment is most likely in, from its stop words and letters;
    ``default`` when nothing tells."""
    score = {lang: sum(word in STOP_WORDS[lang] for word in words) for lang in LANGUAGES}
    text = "".join(words)
    score["da"] += 2 * sum(text.count(letter) for letter in "æø")
    score["sv"] += 2 * sum(text.count(letter) for letter in "äö")
    best = max(score.values())
    if best == 0 or score[default] == best:
        return default
    return max(LANGUAGES, key=lambda lang: score[lang])


class _Stemmers(dict[str, Any]):
    """One Snowball stemmer per language, for one call of ``themes``: a stemmer
    keeps its word while it works, so two threads must not share one. Each
    word is stemmed once per call: thousands of comments share a few hundred
    words, and Snowball in pure Python was most of a large evening's themes."""

    def __init__(self) -> None:
        super().__init__()
        self.stems: dict[tuple[str, str], str] = {}

    def __missing__(self, language: str) -> Any:
        stemmer = self[language] = snowballstemmer.stemmer(_STEMMERS[language])
        return stemmer

    def stem(self, language: str, word: str) -> str:
        key = (language, word)
        found = self.stems.get(key)
        if found is None:
            found = self.stems[key] = self[language].stemWord(word)
        return found


def _stems(
    text: str, default: str, surface: dict[str, Counter[str]], stemmers: _Stemmers
) -> list[str]:
    """The stems of a comment's content words; ``surface`` counts how each stem
    was written, for labels."""
    words = [word.lower() for word in _WORD.findall(text)]
    language = comment_language(words, default)
    stems = []
    for word in words:
        if word in _ALL_STOP or len(word) < 2:
            continue
        stem = stemmers.stem(language, word)
        surface[stem][word] += 1
        stems.append(stem)
    return stems


# -- grouping -------------------------------------------------------------------------------


def _identity(doc: list[str]) -> list[str]:
    return doc


def _groups(docs: list[list[str]]) -> list[tuple[list[int], list[float]]]:
    """Each group's members (indices into docs) with how near each is to the
    group's centre (cosine between its NMF weights and the group's mean)."""
    n = len(docs)
    if n == 0:
        return []
    x = _features(docs)
    k = number_of_themes_bound(n)
    if k < 2:
        return [_closeness(x.toarray(), list(range(n)))]
    # Imported where used: scikit-learn takes seconds to import (see opinion.py).
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.preprocessing import normalize

    nmf = NMF(n_components=k, init="nndsvda", random_state=SEED, max_iter=MAX_ITER, tol=1e-4)
    # One BLAS thread, as the opinion groups: on a small server the others
    # only spin beside the workers' event loops (and cost CPU time, not wall).
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        # Stopping at MAX_ITER is an answer too (still deterministic); say nothing.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = nmf.fit_transform(x)
    labels = weights.argmax(axis=1)
    space = normalize(weights)
    groups = []
    for label in range(k):
        members = [i for i in range(n) if labels[i] == label]
        if members:
            groups.append(_closeness(space, members))
    return groups


def _features(docs: list[list[str]]) -> Any:
    """TF-IDF of the stems, and at GRAMS_WEIGHT that of their character 4- and 5-grams."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
    grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True)
    x_words = words.fit_transform(docs)
    x_grams = grams.fit_transform([" ".join(doc) for doc in docs])
    return normalize(hstack([x_words, GRAMS_WEIGHT * x_grams]).tocsr())


def _closeness(space: Any, members: list[int]) -> tuple[list[int], list[float]]:
    centre = space[members].mean(axis=0)
    norm = float(np.linalg.norm(centre)) or 1.0
    return members, [float(space[i] @ centre) / norm for i in members]


def _theme(
    kept: list[ThemeComment],
    docs: list[list[str]],
    members: list[int],
    near: list[float],
    surface: dict[str, Counter[str]],
) -> Theme:
    return Theme(
        label=_label(docs, members, surface),
        quotes=[Quote(id=kept[i].id, text=kept[i].text) for i in _quotes(members, near)],
        members=[kept[i].id for i in members],
        size=len(members),
    )


def _label(
    docs: list[list[str]], members: list[int], surface: dict[str, Counter[str]]
) -> list[str]:
    """The stems that most set the theme apart: the share of its comments that
    use a stem, less the share of all comments that do, in the most common form."""
    inside: Counter[str] = Counter()
    for i in members:
        inside.update(set(docs[i]))
    overall: Counter[str] = Counter()
    for doc in docs:
        overall.update(set(doc))
    size, n = len(members), len(docs)
    ranked = sorted(
        inside,
        key=lambda stem: (-(inside[stem] / size - overall[stem] / n) * inside[stem], stem),
    )
    label: list[str] = []
    for stem in ranked:
        forms = surface[stem]
        word = min(forms, key=lambda form: (-forms[form], form))
        # "bus" and "buses" stem apart in English; one of them is enough.
        if not any(word.startswith(seen) or seen.startswith(word) for seen in label):
            label.append(word)
        if len(label) == LABEL_WORDS:
            break
    return label


def _quotes(members: list[int], near: list[float]) -> list[int]:
    """The members nearest the centre (ties: the earlier comment): two when the
    theme has two or three members, so a quote is never the whole theme
    unless it has one member, else three."""
    count = 1 if len(members) == 1 else 2 if len(members) <= 3 else QUOTES
    order = sorted(range(len(members)), key=lambda j: (-round(near[j], 9), members[j]))
    return [members[j] for j in order[:count]]


# -- the projector's share ------------------------------------------------------------------

# The projector is read from the back of a hall: the largest themes only, and a
# short quote from the largest two (a longer quote is left out, never cut: a
# cut sentence can say the opposite of what was written).
ROOM_THEMES = 5
ROOM_QUOTED = 2
ROOM_QUOTE_CHARS = 90


class RoomThemes(_Frozen):
    """The themes as the projector shows them: labels and sizes, no comment ids."""

    comments: int  # every comment given
    themes: list[Theme]  # the largest ROOM_THEMES, largest first; members left out
    others: int  # comments in the themes not shown, or in no theme


def room_themes(result: Themes) -> RoomThemes:
    """The projector's part of ``result`` (the facilitator's edits applied)."""
    shown = []
    for rank, theme in enumerate(result.themes[:ROOM_THEMES]):
        short = [q for q in theme.quotes if len(q.text) <= ROOM_QUOTE_CHARS][:1]
        quotes = [Quote(id="", text=q.text) for q in short] if rank < ROOM_QUOTED else []
        shown.append(theme.model_copy(update={"quotes": quotes, "members": []}))
    others = result.comments - sum(theme.size for theme in shown)
    return RoomThemes(comments=result.comments, themes=shown, others=others)
