"""The one clock of the whole cloud.

Every service reads the time from here, never from ``time.time()``, so that a test can move
time forward for everything at once (``POST /_overcast/clock``) and every timer that falls due
fires, in order. While the scheduler fires timers during such a move, it *freezes* the clock
at each timer's due time, so a handler (and anything it calls) sees exactly that time.

Clients sign requests (presigned URLs, POST policies) with their wall clock, not the cloud's,
so the clock also keeps the history of its offsets: ``signing_offset(t)`` is the offset in
force when a client stamped a signature with wall time ``t``. A URL signed before a move then
expires with it, and one signed after it is valid for its whole life.
"""

from __future__ import annotations

import bisect
import time

# The first history entry: in force from the start of (wall-clock) time.
_BEGINNING = 0.0


class Clock:
    """Wall-clock time plus an offset that only moves forward."""

    __slots__ = ("offset", "_frozen", "_history")

    def __init__(self, offset: float = 0.0):
        self.offset = offset
        self._frozen: float | None = None
        # (wall time from which it applies, offset), oldest first; never empty
        self._history: list[tuple[float, float]] = [(_BEGINNING, offset)]

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
        """Set the offset outright: restoring it at start, or a reset back to real time.

        The history starts again with this offset (``restore_history`` brings back a saved one).
        """
        self._frozen = None
        self.offset = offset
        self._history = [(_BEGINNING, offset)]

    # -- the history of offsets, for signatures stamped on the wall clock -------------------

    def signing_offset(self, signed_at: float) -> float:
        """The offset in force when a client signed at wall time ``signed_at``."""
        history = self._history
        index = bisect.bisect_right(history, (signed_at, float("inf"))) - 1
        return history[max(index, 0)][1]

    def note_offset(self, applies_from: float) -> tuple[float, float] | None:
        """Record that signatures stamped at ``applies_from`` or later were made under the
        current offset; returns the new entry (for the caller to persist), or None when the
        offset has not changed."""
        last_from, last_offset = self._history[-1]
        if abs(last_offset - self.offset) < 0.001:  # the same (saved offsets are recomputed)
            return None
        entry = (max(applies_from, last_from), self.offset)
        self._history.append(entry)
        return entry

    def restore_history(self, entries: list[tuple[float, float]]) -> None:
        """Bring back a saved history (oldest first); an empty one keeps the current offset.

        Without an entry from the beginning (a reset wipes the stored history), time before
        the first saved move was real time (offset 0)."""
        if entries:
            history = [(float(start), float(offset)) for start, offset in entries]
            if history[0][0] > _BEGINNING:
                history.insert(0, (_BEGINNING, 0.0))
            self._history = history

    @property
    def history(self) -> list[tuple[float, float]]:
        """``(applies from, offset)`` pairs, oldest first (a copy)."""
        return list(self._history)
