"""The one clock of the whole cloud.

Every service reads the time from here, never from ``time.time()``, so that a test can move
time forward for everything at once (``POST /_overcast/clock``) and every timer that falls due
fires, in order. While the scheduler fires timers during such a move, it *freezes* the clock
at each timer's due time, so a handler (and anything it calls) sees exactly that time.
"""

from __future__ import annotations

import time


class Clock:
    """Wall-clock time plus an offset that only moves forward."""

    __slots__ = ("offset", "_frozen")

    def __init__(self, offset: float = 0.0):
        self.offset = offset
        self._frozen: float | None = None

    def now(self) -> float:
        """Seconds since the epoch, as the cloud sees it."""
        frozen = self._frozen
        if frozen is not None:
            return frozen
        return time.time() + self.offset

    @staticmethod
    def wall() -> float:
        """The machine's own time, without the offset: what clients sign requests with, so
        what a signature's clock skew is measured against (moving the cloud's time forward to
        expire credentials must not make every fresh signature look skewed)."""
        return time.time()

    def now_ms(self) -> int:
        """``now()`` in whole milliseconds (SQS timestamps, CloudWatch...)."""
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        """Move the cloud's time forward (never back: AWS time does not go back).

        This moves only the clock; ``Cloud.advance_clock`` also fires the timers that fall
        due, which is what callers normally want.
        """
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self._frozen is not None:
            self._frozen += seconds
        self.offset += seconds

    @property
    def frozen(self) -> bool:
        """True while the scheduler holds the time at a timer's due time."""
        return self._frozen is not None

    def freeze(self, at: float) -> None:
        """Hold ``now()`` at ``at`` (never earlier than the current time) until ``resume_at``."""
        self._frozen = max(at, self.now())

    def resume_at(self, at: float) -> None:
        """Let time flow again from ``at`` (never earlier than the current time)."""
        target = max(at, self.now())
        self._frozen = None
        self.offset = target - time.time()

    def set_offset(self, offset: float) -> None:
        """Set the offset outright: restoring it at start, or a reset back to real time."""
        self._frozen = None
        self.offset = offset
