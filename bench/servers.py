"""The servers under test, each in its own process(es): ours through
``strategyroom serve`` (embedded, or scale-out with two workers sharing a fresh
PostgreSQL database and Redis), and the bare ``websockets`` baseline."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

DECKS = Path(__file__).parent / "decks"
DECK_FILE = "bench.yaml"
USER, PASSWORD = "bench", "a long benchmark password"
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
PAGE = os.sysconf("SC_PAGE_SIZE")
START_SECONDS = 300
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def scaleout_reachable() -> str | None:
    """Why scale-out mode cannot run here, or None when PostgreSQL and Redis answer."""
    try:
        import psycopg
        import redis

        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            pass
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


class Processes:
    """Server processes with their logs; stopped together."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with (self.workdir / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def rss(self) -> int:
        return sum(rss_bytes(pid) for pid in self.pids)

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def wait_http(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    # A server migrates its fresh database and loads the decks first, which on
    # a machine shared with other work has taken over a minute.
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start in {START_SECONDS} s")


class OurServer(Processes):
    """``strategyroom serve``: one worker (embedded: SQLite, in-process broker) or
    two (scale-out: a fresh PostgreSQL database, Redis); ``nostore`` is the
    embedded server with answer storage switched off (bench/nostore.py)."""

    def __init__(self, workdir: Path, mode: str) -> None:
        super().__init__(workdir)
        self.mode = mode
        self.ports = [free_port() for _ in range(2 if mode == "scaleout" else 1)]
        self.urls = [f"http://127.0.0.1:{p}" for p in self.ports]
        self.database = ""
        self.env = {
            **os.environ,
            "STRATEGYROOM_DATA_DIR": str(workdir / "data"),
            "STRATEGYROOM_SECRET_KEY": uuid.uuid4().hex,
            "STRATEGYROOM_DECKS_DIR": str(DECKS),
            "STRATEGYROOM_LOOP_LAG_MS": "10",
            # Every simulated phone joins from loopback: one address, unlike a hall's.
            "STRATEGYROOM_JOINS_PER_ADDRESS": "1000000",
            # The default cap (10,000, one 2-core server's measured load) would
            # stop the scale-out run at 20,000.
            "STRATEGYROOM_MAX_PARTICIPANTS": "1000000",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "STRATEGYROOM_PUBLIC_URL"):
            self.env.pop(name, None)

    def cli(self, *args: str, stdin: str = "") -> None:
        subprocess.run(
            [sys.executable, "-m", "strategyroom", *args],
            input=stdin.encode(),
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> OurServer:
        if self.mode == "scaleout":
            self._create_database()
            self.env["REDIS_URL"] = REDIS_URL
            self.cli("db", "upgrade")
        self.cli("facilitator", "add", USER, "--password-stdin", stdin=PASSWORD + "\n")
        for i, port in enumerate(self.ports):
            program = "bench.nostore" if self.mode == "nostore" else "strategyroom"
            argv = [sys.executable, "-m", program, "serve", "--port", str(port)]
            proc = self.spawn(f"worker-{i}", argv, self.env)
            wait_http(port, proc, self.workdir / f"worker-{i}.log")
        return self

    def _create_database(self) -> None:
        import psycopg

        name = f"sr_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.database = name
        base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        self.env["DATABASE_URL"] = f"{base}/{name}"

    def stop(self) -> None:
        super().stop()
        if self.database:
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database = ""


class Facilitator:
    """The facilitator's side through the JSON API (docs/api.md), on one worker."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)
        self.cookie = ""
        self.session_id = ""
        login = self.call("POST", "/api/login", {"username": USER, "password": PASSWORD})
        assert login["username"] == USER

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # The server closed the idle keep-alive connection; actions are idempotent.
            self.conn.close()
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        payload = response.read()
        cookie = response.getheader("set-cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload)

    def open_session(self) -> str:
        session = self.call("POST", "/api/sessions", {"deck": DECK_FILE, "title": "Benchmark"})
        self.session_id = session["id"]
        return str(session["join_code"])

    def act(self, action: str, **fields: Any) -> dict[str, Any]:
        path = f"/api/sessions/{self.session_id}/actions"
        state: dict[str, Any] = self.call("POST", path, {"action": action, **fields})["state"]
        return state

    def detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = self.call("GET", f"/api/sessions/{self.session_id}")
        return detail

    def loop_lag(self, seconds: float) -> dict[str, Any]:
        lag: dict[str, Any] = self.call("GET", f"/api/server/loop-lag?seconds={seconds:.1f}")
        return lag

    def close(self) -> None:
        self.conn.close()


class Baseline(Processes):
    """The bare websockets server (bench/baseline.py) and its control socket."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"

    def start(self) -> Baseline:
        argv = [sys.executable, "-m", "bench.baseline", "--port", str(self.port)]
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.spawn("baseline", argv, env)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.control = connect(self.url + "/control", compression=None, proxy=None)
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def show(self, seq: int, card: int, size: int) -> None:
        self.control.send(json.dumps({"seq": seq, "card": card, "size": size}))
        assert self.control.recv(timeout=120) == "sent"

    def stop(self) -> None:
        if getattr(self, "control", None) is not None:
            self.control.close()
        super().stop()
