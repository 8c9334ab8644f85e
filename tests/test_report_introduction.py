"""A facilitator's introduction to the report: typed on the report page, stored
per session, shown escaped above the summary in the page and the PDF, given in
the JSON; in a report of several evenings each under its evening's name."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from starlette.testclient import TestClient

from tests.evenings import TITLES, three_evenings

HOSTILE = '<script>alert("x")</script> & <b>bold</b>\r\nSecond line\r\n\r\nA new paragraph'


def _save(console: TestClient, session_id: str, text: str, back: str = "") -> object:
    return console.post(
        "/console/report/introduction",
        data={
            "session": session_id,
            "introduction": text,
            "back": back,
            "csrf_token": console.headers["x-csrf-token"],
        },
        follow_redirects=False,
    )


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_hostile_introduction_is_stored_and_shown_escaped(
    console: TestClient, tmp_path: Path
) -> None:
    ids = three_evenings(console)
    sid = ids["Valby"]
    response = _save(console, sid, HOSTILE, back=f"/console/report?session={sid}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/report?session={sid}"
    stored = HOSTILE.replace("\r\n", "\n")
    page = console.get(f"/console/report?session={sid}").text
    intro = re.search(r'<div class="introduction">(.*?)</div>', page, re.S)
    assert intro is not None
    assert re.sub(r"\s+", " ", intro.group(1)).strip() == (
        "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
        "<br>Second line</p><p>A new paragraph</p>"
    )
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    # Above the summary's figures, and the form shows it back for editing.
    assert page.index('class="introduction"') < page.index("<caption>", page.index("Summary"))
    assert 'name="introduction" rows="4">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;' in page
    report = console.get(f"/console/report.json?session={sid}").json()
    assert [s["introduction"] for s in report["sessions"]] == [stored]
    # The downloadable page escapes it too.
    html_file = console.get(f"/console/report.html?session={sid}").text
    assert "&lt;script&gt;alert" in html_file and "<script>alert" not in html_file
    # The PDF: on its first page, before the turnout table.
    text = _pdf_text(console.get(f"/console/report.pdf?session={sid}").content, tmp_path)
    first_page = text.split("\f")[0]
    assert '<script>alert("x")</script> & <b>bold</b>' in first_page
    assert first_page.index("A new paragraph") < first_page.index("Who took part")


def test_a_too_long_introduction_is_refused_with_a_clear_message(console: TestClient) -> None:
    ids = three_evenings(console)
    sid = ids["Amager"]
    response = _save(console, sid, "x" * 1201)
    assert response.status_code == 400
    assert (
        "The introduction can be at most 1,200 characters long; this one has 1,201. "
        "Please shorten it." in response.text
    )
    da = console.post(
        "/console/report/introduction?lang=da",
        data={
            "session": sid,
            "introduction": "x" * 1500,
            "csrf_token": console.headers["x-csrf-token"],
        },
    )
    assert da.status_code == 400
    assert (
        "Introduktionen må højst være på 1.200 tegn; denne har 1.500. Gør den kortere." in da.text
    )
    # A control character is refused as in any other typed text.
    assert _save(console, sid, "bad \x07 bell").status_code == 422
    # Nothing was stored; exactly the limit is accepted.
    assert (
        console.get(f"/console/report.json?session={sid}").json()["sessions"][0]["introduction"]
        == ""
    )
    assert _save(console, sid, "y" * 1200).status_code == 303


def test_each_evenings_introduction_under_its_name(console: TestClient, tmp_path: Path) -> None:
    ids = three_evenings(console)
    _save(console, ids["Nørrebro"], "Held in the library; the buses were on strike.")
    _save(console, ids["Amager"], "Many families with small children came.")
    query = "&".join(f"session={ids[t]}" for t in TITLES)
    page = console.get(f"/console/report?{query}").text
    intro = re.search(r'<div class="introduction">(.*?)</div>', page, re.S)
    assert intro is not None
    headings = re.findall(r"<h4>(.*?)</h4>\s*<p>(.*?)</p>", intro.group(1))
    assert [(h.split(" (")[0], p) for h, p in headings] == [
        ("Nørrebro", "Held in the library; the buses were on strike."),
        ("Amager", "Many families with small children came."),
    ]
    report = console.get(f"/console/report.json?{query}").json()
    assert [s["introduction"] for s in report["sessions"]] == [
        "Held in the library; the buses were on strike.",
        "",
        "Many families with small children came.",
    ]
    text = _pdf_text(console.get(f"/console/report.pdf?{query}").content, tmp_path)
    first_page = text.split("\f")[0]
    assert first_page.index("Introduction") < first_page.index("Nørrebro (")
    assert first_page.index("Nørrebro (") < first_page.index("Held in the library")
    assert first_page.index("Held in the library") < first_page.index("Amager (")
    assert first_page.index("Amager (") < first_page.index("Many families")
