"""Child of the scheduler crash test: SIGKILLs itself while a clock move is firing timers.

``python crash_during_advance.py DATA_DIR``: schedules durable timers at +100 s (whose handler
kills the process) and +200 s, then moves the clock by 1000 s.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from overcast.runtime.clock import Clock
from overcast.runtime.scheduler import Scheduler
from overcast.runtime.timerstore import MIGRATIONS, RUNTIME_DATABASE, TimerStore
from overcast.storage import Storage


async def main(data_dir: str) -> None:
    storage = Storage(data_dir)
    clock = Clock()
    scheduler = Scheduler(clock)
    scheduler.open(TimerStore(storage.database(RUNTIME_DATABASE, MIGRATIONS)))
    scheduler.on("test.die", lambda payload: os.kill(os.getpid(), signal.SIGKILL))
    scheduler.on("test.after", lambda payload: print("after ran before the crash?!", flush=True))
    await scheduler.start()
    start = clock.now()
    scheduler.schedule(start + 100, "test.die", {"n": 1})
    scheduler.schedule(start + 200, "test.after", {"n": 2})
    print(f"start {start!r}", flush=True)
    await scheduler.advance(1000)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
