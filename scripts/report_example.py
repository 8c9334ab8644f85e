"""Make the README's example report: an evening of the sample deck with made-up
answers from 40 residents at 5 tables (each with a shared tablet that submits
the table's answers to table questions), stored as the live session stores them
and read back by the report as for any session, as a PDF, and its first pages
as PNG.

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
from datetime import timedelta
from pathlib import Path

# Run as a file (python scripts/report_example.py): the repository holds bench/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evening import START, make_session
from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from strategyroom.reports import data, html, pdf
from strategyroom.reports.model import build_report
from strategyroom.store import migrate
from strategyroom.store.db import Database
from strategyroom.web.render import Renderer


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
        url = f"sqlite:///{Path(tmp) / 'example.sqlite3'}"
        migrate.upgrade(url)
        db = Database(url)
        try:
            session_id = make_session(db, deck, args.seed)
            sessions = db.call(lambda s: data.load_sessions(s, [session_id]))
        finally:
            db.dispose()
        report = build_report(sessions, "en", "Example Municipality", START + timedelta(hours=3))
        page = html.render_report(Renderer(), report, deck, logo=None, downloads={}, printing=True)
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
