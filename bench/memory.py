"""``python -m bench.memory -n N``: where a joined participant's bytes go.

The benchmark's memory figure is the server's RSS growth per participant; this
says what it is made of. The real server (``strategyroom serve``, the same
settings as the benchmark's embedded mode) runs in this process with
``tracemalloc`` on, while a thread drives the benchmark's load generator: N
phones join over HTTP and open their sockets. Python's allocations are
snapshotted before the joins, after them and after the sockets' snapshots,
and the differences are printed per participant, grouped by the allocating
line or traceback, next to the live objects counted by type (``gc``).

tracemalloc slows the server several times over and adds its own memory; the
RSS figure here is not the benchmark's, only the split is.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from bench.pool import Pool, split
from bench.servers import Facilitator, OurServer, free_port, rss_bytes


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("-n", "--participants", type=int, default=2000)
    parser.add_argument("--procs", type=int, default=2, help="load generator processes (2)")
    parser.add_argument("--frames", type=int, default=12, help="traceback depth (12)")
    parser.add_argument("--top", type=int, default=30, help="lines per table (30)")
    return parser.parse_args(argv)


def type_counts() -> Counter[str]:
    gc.collect()
    return Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def show(title: str, stats: list[Any], n: int, top: int, tracebacks: bool) -> None:
    print(f"\n## {title}\n")
    total = sum(s.size_diff for s in stats)
    print(f"total: {total / n:,.0f} bytes per participant\n")
    for stat in sorted(stats, key=lambda s: -s.size_diff)[:top]:
        if abs(stat.size_diff) < n * 8:  # under 8 bytes per participant
            break
        frames = stat.traceback.format(limit=None if tracebacks else 1, most_recent_first=True)
        where = frames[0].strip() if not tracebacks else "\n      ".join(f.strip() for f in frames)
        print(f"{stat.size_diff / n:8,.0f} B  {stat.count_diff / n:6.2f} blocks  {where}")


def drive(n: int, opts: argparse.Namespace, url: str, pid: int, out: dict[str, Any]) -> None:
    """The measurement, in a thread of the server's process."""
    try:
        _drive(n, opts, url, pid, out)
    except BaseException as exc:
        out["error"] = exc
    finally:
        os.kill(pid, signal.SIGINT)  # uvicorn shuts down


def _drive(n: int, opts: argparse.Namespace, url: str, pid: int, out: dict[str, Any]) -> None:
    deadline = time.monotonic() + 300
    while True:
        try:
            fac = Facilitator(url)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    code = fac.open_session()
    pool = Pool(min(opts.procs, n))
    # Traced from here on: the server's imports and start-up are not measured.
    tracemalloc.start(opts.frames)
    try:
        types0 = type_counts()
        snap0 = tracemalloc.take_snapshot()
        rss0 = rss_bytes(pid)
        ws = url.replace("http://", "ws://")
        args = [
            {"base_url": url, "code": code, "count": c, "ws_bases": [ws]}
            for c in split(n, len(pool))
        ]
        joined = sum(pool.call("join", args))
        assert joined == n, f"{joined} of {n} joined"
        gc.collect()
        snap1 = tracemalloc.take_snapshot()
        rss1 = rss_bytes(pid)
        pool.call("connect")
        time.sleep(1)
        types2 = type_counts()
        snap2 = tracemalloc.take_snapshot()
        rss2 = rss_bytes(pid)
        out.update(
            rss=((rss1 - rss0) / n, (rss2 - rss1) / n),
            joins=snap1.compare_to(snap0, "lineno"),
            sockets=snap2.compare_to(snap1, "lineno"),
            sockets_tb=snap2.compare_to(snap1, "traceback"),
            joins_tb=snap1.compare_to(snap0, "traceback"),
            types=types2 - types0,
        )
    finally:
        pool.stop()
        fac.close()


def report(n: int, top: int, out: dict[str, Any]) -> None:
    join_rss, socket_rss = out["rss"]
    print(f"# Memory per participant, N = {n:,}\n")
    print(f"RSS growth: joins {join_rss / 1024:.1f} KiB, sockets {socket_rss / 1024:.1f} KiB")
    show("joins, by line", out["joins"], n, top, tracebacks=False)
    show("sockets, by line", out["sockets"], n, top, tracebacks=False)
    show("sockets, by traceback", out["sockets_tb"], n, top // 2, tracebacks=True)
    show("joins, by traceback", out["joins_tb"], n, top // 3, tracebacks=True)
    print("\n## live objects added, by type (per participant)\n")
    for name, count in out["types"].most_common(top):
        if count < n // 2:
            break
        print(f"{count / n:6.2f}  {name}")


def main(argv: list[str] | None = None) -> int:
    opts = parse(argv)
    n = opts.participants
    workdir = Path(tempfile.mkdtemp(prefix="strategyroom-memory-"))
    server = OurServer(workdir, "embedded")
    server.cli("facilitator", "add", "bench", "--password-stdin", stdin=server_password())
    os.environ.update(server.env)
    port = free_port()
    out: dict[str, Any] = {}
    thread = threading.Thread(
        target=drive, args=(n, opts, f"http://127.0.0.1:{port}", os.getpid(), out), daemon=True
    )
    thread.start()
    from strategyroom import cli

    cli.main(["serve", "--port", str(port), "--no-access-log", "--log-level", "warning"])
    thread.join()
    if "error" in out:
        raise out["error"]
    report(n, opts.top, out)
    return 0


def server_password() -> str:
    from bench.servers import PASSWORD

    return PASSWORD + "\n"


if __name__ == "__main__":
    sys.exit(main())
