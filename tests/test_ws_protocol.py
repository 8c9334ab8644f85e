"""The lean parts of our uvicorn websocket protocol (strategyroom/ws_protocol.py):
``Inbox`` hands the socket's reader its messages in order, waiting while
there are none, and ``Flag`` does what ``asyncio.Event`` did for "writable".
Through a real server (``strategyroom serve`` uses the protocol) the frames,
their order and a slow phone's back-pressure are covered by test_frames.py,
test_slow_phone.py, test_slow_clients.py and test_bench.py."""

from __future__ import annotations

import asyncio

import pytest

from strategyroom.ws_protocol import Flag, Inbox


def test_the_inbox_gives_its_messages_in_order() -> None:
    async def scenario() -> list[int]:
        inbox = Inbox()
        for n in range(5):
            inbox.put_nowait(n)
        assert not inbox.empty() and inbox.qsize() == 5
        got = [await inbox.get() for _ in range(5)]
        assert inbox.empty() and inbox.qsize() == 0
        return got

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4]


def test_a_reader_waits_for_the_next_message() -> None:
    async def scenario() -> list[str]:
        inbox = Inbox()
        reader = asyncio.create_task(inbox.get())
        await asyncio.sleep(0)
        assert not reader.done()
        inbox.put_nowait("first")
        inbox.put_nowait("second")
        return [await reader, await inbox.get()]

    assert asyncio.run(scenario()) == ["first", "second"]


def test_a_cancelled_reader_loses_no_message() -> None:
    async def scenario() -> str:
        inbox = Inbox()
        reader = asyncio.create_task(inbox.get())
        await asyncio.sleep(0)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        inbox.put_nowait("kept")
        return str(await asyncio.wait_for(inbox.get(), 5))

    assert asyncio.run(scenario()) == "kept"


def test_a_second_reader_at_once_is_a_mistake() -> None:
    async def scenario() -> None:
        inbox = Inbox()
        first = asyncio.create_task(inbox.get())
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError):
            await inbox.get()
        first.cancel()

    asyncio.run(scenario())


def test_the_flag_holds_writers_while_clear() -> None:
    async def scenario() -> None:
        flag = Flag()
        assert flag.is_set()
        assert await flag.wait()
        flag.clear()
        assert not flag.is_set()
        writers = [asyncio.create_task(flag.wait()) for _ in range(3)]
        await asyncio.sleep(0)
        assert not any(w.done() for w in writers)
        flag.set()
        assert await asyncio.gather(*writers) == [True, True, True]
        assert flag.is_set()

    asyncio.run(scenario())


def test_a_cancelled_writer_leaves_the_others_waiting() -> None:
    async def scenario() -> None:
        flag = Flag()
        flag.clear()
        gone = asyncio.create_task(flag.wait())
        stays = asyncio.create_task(flag.wait())
        await asyncio.sleep(0)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        assert not stays.done()
        flag.set()
        assert await asyncio.wait_for(stays, 5)

    asyncio.run(scenario())
