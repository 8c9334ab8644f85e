"""The load generator: one process holding many simulated phones.

Each process runs its own event loop and speaks the JSON participant protocol
(docs/protocol.md): POST /api/join over a few keep-alive HTTP connections, then
a websocket and a hello. Per-message work is kept minimal so the generator is
not what it measures: a card frame is recognised by a substring and its
sequence number read with one regular expression from the frame's first bytes;
only snapshots and acks (one per phone per phase) are parsed as JSON.

The parent drives the process through a pipe with small commands (see
``Worker.handle``); every time is ``time.monotonic()``, which on Linux is one
clock for all processes, so the parent can subtract its own action times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import resource
import time
import uuid
from collections import defaultdict
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CARD = re.compile(r'"seq":(\d+),"event":"card_shown","data":\{"card":(\d+)\}')
HANDSHAKES_AT_ONCE = 64
HTTP_CONNECTIONS = 4


class Phone:
    __slots__ = ("ack", "answer_id", "cards", "sent", "snapshot", "token", "ws", "ws_url")

    def __init__(self, token: str, ws_url: str) -> None:
        self.token = token
        self.ws_url = ws_url
        self.ws: ClientConnection | None = None
        self.cards: list[int] = []
        self.snapshot: asyncio.Future[dict[str, Any]] | None = None
        self.answer_id = ""
        self.sent = 0.0
        self.ack: dict[str, Any] | None = None


class Worker:
    def __init__(self) -> None:
        self.phones: list[Phone] = []
        # seq -> receive times of that card frame (one per phone).
        self.card_times: dict[int, list[float]] = defaultdict(list)
        self.card_bytes = 0
        self.card_frames = 0
        self.waiters: dict[int, asyncio.Future[None]] = {}
        self.acks_left = 0
        self.acks_done: asyncio.Future[None] | None = None
        # The phones' reading tasks, kept so that none is collected while it reads.
        self.readers: set[asyncio.Task[None]] = set()
        self.last_ack = 0.0

    # -- joining over HTTP -------------------------------------------------------

    async def join(self, base_url: str, code: str, count: int, ws_bases: list[str]) -> int:
        host, port = base_url.removeprefix("http://").split(":")
        body = json.dumps({"code": code, "language": "en"}).encode()
        request = (
            f"POST /api/join HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        results: list[tuple[str, str]] = []
        per_connection = [count // HTTP_CONNECTIONS] * HTTP_CONNECTIONS
        per_connection[0] += count - sum(per_connection)

        async def joiner(n: int) -> None:
            reader, writer = await asyncio.open_connection(host, int(port))
            try:
                for _ in range(n):
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head.split(b" ", 2)[1])
                    found = re.search(rb"(?i)content-length: *(\d+)", head)
                    if found is None:
                        raise RuntimeError(f"join answered without a length: {head[:200]!r}")
                    length = int(found[1])
                    data = await reader.readexactly(length)
                    if status != 201:
                        raise RuntimeError(f"join answered {status}: {data[:200]!r}")
                    joined = json.loads(data)
                    results.append((joined["token"], joined["socket"]))
            finally:
                writer.close()

        await asyncio.gather(*(joiner(n) for n in per_connection if n))
        for i, (token, path) in enumerate(results):
            base = ws_bases[i % len(ws_bases)]
            self.phones.append(Phone(token, base + path))
        return len(results)

    def add_plain(self, count: int, ws_url: str) -> int:
        """Phones for the baseline server, which needs no join (its hello carries a dummy token)."""
        for _ in range(count):
            self.phones.append(Phone(uuid.uuid4().hex, ws_url))
        return count

    # -- sockets ----------------------------------------------------------------

    async def connect_all(self) -> dict[str, Any]:
        gate = asyncio.Semaphore(HANDSHAKES_AT_ONCE)
        snapshots = await asyncio.gather(*(self._connect(p, gate) for p in self.phones))
        return {"done": time.monotonic(), "snapshots": _summarise(snapshots)}

    async def _connect(self, phone: Phone, gate: asyncio.Semaphore) -> dict[str, Any]:
        async with gate:
            for attempt in range(20):
                try:
                    phone.ws = await connect(
                        phone.ws_url,
                        compression=None,
                        ping_interval=None,
                        open_timeout=60,
                        max_queue=None,
                        proxy=None,
                    )
                    break
                except OSError:
                    await asyncio.sleep(0.05 * (attempt + 1))
            else:
                raise RuntimeError(f"could not connect to {phone.ws_url}")
            phone.snapshot = asyncio.get_running_loop().create_future()
            await phone.ws.send(json.dumps({"type": "hello", "token": phone.token}))
        reader = asyncio.create_task(self._receive(phone, phone.ws))
        self.readers.add(reader)
        reader.add_done_callback(self.readers.discard)
        return await asyncio.wait_for(phone.snapshot, 120)

    async def _receive(self, phone: Phone, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                self._on_frame(phone, frame if isinstance(frame, str) else frame.decode())
        except ConnectionClosed:
            pass

    def _on_frame(self, phone: Phone, frame: str) -> None:
        now = time.monotonic()
        head = frame[:160]
        if '"card_shown"' in head:
            match = CARD.search(head)
            if match is None:
                return
            seq = int(match[1])
            phone.cards.append(int(match[2]))
            times = self.card_times[seq]
            times.append(now)
            self.card_bytes += len(frame)
            self.card_frames += 1
            if len(times) == len(self.phones) and seq in self.waiters:
                self.waiters[seq].set_result(None)
        elif head.startswith('{"type": "ack"') or head.startswith('{"type":"ack"'):
            phone.ack = json.loads(frame)
            phone.ack["latency"] = now - phone.sent
            self.last_ack = now
            self.acks_left -= 1
            if self.acks_left == 0 and self.acks_done is not None:
                self.acks_done.set_result(None)
        elif head.startswith('{"type":"snapshot"') or head.startswith('{"type": "snapshot"'):
            if phone.snapshot is not None and not phone.snapshot.done():
                phone.snapshot.set_result(json.loads(frame))
        elif head.startswith(('{"type":"error"', '{"type": "error"')) and (
            phone.snapshot is not None and not phone.snapshot.done()
        ):
            phone.snapshot.set_exception(RuntimeError(frame))

    async def wait_card(self, seq: int, within: float) -> bool:
        if len(self.card_times.get(seq, ())) >= len(self.phones):
            return True
        waiter = self.waiters[seq] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(waiter, within)
            return True
        except TimeoutError:
            return False

    def cards(self, expected: list[int]) -> dict[str, Any]:
        """Receive times per card and how many phones got exactly ``expected``, in order."""
        complete = sum(1 for p in self.phones if p.cards == expected)
        return {
            "times": dict(self.card_times),
            "complete": complete,
            "bytes": self.card_bytes / max(1, self.card_frames),
        }

    # -- answers ------------------------------------------------------------------

    async def answer(self, question: str, values: list[Any], within: float) -> dict[str, Any]:
        self.acks_left = len(self.phones)
        self.acks_done = asyncio.get_running_loop().create_future()
        first = time.monotonic()
        for i, phone in enumerate(self.phones):
            assert phone.ws is not None
            phone.answer_id = uuid.uuid4().hex
            phone.ack = None
            phone.sent = time.monotonic()
            message = {
                "type": "answer",
                "question": question,
                "answer_id": phone.answer_id,
                "value": values[i % len(values)],
            }
            await phone.ws.send(json.dumps(message))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.acks_done, within)
        acks = [p.ack for p in self.phones if p.ack is not None]
        return {
            "first_sent": first,
            "last_ack": self.last_ack,
            "latencies": [a["latency"] for a in acks],
            "stored": sum(1 for a in acks if a.get("status") == "stored"),
            "acks": len(acks),
        }

    # -- the reconnect storm -------------------------------------------------------

    async def storm(self) -> dict[str, Any]:
        """Drop every socket at once (no closing handshake, as when a network
        goes away), then reconnect them all with a fresh hello."""
        dropped = time.monotonic()
        for phone in self.phones:
            if phone.ws is not None:
                phone.ws.transport.abort()
        await asyncio.sleep(0)
        result = await self.connect_all()
        result["dropped"] = dropped
        return result

    async def close_all(self) -> None:
        await asyncio.gather(
            *(p.ws.close() for p in self.phones if p.ws is not None), return_exceptions=True
        )

    async def handle(self, command: str, args: dict[str, Any]) -> Any:
        if command == "join":
            return await self.join(**args)
        if command == "add_plain":
            return self.add_plain(**args)
        if command == "connect":
            return await self.connect_all()
        if command == "wait_card":
            return await self.wait_card(**args)
        if command == "cards":
            return self.cards(**args)
        if command == "answer":
            return await self.answer(**args)
        if command == "storm":
            return await self.storm()
        if command == "cpu":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime
        if command == "close":
            await self.close_all()
            return None
        raise ValueError(f"unknown command {command}")


def _summarise(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """What the phones were told on (re)connect: seq and card counts, and their answers."""
    seqs: dict[int, int] = defaultdict(int)
    cards: dict[Any, int] = defaultdict(int)
    answers: dict[str, int] = defaultdict(int)
    for snapshot in snapshots:
        seqs[snapshot.get("seq", -1)] += 1
        cards[snapshot.get("current_card")] += 1
        for value in (snapshot.get("answers") or {}).values():
            answers[json.dumps(value)] += 1
    return {"seq": dict(seqs), "current_card": dict(cards), "answers": dict(answers)}


def run(conn: Connection) -> None:
    """The process's main: serve the parent's commands until it closes the pipe."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it; plain asyncio works too
        asyncio.run(_serve(conn))
    else:
        uvloop.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    worker = Worker()
    loop = asyncio.get_running_loop()
    while True:
        try:
            command, args = await loop.run_in_executor(None, conn.recv)
        except EOFError:
            return
        try:
            conn.send(("ok", await worker.handle(command, args)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        if command == "close":
            return
