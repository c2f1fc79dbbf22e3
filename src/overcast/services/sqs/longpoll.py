"""Long polling: ReceiveMessage with WaitTimeSeconds returns as soon as a message can be had.

A waiting receive is one asyncio Future in its queue's ``waiters`` (no task, no thread, no
poll loop), plus one ``call_later`` handle for its own deadline; 1,000 waiters cost 1,000
futures. They are woken:

- by the engine, when a send (or a visibility change to 0, a delete freeing a FIFO group,
  a move into the queue) makes messages receivable: as many waiters as messages;
- by one scheduler timer per queue with waiters, due when the earliest invisible message
  (delayed or in flight) becomes visible. The timer runs on the cloud's clock, so moving
  the clock (``POST /_overcast/clock``) wakes waiters too.

A woken waiter tries a receive again; if another consumer was faster it waits again for what
is left of its time.
"""

from __future__ import annotations

import asyncio

from overcast.services.sqs.message_state import QueueState

TIMER_KIND = "sqs.visible"


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(False)


class LongPolls:
    """The waiters of every queue and the timers that wake them."""

    def __init__(self, engine, scheduler):
        self.engine = engine
        self.scheduler = scheduler
        # Set when the server shuts down: every wait ends at once, and receives answer
        # with what they have (an empty list) instead of holding the shutdown up.
        self.closing = False
        scheduler.on(TIMER_KIND, self._fire)

    async def wait(self, qs: QueueState, timeout: float) -> bool:
        """Wait until woken (True) or ``timeout`` real seconds passed (False)."""
        if self.closing:
            return False
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        qs.waiters[future] = None
        self.arm(qs)
        handle = loop.call_later(timeout, _expire, future)
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.result():
                self.notify(qs, 1)  # woken, then cancelled: pass the wake-up on
            raise
        finally:
            handle.cancel()
            qs.waiters.pop(future, None)

    def notify(self, qs: QueueState, count: int) -> None:
        """Wake up to ``count`` waiters of ``qs``, oldest first."""
        waiters = qs.waiters
        while count > 0 and waiters:
            future, _ = waiters.popitem(last=False)
            if not future.done():
                future.set_result(True)
                count -= 1

    def close(self, states) -> None:
        """The server shuts down: end every wait of ``states`` (their receives answer)."""
        self.closing = True
        for qs in states:
            for future in list(qs.waiters):
                _expire(future)

    def release(self, qs: QueueState) -> None:
        """Wake every waiter (the queue is gone) and drop its timer."""
        self.notify(qs, len(qs.waiters))
        self.disarm(qs)

    def arm(self, qs: QueueState) -> None:
        """Keep a timer at the next visibility change while ``qs`` has waiters."""
        if not qs.waiters:
            return
        due = qs.next_due()
        if due is None:
            return
        if qs.timer_id is not None:
            if qs.timer_due <= due and self.scheduler.pending(qs.timer_id):
                return
            self.scheduler.cancel(qs.timer_id)
        qs.timer_due = due
        qs.timer_id = self.scheduler.schedule(due, TIMER_KIND, {"queue": qs.key}, durable=False)

    def disarm(self, qs: QueueState) -> None:
        if qs.timer_id is not None:
            self.scheduler.cancel(qs.timer_id)
            qs.timer_id = qs.timer_due = None

    def _fire(self, payload: dict) -> None:
        qs = self.engine.loaded_state(payload.get("queue"))
        if qs is None:
            return
        qs.timer_id = qs.timer_due = None
        if not qs.waiters:
            return
        qs.promote(self.engine.clock.now())
        self.notify(qs, qs.available_hint())
        self.arm(qs)
