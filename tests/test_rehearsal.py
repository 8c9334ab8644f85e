"""The rehearsal (`./dev rehearse`, rehearsal/) in short: it plays the first
cards of a small deck on every screen, passes, and writes a screenshot of every
screen after every step and the contact sheet; and it fails, naming the card,
the step and the screen, on a card the projector cannot fit."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.conftest import TEST_DECKS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENS = [
    "console",
    "projector-en-1920",
    "projector-en-1280",
    "projector-da-1920",
    "projector-da-1280",
    "phone-en-320",
    "phone-en-375",
    "phone-da-320",
    "phone-da-375",
    "tablet",
]


def rehearse(deck: Path, out: Path, cards: int) -> subprocess.CompletedProcess[str]:
    command = ["-m", "rehearsal", "--deck", str(deck), "--out", str(out), "--cards", str(cards)]
    return subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_a_short_evening_passes_and_leaves_its_screenshots(tmp_path: Path) -> None:
    run = rehearse(TEST_DECKS / "rehearsal-test.yaml", tmp_path, cards=6)
    assert run.returncode == 0, run.stderr
    assert "FAIL" not in run.stderr
    assert "rehearsal: no problems" in run.stderr

    # The first six cards: a single choice revealed by hand (shown, answered,
    # closed, results), a ranking and a budget revealed when closed, evidence,
    # comments, and a table's package submitted from its tablet, revealed by hand.
    steps = ["waiting", "c01-shown", "c01-answered", "c01-closed", "c01-results"]
    for card in ("c02", "c03"):
        steps += [f"{card}-shown", f"{card}-answered", f"{card}-results"]
    steps.append("c04-shown")
    steps += ["c05-shown", "c05-answered", "c05-results"]
    steps += ["c06-shown", "c06-answered", "c06-closed", "c06-results", "ended"]
    # Then a second session a crowd answers: its themes and groups on the console,
    # each put on the projector (rehearsal/insight.py).
    steps += ["insight-themes-console", "insight-themes-projector"]
    steps += ["insight-groups-console", "insight-common-ground-projector"]
    expected = {
        f"{number:03d}-{step}-{screen}.png"
        for number, step in enumerate(steps, start=1)
        for screen in SCREENS
    }
    assert {p.name for p in tmp_path.glob("*.png")} == expected
    assert png_size(tmp_path / "005-c01-results-projector-en-1920.png") == (1920, 1080)
    assert png_size(tmp_path / "005-c01-results-projector-da-1280.png") == (1280, 720)
    assert png_size(tmp_path / "005-c01-results-phone-da-320.png")[0] == 320

    sheet = (tmp_path / "index.html").read_text()
    assert "No problems found." in sheet
    for name in expected:
        assert f'<a href="{name}"><img src="{name}"' in sheet
    assert sheet.count("<tr>") == len(steps) + 1  # the heading row, then one per step


def test_a_card_that_does_not_fit_the_projector_fails(tmp_path: Path) -> None:
    # The most evidence a card may carry (12 items), each with a long text.
    long_text = "A long explanation of this figure that the room should read. " * 6
    items = "\n".join(
        f"      - {{label: Fact number {n}, value: {n * 1000}, text: {long_text.strip()},"
        " source: Test}"
        for n in range(1, 13)
    )
    deck = tmp_path / "decks" / "too-long.yaml"
    deck.parent.mkdir()
    deck.write_text(
        "id: too-long\nversion: '1'\ntitle: Too long\nlanguages: [en]\n"
        "default_language: en\ncards:\n"
        "  - {id: hello, kind: intro, title: Welcome}\n"
        f"  - id: facts\n    kind: evidence\n    title: Far too many facts\n"
        f"    evidence:\n{items}\n"
    )
    run = rehearse(deck, tmp_path / "out", cards=2)
    assert run.returncode == 1, run.stderr
    failures = [line for line in run.stderr.splitlines() if line.startswith("FAIL ")]
    assert failures, run.stderr
    # Only the long card fails, on both projectors, and the message says where.
    assert all(line.startswith("FAIL card 2, c02-shown, projector-") for line in failures), failures
    assert any(
        line.startswith("FAIL card 2, c02-shown, projector-en-1920: does not fit: the page is ")
        and line.endswith(" px tall on a 1080 px high screen")
        for line in failures
    ), failures
    assert any(
        ": does not fit: span.evidence-" in line and "below the 1080 px screen" in line
        for line in failures
    ), failures
    assert any(line.startswith("FAIL card 2, c02-shown, projector-en-1280: ") for line in failures)
    assert "failed" in (tmp_path / "out" / "index.html").read_text()


def test_the_readme_pictures_are_copied_from_a_rehearsal(tmp_path: Path) -> None:
    """`python -m rehearsal.readme OUT` (what `./dev rehearse --readme` does after a
    clean run) copies the screens that stand for the README's pictures, and names
    those a shorter run did not reach."""
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    ranking = deck.question_card("transport-priorities") + 1
    assert deck.question("transport-priorities").type.value == "ranking"
    out = tmp_path / "run"
    out.mkdir()
    for number, step in ((20, "answered"), (21, "results")):
        for screen in ("console", "phone-en-375", "phone-da-320", "projector-sv-1920"):
            name = f"{number:03d}-c{ranking:02d}-{step}-{screen}.png"
            (out / name).write_bytes(name.encode())
    docs = tmp_path / "docs"
    command = [sys.executable, "-m", "rehearsal.readme", str(out), "--to", str(docs)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0, run.stderr
    copied = {p.name: p.read_text() for p in docs.iterdir()}
    assert copied == {
        "console.png": f"021-c{ranking:02d}-results-console.png",
        "phone.png": f"021-c{ranking:02d}-results-phone-en-375.png",
        "projector-sv.png": f"021-c{ranking:02d}-results-projector-sv-1920.png",
        "phone-da-ranking.png": f"020-c{ranking:02d}-answered-phone-da-320.png",
        "phone-da-results.png": f"021-c{ranking:02d}-results-phone-da-320.png",
    }
    assert "rehearsal: 5 README pictures copied to" in run.stderr
    assert (
        "rehearsal: not in this run: projector.png, phone-sv-ranking.png, "
        "phone-sv-results.png, tables-console.png, impact-meter-phone.png, "
        "projector-packages.png, tables-console-impact.png" in run.stderr
    )
