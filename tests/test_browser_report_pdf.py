"""The report's PDF in a real browser: "Make PDF" shows a progress bar (an
accessible progressbar, polled by htmx), then the download, which is the
report; a reload shows the finished job again."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.a11y import assert_accessible
from tests.browsers import SHOTS, open_console
from tests.live import LiveServer


def test_make_pdf_shows_progress_then_the_download(
    server: LiveServer, chromium: Browser, tmp_path: Path
) -> None:
    console, _code = open_console(chromium, server, 900)
    session_id = console.url.rstrip("/").rsplit("/", 1)[1]
    console.goto(f"{server.url}/console/report?session={session_id}&lang=en")
    expect(console.get_by_role("link", name="PDF")).to_have_count(0)
    console.get_by_role("button", name="Make PDF").click()
    bar = console.get_by_role("progressbar", name=re.compile(r"^Making the PDF: "))
    expect(bar).to_be_visible()
    assert bar.get_attribute("max") == "100"
    assert 0 <= int(bar.get_attribute("value") or "-1") < 100
    SHOTS.mkdir(parents=True, exist_ok=True)
    console.locator("#pdf").screenshot(path=SHOTS / "report-pdf-progress.png")
    download_link = console.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=120_000)  # a bound on waiting
    expect(bar).to_have_count(0)
    expect(console.locator("#pdf-job")).to_contain_text("The PDF is ready.")
    console.locator("#pdf").screenshot(path=SHOTS / "report-pdf-ready.png")
    assert_accessible(console, "the report page with its PDF ready")
    with console.expect_download() as info:
        download_link.click()
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert re.fullmatch(
        r"report-green-transition-\d{4}-\d\d-\d\d\.pdf", info.value.suggested_filename
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    first_page = text.split("\f")[0]
    assert "Summary" in first_page and "Northside, 12 March (" in first_page
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+[1-9]", pages.stdout, re.M)
    # The job survives a reload: the page shows its download again.
    console.reload()
    expect(console.get_by_role("link", name="Download the PDF")).to_be_visible()
    console.close()
