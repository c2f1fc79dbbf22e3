"""Cloud.start / stop / reset / advance_clock wire storage, the clock and the scheduler together."""

from __future__ import annotations

import asyncio
import os

from overcast.cloud import Cloud
from overcast.config import Settings


def make_cloud(data_dir: str, fired: list) -> Cloud:
    cloud = Cloud(Settings(data_dir=data_dir))
    cloud.scheduler.on("test.ping", lambda payload: fired.append((payload["n"], cloud.clock.now())))
    return cloud


def test_start_advance_restart_and_reset(tmp_path):
    fired: list = []

    async def first_life():
        cloud = make_cloud(str(tmp_path), fired)
        await cloud.start()
        assert os.path.exists(tmp_path / "runtime.db")
        now = cloud.clock.now()
        cloud.scheduler.schedule(now + 10, "test.ping", {"n": 1})
        cloud.scheduler.schedule(now + 7200, "test.ping", {"n": 2})
        await cloud.advance_clock(60)  # returns after the handler ran
        assert [n for n, _ in fired] == [1]
        assert fired[0][1] == now + 10
        health = cloud.health()
        assert health["timers"]["durable"] == 1
        assert health["storage"]["data_dir"] == str(tmp_path)
        await cloud.stop()
        return now

    now = asyncio.run(first_life())

    async def second_life():
        cloud = make_cloud(str(tmp_path), fired)
        await cloud.start()
        assert cloud.clock.now() >= now + 60  # the offset came back
        await cloud.advance_clock(7200)
        assert [n for n, _ in fired] == [1, 2]
        cloud.scheduler.schedule(cloud.clock.now() + 5, "test.ping", {"n": 3})
        db = cloud.storage.database("scratch", ("CREATE TABLE t (x INTEGER);",))
        db.execute("INSERT INTO t (x) VALUES (1)")
        await cloud.reset()
        assert abs(cloud.clock.offset) < 1
        assert cloud.health()["timers"]["pending"] == 0
        assert db.query("SELECT x FROM t") == []
        await cloud.advance_clock(10)
        assert [n for n, _ in fired] == [1, 2]
        await cloud.stop()

    asyncio.run(second_life())
