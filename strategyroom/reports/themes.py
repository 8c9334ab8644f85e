"""The themes of a text question in the report: every evening's comments
grouped together by strategyroom.aggregate.themes, numbered, with their
quotes, and which theme each answer row is in (for the CSV).

The comments are taken in the order the report lists them (the evenings in
the report's order, each one's oldest first), so a theme's ``comments`` are
positions in the question's ``comments`` list, and the CSV, made from the same
rows, finds each answer in the same theme (themes are deterministic).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from strategyroom.decks import Question
from strategyroom.decks.schema import FreeText
from strategyroom.live.theme_edits import table_writer
from strategyroom.live.themes import theme_language
from strategyroom.reports.data import SessionData
from strategyroom.reports.evenings import counted_answers
from strategyroom.reports.memo import Memo


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ThemeQuote(_Model):
    session_id: str  # the evening it was written at
    text: str


class ReportTheme(_Model):
    number: int  # 1, 2, …: largest first; the CSV's `theme` column
    label: list[str]  # key words, most telling first
    size: int  # how many comments
    quotes: list[ThemeQuote]
    comments: list[int]  # 1-based positions in the question's `comments`
    edited: bool  # renamed, or a comment moved in or out, by the facilitator


class QuestionThemes(_Model):
    themes: list[ReportTheme]
    unthemed: list[int]  # comments with no word to group by, as positions


# (session id, participant id or table label) -> the theme number
ThemeOf = dict[tuple[str, str], int]


def _keyed(question: Question, sessions: Sequence[SessionData]) -> list[tuple[str, str, str]]:
    """(session id, participant id or table, text) of every comment, in the
    report's order: sorted() is stable, as ``all_comments`` sorts them."""
    keyed = []
    for s in sessions:
        answers = sorted(counted_answers(question, s), key=lambda a: a.answered_at)
        keyed += [(s.room.id, a.participant_id, str(a.value)) for a in answers]
    return keyed


def _edits(
    question: Question, sessions: Sequence[SessionData], keyed: list[tuple[str, str, str]]
) -> tuple[dict[str, str], dict[str, str]]:
    """Each evening's edits (by writer) as edits of the report's comment ids."""
    tables = {s.room.id: s.tables.numbers for s in sessions}
    position = {}
    for i, (session_id, who, _) in enumerate(keyed):
        number = tables[session_id].get(who)  # a table question's table, by its label
        position[(session_id, who if number is None else table_writer(number))] = str(i)
    names: dict[str, str] = {}
    moves: dict[str, str] = {}
    for s in sessions:
        edits = s.theme_edits.get(question.id)
        if edits is None:
            continue
        for writer, name in edits.names.items():
            if (s.room.id, writer) in position:
                names[position[(s.room.id, writer)]] = name
        for writer, anchor in edits.moves.items():
            if (s.room.id, writer) in position and (s.room.id, anchor) in position:
                moves[position[(s.room.id, writer)]] = position[(s.room.id, anchor)]
    return names, moves


def question_themes(
    question: Question, sessions: Sequence[SessionData]
) -> tuple[QuestionThemes | None, ThemeOf]:
    """The themes of a text question (None for any other question), and each
    answer row's theme number.

    A comment whose language cannot be told is read in the deck's default
    language (English when the themes have no stemmer for it), never in the
    reader's: the themes are the same in every language's report and CSV.
    """
    if not isinstance(question, FreeText) or not sessions:
        return None, {}
    language = theme_language(sessions[0].deck.default_language)
    keyed = _keyed(question, sessions)
    names, moves = _edits(question, sessions, keyed)
    # Everything the themes are made of is in the key: the page and then its
    # CSV (or the page again) group 10,000 comments once.
    key = (language, tuple(keyed), tuple(sorted(names.items())), tuple(sorted(moves.items())))
    built, of = _MEMO.get(key, lambda: _themed(keyed, language, names, moves))
    return built, dict(of)


# The themes of the last few question's comments (a large evening's take seconds).
_MEMO: Memo[tuple[QuestionThemes, ThemeOf]] = Memo(16)


def _themed(
    keyed: list[tuple[str, str, str]], language: str, names: dict[str, str], moves: dict[str, str]
) -> tuple[QuestionThemes, ThemeOf]:
    # Imported here: scikit-learn takes seconds to load, and most reports and
    # every other page of a worker can do without it.
    from strategyroom.aggregate.themes import ThemeComment, edited, themes

    found = themes([ThemeComment(str(i), text) for i, (_, _, text) in enumerate(keyed)], language)
    found = edited(found, names, moves)
    of: ThemeOf = {}
    built = []
    for number, theme in enumerate(found.themes, start=1):
        for member in theme.members:
            session_id, who, _ = keyed[int(member)]
            of[(session_id, who)] = number
        built.append(
            ReportTheme(
                number=number,
                label=theme.label,
                size=theme.size,
                quotes=[
                    ThemeQuote(session_id=keyed[int(q.id)][0], text=q.text) for q in theme.quotes
                ],
                comments=[int(member) + 1 for member in theme.members],
                edited=theme.edited,
            )
        )
    return QuestionThemes(themes=built, unthemed=[int(member) + 1 for member in found.unthemed]), of
