"""``python -m bench``: the performance benchmark (docs/performance.md).

For each N it starts the real server (``strategyroom serve``) in its own
process(es), N simulated phones in load generator processes, and measures
connect, fan-out, an answer burst and a reconnect storm; then the bare
``websockets`` baseline with the same phones and payload size. Progress goes
to stderr, the table (Markdown) to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import opinion, report, reporttime, themes
from bench.flood import run_login_flood
from bench.reporttime import run_report
from bench.run import run_baseline, run_nostore, run_ours, say
from bench.servers import scaleout_reachable

MODES = ("embedded", "scaleout", "baseline", "nostore", "loginflood")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark Strategy Room against a bare websockets server: N simulated "
        "participants over loopback; connect, card fan-out, an answer burst, a reconnect "
        "storm, event-loop lag. Prints a Markdown table (docs/performance.md).",
    )
    parser.add_argument(
        "-n",
        "--participants",
        default="500,2000",
        help="comma-separated values of N (default 500,2000; the documented run is "
        "2000,5000,10000, with --scaleout-max 10000)",
    )
    parser.add_argument("--rounds", type=int, default=20, help="cards shown per N (default 20)")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="comma-separated, of embedded, scaleout (two workers, Redis, a fresh PostgreSQL "
        "database; skipped when unreachable), baseline, nostore (the answer burst on the "
        "embedded server with storage switched off, bench/nostore.py), loginflood (answer "
        "bursts with and without 32 clients looping wrong logins, bench/flood.py) (default all)",
    )
    parser.add_argument(
        "--scaleout-max",
        type=int,
        default=2000,
        help="largest N to run in scale-out mode (default 2000, the N of its target)",
    )
    parser.add_argument("--procs", type=int, default=4, help="load generator processes (4)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--svg", type=Path, help="write the fan-out p99 plot to this SVG file")
    parser.add_argument(
        "--profile",
        type=Path,
        help="record py-spy profiles of the server during fan-out and answers into this "
        "directory (needs the bench extra: pip install -e '.[bench]')",
    )
    parser.add_argument(
        "--report-people",
        type=int,
        default=5000,
        help="time the council report of an evening with this many residents, 8 to a "
        "table (default 5000; 0 skips it)",
    )
    parser.add_argument(
        "--themes-comments",
        type=int,
        default=2000,
        help="time the themes of this many comments and measure their agreement with the "
        "labelled comments per language (default 2000; 0 skips it; bench/themes.py)",
    )
    parser.add_argument(
        "--opinion-people",
        type=int,
        default=5000,
        help="time the opinion groups and the console's insight panel for a hall of this "
        "many residents with planted groups (default 5000; 0 skips it; bench/opinion.py)",
    )
    parser.add_argument("--workdir", type=Path, help="keep server data and logs here")
    args = parser.parse_args(argv)
    try:
        args.ns = [int(x) for x in args.participants.split(",") if x.strip()]
    except ValueError:
        parser.error("--participants takes whole numbers separated by commas")
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not args.ns or min(args.ns) < 1 or args.rounds < 1 or args.procs < 1:
        parser.error("N, --rounds and --procs must be at least 1")
    if min(args.report_people, args.themes_comments, args.opinion_people) < 0:
        parser.error(
            "--report-people, --themes-comments and --opinion-people must be 0 (skip) or more"
        )
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    return args


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_mib": mem,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def raise_fd_limit(ns: list[int]) -> None:
    # Children inherit the limit: every server socket is a file descriptor.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < max(ns) + 1000:
        say(f"warning: the open-files limit is {hard}; N = {max(ns)} needs more")


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    results: dict[str, dict[int, dict[str, Any]]] = {m: {} for m in MODES}
    loads: list[float] = []
    scaleout_why = scaleout_reachable() if "scaleout" in args.modes else None
    if scaleout_why:
        say(f"scale-out mode skipped: PostgreSQL or Redis unreachable ({scaleout_why})")
    for n in args.ns:
        loads.append(os.getloadavg()[0])
        frame_bytes = 2000.0
        if "embedded" in args.modes:
            results["embedded"][n] = run_ours(n, "embedded", args, workdir)
            frame_bytes = results["embedded"][n]["fanout"]["frame_bytes"]
            loads.append(os.getloadavg()[0])
        if "nostore" in args.modes:
            results["nostore"][n] = run_nostore(n, args, workdir)
            loads.append(os.getloadavg()[0])
        if "baseline" in args.modes:
            results["baseline"][n] = run_baseline(n, args, workdir, frame_bytes)
            loads.append(os.getloadavg()[0])
        if "loginflood" in args.modes:
            results["loginflood"][n] = run_login_flood(n, args, workdir)
            loads.append(os.getloadavg()[0])
        if "scaleout" in args.modes and not scaleout_why and n <= args.scaleout_max:
            results["scaleout"][n] = run_ours(n, "scaleout", args, workdir)
            loads.append(os.getloadavg()[0])
    report = None
    if args.report_people:
        report = run_report(args.report_people, workdir / "report")
        loads.append(os.getloadavg()[0])
    theme_figures = None
    if args.themes_comments:
        say(f"themes: {args.themes_comments:,} comments, and the labelled comments")
        theme_figures = themes.run_themes(args.themes_comments)
        loads.append(os.getloadavg()[0])
    opinion_figures = None
    if args.opinion_people:
        say(f"opinion groups: a hall of {args.opinion_people:,} residents")
        opinion_figures = opinion.run_opinion(args.opinion_people)
        loads.append(os.getloadavg()[0])
    return {
        "results": results,
        "report": report,
        "themes": theme_figures,
        "opinion": opinion_figures,
        "load_averages": loads,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    raise_fd_limit(args.ns)
    started = time.time()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="strategyroom-bench-"))
    try:
        outcome = run(args, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    results = outcome["results"]
    info = {
        **machine(),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "minutes": round((time.time() - started) / 60, 1),
        "load_average_1min": outcome["load_averages"],
        "commit": _commit(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }
    loads = info["load_average_1min"]
    print(
        f"Machine: {info['cpus']} CPUs ({info['cpu_model']}), {info['memory_mib']:,} MiB, "
        f"Python {info['python']}; load average (1 min) during the run "
        f"{min(loads):.1f}-{max(loads):.1f}; {info['started']}, {info['minutes']} min, "
        f"commit {info['commit']}\n"
    )
    print(report.table(results, args.ns))
    if outcome["report"] is not None:
        print("\n" + reporttime.table(outcome["report"]))
    if outcome["themes"] is not None:
        print("\n" + themes.table(outcome["themes"]))
    if outcome["opinion"] is not None:
        print("\n" + opinion.table(outcome["opinion"]))
    if args.json:
        everything = {
            "machine": info,
            "results": results,
            "report": outcome["report"],
            "themes": outcome["themes"],
            "opinion": outcome["opinion"],
        }
        args.json.write_text(json.dumps(everything, indent=1))
    if args.svg:
        args.svg.write_text(report.svg(results, args.ns))
    return 0


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
