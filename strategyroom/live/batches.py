"""Work that arrives together is done together.

Items submitted while a batch is being processed wait for the next batch, so a
batch's size follows the load: one item when the room is quiet, hundreds in a
burst. A thousand phones answering or reconnecting at once then cost a few
trips to a database thread, not a thousand (each trip also waits for the busy
event loop to hand over the GIL). The answers' group commit and the look-up of
connecting sockets are batches of this kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Processes one batch: each (item, future) pair's future gets its result or exception.
Process = Callable[[list[tuple[Item, "asyncio.Future[Result]"]]], Awaitable[None]]


class Batches(Generic[Item, Result]):
    def __init__(self, process: Process[Item, Result], max_batch: int, name: str) -> None:
        self.process = process
        self.max_batch = max_batch
        self.name = name
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """The item's result, once the batch it joined has been processed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name=self.name)
        return await future

    async def _work(self) -> None:
        while self._queue:
            # One turn of the loop lets the items of the same turn join the batch.
            await asyncio.sleep(0)
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            await self.process(batch)
