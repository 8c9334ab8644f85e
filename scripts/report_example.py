"""Make the README's example report: three evenings of the sample deck in three
neighbourhoods (24, 16 and 30 residents at 3, 2 and 4 tables, each table with a
shared tablet that submits the table's answers to table questions) with made-up
answers, each neighbourhood leaning its own way, each stored as the live
session stores it and read back by the report as for any session; one report
over the three, as a PDF, and its first pages as PNG.

    python scripts/report_example.py [--pages 3] [--out docs/report]

The answers are random (seeded, so the pages are the same every time) and only
illustrate the layout. Needs pdftoppm (Debian poppler-utils, which ./dev installs).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

# Run as a file (python scripts/report_example.py): the repository holds bench/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evening import START, make_session
from strategyroom.decks import Deck, load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from strategyroom.reports import data, html, pdf
from strategyroom.reports.model import build_report
from strategyroom.store import migrate
from strategyroom.store.db import Database
from strategyroom.templating import Renderer

# The evenings: id, title (name and place), residents, tables; a week apart.
EVENINGS = [
    ("norrebro", "Nørrebro, Community hall", 24, 3),
    ("valby", "Valby, Library", 16, 2),
    ("amager", "Amager, School", 30, 4),
]


def _evening(
    tmp: Path, deck: Deck, seed: int, week: int, sid: str, title: str, people: int, tables: int
) -> data.SessionData:
    """One evening in its own database (the bench's session has a fixed id),
    read back and given its own id, title and date."""
    url = f"sqlite:///{tmp / f'{sid}.sqlite3'}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        # Each neighbourhood leans its own way (week + 1), so the evenings differ.
        session_id = make_session(db, deck, seed, people=people, tables=tables, lean=week + 1)
        [session] = db.call(lambda s: data.load_sessions(s, [session_id]))
    finally:
        db.dispose()
    held = START + timedelta(days=7 * week)
    session.room.id, session.room.title = sid, title
    for run in session.runs.values():
        run.opened_at = held
    return replace(session, room=session.room)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3, help="how many first pages to keep")
    parser.add_argument("--out", type=Path, default=Path("docs/report"), help="where the PNGs go")
    parser.add_argument("--seed", type=int, default=12, help="the random answers' seed")
    args = parser.parse_args(argv)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm is missing: install poppler-utils (./dev does)", file=sys.stderr)
        return 1
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        sessions = [
            _evening(Path(tmp), deck, args.seed + i, i, *evening)
            for i, evening in enumerate(EVENINGS)
        ]
        report = build_report(sessions, "en", "Example Municipality", START + timedelta(days=15))
        page = html.render_report(
            Renderer(),
            report,
            deck,
            logo=None,
            downloads={},
            printing=True,
            zone="Europe/Copenhagen",
        )
        document = Path(tmp) / "report.pdf"
        document.write_bytes(pdf.to_pdf(page))
        args.out.mkdir(parents=True, exist_ok=True)
        for old in args.out.glob("page-*.png"):
            old.unlink()
        subprocess.run(  # noqa: S603
            [
                pdftoppm,
                "-png",
                "-r",
                "70",
                "-l",
                str(args.pages),
                str(document),
                str(args.out / "page"),
            ],
            check=True,
        )
    for png in args.out.glob("page-*.png"):  # pdftoppm pads numbers: page-01.png
        png.rename(args.out / f"page-{int(png.stem.split('-')[1])}.png")
    print("\n".join(str(p) for p in sorted(args.out.glob("page-*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
