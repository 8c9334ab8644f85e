"""``python -m rehearsal`` (``./dev rehearse``): play a whole evening of a deck in
headless Chromium and fail loudly on what the room or a resident would see go
wrong. Progress goes to stderr; every problem is printed with its card, step
and screen; the exit code is 1 when there was any.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from rehearsal import insight, readme, sheet
from rehearsal.devices import devices_for
from rehearsal.play import Evening
from rehearsal.server import Server
from strategyroom.decks import DeckError, load_deck

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="./dev rehearse",
        description="Play a whole evening of a deck in headless Chromium: a console, phones at "
        "320 px (table 1) and 375 px (table 2) and the projector at 1920x1080 and 1280x720 in "
        "each of the deck's languages, table 1's tablet, and residents without a screen who "
        "answer over the JSON protocol so each table has enough answers for its own figures. "
        "Every card is shown, every question opened, answered, closed and revealed, every "
        "table question submitted by each table; then a second session that a crowd of "
        "residents answers in three camps, its themes and opinion groups on the console and "
        "on the projector; a screenshot of every screen after every step and a contact sheet "
        "(index.html) go to --out. Fails (exit 1) on a projector screen that does not fit or "
        "has text under the floor (24 px at 1080 lines, scaled), a phone that scrolls "
        "sideways, a console or script error, or an HTTP error response.",
    )
    parser.add_argument(
        "--deck",
        type=Path,
        default=ROOT / "sessions" / "green-transition.yaml",
        help="the deck file (default sessions/green-transition.yaml)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "test-artifacts" / "rehearsal",
        help="where the screenshots and index.html go (default test-artifacts/rehearsal)",
    )
    parser.add_argument("--cards", type=int, help="play only the first N cards (default all)")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"the browser (default {CHROMIUM})")
    parser.add_argument(
        "--readme",
        action="store_true",
        help="when the run finds no problems, copy the README's pictures to docs/screenshots "
        "(the sample deck only; rehearsal/readme.py says which screen is which picture)",
    )
    args = parser.parse_args(argv)
    if args.cards is not None and args.cards < 1:
        parser.error("--cards must be at least 1")
    if args.readme and args.deck.resolve() != readme.DECK.resolve():
        parser.error("--readme takes its pictures from the sample deck: leave out --deck")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        deck = load_deck(args.deck)
    except DeckError as exc:
        print(exc, file=sys.stderr)
        return 2
    cards = min(args.cards or len(deck.cards), len(deck.cards))
    args.out.mkdir(parents=True, exist_ok=True)
    # A shorter run must not leave an earlier run's screenshots behind; only the
    # rehearsal's own (named NNN-step-screen.png) go, whatever else is there.
    for old in args.out.glob("[0-9][0-9][0-9]-*.png"):
        old.unlink()
    devices = devices_for(list(deck.languages), deck.default_language)
    title = deck.text(deck.title, deck.default_language)
    say(f"rehearsing {cards} of {len(deck.cards)} cards of {args.deck} on {len(devices)} screens")
    with (
        tempfile.TemporaryDirectory(prefix="strategyroom-rehearsal-") as data,
        Server(Path(data), args.deck.resolve().parent) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        evening = Evening(browser, server.url, deck, args.deck.name, devices, args.out)
        try:
            evening.play(cards)
            insight.play(evening)  # the themes and the common ground, on the projector too
        finally:
            path = sheet.write(args.out, title, devices, evening.steps, evening.failures)
            evening.close()
            browser.close()
    for failure in evening.failures:
        print(f"FAIL {failure}", file=sys.stderr)
    shots = sum(len(step.shots) for step in evening.steps)
    say(f"{len(evening.steps)} steps, {shots} screenshots, contact sheet {path}")
    if evening.failures:
        say(f"{len(evening.failures)} problems")
        return 1
    say("no problems")
    if args.readme:
        copied, missing = readme.copy(args.out, deck)
        readme.report(copied, missing, readme.DOCS)
    return 0


def say(message: str) -> None:
    print(f"rehearsal: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
