"""The scheduler: due order, clock moves, durability across restarts, cancel, periodic jobs."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from overcast.runtime.clock import Clock
from overcast.runtime.scheduler import Scheduler
from overcast.runtime.timerstore import MIGRATIONS, RUNTIME_DATABASE, TimerStore
from overcast.storage import Storage


class Rig:
    """A clock, storage and scheduler over one data dir, like Cloud.start() wires them."""

    def __init__(self, data_dir: str):
        self.storage = Storage(data_dir)
        self.clock = Clock()
        self.scheduler = Scheduler(self.clock)
        self.store = TimerStore(self.storage.database(RUNTIME_DATABASE, MIGRATIONS))
        self.scheduler.open(self.store)
        self.log: list[tuple[str, float, dict]] = []

    def record(self, name: str):
        async def handler(payload):
            self.log.append((name, self.clock.now(), payload))
        return handler

    async def close(self):
        await self.scheduler.stop()
        self.scheduler.close()
        self.storage.close()


async def wait_for(predicate, limit: float = 10.0):
    """Wait (bounded) until ``predicate()``; the bound is a safety net, not an assertion on time."""
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.005)


def test_timers_fire_in_due_order_in_real_time(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        rig.scheduler.on("t.fire", rig.record("fire"))
        await rig.scheduler.start()
        now = rig.clock.now()
        for delay in (0.06, 0.02, 0.04, 0.0):
            rig.scheduler.schedule(now + delay, "t.fire", {"delay": delay}, durable=delay > 0.03)
        await wait_for(lambda: len(rig.log) == 4)
        assert [p["delay"] for _, _, p in rig.log] == [0.0, 0.02, 0.04, 0.06]
        assert all(at >= now + p["delay"] for _, at, p in rig.log)  # never early
        assert rig.store.count() == 0  # fired durable timers are removed
        await rig.close()

    asyncio.run(main())


def test_advance_fires_due_timers_in_order_at_their_own_time(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        sched, clock = rig.scheduler, rig.clock
        await sched.start()
        start = clock.now()

        async def follow_up(payload):
            rig.log.append(("follow", clock.now(), payload))

        async def first(payload):
            rig.log.append(("first", clock.now(), payload))
            # computed from the timer's own time, as a real handler would
            sched.schedule(clock.now() + 50, "t.follow", {"from": "first"})

        sched.on("t.first", first)
        sched.on("t.follow", follow_up)
        sched.on("t.other", rig.record("other"))
        sched.schedule(start + 300, "t.other", {"n": 3})
        sched.schedule(start + 100, "t.first", {"n": 1})
        sched.schedule(start + 200, "t.other", {"n": 2})
        sched.schedule(start + 5000, "t.other", {"n": "late"})

        await sched.advance(1000)

        assert [(name, round(at - start, 6)) for name, at, _ in rig.log] == [
            ("first", 100), ("follow", 150), ("other", 200), ("other", 300)
        ]
        assert clock.now() >= start + 1000
        assert clock.now() < start + 1000 + 60  # left at the target, not at the last due time
        assert not clock.frozen
        assert sched.stats()["pending"] == 1  # the late one
        await rig.close()

    asyncio.run(main())


def test_timers_scheduled_at_the_same_time_fire_in_scheduling_order(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        rig.scheduler.on("t.x", rig.record("x"))
        due = rig.clock.now() + 10
        for n in range(20):
            rig.scheduler.schedule(due, "t.x", {"n": n}, durable=n % 2 == 0)
        await rig.scheduler.start()
        await rig.scheduler.advance(10)
        assert [p["n"] for _, _, p in rig.log] == list(range(20))
        await rig.close()

    asyncio.run(main())


def test_durable_timers_survive_a_restart_and_overdue_ones_run_at_start_in_order(tmp_path):
    async def first_life():
        rig = Rig(str(tmp_path))
        await rig.scheduler.start()
        now = rig.clock.now()
        rig.scheduler.schedule(now + 0.03, "t.x", {"n": 2})
        rig.scheduler.schedule(now + 0.01, "t.x", {"n": 1})
        rig.scheduler.schedule(now + 3600, "t.x", {"n": "future"})
        gone = rig.scheduler.schedule(now + 0.02, "t.x", {"n": "cancelled"})
        rig.scheduler.schedule(now + 0.02, "t.x", {"n": "volatile"}, durable=False)
        assert rig.scheduler.cancel(gone)
        await rig.close()  # "crash": nothing fired (no handler was even registered)
        return now

    now = asyncio.run(first_life())
    while time.time() < now + 0.05:  # let them fall due while the "server" is down
        time.sleep(0.01)

    async def second_life():
        rig = Rig(str(tmp_path))
        rig.scheduler.on("t.x", rig.record("x"))
        await rig.scheduler.start()  # overdue timers run before start returns
        assert [p["n"] for _, _, p in rig.log] == [1, 2]
        assert rig.store.count() == 1
        await rig.scheduler.advance(3600)
        assert [p["n"] for _, _, p in rig.log] == [1, 2, "future"]
        await rig.close()

    asyncio.run(second_life())


def test_a_kind_without_handler_waits_until_one_is_registered(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        await rig.scheduler.start()
        rig.scheduler.schedule(rig.clock.now() + 5, "late.kind", {"n": 1})
        await rig.scheduler.advance(10)
        assert rig.log == [] and rig.scheduler.stats()["parked"] == 1
        rig.scheduler.on("late.kind", rig.record("late"))
        await wait_for(lambda: len(rig.log) == 1)
        assert rig.store.count() == 0
        await rig.close()

    asyncio.run(main())


def test_clock_offset_is_persisted(tmp_path):
    async def first_life():
        rig = Rig(str(tmp_path))
        await rig.scheduler.start()
        await rig.scheduler.advance(86400)
        seen = rig.clock.now()
        await rig.close()
        return seen

    seen = asyncio.run(first_life())

    async def second_life():
        rig = Rig(str(tmp_path))
        assert rig.clock.offset >= 86400 - 1
        assert rig.clock.now() >= seen  # time never goes back across a restart
        await rig.close()

    asyncio.run(second_life())


def test_failing_handler_does_not_stop_the_others(tmp_path, caplog):
    async def main():
        rig = Rig(str(tmp_path))

        def broken(payload):
            raise ValueError("handler bug")

        rig.scheduler.on("t.broken", broken)
        rig.scheduler.on("t.ok", rig.record("ok"))
        now = rig.clock.now()
        rig.scheduler.schedule(now + 1, "t.broken")
        rig.scheduler.schedule(now + 2, "t.ok")
        await rig.scheduler.start()
        await rig.scheduler.advance(5)
        assert [name for name, _, _ in rig.log] == ["ok"]
        assert rig.store.count() == 0
        await rig.close()

    asyncio.run(main())
    assert "handler bug" in caplog.text


def test_a_handler_cannot_move_the_clock(tmp_path):
    errors = []

    async def main():
        rig = Rig(str(tmp_path))

        async def mover(payload):
            try:
                await rig.scheduler.advance(10)
            except RuntimeError as exc:
                errors.append(exc)

        rig.scheduler.on("t.move", mover)
        rig.scheduler.schedule(rig.clock.now() + 1, "t.move")
        await rig.scheduler.start()
        await rig.scheduler.advance(2)
        await rig.close()

    asyncio.run(main())
    assert len(errors) == 1


def test_periodic_jobs_run_every_interval_and_can_be_cancelled(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        sched, clock = rig.scheduler, rig.clock
        await sched.start()
        start = clock.now()
        ticks = []
        job = sched.every(60, lambda: ticks.append(clock.now()), first=start + 60)
        sched.on("t.tick", rig.record("tick"))
        by_kind = sched.every(100, "t.tick", {"k": 1}, first=start + 100)

        await sched.advance(600)
        assert [round(t - start, 6) for t in ticks] == [60 * n for n in range(1, 11)]
        assert [round(at - start, 6) for _, at, _ in rig.log] == [100 * n for n in range(1, 7)]
        assert sched.cancel(job) and sched.cancel(by_kind)
        await sched.advance(600)
        assert len(ticks) == 10 and len(rig.log) == 6
        await rig.close()

    asyncio.run(main())


def test_cancel(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        rig.scheduler.on("t.x", rig.record("x"))
        await rig.scheduler.start()
        timer = rig.scheduler.schedule(rig.clock.now() + 10, "t.x")
        assert rig.scheduler.pending(timer)
        assert rig.scheduler.cancel(timer) is True
        assert rig.scheduler.cancel(timer) is False
        assert rig.store.count() == 0
        await rig.scheduler.advance(20)
        assert rig.log == []
        await rig.close()

    asyncio.run(main())


def test_thousands_of_timers_with_cancellations(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        fired = []
        rig.scheduler.on("t.n", lambda payload: fired.append(payload["n"]))
        await rig.scheduler.start()
        rng = random.Random(7)
        now = rig.clock.now()
        dues = {}
        for n in range(5000):
            due = now + 1 + rng.random() * 1000
            dues[n] = (due, rig.scheduler.schedule(due, "t.n", {"n": n}, durable=n % 5 == 0))
        cancelled = set(rng.sample(range(5000), 3500))
        for n in cancelled:
            assert rig.scheduler.cancel(dues[n][1])
        assert len(rig.scheduler._heap) < 5000  # lazy deletions were compacted
        await rig.scheduler.advance(2000)
        expected = sorted((due, n) for n, (due, _) in dues.items() if n not in cancelled)
        assert fired == [n for _, n in expected]
        assert rig.store.count() == 0
        await rig.close()

    asyncio.run(main())


def test_reset_drops_one_shot_timers_and_returns_to_real_time(tmp_path):
    async def main():
        rig = Rig(str(tmp_path))
        sched = rig.scheduler
        sched.on("t.x", rig.record("x"))
        await sched.start()
        await sched.advance(7200)
        sched.schedule(rig.clock.now() + 10, "t.x")
        sched.schedule(rig.clock.now() + 10, "t.x", durable=False)
        ticks = []
        sched.every(30, lambda: ticks.append(1))
        sched.reset()
        assert abs(rig.clock.now() - time.time()) < 60
        assert sched.stats()["pending"] == 0 and sched.stats()["periodic"] == 1
        assert rig.store.count() == 0
        await sched.advance(31)
        assert rig.log == [] and ticks == [1]
        await rig.close()

    asyncio.run(main())


def test_bad_arguments(tmp_path):
    rig = Rig(str(tmp_path))
    with pytest.raises(ValueError):
        rig.scheduler.schedule(float("nan"), "t.x")
    with pytest.raises(ValueError):
        rig.scheduler.every(0, "t.x")
    with pytest.raises(TypeError):
        rig.scheduler.schedule(1.0, "t.x", {"not json": object()})
    for seconds in (-1, float("inf"), float("nan")):
        with pytest.raises(ValueError):
            asyncio.run(rig.scheduler.advance(seconds))
    asyncio.run(rig.close())


def test_durable_timers_need_an_opened_scheduler():
    with pytest.raises(RuntimeError):
        Scheduler(Clock()).schedule(1.0, "t.x")
    Scheduler(Clock()).schedule(1.0, "t.x", durable=False)
