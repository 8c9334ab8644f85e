"""nginx with the Compose configuration (deploy/nginx/compose.conf) in front of
two real workers sharing PostgreSQL and Redis: it carries one session over both,
and on when one of them dies.

Needs Debian's `nginx` package; a missing one fails, it is not skipped.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.conftest import TEST_DECKS, postgres_database, require_redis
from tests.deploy import COMPOSE_NGINX, compose_conf_for_test, nginx_command, nginx_wrapper
from tests.live import ApiFacilitator, LiveServer, Phone, free_port, two_live_workers

PASSWORD = "a long facilitator password"


@contextmanager
def running_nginx(
    directory: Path, site_text: str, port: int, own_log: bool = True
) -> Iterator[Path]:
    """nginx in the foreground on 127.0.0.1:port; yields its access log, which
    names the worker (upstream address) of every request; ``own_log=False``
    keeps the site's own access log (moved into ``directory``) instead."""
    directory.mkdir(parents=True, exist_ok=True)
    site_text, listens = re.subn(r"^\s*listen \S*80;\n", "", site_text, flags=re.MULTILINE)
    assert listens >= 1
    site_text = site_text.replace("server_name _;", f"listen 127.0.0.1:{port};\n    server_name _;")
    site = directory / "site.conf"
    site.write_text(site_text, encoding="utf-8")
    access_log = directory / "access.log"
    wrapper = nginx_wrapper(
        directory,
        site,
        main="worker_processes 1;",
        http=(
            "log_format upstreams '$upstream_addr $status \"$request\"';\n"
            f"    access_log {access_log} upstreams;"
        )
        if own_log
        else "",
    )
    checked = subprocess.run(
        nginx_command(wrapper, "-t"), capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    with (directory / "nginx.out").open("wb") as out:
        process = subprocess.Popen(
            nginx_command(wrapper, "-g", "daemon off;"), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, (directory / "error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.1)
        yield access_log
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def accepted_sockets(server: LiveServer) -> int:
    return len(re.findall(r'"WebSocket /ws/participant/\S+" \[accepted\]', server.log.read_text()))


@pytest.mark.scaleout
def test_nginx_spreads_a_session_over_two_workers_and_goes_on_without_one(
    tmp_path: Path,
) -> None:
    proxy_port = free_port()
    public_url = f"http://127.0.0.1:{proxy_port}"
    with postgres_database() as database_url, ExitStack() as stack:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": require_redis(),
            "STRATEGYROOM_PUBLIC_URL": public_url,
            "STRATEGYROOM_PRESENCE_TTL": "3",
        }
        # At debug level each worker logs the sockets it accepts (counted below).
        debug = ("--log-level", "debug")
        a, b = stack.enter_context(two_live_workers(tmp_path, TEST_DECKS, env, PASSWORD, debug))
        conf = compose_conf_for_test(
            COMPOSE_NGINX.read_text(encoding="utf-8"),
            [f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"],
        )
        access_log = stack.enter_context(running_nginx(tmp_path / "nginx", conf, proxy_port))

        facilitator = ApiFacilitator(public_url, "maria", PASSWORD)
        stack.callback(facilitator.close)
        code = facilitator.open_session()
        act, connected = facilitator.act, facilitator.wait_connected

        # Websockets from another origin are refused through the proxy as well
        # (a projector's at the handshake; a participant's is told the right
        # link first, docs/security.md).
        with (
            pytest.raises(InvalidStatus) as refused,
            connect(
                f"ws://127.0.0.1:{proxy_port}/ws/projector/{code}",
                origin=Origin("http://elsewhere.example.org"),
                proxy=None,
                open_timeout=10,
            ),
        ):
            pass
        assert refused.value.response.status_code == 403

        # All join first, then open their sockets one after the other: round
        # robin puts them on alternate workers.
        phones = [Phone(public_url, code) for _ in range(4)]
        for phone in phones:
            stack.callback(phone.close)
            phone.connect(origin=public_url)
        on_a, on_b = accepted_sockets(a), accepted_sockets(b)
        assert on_a + on_b == 4 and on_a >= 1 and on_b >= 1, (on_a, on_b)
        for card in (0, 1, 2, 3):
            act("show_card", card=card)
        for phone in phones:
            while phone.cards != [0, 1, 2, 3]:
                phone.receive()
        connected(4)
        act("open", question="street")
        for phone in phones:
            phone.until("event", "question_opened")
            assert phone.answer("street", "main")["status"] == "stored"

        # The facilitator's requests went to both workers too: nothing pins a client to one.
        used = access_log.read_text()
        assert f"127.0.0.1:{a.port} " in used and f"127.0.0.1:{b.port} " in used, used

        # One worker dies; through the same address every phone reconnects (to
        # the other one), catches up and the evening goes on.
        victim = b if on_b >= on_a else a
        assert victim.process is not None
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(10)
        for phone in phones:
            phone.connect(resume=True, origin=public_url)
        for phone in phones:
            assert phone.answer("street", "church")["status"] == "stored"
        act("show_card", card=4, close_open=True)  # closes "street", shows the next card
        for phone in phones:
            phone.until("event", "card_shown")
            assert phone.cards[-1] == 4
        connected(4)

        results = facilitator.detail()["questions"]["street"]
        assert results["answers"] == 4
        counts = {o["option_id"]: o["count"] for o in results["results"]["options"]}
        assert counts == {"main": 0, "church": 4, "none": 0}
        errors = (tmp_path / "nginx" / "error.log").read_text()
        assert f"127.0.0.1:{victim.port}" in errors, "nginx never met the dead worker"
