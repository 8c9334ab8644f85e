"""Where the app finds its templates, static files, decks and translations.

In a checkout they sit at the top of the repository; an installed wheel carries
them inside the package under ``_data/`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"


def _data_dir(name: str) -> Path:
    installed = PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / name


TEMPLATES_DIR = _data_dir("templates")
STATIC_DIR = _data_dir("static")
SAMPLE_DECKS_DIR = _data_dir("sessions")
