"""The report as a PDF: the same HTML page, laid out on A4 by WeasyPrint.

The PDF is tagged for accessibility as PDF/UA-1 (WeasyPrint's ``pdf/ua-1``
variant): a structure tree with the headings, tables (headers and captions)
and lists, the document's language and title, and each chart as a Figure whose
alternative text is the chart's title, which says what it shows in figures
(strategyroom.reports.alt; its data table follows it).

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0; ./dev
installs them). It fetches nothing: the stylesheet is passed in and the logo
is already inlined, so a report can never make the server load a URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from strategyroom.paths import STATIC_DIR

# What WeasyPrint is doing, as its progress log says it: "layout" with the page
# number (counting up again when it numbers the pages a second time), then "pdf".
Progress = Callable[[str, int], None]


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if message.startswith("Step 5 - Creating layout - Page") and record.args:
            self.progress("layout", int(record.args[0]))  # type: ignore[index, call-overload]
        elif message.startswith("Step 5 - Creating layout - Repagination"):
            self.progress("numbering", 0)
        elif message.startswith("Step 6"):
            self.progress("pdf", 0)


@contextmanager
def _reporting(progress: Progress | None) -> Iterator[None]:
    if progress is None:
        yield
        return
    # WeasyPrint's own progress log (weasyprint.progress), kept out of the server's log.
    logger = logging.getLogger("weasyprint.progress")
    handler = _ProgressHandler(progress)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def to_pdf(html: str, progress: Progress | None = None) -> bytes:
    """A4 PDF bytes from the report page's HTML; ``progress`` is told each page
    laid out (strategyroom.reports.jobs shows it)."""
    # Imported here: loading WeasyPrint (and Pango) costs time the live app never needs.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    # Only data: URLs (the inlined logo): a report never makes the server fetch anything.
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheet = CSS(filename=str(STATIC_DIR / "report.css"))
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(STATIC_DIR))
    with _reporting(progress):
        return document.write_pdf(  # type: ignore[no-any-return]
            stylesheets=[stylesheet], pdf_variant="pdf/ua-1"
        )
