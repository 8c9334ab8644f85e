"""Text that may be stored and shown: the one check every piece of typed text
passes on its way in, and the one repair every stored value passes on its way out.

A Python string can hold what no UTF-8 page, frame or database row can: a lone
UTF-16 surrogate ("\\ud800" in a JSON frame decodes to one). Stored, such a row
made every page that showed it fail to encode. Non-characters and control
characters are refused too (PostgreSQL refuses NUL outright, and neither can be
read on a screen), and text is kept in one Unicode normal form (NFC), so that
"é" typed as one character or as "e" plus an accent is the same answer.

``clean_text`` is the check (it raises InvalidAnswer); ``repair_text`` and
``repair_json`` make any string fit it, replacing what it refuses with U+FFFD,
for rows stored before the check existed (the database reads through them, and
``strategyroom db repair-text`` writes them back).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from strategyroom.errors import N_, InvalidAnswer

REPLACEMENT = "\ufffd"

# Non-characters: U+FDD0..U+FDEF and the last two code points of every plane.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
# C0 and C1 controls and DEL, surrogates, non-characters; newline and tab are
# allowed only where the text may have lines (a comment, not a title).
_REFUSED_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_REFUSED_IN_A_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def _lines(text: str) -> str:
    # A textarea sends CRLF; one kind of line break is stored.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_text(text: str, *, lines: bool = False, normalize: bool = True) -> str:
    """The text as it is stored, or InvalidAnswer when it holds a character that
    cannot be stored or shown. ``lines``: newlines and tabs are allowed (CR and
    CRLF become LF). ``normalize=False`` keeps the text as typed (a password,
    which must match what was hashed)."""
    if lines:
        text = _lines(text)
    refused = _REFUSED_IN_LINES if lines else _REFUSED_IN_A_LINE
    if refused.search(text):
        raise InvalidAnswer(
            N_(
                "This text contains a character that cannot be stored (a control "
                "character or a broken one). Please remove it or type the text again."
            )
        )
    return unicodedata.normalize("NFC", text) if normalize else text


def repair_text(text: str) -> str:
    """The text with every character ``clean_text(..., lines=True)`` refuses
    replaced by U+FFFD, in NFC: it then passes the check unchanged."""
    if (
        "\r" not in text
        and _REFUSED_IN_LINES.search(text) is None
        and unicodedata.is_normalized("NFC", text)
    ):
        return text  # nearly always: the checks are C, a copy would not be
    repaired = _REFUSED_IN_LINES.sub(REPLACEMENT, _lines(text))
    return unicodedata.normalize("NFC", repaired)


def repair_json(value: Any) -> Any:
    """A decoded JSON value with every string (keys too) repaired."""
    if isinstance(value, str):
        return repair_text(value)
    if isinstance(value, list):
        return [repair_json(item) for item in value]
    if isinstance(value, dict):
        return {repair_text(key): repair_json(item) for key, item in value.items()}
    return value


# A quick look at JSON written without ASCII escapes for what may need repair:
# DEL, C1, surrogates and the BMP's non-characters (one small class, which the
# regex engine scans fast; the astral non-characters made it ten times slower,
# so any astral character counts), and the escapes json.dumps writes for C0
# controls other than tab and newline.
_MAY_NEED_REPAIR = re.compile(
    "[\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U00010000-\U0010ffff]"
)
_C0_ESCAPES = ("\\u00", "\\b", "\\f", "\\r")


def load_stored_json(raw: str | bytes) -> Any:
    """A stored JSON column's value, repaired: the database engine's JSON reader,
    so that one bad row can never make a page fail to render.

    Values are written with ``json.dumps``'s ASCII escapes: text with no escape
    at all (option ids, numbers) cannot need repair. Other values are checked
    as one string (C code, where walking a deck's thousands of strings in
    Python took ten times as long as parsing it) and walked only if needed."""
    value = json.loads(raw)
    if raw.isascii() and (b"\\" not in raw if isinstance(raw, bytes) else "\\" not in raw):
        return value
    text = json.dumps(value, ensure_ascii=False)
    if (
        _MAY_NEED_REPAIR.search(text) is None
        and not any(escape in text for escape in _C0_ESCAPES)
        and unicodedata.is_normalized("NFC", text)
    ):
        return value
    return repair_json(value)
