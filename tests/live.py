"""A real server process (uvicorn through `strategyroom serve`) for browser and
process-level tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

# How long a command or a server start may take: a bound on waiting, not a
# timing assertion (on a loaded 2-core machine 30 s, and 60 s for a command,
# have been seen to run out).
START_WITHIN = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(
        self,
        data_dir: Path,
        decks_dir: Path | None = None,
        port: int | None = None,
        env: dict[str, str] | None = None,
        serve_args: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = data_dir
        self.serve_args = serve_args
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "STRATEGYROOM_SECRET_KEY": "live-test-key", **(env or {})}
        if decks_dir is not None:
            self.env["STRATEGYROOM_DECKS_DIR"] = str(decks_dir)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"server-{self.port}.log"

    def cli(self, *args: str, stdin: str = "") -> str:
        result = subprocess.run(
            [sys.executable, "-m", "strategyroom", "--data-dir", str(self.data_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=START_WITHIN,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "strategyroom",
                    "--data-dir",
                    str(self.data_dir),
                    "serve",
                    "--port",
                    str(self.port),
                    *self.serve_args,
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_WITHIN
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        # Not left running behind the failed test (the caller never gets to stop it).
        self.stop()
        raise RuntimeError(f"server did not start in {START_WITHIN} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextmanager
def two_live_workers(
    folder: Path,
    decks_dir: Path,
    env: dict[str, str],
    password: str,
    serve_args: tuple[str, ...] = (),
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two workers of one deployment (``env`` names the database and Redis they
    share), with the facilitator ``maria`` added through the first; both are
    stopped on the way out, whatever happened."""
    a = LiveServer(folder / "a", decks_dir, env=env, serve_args=serve_args)
    b = LiveServer(folder / "b", decks_dir, env=env, serve_args=serve_args)
    a.cli("facilitator", "add", "maria", "--password-stdin", stdin=password + "\n")
    with ExitStack() as stack:
        for worker in (a, b):
            stack.callback(worker.stop)
            worker.start()
        yield a, b


class RedisProcess:
    """A redis-server of a test's own, on its own port, that the test may stop."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisProcess:
        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        try:
            for _ in range(200):
                try:
                    client.ping()
                    return self
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class Phone:
    """A participant speaking the JSON protocol (docs/protocol.md) to a live
    server, through a real websocket; it may move to another server's address."""

    def __init__(self, base_url: str, code: str) -> None:
        self.base_url = base_url
        with httpx.Client(base_url=base_url, trust_env=False) as client:
            joined = client.post("/api/join", json={"code": code, "language": "en"})
        assert joined.status_code == 201, joined.text
        self.token: str = joined.json()["token"]
        self.path: str = joined.json()["socket"]
        self.epoch, self.seq = "", 0
        self.cards: list[int] = []
        self.ws: ClientConnection | None = None
        self.sockets = ExitStack()

    def connect(
        self, base_url: str | None = None, resume: bool = False, origin: str | None = None
    ) -> None:
        """Open the socket (at ``base_url``, default the joining server) and say hello;
        with ``resume`` the server replays what was missed since the last event."""
        self.close()
        url = (base_url or self.base_url).replace("http://", "ws://") + self.path
        self.ws = self.sockets.enter_context(
            connect(url, origin=Origin(origin) if origin else None, proxy=None, open_timeout=10)
        )
        hello: dict[str, Any] = {"type": "hello", "token": self.token}
        if resume:
            hello.update(epoch=self.epoch, last_seq=self.seq)
        self.ws.send(json.dumps(hello))
        if not resume:
            snapshot = self.receive()
            assert snapshot["type"] == "snapshot", snapshot
            self.epoch, self.seq = snapshot["epoch"], snapshot["seq"]

    def close(self) -> None:
        self.sockets.close()
        self.ws = None

    def receive(self) -> dict[str, Any]:
        assert self.ws is not None
        frame: dict[str, Any] = json.loads(self.ws.recv(timeout=10))
        if frame["type"] == "event":
            assert frame["seq"] == self.seq + 1, (frame["seq"], self.seq)
            self.seq = frame["seq"]
            if frame["event"] == "card_shown":
                self.cards.append(frame["data"]["card"])
        return frame

    def until(self, kind: str, event: str | None = None) -> dict[str, Any]:
        for _ in range(100):
            frame = self.receive()
            if frame["type"] == kind and (event is None or frame.get("event") == event):
                return frame
        raise AssertionError(f"no {kind} {event}")

    def answer(self, question: str, value: Any, answer_id: str | None = None) -> dict[str, Any]:
        """Send an answer; the ack frame (an error frame fails the test)."""
        assert self.ws is not None
        self.ws.send(
            json.dumps(
                {
                    "type": "answer",
                    "question": question,
                    "answer_id": answer_id or uuid.uuid4().hex,
                    "value": value,
                }
            )
        )
        return self.until("ack")


class ApiFacilitator:
    """A facilitator driving a live server through the JSON API (docs/api.md)."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        # Logging in hashes with argon2: seconds on a machine busy with other work.
        # A connection per request: the server closes one idle for 5 s (uvicorn's
        # keep-alive), and a request sent on it as it closes fails ("Server
        # disconnected"); a test that waits on its phones between actions hit it.
        self.http = httpx.Client(
            base_url=base_url,
            trust_env=False,
            timeout=60,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        login = self.http.post("/api/login", json={"username": username, "password": password})
        assert login.status_code == 200, login.text
        self.session_id = ""

    def open_session(self, deck: str = "town-test.yaml") -> str:
        """Open a session from a deck; returns its join code."""
        session = self.http.post("/api/sessions", json={"deck": deck}).json()
        self.session_id = session["id"]
        return str(session["join_code"])

    def act(self, action: str, **fields: Any) -> None:
        response = self.http.post(
            f"/api/sessions/{self.session_id}/actions", json={"action": action, **fields}
        )
        assert response.status_code == 200, response.text

    def detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = self.http.get(f"/api/sessions/{self.session_id}").json()
        return detail

    def wait_connected(self, expected: int, within: float = 15) -> None:
        """Wait until the console's "connected" count is ``expected``."""
        deadline = time.monotonic() + within
        while True:
            count = self.detail()["participants"]["connected"]
            if count == expected:
                return
            assert time.monotonic() < deadline, f"connected is {count}, not {expected}"
            time.sleep(0.2)

    def close(self) -> None:
        self.http.close()
