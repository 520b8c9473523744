"""StreamSlots: the gate that keeps streams within SETTINGS_MAX_CONCURRENT_STREAMS."""

from __future__ import annotations

import asyncio

import pytest

from walletservice.apns.slots import StreamSlots

from .support import run

pytestmark = pytest.mark.timeout(10)


def test_waiters_get_slots_in_arrival_order_as_slots_free_up() -> None:
    async def scenario():
        slots = StreamSlots()
        slots.set_limit(1)
        assert slots.try_acquire()
        order: list[int] = []

        async def wait(n: int) -> None:
            await slots.acquire()
            order.append(n)

        tasks = [asyncio.ensure_future(wait(n)) for n in range(3)]
        await asyncio.sleep(0)
        assert order == [] and not slots.try_acquire()
        for _ in range(3):
            slots.release()
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)
        return order, slots.open

    assert run(scenario()) == ([0, 1, 2], 1)


def test_raising_the_limit_wakes_as_many_waiters_as_new_slots() -> None:
    async def scenario():
        slots = StreamSlots()
        tasks = [asyncio.ensure_future(slots.acquire()) for _ in range(5)]
        await asyncio.sleep(0)
        slots.set_limit(3)
        await asyncio.sleep(0)
        done = sum(task.done() for task in tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return done

    assert run(scenario()) == 3


def test_failure_releases_every_waiter_with_the_error() -> None:
    async def scenario():
        slots = StreamSlots()
        waiter = asyncio.ensure_future(slots.acquire())
        await asyncio.sleep(0)
        slots.fail(ConnectionError("gone"))
        with pytest.raises(ConnectionError):
            await waiter
        with pytest.raises(ConnectionError):
            await slots.acquire()

    run(scenario())


def test_cancelled_waiter_passes_its_turn_on() -> None:
    async def scenario():
        slots = StreamSlots()
        slots.set_limit(1)
        assert slots.try_acquire()
        first = asyncio.ensure_future(slots.acquire())
        second = asyncio.ensure_future(slots.acquire())
        await asyncio.sleep(0)
        slots.release()  # wakes `first`...
        first.cancel()  # ...which leaves before running
        await asyncio.gather(first, return_exceptions=True)
        await asyncio.wait_for(second, 1)
        return slots.open

    assert run(scenario()) == 1
