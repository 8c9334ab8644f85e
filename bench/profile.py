"""Profiles of the server under load, with py-spy (``--profile DIR``).

py-spy samples a running process from outside, so the server runs unchanged.
It is pinned in the ``bench`` extra (``pip install -e '.[bench]'``); the
profiles are written in py-spy's "raw" (collapsed stacks) format, and
``python -m bench.profile FILE`` prints the functions that took the most time.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("--profile needs py-spy: pip install -e '.[bench]'")
    return found


@contextmanager
def recording(directory: Path | None, pids: list[int], name: str) -> Iterator[None]:
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    spies = [
        subprocess.Popen(
            [
                py_spy(),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "200",
                "--format",
                "raw",
                "--nonblocking",
                "-o",
                str(directory / f"{name}-{i}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i, pid in enumerate(pids)
    ]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(60)


def top(path: Path, count: int = 15) -> tuple[list[tuple[float, str]], list[tuple[float, str]]]:
    """The functions with the most samples: on top of the stack (self) and
    anywhere in it (total), as percentages of all samples."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        weight = int(n)
        samples += weight
        own[_short(frames[-1])] += weight
        for frame in {_short(f) for f in frames}:
            total[frame] += weight

    def pct(counter: Counter[str]) -> list[tuple[float, str]]:
        return [(100 * v / max(1, samples), k) for k, v in counter.most_common(count)]

    return pct(own), pct(total)


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py)"
    name, _, where = frame.partition(" (")
    module = where.rsplit("/", 1)[-1].split(":", 1)[0]
    return f"{name} ({module})" if module else name


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Summarise a py-spy raw profile.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--count", type=int, default=15)
    args = parser.parse_args()
    for file in args.files:
        own, total = top(file, args.count)
        print(f"\n{file}\n  self time:")
        for p, name in own:
            print(f"    {p:5.1f}%  {name}")
        print("  total time (in the stack):")
        for p, name in total:
            print(f"    {p:5.1f}%  {name}")
