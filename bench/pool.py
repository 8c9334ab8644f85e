"""The load generator processes, driven as one."""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from bench import loadgen


class Pool:
    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs = []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            proc = context.Process(target=loadgen.run, args=(theirs,), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)

    def __len__(self) -> int:
        return len(self.pipes)

    def call(
        self, command: str, args: list[dict[str, Any]] | dict[str, Any] | None = None
    ) -> list[Any]:
        """Send a command to every process at once (``args`` per process or shared);
        their answers, in process order."""
        per = args if isinstance(args, list) else [args or {}] * len(self.pipes)
        for pipe, a in zip(self.pipes, per, strict=True):
            pipe.send((command, a))
        answers = []
        for pipe in self.pipes:
            status, value = pipe.recv()
            if status != "ok":
                raise RuntimeError(f"load generator: {command}: {value}")
            answers.append(value)
        return answers

    def cpu(self) -> float:
        """CPU seconds the load generator processes have used so far."""
        return float(sum(self.call("cpu")))

    def stop(self) -> None:
        with contextlib.suppress(OSError, EOFError, RuntimeError):
            self.call("close")
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()


def split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` near-equal whole numbers."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
