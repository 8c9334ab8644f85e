"""Event-loop lag: how late the server's event loop wakes up, for the benchmark
and for operators who suspect an overloaded worker.

A task sleeps for a fixed interval and records how much later than asked it
woke up; every socket's frames wait that long too. Off unless
``STRATEGYROOM_LOOP_LAG_MS`` is set; read through ``GET /api/server/loop-lag``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import Any

# At one sample per 10 ms this keeps the last ~16 minutes.
MAX_SAMPLES = 100_000


class LoopLag:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.samples: deque[tuple[float, float]] = deque(maxlen=MAX_SAMPLES)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._measure(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _measure(self) -> None:
        while True:
            asked = time.monotonic()
            await asyncio.sleep(self.interval)
            woke = time.monotonic()
            self.samples.append((woke, max(0.0, woke - asked - self.interval)))

    def summary(self, seconds: float) -> dict[str, Any]:
        """Lag percentiles (milliseconds) over the last ``seconds``."""
        since = time.monotonic() - seconds
        lags = sorted(lag for at, lag in self.samples if at >= since)

        def ms(q: float) -> float | None:
            if not lags:
                return None
            return round(lags[min(len(lags) - 1, int(q * len(lags)))] * 1000, 2)

        return {
            "enabled": True,
            "interval_ms": round(self.interval * 1000, 3),
            "seconds": seconds,
            "samples": len(lags),
            "p50_ms": ms(0.50),
            "p99_ms": ms(0.99),
            "max_ms": round(lags[-1] * 1000, 2) if lags else None,
        }
