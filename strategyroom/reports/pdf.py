"""The report as a PDF: the same HTML page, laid out on A4 by WeasyPrint.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0; ./dev
installs them). It fetches nothing: the stylesheet is passed in and the logo
is already inlined, so a report can never make the server load a URL.
"""

from __future__ import annotations

from strategyroom.paths import STATIC_DIR


def to_pdf(html: str) -> bytes:
    """A4 PDF bytes from the report page's HTML."""
    # Imported here: loading WeasyPrint (and Pango) costs time the live app never needs.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    # Only data: URLs (the inlined logo): a report never makes the server fetch anything.
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheet = CSS(filename=str(STATIC_DIR / "report.css"))
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(STATIC_DIR))
    return document.write_pdf(stylesheets=[stylesheet])  # type: ignore[no-any-return]
