"""CPU accounting for the benchmarks: a server's own CPU time, and waiting for a quiet machine.

The machine is a shared 2-core VM: other work running beside a benchmark lowers its rate.
``wait_quiet`` holds a run back (bounded) until the machine is idle, and the server's CPU
seconds during the timed part give a rate per server core-second, which such noise
disturbs much less than the wall-clock rate.
"""

from __future__ import annotations

import os
import time

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` so far (all its threads); 0 if unknown."""
    if not pid:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _busy_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


def machine_busy(window: float = 0.5) -> float:
    """How many cores were busy over the next ``window`` seconds."""
    busy0, total0 = _busy_ticks()
    time.sleep(window)
    busy1, total1 = _busy_ticks()
    cores = os.cpu_count() or 1
    return cores * (busy1 - busy0) / max(1, total1 - total0)


def wait_quiet(max_wait: float, threshold: float = 0.3) -> float:
    """Wait (at most ``max_wait`` s) until fewer than ``threshold`` cores are busy; returns the last load."""
    deadline = time.monotonic() + max_wait
    load = machine_busy()
    while load >= threshold and time.monotonic() < deadline:
        load = machine_busy()
    return load
