"""Timers on the cloud's one clock: one-shot (durable or not) and periodic.

How services use it (``self.cloud.scheduler``)::

    # in the provider's __init__ (always runs, also for providers loaded on first use)
    cloud.scheduler.on("sqs.delay_end", self._on_delay_end)     # async fn(payload) or fn(payload)
    # in an operation
    timer_id = cloud.scheduler.schedule(self.clock.now() + 30, "sqs.delay_end", {"queue": url})
    cloud.scheduler.cancel(timer_id)
    cloud.scheduler.every(60, "cloudwatch.evaluate")           # periodic, in memory

Semantics:

- Timers fire in due order (ties: in the order scheduled), on the server's event loop, one
  at a time: one ``loop.call_later`` for the earliest timer, no thread, no task per timer.
  A handler that has long work to do starts its own task and returns.
- Durable timers (the default) are stored in ``runtime.db`` and survive restarts; those that
  fell due while the server was down fire at start, in due order. Delivery is at least once:
  the row is removed after the handler returns, so a crash mid-handler runs it again.
  Payloads are JSON objects (handlers receive them JSON-decoded, also in process).
- The timer and the service's own rows live in different databases, so a service whose
  correctness depends on a time keeps it in its own rows too and treats the timer as a
  wake-up; handlers tolerate the thing they refer to being gone.
- Kinds are ``"<service>.<what>"``. A timer whose kind has no handler yet waits (parked)
  until ``on(kind, ...)`` registers one.
- ``advance(seconds)`` moves the clock and fires every timer falling due, in due order, with
  ``clock.now()`` frozen at each timer's due time while its handler runs; it returns after
  they ran and leaves the clock at the target. The offset is persisted, so a restart does
  not move time back. Handlers must not move the clock themselves.
- ``reset()`` drops every one-shot timer and puts the clock back to real time; periodic
  jobs (a service's own machinery) stay and restart from now, so a provider cancels in its
  ``reset()`` any periodic job it created for a resource.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import itertools
import json
import logging
import math
import time
from typing import Any, Awaitable, Callable, Union

from overcast.runtime.clock import Clock
from overcast.runtime.timerstore import TimerStore

log = logging.getLogger("overcast.scheduler")

Handler = Callable[[dict], Union[Awaitable[None], None]]
Job = Callable[[], Union[Awaitable[None], None]]


class _Timer:
    __slots__ = ("id", "due", "kind", "payload", "durable", "interval", "job")

    def __init__(self, timer_id: int, due: float, kind: str, payload: dict, durable: bool,
                 interval: float = 0.0, job: Job | None = None):
        self.id = timer_id
        self.due = due
        self.kind = kind
        self.payload = payload
        self.durable = durable
        self.interval = interval  # > 0: periodic
        self.job = job  # periodic job given as a function instead of a kind


class Scheduler:
    """One-shot and periodic timers of one cloud, fired on its event loop."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._heap: list[tuple[float, int, int]] = []  # (due, seq, timer id); lazy deletion
        self._timers: dict[int, _Timer] = {}
        self._handlers: dict[str, Handler] = {}
        self._parked: dict[str, list[_Timer]] = {}
        self._seq = itertools.count()
        self._next_durable = 1  # durable ids are positive (and stored), in-memory ones negative
        self._next_volatile = -1
        self._store: TimerStore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake_handle: asyncio.TimerHandle | None = None
        self._armed_due: float | None = None
        self._runner: asyncio.Task | None = None
        self._lock = asyncio.Lock()  # one firing pass at a time (timer wake-up or clock move)
        self._firing_task: asyncio.Task | None = None
        self.fired = 0

    # -- registration ----------------------------------------------------------------------

    def on(self, kind: str, handler: Handler) -> None:
        """Run ``handler(payload)`` (sync or async) for timers of ``kind``."""
        self._handlers[kind] = handler
        for timer in self._parked.pop(kind, ()):
            if self._timers.get(timer.id) is timer:
                self._push(timer)

    def schedule(self, due: float, kind: str, payload: dict | None = None, durable: bool = True) -> int:
        """Fire ``kind`` with ``payload`` at cloud time ``due``; returns the timer id."""
        if not isinstance(due, (int, float)) or not math.isfinite(due):
            raise ValueError(f"due must be a finite time, got {due!r}")
        payload = {} if payload is None else payload
        if durable:
            if self._store is None:
                raise RuntimeError("durable timers need the scheduler opened (Cloud.start)")
            text = json.dumps(payload, separators=(",", ":"))
            timer_id = self._next_durable
            self._store.insert(timer_id, float(due), kind, text)
            self._next_durable += 1
            payload = json.loads(text)  # handlers see the same JSON types before and after a restart
        else:
            timer_id = self._next_volatile
            self._next_volatile -= 1
        self._push(_Timer(timer_id, float(due), kind, payload, durable))
        return timer_id

    def every(self, interval: float, kind_or_job: Union[str, Job], payload: dict | None = None,
              first: float | None = None) -> int:
        """Run a periodic job every ``interval`` seconds of cloud time; returns its id.

        ``kind_or_job`` is a kind (its handler gets ``payload``) or a function called with no
        argument. The first run is at ``first`` (default: one interval from now). Periodic
        jobs live in memory: a provider registers them in its ``__init__``. Moving the
        clock runs every missed period (an hour at 60 s runs 60 times), each at its time.
        """
        if not isinstance(interval, (int, float)) or not math.isfinite(interval) or interval <= 0:
            raise ValueError("interval must be a positive number of seconds")
        timer_id = self._next_volatile
        self._next_volatile -= 1
        job = None if isinstance(kind_or_job, str) else kind_or_job
        kind = kind_or_job if isinstance(kind_or_job, str) else getattr(job, "__qualname__", "job")
        due = self.clock.now() + interval if first is None else float(first)
        self._push(_Timer(timer_id, due, kind, payload or {}, False, float(interval), job))
        return timer_id

    def cancel(self, timer_id: int) -> bool:
        """Forget a timer (one-shot or periodic); returns whether it was pending."""
        timer = self._timers.pop(timer_id, None)
        if timer is None:
            return False
        if timer.durable and self._store is not None:
            self._store.delete(timer_id)
        # Lazy deletion leaves the heap entry; rebuild when they would dominate memory.
        if len(self._heap) > 1024 and len(self._heap) > 2 * len(self._timers):
            self._heap = [entry for entry in self._heap if entry[2] in self._timers]
            heapq.heapify(self._heap)
        return True

    def pending(self, timer_id: int) -> bool:
        return timer_id in self._timers

    def services_with_timers(self) -> set[str]:
        """Services owning a pending durable timer (kinds are ``<service>.<what>``)."""
        return {t.kind.split(".", 1)[0] for t in self._timers.values() if t.durable}

    def _push(self, timer: _Timer) -> None:
        self._timers[timer.id] = timer
        heapq.heappush(self._heap, (timer.due, next(self._seq), timer.id))
        if self._loop is not None and (self._armed_due is None or timer.due < self._armed_due):
            self._arm()

    # -- lifecycle -------------------------------------------------------------------------

    def open(self, store: TimerStore) -> None:
        """Load durable timers and restore the clock offset (before anything is scheduled)."""
        self._store = store
        saved = store.load_clock()
        if saved is not None:
            offset, seen_at = saved
            # Never earlier than the last time handed out, even if the wall clock went back.
            self.clock.set_offset(max(offset, seen_at - time.time()))
        history = store.load_clock_history()
        if history:
            self.clock.restore_history(history)
            self._note_offset(time.time())  # the wall clock went back: a new offset from now
        else:  # a new data dir (or one from before the history): it starts with this offset
            store.add_clock_history(*self.clock.history[0])
        self._next_durable = max(self._next_durable, store.max_id() + 1)
        for row in store.load():
            if row.id not in self._timers:
                self._push(_Timer(row.id, row.due, row.kind, json.loads(row.payload), True))

    async def start(self) -> None:
        """Start firing on the running loop; timers already overdue run before this returns."""
        self._loop = asyncio.get_running_loop()
        await self._fire_due()

    async def stop(self) -> None:
        """Stop firing; pending durable timers stay stored.

        A handler still running is cancelled; its timer stays pending (and stored, if
        durable), so it runs again at the next start.
        """
        self._loop = None
        if self._wake_handle is not None:
            self._wake_handle.cancel()
            self._wake_handle = self._armed_due = None
        runner = self._runner
        if runner is not None and not runner.done() and runner is not asyncio.current_task():
            runner.cancel()
            try:
                await runner
            except asyncio.CancelledError:
                pass

    def close(self) -> None:
        """Detach from storage (after ``stop``); in-memory state is dropped."""
        self._store = None
        self._timers.clear()
        self._heap.clear()
        self._parked.clear()

    def reset(self) -> None:
        """Drop one-shot timers and return the clock to real time; periodic jobs restart now."""
        periodic = [timer for timer in self._timers.values() if timer.interval]
        self._timers.clear()
        self._heap.clear()
        self._parked.clear()
        self.clock.set_offset(0.0)
        if self._store is not None:
            self._store.delete_all()
            self._store.save_clock(0.0, 0.0)
            self._store.clear_clock_history()
        now = self.clock.now()
        for timer in periodic:
            timer.due = now + timer.interval
            self._push(timer)
        if self._loop is not None:
            self._arm()

    # -- firing ----------------------------------------------------------------------------

    def _arm(self) -> None:
        """Set the one wake-up call for the earliest live timer (if any)."""
        if self._wake_handle is not None:
            self._wake_handle.cancel()
            self._wake_handle = self._armed_due = None
        loop = self._loop
        due = self._earliest()
        if loop is None or due is None:
            return
        self._armed_due = due
        self._wake_handle = loop.call_later(max(0.0, due - self.clock.now()), self._on_wake)

    def _earliest(self) -> float | None:
        heap, timers = self._heap, self._timers
        while heap:
            due, _, timer_id = heap[0]
            timer = timers.get(timer_id)
            if timer is not None and timer.due == due:
                return due
            heapq.heappop(heap)  # cancelled, or a stale entry
        return None

    def _on_wake(self) -> None:
        self._wake_handle = self._armed_due = None
        if self._loop is not None and (self._runner is None or self._runner.done()):
            self._runner = self._loop.create_task(self._fire_due())

    async def _fire_due(self) -> None:
        """Fire everything due by the (flowing) clock, then re-arm."""
        try:
            async with self._lock:
                self._firing_task = asyncio.current_task()
                try:
                    await self._fire_until(None)
                finally:
                    self._firing_task = None
        finally:
            self._arm()

    async def _fire_until(self, target: float | None) -> None:
        """Fire timers due by ``target`` (frozen clock) or by the current time (``None``)."""
        heap, timers = self._heap, self._timers
        while heap:
            due, _, timer_id = heap[0]
            timer = timers.get(timer_id)
            if timer is None or timer.due != due:
                heapq.heappop(heap)
                continue
            if due > (self.clock.now() if target is None else target):
                return
            heapq.heappop(heap)
            if target is not None:
                self.clock.freeze(due)
            await self._run(timer)

    async def _run(self, timer: _Timer) -> None:
        handler = timer.job if timer.job is not None else self._handlers.get(timer.kind)
        if handler is None:
            self._parked.setdefault(timer.kind, []).append(timer)
            log.debug("no handler for timer kind %s yet; parked", timer.kind)
            return
        try:
            result = handler() if timer.job is not None else handler(timer.payload)
            if inspect.isawaitable(result):
                await result
        except Exception:  # noqa: BLE001 - one failing handler must not stop the others
            log.exception("timer %s (%s) failed", timer.id, timer.kind)
        except BaseException:  # stopped mid-handler: keep it pending (it runs again)
            if self._timers.get(timer.id) is timer:
                heapq.heappush(self._heap, (timer.due, next(self._seq), timer.id))
            raise
        self.fired += 1
        if self._timers.get(timer.id) is not timer:
            return  # cancelled (or reset) while it ran
        if timer.interval:
            now = self.clock.now()
            timer.due += timer.interval
            if timer.due < now - timer.interval:
                # Far behind in real time (the machine slept): skip the missed runs, as cron
                # does. A clock move never gets here: the clock stands at the due time.
                timer.due = now + timer.interval
            self._push(timer)
        else:
            del self._timers[timer.id]
            if timer.durable and self._store is not None:
                self._store.delete(timer.id)

    async def advance(self, seconds: float, settle_signing_second: bool = False) -> None:
        """Move the clock forward, firing every timer that falls due, in due order.

        A client's signature carries whole seconds of its wall clock, so the new offset
        applies to signatures from the next wall-clock second on (``Clock.signing_offset``).
        With ``settle_signing_second`` (a move asked for over HTTP) this returns only once
        that second has begun, the cloud held at the target meanwhile: what the client signs
        next counts as made after the move, what it signed before as made before it.
        """
        if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the clock only moves forward: seconds must be a finite number >= 0")
        if self._firing_task is not None and self._firing_task is asyncio.current_task():
            raise RuntimeError("a timer handler cannot move the clock")
        async with self._lock:
            self._firing_task = asyncio.current_task()
            target = self.clock.now() + seconds
            # Saved first: after a crash mid-way the clock restarts at the target and the
            # timers not yet run are overdue, so they run at start.
            self._save_clock(target)
            applies_from = math.floor(time.time()) + 1.0
            try:
                await self._fire_until(target)
                applies_from = math.floor(time.time()) + 1.0
                if settle_signing_second and seconds > 0:
                    self.clock.freeze(target)
                    await asyncio.sleep(max(0.0, applies_from - time.time()))
            finally:
                self._firing_task = None
                self.clock.resume_at(target)
            self._save_clock(self.clock.now())
            self._note_offset(applies_from)
        self._arm()

    def _save_clock(self, now: float) -> None:
        if self._store is not None:
            self._store.save_clock(now - time.time(), now)

    def _note_offset(self, applies_from: float) -> None:
        entry = self.clock.note_offset(applies_from)
        if entry is not None and self._store is not None:
            self._store.add_clock_history(*entry)

    # -- introspection ---------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts for ``/_overcast/health``."""
        timers = self._timers.values()
        return {
            "pending": sum(1 for t in timers if not t.interval),
            "durable": sum(1 for t in timers if t.durable),
            "periodic": sum(1 for t in timers if t.interval),
            "parked": sum(len(v) for v in self._parked.values()),
            "fired": self.fired,
            "next_due": self._earliest(),
        }
