"""One benchmark run against one server for one N: connect, fan-out, answers,
reconnect storm. Returns plain dicts of figures (seconds, bytes) for the report."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import profile
from bench.pool import Pool, split
from bench.servers import Baseline, Facilitator, OurServer

QUESTION, QUESTION_CARD = "centre", 2
VALUES = ["yes", "no", "unsure"]
PAUSE = 0.1  # between fan-out rounds, so one card's tail does not meet the next


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_ours(n: int, mode: str, opts: Any, workdir: Path) -> dict[str, Any]:
    server = OurServer(workdir / f"{mode}-{n}", mode).start()
    pool = Pool(min(opts.procs, n))
    out: dict[str, Any] = {"mode": mode, "n": n}
    try:
        facilitators = [Facilitator(url) for url in server.urls]
        fac = facilitators[0]
        code = fac.open_session()
        cpu0, gen0 = server.cpu(), pool.cpu()
        with profile.recording(opts.profile, server.pids, f"{mode}-{n}-connect"):
            out["connect"] = _connect_ours(n, server, pool, code)
        say(f"{mode} N={n}: joined and connected in {out['connect']['time']:.1f} s")

        def lag(seconds: float) -> float | None:
            found = [f.loop_lag(seconds)["p99_ms"] for f in facilitators]
            return max((x for x in found if x is not None), default=None)

        with profile.recording(opts.profile, server.pids, f"{mode}-{n}-fanout"):
            started = time.monotonic()
            out["fanout"] = _fanout(pool, opts.rounds, lambda r: fac.act("show_card", card=r % 2))
            out["fanout"]["lag_p99_ms"] = lag(time.monotonic() - started)
        say(f"{mode} N={n}: fan-out p99 {out['fanout']['p99'] * 1000:.0f} ms")
        with profile.recording(opts.profile, server.pids, f"{mode}-{n}-answers"):
            started = time.monotonic()
            out["answers"] = _answers_ours(n, pool, fac)
            out["answers"]["lag_p99_ms"] = lag(time.monotonic() - started)
        say(
            f"{mode} N={n}: {out['answers']['stored']} answers, ack p99 "
            f"{out['answers']['p99'] * 1000:.0f} ms"
        )
        with profile.recording(opts.profile, server.pids, f"{mode}-{n}-storm"):
            out["storm"] = _storm(n, pool, fac)
        say(f"{mode} N={n}: reconnect storm {out['storm']['time']:.1f} s")
        out["server_cpu"] = server.cpu() - cpu0
        out["loadgen_cpu"] = pool.cpu() - gen0
        for f in facilitators:
            f.close()
    finally:
        pool.stop()
        server.stop()
    return out


def run_nostore(n: int, opts: Any, workdir: Path) -> dict[str, Any]:
    """Only the answer burst, on the server with storage switched off."""
    server = OurServer(workdir / f"nostore-{n}", "nostore").start()
    pool = Pool(min(opts.procs, n))
    out: dict[str, Any] = {"mode": "nostore", "n": n}
    try:
        fac = Facilitator(server.urls[0])
        code = fac.open_session()
        out["connect"] = _connect_ours(n, server, pool, code)
        out["answers"] = _open_and_burst(pool, fac)
        out["answers"].pop("last_ack")
        say(f"storage off N={n}: ack p99 {out['answers']['p99'] * 1000:.0f} ms")
        fac.close()
    finally:
        pool.stop()
        server.stop()
    return out


def _connect_ours(n: int, server: OurServer, pool: Pool, code: str) -> dict[str, Any]:
    rss0 = server.rss()
    ws_bases = [u.replace("http://", "ws://") for u in server.urls]
    args = [
        {
            "base_url": server.urls[i % len(server.urls)],
            "code": code,
            "count": c,
            "ws_bases": ws_bases,
        }
        for i, c in enumerate(split(n, len(pool)))
    ]
    started = time.monotonic()
    joined = sum(pool.call("join", args))
    join_time = time.monotonic() - started
    say(f"N={n}: {joined} joined in {join_time:.1f} s, connecting")
    connected = time.monotonic()
    done = pool.call("connect")
    finished = max(d["done"] for d in done)
    time.sleep(0.5)  # let the server finish greeting before reading its memory
    rss1 = server.rss()
    return {
        "joined": joined,
        "join_time": join_time,
        "socket_time": finished - connected,
        "time": finished - started,
        "rss_per_participant": (rss1 - rss0) / n,
        "rss": rss1,
    }


def _fanout(pool: Pool, rounds: int, show: Callable[[int], Any]) -> dict[str, Any]:
    """Show ``rounds`` cards; latency from the action to each phone's frame."""
    sent: dict[int, float] = {}
    expected: list[int] = []
    for r in range(rounds):
        started = time.monotonic()
        seq = show(r)["seq"]
        sent[seq] = started
        expected.append(r % 2)
        if not all(pool.call("wait_card", {"seq": seq, "within": 120})):
            raise RuntimeError(f"card {seq} did not reach every phone in 120 s")
        time.sleep(PAUSE)
    cards = pool.call("cards", {"expected": expected})
    latencies = sorted(
        t - sent[seq]
        for c in cards
        for seq, times in c["times"].items()
        if seq in sent
        for t in times
    )
    by_round = {
        seq: max(t for c in cards for t in c["times"].get(seq, [])) - at for seq, at in sent.items()
    }
    return {
        **percentiles(latencies),
        "round_max": [by_round[seq] for seq in sorted(by_round)],
        "rounds": rounds,
        "complete": sum(c["complete"] for c in cards),
        "frame_bytes": sum(c["bytes"] for c in cards) / len(cards),
    }


def _open_and_burst(pool: Pool, fac: Facilitator) -> dict[str, Any]:
    """Show the question's card, open it, and have every phone answer at once."""
    seq = fac.act("show_card", card=QUESTION_CARD)["seq"]
    pool.call("wait_card", {"seq": seq, "within": 120})
    fac.act("open", question=QUESTION)
    return _burst(pool)


def _answers_ours(n: int, pool: Pool, fac: Facilitator) -> dict[str, Any]:
    out = _open_and_burst(pool, fac)
    last_ack = out.pop("last_ack")
    while True:  # the facilitator's view of the total, polled
        total = fac.detail()["questions"][QUESTION]["answers"]
        if total >= n or time.monotonic() - last_ack > 60:
            break
        time.sleep(0.01)
    out["total_shown"] = total
    out["total_after"] = time.monotonic() - last_ack
    return out


def _burst(pool: Pool) -> dict[str, Any]:
    results = pool.call("answer", {"question": QUESTION, "values": VALUES, "within": 120})
    latencies = sorted(x for r in results for x in r["latencies"])
    first = min(r["first_sent"] for r in results)
    last_ack = max(r["last_ack"] for r in results)
    stored = sum(r["stored"] for r in results)
    return {
        **percentiles(latencies),
        "stored": stored,
        "acks": sum(r["acks"] for r in results),
        "per_second": stored / max(1e-9, last_ack - first),
        "last_ack": last_ack,
    }


def _storm(n: int, pool: Pool, fac: Facilitator) -> dict[str, Any]:
    state = fac.detail()["state"]
    results = pool.call("storm")
    dropped = min(r["dropped"] for r in results)
    done = max(r["done"] for r in results)
    current = sum(r["snapshots"]["seq"].get(state["seq"], 0) for r in results)
    with_answer = sum(sum(r["snapshots"]["answers"].values()) for r in results)
    return {"time": done - dropped, "current": current, "with_answer": with_answer}


def run_baseline(n: int, opts: Any, workdir: Path, frame_bytes: float) -> dict[str, Any]:
    server = Baseline(workdir / f"baseline-{n}").start()
    pool = Pool(min(opts.procs, n))
    out: dict[str, Any] = {"mode": "baseline", "n": n}
    try:
        pool.call(
            "add_plain", [{"count": c, "ws_url": server.url + "/"} for c in split(n, len(pool))]
        )
        rss0 = server.rss()
        started = time.monotonic()
        pool.call("connect")
        out["connect"] = {"time": time.monotonic() - started}
        time.sleep(0.5)
        out["connect"]["rss_per_participant"] = (server.rss() - rss0) / n
        say(f"baseline N={n}: connected in {out['connect']['time']:.1f} s")
        size = int(frame_bytes)

        def show(r: int) -> dict[str, int]:
            server.show(r + 1, r % 2, size)
            return {"seq": r + 1}

        out["fanout"] = _fanout(pool, opts.rounds, show)
        say(f"baseline N={n}: fan-out p99 {out['fanout']['p99'] * 1000:.0f} ms")
        burst = _burst(pool)
        burst.pop("last_ack")
        out["answers"] = burst
    finally:
        pool.stop()
        server.stop()
    return out


def percentiles(values: list[float]) -> dict[str, Any]:
    """p50, p99 and max of sorted ``values`` (nearest rank), and how many there were."""
    if not values:
        return {"p50": None, "p99": None, "max": None, "count": 0}

    def rank(q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    return {"p50": rank(0.5), "p99": rank(0.99), "max": values[-1], "count": len(values)}
