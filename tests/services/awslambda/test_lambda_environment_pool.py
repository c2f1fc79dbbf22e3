"""The warm pool's bookkeeping, in process (its processes are exercised through the server in
test_lambda_invoke): reuse, reaping of idle environments, dropping a changed function's."""

from __future__ import annotations

import asyncio
import time

from overcast.services.awslambda import environment_pool
from overcast.services.awslambda.environment_pool import EnvironmentPool


class FakeEnvironment:
    def __init__(self):
        self.started_at = self.last_used = time.monotonic()
        self.busy = False
        self.dead = False
        self.closed = False

    def close(self):
        self.closed = self.dead = True


KEY = ("000000000000", "us-east-1", "f", "$LATEST", "sha", "rev")


def test_idle_environment_is_reused_then_reaped():
    async def run():
        pool = EnvironmentPool()
        env = FakeEnvironment()
        pool.add(KEY, env)
        pool.release(KEY, env)
        assert pool.take_idle(KEY) is env
        pool.release(KEY, env)
        env.last_used -= environment_pool.IDLE_SECONDS + 1
        pool._reap()
        assert env.closed and pool.take_idle(KEY) is None
        pool.close_all()

    asyncio.run(run())


def test_dropping_a_function_closes_idle_now_and_busy_when_released():
    async def run():
        pool = EnvironmentPool()
        idle, busy = FakeEnvironment(), FakeEnvironment()
        pool.add(KEY, idle)
        pool.release(KEY, idle)
        pool.add(KEY, busy)
        busy.busy = True
        pool.drop_function(KEY[:3])
        assert idle.closed and not busy.closed
        busy.busy = False
        pool.release(KEY, busy)
        assert busy.closed and pool.take_idle(KEY) is None
        pool.close_all()

    asyncio.run(run())


def test_an_environment_past_its_role_session_is_not_reused():
    async def run():
        pool = EnvironmentPool()
        env = FakeEnvironment()
        env.started_at -= environment_pool.MAX_LIFETIME_SECONDS + 1
        pool.add(KEY, env)
        pool.release(KEY, env)
        assert pool.take_idle(KEY) is None and env.closed
        pool.close_all()

    asyncio.run(run())
