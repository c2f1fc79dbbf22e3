"""The one clock of the whole cloud.

Every service reads the time from here, never from ``time.time()``, so that a test can move
time forward for everything at once (``POST /_overcast/clock``) and every timer that falls due
fires, in order.
"""

from __future__ import annotations

import time


class Clock:
    """Wall-clock time plus an offset that only moves forward."""

    def __init__(self, offset: float = 0.0):
        self.offset = offset

    def now(self) -> float:
        """Seconds since the epoch, as the cloud sees it."""
        return time.time() + self.offset

    def now_ms(self) -> int:
        return int((time.time() + self.offset) * 1000)

    def advance(self, seconds: float) -> None:
        """Move the cloud's time forward (never back: AWS time does not go back)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds
