"""The contact sheet: one HTML page, a row per step of the evening, a column per
screen, each thumbnail a link to its full screenshot; what failed is listed at
the top and under the screenshot it concerns."""

from __future__ import annotations

from html import escape
from pathlib import Path

from rehearsal.devices import Device
from rehearsal.play import Failure, Step

SHEET = "index.html"

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1rem; background: #fff; color: #111; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px; vertical-align: top; text-align: start; }
thead th { position: sticky; top: 0; background: #eee; }
td img { display: block; width: 160px; height: auto; }
/* A long phone page shows its top; the link opens the whole of it. */
td.phone img, td.tablet img { max-height: 300px; object-fit: cover; object-position: top; }
td.projector img { width: 240px; }
td.console img { width: 200px; }
td.failed { background: #fde8e8; outline: 3px solid #a4161a; }
td ul { margin: 4px 0 0; padding-inline-start: 1rem; max-width: 240px; font-size: 12px; }
.ok { color: #0b5d3b; } .bad { color: #a4161a; }
"""


def write(
    out: Path, title: str, devices: list[Device], steps: list[Step], failures: list[Failure]
) -> Path:
    by_cell: dict[tuple[str, str], list[str]] = {}
    for failure in failures:
        by_cell.setdefault((failure.step, failure.device), []).append(failure.what)
    head = "".join(
        f"<th>{escape(d.name)}<br><small>{d.width}×{d.height}</small></th>" for d in devices
    )
    rows = [_row(step, devices, by_cell) for step in steps]
    summary = (
        f'<p class="bad">{len(failures)} problems:</p><ol>'
        + "".join(f"<li>{escape(str(f))}</li>" for f in failures)
        + "</ol>"
        if failures
        else '<p class="ok">No problems found.</p>'
    )
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Rehearsal: {escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Rehearsal: {escape(title)}</h1>{summary}"
        f"<table><thead><tr><th>step</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</body></html>"
    )
    path = out / SHEET
    path.write_text(page, encoding="utf-8")
    return path


def _row(step: Step, devices: list[Device], by_cell: dict[tuple[str, str], list[str]]) -> str:
    card = f"card {step.card + 1}: " if step.card is not None else ""
    cells = [
        f"<th>{step.number}. {escape(card + step.title)}<br><small>{escape(step.name)}</small></th>"
    ]
    for device in devices:
        file = step.shots.get(device.name)
        problems = by_cell.get((step.name, device.name), [])
        classes = device.kind + (" failed" if problems else "")
        image = (
            f'<a href="{escape(file)}"><img src="{escape(file)}" loading="lazy" '
            f'alt="{escape(device.name)} after {escape(step.name)}"></a>'
            if file
            else ""
        )
        notes = (
            "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>"
            if problems
            else ""
        )
        cells.append(f'<td class="{classes}">{image}{notes}</td>')
    return "<tr>" + "".join(cells) + "</tr>"
