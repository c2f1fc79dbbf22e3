"""Warm execution environments: reused one invocation at a time, reaped when idle, dropped
when their function's code or configuration changes.

An environment belongs to one function version's code and configuration (the key carries the
CodeSha256 and RevisionId, so an update never reuses an old one) and is reaped after
``IDLE_SECONDS`` without work, or once its role session nears expiry.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

from overcast.services.awslambda.execution_environment import ExecutionEnvironment

# AWS keeps an idle environment for minutes (not documented exactly); Overcast frees its
# process sooner, since a cold start here costs well under a second
IDLE_SECONDS = 300.0
# environments live at most as long as the role session in their variables (1 hour) allows
MAX_LIFETIME_SECONDS = 3000.0
_REAP_EVERY = 30.0


class EnvironmentPool:
    def __init__(self):
        self._idle: dict[tuple, list[ExecutionEnvironment]] = defaultdict(list)
        self._all: dict[tuple, set[ExecutionEnvironment]] = defaultdict(set)
        self._reaper: asyncio.TimerHandle | None = None

    def take_idle(self, key: tuple) -> ExecutionEnvironment | None:
        idle = self._idle.get(key)
        while idle:
            env = idle.pop()
            if not env.dead and time.monotonic() - env.started_at < MAX_LIFETIME_SECONDS:
                return env
            self._discard(key, env)
        return None

    def add(self, key: tuple, env: ExecutionEnvironment) -> None:
        self._all[key].add(env)
        self._arm_reaper()

    def release(self, key: tuple, env: ExecutionEnvironment) -> None:
        """``env`` finished an invocation: idle again, or gone when it died or was dropped."""
        if env.dead or env not in self._all.get(key, ()):
            self._discard(key, env)
        else:
            self._idle[key].append(env)

    def drop_function(self, function_key: tuple) -> None:
        """Close the environments of one function (key prefix ``(account, region, name)``);
        a busy one is closed when its invocation ends."""
        for key in [k for k in self._all if k[:3] == function_key]:
            for env in self._all.pop(key):
                if not env.busy:
                    env.close()
            self._idle.pop(key, None)

    def close_all(self) -> None:
        for envs in self._all.values():
            for env in envs:
                env.close()
        self._all.clear()
        self._idle.clear()
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None

    def _discard(self, key: tuple, env: ExecutionEnvironment) -> None:
        env.close()
        envs = self._all.get(key)
        if envs is not None:
            envs.discard(env)
            if not envs:
                del self._all[key]
                self._idle.pop(key, None)

    def _arm_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().call_later(_REAP_EVERY, self._reap)

    def _reap(self) -> None:
        self._reaper = None
        now = time.monotonic()
        for key, idle in list(self._idle.items()):
            for env in [e for e in idle if now - e.last_used > IDLE_SECONDS or e.dead]:
                idle.remove(env)
                self._discard(key, env)
        if self._all:
            self._arm_reaper()
