"""The real server (``strategyroom serve``) in its own process, on a temporary
data directory with one facilitator account, serving the rehearsed deck's folder."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

USER = "rehearsal"
# A throwaway account on a throwaway data directory.
PASSWORD = secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``with Server(data_dir, decks_dir) as server:`` starts it, stops it at the end."""

    def __init__(self, data_dir: Path, decks_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "server.log"
        self.env = {
            **os.environ,
            "STRATEGYROOM_SECRET_KEY": secrets.token_urlsafe(32),
            "STRATEGYROOM_DECKS_DIR": str(decks_dir),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "strategyroom", "--data-dir", str(self.data_dir), *args]

    def __enter__(self) -> Server:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            self._command("facilitator", "add", USER, "--password-stdin"),
            input=PASSWORD + "\n",
            text=True,
            capture_output=True,
            env=self.env,
            check=True,
            timeout=120,
        )
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self._command("serve", "--port", str(self.port)),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_started()
        return self

    def _wait_started(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not answer on port {self.port} within 60 s")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
