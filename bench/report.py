"""The benchmark's table (Markdown, so it can go into docs/performance.md as it
is) and its plot (a small hand-written SVG: fan-out p99 against N)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Results = dict[str, dict[int, dict[str, Any]]]  # mode -> N -> figures


def _get(run: dict[str, Any] | None, *path: str) -> Any:
    value: Any = run
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _ms(x: Any) -> str:
    return "–" if x is None else f"{x * 1000:.0f}"


def _ratio(a: Any, b: Any) -> str:
    return "–" if a is None or not b else f"{a / b:.2f}x"


def _rows(results: Results) -> list[tuple[str, Callable[[int], str]]]:
    ours, base, out, off = (
        results.get("embedded", {}),
        results.get("baseline", {}),
        results.get("scaleout", {}),
        results.get("nostore", {}),
    )
    flood = results.get("loginflood", {})

    def w(n: int, *p: str) -> Any:
        return _get(flood.get(n), *p)

    def logins(n: int) -> str:
        counts = w(n, "logins")
        if counts is None:
            return "–"
        return " / ".join(f"{counts.get(s, 0)}" for s in ("401", "429", "0"))

    def o(n: int, *p: str) -> Any:
        return _get(ours.get(n), *p)

    def b(n: int, *p: str) -> Any:
        return _get(base.get(n), *p)

    def s(n: int, *p: str) -> Any:
        return _get(out.get(n), *p)

    def f(n: int, *p: str) -> Any:
        return _get(off.get(n), *p)

    def kib(x: Any) -> str:
        return "–" if x is None else f"{x / 1024:.1f}"

    def sec(x: Any) -> str:
        return "–" if x is None else f"{x:.1f}"

    def trio(x: Any) -> str:
        return "–" if x is None else f"{_ms(x['p50'])} / {_ms(x['p99'])} / {_ms(x['max'])}"

    def lag(x: Any) -> str:
        return "–" if x is None else f"{x:.0f}"

    return [
        (
            "**fan-out p99, ours / baseline** (headline)",
            lambda n: _ratio(o(n, "fanout", "p99"), b(n, "fanout", "p99")),
        ),
        (
            "**memory per participant, ours / baseline** (headline)",
            lambda n: _ratio(
                o(n, "connect", "rss_per_participant"), b(n, "connect", "rss_per_participant")
            ),
        ),
        (
            "**ack p99, ours / storage off** (headline)",
            lambda n: _ratio(o(n, "answers", "p99"), f(n, "answers", "p99")),
        ),
        (
            "**ack p99, with a login flood / without** (headline)",
            lambda n: _ratio(w(n, "flood", "p99"), w(n, "quiet", "p99")),
        ),
        ("connect: join N over HTTP (s)", lambda n: sec(o(n, "connect", "join_time"))),
        (
            "connect: open N sockets, hello, snapshot (s)",
            lambda n: sec(o(n, "connect", "socket_time")),
        ),
        ("connect: baseline, open N sockets (s)", lambda n: sec(b(n, "connect", "time"))),
        (
            "server RSS growth per participant (KiB)",
            lambda n: kib(o(n, "connect", "rss_per_participant")),
        ),
        (
            "baseline RSS growth per connection (KiB)",
            lambda n: kib(b(n, "connect", "rss_per_participant")),
        ),
        (
            "reconnect storm: all N back with current state (s)",
            lambda n: sec(o(n, "storm", "time")),
        ),
        ("fan-out p50 / p99 / max (ms)", lambda n: trio(o(n, "fanout"))),
        ("baseline fan-out p50 / p99 / max (ms)", lambda n: trio(b(n, "fanout"))),
        ("answers: ack p50 / p99 / max (ms)", lambda n: trio(o(n, "answers"))),
        (
            "answers stored per second",
            lambda n: (
                "–"
                if o(n, "answers", "per_second") is None
                else f"{o(n, 'answers', 'per_second'):.0f}"
            ),
        ),
        (
            "exact total in the API after the last ack (ms)",
            lambda n: _ms(o(n, "answers", "total_after")),
        ),
        ("storage off: ack p50 / p99 / max (ms)", lambda n: trio(f(n, "answers"))),
        ("login flood: ack p50 / p99 / max, quiet (ms)", lambda n: trio(w(n, "quiet"))),
        ("login flood: ack p50 / p99 / max, flooded (ms)", lambda n: trio(w(n, "flood"))),
        ("login flood: wrong logins answered 401 / 429 / failed", logins),
        ("baseline ack p50 / p99 / max, nothing stored (ms)", lambda n: trio(b(n, "answers"))),
        (
            "event-loop lag p99: fan-out / answers (ms)",
            lambda n: f"{lag(o(n, 'fanout', 'lag_p99_ms'))} / {lag(o(n, 'answers', 'lag_p99_ms'))}",
        ),
        ("scale-out (2 workers): fan-out p50 / p99 / max (ms)", lambda n: trio(s(n, "fanout"))),
        (
            "scale-out fan-out p99 / embedded",
            lambda n: _ratio(s(n, "fanout", "p99"), o(n, "fanout", "p99")),
        ),
        (
            "scale-out: ack p99 (ms), stored/s",
            lambda n: (
                "–"
                if s(n, "answers") is None
                else f"{_ms(s(n, 'answers', 'p99'))}, {s(n, 'answers', 'per_second'):.0f}"
            ),
        ),
        (
            "scale-out: reconnect storm (s), RSS/participant (KiB)",
            lambda n: (
                "–"
                if s(n, "storm") is None
                else f"{sec(s(n, 'storm', 'time'))}, {kib(s(n, 'connect', 'rss_per_participant'))}"
            ),
        ),
        (
            "card frame size (bytes)",
            lambda n: (
                "–"
                if o(n, "fanout", "frame_bytes") is None
                else f"{o(n, 'fanout', 'frame_bytes'):.0f}"
            ),
        ),
        (
            "CPU s: server / load generator (embedded run)",
            lambda n: (
                "–"
                if o(n, "server_cpu") is None
                else f"{o(n, 'server_cpu'):.0f} / {o(n, 'loadgen_cpu'):.0f}"
            ),
        ),
        (
            "checks: phones with every card / answers stored / back in storm",
            lambda n: _checks(ours.get(n), n),
        ),
    ]


def _checks(run: dict[str, Any] | None, n: int) -> str:
    if run is None:
        return "–"
    got = [
        _get(run, "fanout", "complete"),
        _get(run, "answers", "total_shown"),
        _get(run, "storm", "current"),
    ]
    return " / ".join("–" if g is None else ("all" if g == n else f"{g} of {n}") for g in got)


def table(results: Results, ns: list[int]) -> str:
    lines = ["| figure | " + " | ".join(f"N = {n:,}" for n in ns) + " |"]
    lines.append("| --- |" + " ---: |" * len(ns))
    for label, cell in _rows(results):
        lines.append(f"| {label} | " + " | ".join(cell(n) for n in ns) + " |")
    return "\n".join(lines)


def svg(results: Results, ns: list[int]) -> str:
    """Fan-out p99 (ms) against N, one line per mode."""
    width, height, left, bottom, top, right = 680, 340, 60, 40, 36, 190
    series = [
        ("embedded", "Strategy Room (embedded)", "#1f6feb"),
        ("scaleout", "Strategy Room (2 workers)", "#8250df"),
        ("baseline", "bare websockets broadcast()", "#cf222e"),
    ]
    points = {
        mode: [
            (n, results[mode][n]["fanout"]["p99"] * 1000) for n in ns if n in results.get(mode, {})
        ]
        for mode, _, _ in series
    }
    ymax = float(max([y for pts in points.values() for _, y in pts] + [1])) * 1.1
    xmax = max(ns)

    def x(n: float) -> float:
        return left + (width - left - right) * n / xmax

    def y(v: float) -> float:
        return height - bottom - (height - bottom - top) * v / ymax

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="14">Card fan-out latency, p99 (ms), against N</text>',
        f'<line x1="{left}" y1="{y(0)}" x2="{x(xmax)}" y2="{y(0)}" stroke="#333"/>',
        f'<line x1="{left}" y1="{y(0)}" x2="{left}" y2="{top}" stroke="#333"/>',
    ]
    for i in range(6):
        v = ymax * i / 5
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>')
        out.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{x(xmax)}" y2="{y(v):.1f}" stroke="#eee"/>'
        )
    for n in ns:
        out.append(
            f'<text x="{x(n):.1f}" y="{height - bottom + 16}" text-anchor="middle">{n:,}</text>'
        )
    out.append(
        f'<text x="{(left + x(xmax)) / 2:.0f}" y="{height - 6}" '
        'text-anchor="middle">participants (N)</text>'
    )
    for i, (mode, label, colour) in enumerate(series):
        pts = points[mode]
        if not pts:
            continue
        path = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, v in pts:
            out.append(f'<circle cx="{x(n):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        ly = top + 16 * i
        out.append(
            f'<line x1="{width - right + 8}" y1="{ly}" x2="{width - right + 22}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{width - right + 26}" y="{ly + 4}" font-size="10">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
