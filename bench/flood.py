"""The login-flood phase: does a flood of wrong logins slow the room down?

On its own embedded server (``loginflood`` mode), N phones connect and answer
the open question in bursts: the first only stores their answers (it is not
measured, so every later one replaces an answer), then ``ROUNDS`` times a burst
in a quiet room and one while ``CLIENTS`` clients loop wrong passwords on
``POST /api/login``. The figure is the ack p99 of the flooded bursts over the
quiet ones' (each pooled over its rounds: one burst's p99 on a shared machine
is too noisy on its own).

The server runs with the failed-login limits raised out of reach, so every
login reaches the password check: the case the limits cannot stop (a flood
from many addresses against many accounts), and the one where hashing would
take threads and CPU from answers (docs/security.md).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.pool import Pool
from bench.run import QUESTION, VALUES, _connect_ours, _open_and_burst, percentiles, say
from bench.servers import Facilitator, OurServer

CLIENTS = 32
# Quiet and flooded bursts, alternated; each figure pools its rounds' acks.
ROUNDS = 3
PAUSE = 0.5
# High enough that no flood in the benchmark reaches them.
UNLIMITED_LOGINS = "1000000000"


class LoginFlood:
    """``clients`` threads, each posting wrong passwords in a loop over its own
    keep-alive connection until the block ends; counts the replies by status."""

    def __init__(self, url: str, clients: int = CLIENTS) -> None:
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.clients = clients
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(i,)) for i in range(clients)]

    def _loop(self, number: int) -> None:
        body = json.dumps({"username": f"flood{number}", "password": "not the password"})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        while not self._stop.is_set():
            try:
                conn.request(
                    "POST", "/api/login", body=body, headers={"Content-Type": "application/json"}
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                status = 0  # the connection failed
            with self._lock:
                self.statuses[status] += 1
        conn.close()

    def __enter__(self) -> LoginFlood:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(130)


def _answers(pool: Pool) -> tuple[list[float], int]:
    """One burst: every phone answers at once; the ack latencies and how many were stored."""
    results = pool.call("answer", {"question": QUESTION, "values": VALUES, "within": 120})
    return [x for r in results for x in r["latencies"]], sum(r["stored"] for r in results)


def run_login_flood(n: int, opts: Any, workdir: Path) -> dict[str, Any]:
    server = OurServer(workdir / f"loginflood-{n}", "loginflood")
    server.env["STRATEGYROOM_LOGIN_FAILURES_PER_ACCOUNT"] = UNLIMITED_LOGINS
    server.env["STRATEGYROOM_LOGIN_FAILURES_PER_ADDRESS"] = UNLIMITED_LOGINS
    server.start()
    pool = Pool(min(opts.procs, n))
    out: dict[str, Any] = {"mode": "loginflood", "n": n, "clients": CLIENTS, "rounds": ROUNDS}
    try:
        fac = Facilitator(server.urls[0])
        code = fac.open_session()
        out["connect"] = _connect_ours(n, server, pool, code)
        out["first_stored"] = _open_and_burst(pool, fac)["stored"]
        quiet: list[float] = []
        flooded: list[float] = []
        stored = {"quiet": 0, "flood": 0}
        statuses: Counter[int] = Counter()
        for _ in range(ROUNDS):
            time.sleep(PAUSE)
            latencies, count = _answers(pool)
            quiet += latencies
            stored["quiet"] += count
            time.sleep(PAUSE)
            with LoginFlood(server.urls[0]) as flood:
                time.sleep(1.0)  # the flood is under way before the burst
                latencies, count = _answers(pool)
            flooded += latencies
            stored["flood"] += count
            statuses.update(flood.statuses)
        out["quiet"] = {**percentiles(sorted(quiet)), "stored": stored["quiet"]}
        out["flood"] = {**percentiles(sorted(flooded)), "stored": stored["flood"]}
        out["logins"] = {str(status): count for status, count in sorted(statuses.items())}
        say(
            f"login flood N={n}: ack p99 {out['quiet']['p99'] * 1000:.0f} ms quiet, "
            f"{out['flood']['p99'] * 1000:.0f} ms during a flood ({out['logins']})"
        )
        fac.close()
    finally:
        pool.stop()
        server.stop()
    return out
