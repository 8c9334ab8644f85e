"""Join codes: short, readable aloud, and without look-alike characters."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: a code read off a projector from the back of a hall is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6  # 31**6 is about 8.9e8 codes; guessing is also rate-limited per address.


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_join_code(text: str) -> str | None:
    """The code as stored, or None when the text cannot be a join code.

    Residents type codes in lower case and with spaces or dashes; accept that.
    """
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def split_table_code(text: str) -> tuple[str | None, int | None]:
    """A typed code: the session's 6 characters, optionally followed by a table
    number ("K7MPQ2-3" or "k7mpq2 3" joins table 3), on the start page and in
    the API alike."""
    squeezed = "".join(ch for ch in text if ch not in " -\t")
    rest = squeezed[LENGTH:]
    if rest and not (rest.isdigit() and len(rest) <= 3):
        return None, None
    return normalize_join_code(squeezed[:LENGTH]), int(rest) if rest else None
