"""The report's PDF is tagged for accessibility (PDF/UA-1): a structure tree
with headings, tables and figures, marked content, the document's language and
title, a contents list with page numbers, and each chart with alternative text.
Checked in the PDF's bytes (an uncompressed copy laid out by the same code) and
with poppler's pdfinfo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from starlette.testclient import TestClient

from tests.evenings import TITLES, three_evenings
from tests.test_report_alt import _pdf_alts


def test_the_pdf_is_tagged_with_headings_contents_and_chart_text(
    console: TestClient, tmp_path: Path
) -> None:
    ids = three_evenings(console)
    query = "&".join(f"session={ids[t]}" for t in TITLES)
    response = console.get(f"/console/report.pdf?{query}&lang=da")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    assert re.search(r"^Title:\s+.*Rapporttestby$", info.stdout, re.M)
    tree = subprocess.run(
        ["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    for element in ("Document", "H1", "H2", "H3", "Table", "TH", "TD", "Caption", "L", "Figure"):
        assert re.search(rf"^\s*{element}\b", tree, re.M), element
    # The raw objects: the structure tree root, marked content, the language,
    # and every chart's alternative text (its title, which says its figures).
    raw = response.content
    assert b"/StructTreeRoot" in raw or b"StructTreeRoot" in _inflate(raw)
    objects = _inflate(raw)
    assert b"/MarkInfo" in objects and b"/Marked true" in objects
    assert b"/Lang (da)" in objects
    # (Exactly what each kind of chart's text says: tests/test_report_alt.py.)
    assert any(alt.startswith("Which street first? (30 svar): ") for alt in _pdf_alts(raw))
    # The contents list, with page numbers, before the questions.
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Sammenfatning\s*\.+\s*1\b", text)
    assert text.index("Indhold") < text.index("Spørgsmål for spørgsmål")


def _inflate(raw: bytes) -> bytes:
    """The PDF's objects with their compressed streams (object streams included) inflated."""
    import zlib

    out = [raw]
    for match in re.finditer(rb"stream\r?\n", raw):
        start = match.end()
        end = raw.find(b"endstream", start)
        try:
            out.append(zlib.decompress(raw[start:end]))
        except zlib.error:
            continue
    return b"\n".join(out)
