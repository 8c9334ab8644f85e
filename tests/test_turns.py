"""Participants' messages shared out over turns of the event loop
(web/turns.py): at most so many start per turn, none is dropped, and they
start in the order they came."""

from __future__ import annotations

import asyncio

from strategyroom.web.turns import Turnstile


def test_at_most_per_turn_start_in_one_turn_in_arrival_order() -> None:
    async def main() -> tuple[list[int], list[int]]:
        turns = Turnstile(per_turn=10)
        started: list[int] = []
        turn_of: list[int] = []
        turn = 0

        async def count_turns() -> None:
            nonlocal turn
            while True:
                await asyncio.sleep(0)
                turn += 1

        async def handler(i: int) -> None:
            await turns.enter()
            started.append(i)
            turn_of.append(turn)

        counter = asyncio.create_task(count_turns())
        await asyncio.gather(*(handler(i) for i in range(35)))
        counter.cancel()
        return started, turn_of

    started, turn_of = asyncio.run(main())
    assert started == list(range(35))
    per_turn: dict[int, int] = {}
    for t in turn_of:
        per_turn[t] = per_turn.get(t, 0) + 1
    assert max(per_turn.values()) <= 10
    assert len(per_turn) >= 4


def test_a_handler_cancelled_while_waiting_does_not_block_the_others() -> None:
    async def main() -> int:
        turns = Turnstile(per_turn=1)
        done = 0

        async def handler() -> None:
            nonlocal done
            await turns.enter()
            done += 1

        tasks = [asyncio.create_task(handler()) for _ in range(5)]
        await asyncio.sleep(0)
        tasks[2].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return done

    assert asyncio.run(main()) == 4
