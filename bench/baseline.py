"""The baseline: the least a Python server can do for the same clients.

A bare ``websockets`` server on uvloop, compression off. Phones say hello and
get a tiny snapshot; answers are acknowledged at once (nothing is stored); a
control socket at ``/control`` asks for a card frame of a given size, which is
sent to every phone with the library's own ``broadcast()`` (the same bytes, no
task per socket). Run as ``python -m bench.baseline --port P``.
"""

from __future__ import annotations

import argparse
import json
import resource

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

PHONES: set[ServerConnection] = set()
STATE = {"seq": 0, "card": None}


def card_frame(seq: int, card: int, size: int) -> str:
    """A card_shown event frame padded to ``size`` characters (our frames' size)."""
    head = (
        f'{{"type":"event","session":"baseline","epoch":"0","seq":{seq},'
        f'"event":"card_shown","data":{{"card":{card}}},"card":{{"pad":"'
    )
    tail = '"}}'
    return head + "x" * max(0, size - len(head) - len(tail)) + tail


async def control(ws: ServerConnection) -> None:
    async for message in ws:
        command = json.loads(message)
        STATE["seq"], STATE["card"] = command["seq"], command["card"]
        broadcast(PHONES, card_frame(command["seq"], command["card"], command["size"]))
        await ws.send("sent")


async def phone(ws: ServerConnection) -> None:
    try:
        hello = json.loads(await ws.recv())
        if hello.get("type") != "hello":
            return
        await ws.send(
            json.dumps(
                {"type": "snapshot", "seq": STATE["seq"], "current_card": STATE["card"]},
                separators=(",", ":"),
            )
        )
        PHONES.add(ws)
        async for message in ws:
            data = json.loads(message)
            if data.get("type") == "answer":
                await ws.send(
                    json.dumps({"type": "ack", "answer_id": data["answer_id"], "status": "stored"})
                )
    except ConnectionClosed:
        pass
    finally:
        PHONES.discard(ws)


async def handler(ws: ServerConnection) -> None:
    assert ws.request is not None
    await (control(ws) if ws.request.path == "/control" else phone(ws))


async def main(port: int) -> None:
    async with serve(
        handler, "127.0.0.1", port, compression=None, ping_interval=None, backlog=4096
    ) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The bare websockets baseline server.")
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import uvloop

    uvloop.run(main(port))
