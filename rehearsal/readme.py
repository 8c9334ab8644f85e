"""The README's pictures (docs/screenshots/) from a rehearsal of the sample deck:
which screen after which step of the evening stands for which picture.

``./dev rehearse --readme`` copies them when the run found no problems;
``python -m rehearsal.readme OUT`` copies them from an earlier run's folder. A
shorter run (``--cards``) copies the pictures it reached and names the others.
The pictures no rehearsal takes (the printed table cards, a second phone at a
table, the Arabic phone) come from the browser tests (tests/browsers.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from strategyroom.decks import Deck, load_deck

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "sessions" / "green-transition.yaml"
DOCS = ROOT / "docs" / "screenshots"

# picture -> (the card's id in the sample deck, the step after which, the screen)
PICTURES: dict[str, tuple[str, str, str]] = {
    "console.png": ("transport-buses-question", "results", "console"),
    "phone.png": ("transport-buses-question", "results", "phone-en-375"),
    "projector.png": ("transport-buses-question", "results", "projector-en-1920"),
    "projector-sv.png": ("transport-buses-question", "results", "projector-sv-1920"),
    "phone-da-ranking.png": ("transport-buses-question", "answered", "phone-da-320"),
    "phone-da-results.png": ("transport-buses-question", "results", "phone-da-320"),
    "phone-sv-ranking.png": ("transport-buses-question", "answered", "phone-sv-320"),
    "phone-sv-results.png": ("transport-buses-question", "results", "phone-sv-320"),
    "tables-console.png": ("energy-site-question", "answered", "console"),
    "impact-meter-phone.png": ("whole-plan-table", "answered", "phone-en-375"),
    "projector-packages.png": ("whole-plan-table", "results", "projector-en-1920"),
    "tables-console-impact.png": ("whole-plan-table", "results", "console"),
}


def copy(out: Path, deck: Deck, to: Path = DOCS) -> tuple[list[str], list[str]]:
    """Copy every picture the rehearsal in ``out`` took to ``to``; the pictures
    copied, and those it did not take (a card it did not reach, another deck)."""
    numbers = {card.id: number for number, card in enumerate(deck.cards, start=1)}
    copied, missing = [], []
    for picture, (card, step, screen) in PICTURES.items():
        shots = []
        if card in numbers:
            # Named NNN-cMM-step-screen.png by rehearsal/play.py.
            shots = sorted(out.glob(f"[0-9][0-9][0-9]-c{numbers[card]:02d}-{step}-{screen}.png"))
        if not shots:
            missing.append(picture)
            continue
        to.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shots[-1], to / picture)
        copied.append(picture)
    return copied, missing


def report(copied: list[str], missing: list[str], to: Path) -> None:
    print(f"rehearsal: {len(copied)} README pictures copied to {to}", file=sys.stderr)
    if missing:
        print(f"rehearsal: not in this run: {', '.join(missing)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rehearsal.readme",
        description="Copy the README's pictures from a rehearsal of the sample deck "
        "(./dev rehearse --out OUT) to docs/screenshots.",
    )
    parser.add_argument("out", type=Path, help="the rehearsal's folder (its --out)")
    parser.add_argument("--to", type=Path, default=DOCS, help=f"default {DOCS}")
    args = parser.parse_args(argv)
    copied, missing = copy(args.out, load_deck(DECK), args.to)
    report(copied, missing, args.to)
    return 0 if copied else 1


if __name__ == "__main__":
    sys.exit(main())
