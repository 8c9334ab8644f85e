"""The catalogue check (run by ./dev check and so by CI) passes on the project
as it is, and fails on a copy with text outside gettext or a stale catalogue."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """What the check reads: the script, the templates and the package."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("scripts", "templates", "strategyroom"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    return tmp_path


def check(root: Path) -> tuple[int, list[str]]:
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "catalogues.py"), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout.splitlines()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_catalogues_are_complete_and_current() -> None:
    code, lines = check(ROOT)
    assert code == 0, "\n".join(lines)
    assert lines[-1].startswith("catalogues ok:")


def test_text_outside_gettext_fails_the_check(copy: Path) -> None:
    assert check(copy)[0] == 0
    card = copy / "templates" / "partials" / "card.html"
    edit(card, '<h1 class="card-title">', '<p>Read this</p><h1 class="card-title" title="Card">')
    code, lines = check(copy)
    assert code == 1
    assert lines[:3] == [
        'templates/partials/card.html: title="Card" is not translatable',
        "templates/partials/card.html: text 'Read' is outside _()",
        "templates/partials/card.html: text 'this' is outside _()",
    ]


def test_a_new_or_untranslated_message_fails_the_check(copy: Path) -> None:
    card = copy / "templates" / "partials" / "card.html"
    edit(card, '<h1 class="card-title">', '{{ _("A brand new message") }}<h1 class="card-title">')
    code, lines = check(copy)
    assert code == 1
    assert lines[:3] == [
        "ar: 1 message(s) missing, e.g. 'A brand new message'",
        "da: 1 message(s) missing, e.g. 'A brand new message'",
        "sv: 1 message(s) missing, e.g. 'A brand new message'",
    ]

    # Back to the real template; now a Swedish translation is emptied.
    shutil.copy(ROOT / "templates" / "partials" / "card.html", card)
    po = copy / "strategyroom" / "locale" / "sv" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    catalog["Source:"].string = ""
    with po.open("wb") as f:
        write_po(f, catalog, width=100, include_lineno=False)
    code, lines = check(copy)
    assert code == 1
    assert lines[0] == "sv: no translation for 'Source:'"
