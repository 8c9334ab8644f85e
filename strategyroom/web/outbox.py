"""Sending a frame to one socket without letting a slow socket hold up the rest.

The presenter sends each frame to thousands of sockets in turn. uvicorn's
``send`` waits while the server has paused writing to a connection because its
buffer is full: a phone on a bad network that stopped reading, or one that
vanished without closing. A fan-out that awaited it stalled every socket after
it, for every later event, until the keepalive ping gave up on that phone (up
to 40 s). So a socket that cannot take more data now gets its frames queued, in
order, and sent by a task of its own as it drains; the others go on at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from strategyroom.live.hub import Client

log = logging.getLogger(__name__)

# Frames kept for one slow socket (a few minutes of a busy evening). A socket
# that falls further behind is about to be closed by the keepalive ping; its
# phone then reconnects and gets a fresh snapshot.
OUTBOX_LIMIT = 1000


async def send_frame(client: Client, frame: str) -> None:
    """Send now, or queue behind what this socket is still waiting to take."""
    if client.outbox is not None:
        if len(client.outbox) < OUTBOX_LIMIT:
            client.outbox.append(frame)
        return
    if client.writable is not None and not client.writable():
        client.outbox = deque([frame])
        client.drainer = asyncio.create_task(_drain(client), name="slow-socket")
        return
    try:
        await client.send(frame)
    except Exception:  # the socket is going away; its handler detaches it
        log.debug("could not send to a %s socket", client.role.value)


async def _drain(client: Client) -> None:
    try:
        while client.outbox:
            await client.send(client.outbox.popleft())
    except Exception:
        log.debug("could not send to a slow %s socket", client.role.value)
    finally:
        # Nothing awaits between the last check and here: a frame queued
        # meanwhile was sent by the loop above.
        client.outbox = None
        client.drainer = None
