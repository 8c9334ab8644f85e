"""Every chart of the report has an alternative text that says what it shows in
figures, in the reader's language: the SVG's title in the page (the image's
accessible name), and the Figure's /Alt in the tagged PDF. Checked exactly for
one chart of each kind (a question's result, the priorities, the impact meter)
on Nørrebro's evening (tests/evenings.py): 8 residents, Main Street 7, Neither 1;
packages buses and bikes 5, buses 2, bikes 1."""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

from starlette.testclient import TestClient

from tests.evenings import PLANS
from tests.reportscript import script_session

NBSP = "\u00a0"


def _titles(page: str) -> dict[str, str]:
    """Chart id -> its accessible name (the title its aria-labelledby names)."""
    names = {}
    for chart_id in re.findall(r'role="img" aria-labelledby="([\w-]+)-t"', page):
        title = re.search(rf'<title id="{chart_id}-t">(.*?)</title>', page, re.S)
        assert title is not None, chart_id
        names[chart_id] = unescape(title.group(1))
    return names


def _pdf_alts(pdf: bytes) -> list[str]:
    """Every /Alt in the PDF's objects, decoded (a text string is PDFDocEncoding
    in parentheses, or UTF-16 with a byte-order mark in angle brackets)."""
    import zlib

    objects = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            objects.append(zlib.decompress(pdf[match.end() : end]))
        except zlib.error:
            continue
    alts = []
    for raw in objects:
        for hexa in re.findall(rb"/Alt\s*<([0-9A-Fa-f\s]+)>", raw):
            alts.append(bytes.fromhex(hexa.decode()).decode("utf-16"))
        for text in re.findall(rb"/Alt\s*\(((?:\\.|[^\\)])*)\)", raw):
            alts.append(re.sub(rb"\\(.)", rb"\1", text).decode("latin-1"))
    return alts


def test_each_kind_of_chart_says_its_figures_in_english_and_danish(
    console: TestClient, tmp_path: Path
) -> None:
    sid = script_session(console, "Nørrebro", PLANS["Nørrebro"])["id"]
    en = _titles(console.get(f"/console/report?session={sid}&lang=en").text)
    street = (
        "Which street first? (8 respondents): Main Street: 88% (7 of 8); "
        "Church Lane: 0% (0 of 8); Neither: 13% (1 of 8)"
    )
    assert street in en.values()
    # Every resident put heat pumps first (100 % of the Borda points they could
    # get) and split the budget 5/5; Main Street 7 of 8, buses 7, bikes 6.
    assert en["priorities"] == (
        "The measures with the most support among residents: "
        "Heat pumps (Put these in order): 100% of 8 respondents; "
        "Main Street (Which street first?): 88% of 8 respondents; "
        "More buses (Build your package): 88% of 8 respondents; "
        "Bike lanes (Build your package): 75% of 8 respondents; "
        "Solar roofs (Put these in order): 50% of 8 respondents; "
        "Heat pumps (Split 10 points): 50% of 8 respondents; "
        "Solar roofs (Split 10 points): 50% of 8 respondents; "
        "Neither (Which street first?): 13% of 8 respondents; "
        "Church Lane (Which street first?): 0% of 8 respondents; "
        "Park and ride (Build your package): 0% of 8 respondents"
    )
    # The mean package: CO2 (5 × 500 + 2 × 300 + 200) / 8 = 412.5 t/yr, cost 40 / 8 = 5 mDKK.
    meter = (
        "Impact of the room's mean package (target 1,000 t/yr): CO2 saved: 412.5 t/yr; "
        "Cost: 5 mDKK; 41% of the target; Limit: 8 mDKK"
    )
    assert meter in en.values()

    da = _titles(console.get(f"/console/report?session={sid}&lang=da").text)
    assert (
        f"Which street first? (8 svar): Main Street: 88{NBSP}% (7 af 8); "
        f"Church Lane: 0{NBSP}% (0 af 8); Neither: 13{NBSP}% (1 af 8)"
    ) in da.values()
    assert (
        f"Effekten af rummets gennemsnitlige pakke (mål 1.000 t/yr): Sparet CO2: 412,5 t/yr; "
        f"Udgift: 5 mDKK; 41{NBSP}% af målet; Grænse: 8 mDKK"
    ) in da.values()

    # The PDF: each chart a Figure with the same text as its /Alt.
    pdf = console.get(f"/console/report.pdf?session={sid}&lang=en").content
    alts = _pdf_alts(pdf)
    assert street in alts and meter in alts
    assert en["priorities"] in alts
    # Every chart of the page, and nothing else that is a figure without one.
    assert sorted(alts) == sorted(en.values())
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    tree = subprocess.run(
        ["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert len(re.findall(r"^\s*Figure\b", tree, re.M)) == len(en)
