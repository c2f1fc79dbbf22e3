"""kill -9 in the middle of a clock move: the move and the unfired timers are not lost."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from overcast.runtime.clock import Clock
from overcast.runtime.scheduler import Scheduler
from overcast.runtime.timerstore import MIGRATIONS, RUNTIME_DATABASE, TimerStore
from overcast.storage import Storage

CHILD = os.path.join(os.path.dirname(__file__), "crash_during_advance.py")


def test_kill_9_during_a_clock_move(tmp_path):
    proc = subprocess.run([sys.executable, CHILD, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("start ") and len(lines) == 1  # killed before the second timer
    start = float(lines[0].split()[1])

    async def restart():
        storage = Storage(str(tmp_path))
        clock = Clock()
        scheduler = Scheduler(clock)
        scheduler.open(TimerStore(storage.database(RUNTIME_DATABASE, MIGRATIONS)))
        # The move was recorded before any timer fired: time does not go back.
        assert clock.now() >= start + 1000
        ran = []
        scheduler.on("test.die", lambda payload: ran.append(("die", payload["n"])))
        scheduler.on("test.after", lambda payload: ran.append(("after", payload["n"])))
        await scheduler.start()  # both are overdue now
        # At least once: the handler that was running when the process died runs again.
        assert ran == [("die", 1), ("after", 2)]
        await scheduler.stop()
        storage.close()

    asyncio.run(restart())
