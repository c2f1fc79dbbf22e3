"""The long-poll waiters in process: wake order, deadlines, and no lost wake-ups."""

from __future__ import annotations

import asyncio

from overcast.runtime.clock import Clock
from overcast.runtime.scheduler import Scheduler
from overcast.services.sqs.longpoll import LongPolls
from overcast.services.sqs.message_state import QueueState


class _Engine:
    def __init__(self):
        self.clock = Clock()
        self.states: dict = {}

    def loaded_state(self, key):
        return self.states.get(key)


def _polls() -> tuple[LongPolls, QueueState]:
    engine = _Engine()
    qs = QueueState(1)
    engine.states[1] = qs
    return LongPolls(engine, Scheduler(engine.clock)), qs


def test_notify_wakes_the_oldest_waiters_first():
    async def main():
        polls, qs = _polls()
        order = []

        async def waiter(name):
            if await polls.wait(qs, 5):
                order.append(name)

        tasks = [asyncio.create_task(waiter(n)) for n in ("first", "second", "third")]
        await asyncio.sleep(0)
        polls.notify(qs, 2)
        await asyncio.sleep(0)
        polls.notify(qs, 1)
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(main()) == ["first", "second", "third"]


def test_wait_returns_false_at_its_deadline_and_leaves_no_waiter():
    async def main():
        polls, qs = _polls()
        woken = await polls.wait(qs, 0.01)
        return woken, len(qs.waiters)

    assert asyncio.run(main()) == (False, 0)


def test_a_woken_then_cancelled_waiter_passes_the_wake_up_on():
    async def main():
        polls, qs = _polls()
        first = asyncio.create_task(polls.wait(qs, 5))
        second = asyncio.create_task(polls.wait(qs, 5))
        await asyncio.sleep(0)
        polls.notify(qs, 1)  # wakes "first"...
        first.cancel()  # ...whose request goes away before it could receive
        return await asyncio.wait_for(second, 1)

    assert asyncio.run(main()) is True


def test_release_wakes_everyone():
    async def main():
        polls, qs = _polls()
        tasks = [asyncio.create_task(polls.wait(qs, 5)) for _ in range(3)]
        await asyncio.sleep(0)
        polls.release(qs)
        return await asyncio.gather(*tasks)

    assert asyncio.run(main()) == [True, True, True]
