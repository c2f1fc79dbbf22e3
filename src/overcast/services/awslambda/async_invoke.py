"""Asynchronous invocation: Invoke with InvocationType Event, InvokeAsync (legacy), and the
queue that runs them (the callers SNS, EventBridge, S3 and Logs use it too, through Invoke).

An Event invocation is checked (the function exists, the payload is JSON within AWS's size
limit), written to ``async_invocations`` in one transaction, and only then answered 202: an
accepted event runs even after a ``kill -9``. A worker task on the event loop runs each due row
through the runtime's ``invoke_sync``, several functions at once, and settles it:

- success: the on-success destination gets the invocation record; the row goes;
- a function error: retried after 1 minute, then 2 minutes (``MaximumRetryAttempts``, default
  2), then the on-failure destination and the DeadLetterConfig queue or topic get it;
- throttled (the function's concurrency is exhausted) or a Lambda-side failure: retried with a
  backoff from 1 second up to 5 minutes, as long as the event is younger than
  ``MaximumEventAgeInSeconds`` (default 6 hours);
- too old at its next attempt: discarded to the failure destinations (``EventAgeExceeded``);
- a function deleted meanwhile: the event is dropped, as AWS drops it;
- a function whose reserved concurrency is 0: straight to the failure destinations, no retry.

Retries wait on the cloud clock (a scheduler timer wakes the worker), so
``POST /_overcast/clock`` drives them. Event invoke configs are ``event_invoke_configs.py``;
invocation records and their destinations ``async_outcomes.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

from overcast.errors import AwsError
from overcast.services.awslambda.arns import split_function_name
from overcast.services.awslambda.async_metrics import count_async
from overcast.services.awslambda.async_outcomes import AsyncOutcome, settle_outcome
from overcast.services.awslambda.event_invoke_configs import EventInvokeConfigOperations
from overcast.services.awslambda.request_payloads import read_streamed
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.lambda.async")

# "The maximum size of ... asynchronous invocation payload is 1 MB" (Lambda quotas; raised from
# 256 KB in October 2025)
MAX_EVENT_PAYLOAD = 1_048_576
TIMER_KIND = "lambda.async"
# function errors: "Lambda ... waits one minute before the second attempt, two minutes before the third"
_ERROR_DELAYS = (60.0, 120.0)
# throttles and system errors: "backoff ... from 1 second to a maximum of 5 minutes"
_THROTTLE_FIRST, _THROTTLE_MAX = 1.0, 300.0
_MAX_RUNNING = 32  # invocations the worker runs at once (each waits on its own process)
# of one function: each running invocation holds an execution environment (a process), and a
# local machine has a few cores, not a Lambda fleet
_MAX_RUNNING_PER_FUNCTION = 4
_BATCH = 64
_DUE_ROWS = ("SELECT id, account, region, function_name, qualifier, request_id, payload, trace, received, attempts, "
             "throttles FROM async_invocations WHERE due <= ? ORDER BY due, id LIMIT ?")


def _invalid_content(reason: str) -> AwsError:
    return AwsError("InvalidRequestContentException",
                    f"Could not parse request body into json: Could not parse payload into json: {reason}", 400)


def check_event_payload(payload: bytes) -> None:
    """An Event payload as Lambda takes it: at most 1 MB, and JSON when not empty."""
    if len(payload) > MAX_EVENT_PAYLOAD:
        raise AwsError("RequestEntityTooLargeException",
                       f"Request must be smaller than {MAX_EVENT_PAYLOAD} bytes for the InvokeAsync operation", 413)
    if payload.strip():
        try:
            json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _invalid_content(str(exc)) from None


class AsyncInvokeOperations(EventInvokeConfigOperations):
    def __init__(self, cloud):
        super().__init__(cloud)
        self._async_wake: asyncio.Event | None = None
        self._async_task: asyncio.Task | None = None
        self._async_running: dict[int, asyncio.Task] = {}  # row id -> its attempt
        self._async_running_of: dict[tuple, int] = {}  # (account, region, function) -> attempts running
        self._async_timer: int | None = None
        self._async_timer_due: float | None = None
        self._async_generation = 0  # bumped by reset: an attempt in flight must not write afterwards
        self._async_stopping = False
        cloud.scheduler.on(TIMER_KIND, self._async_on_timer)

    # ------------------------------------------------------------------ accepting events
    def invoke_event(self, ctx, fv, payload: bytes, qualifier: str | None = None, trace_id: str | None = None) -> dict:
        """Queue an Event invocation of ``fv`` (``qualifier`` as the caller named it, so an
        alias is resolved again at each attempt) and answer Invoke's 202. The row is on disk
        before the answer."""
        check_event_payload(payload)
        # the caller's request id is the invocation's (Invoke answers it as x-amzn-RequestId)
        request_id = getattr(ctx, "request_id", "") or str(uuid.uuid4())
        now = self.clock.now()
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO async_invocations (account, region, function_name, qualifier, request_id, payload, "
                "trace, received, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (fv.account, fv.region, fv.name, qualifier, request_id, payload, trace_id, now, now))
        count_async(self, Scope(fv.account, fv.region), fv.name, "AsyncEventsReceived")
        self._async_wake_worker()
        return {"StatusCode": 202, "Payload": b""}

    async def invoke_async(self, ctx, params: dict) -> dict:
        """InvokeAsync (deprecated, still served): an Event invocation of $LATEST or of the
        qualifier the FunctionName's ARN carries."""
        scope = Scope.of(ctx)
        payload = await read_streamed(params.get("InvokeArgs"), MAX_EVENT_PAYLOAD)
        fv = self.resolve_function(scope, params.get("FunctionName") or "")
        parts = split_function_name(params.get("FunctionName") or "")
        self.invoke_event(ctx, fv, payload, qualifier=parts[3] if parts else None,
                          trace_id=getattr(ctx, "trace_id", None))
        return {"Status": 202}

    def pending_async_invocations(self) -> int:
        return self.db.query_one("SELECT COUNT(*) FROM async_invocations")[0]

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        await super().start()
        self.add_function_listener(self._async_function_changed)
        self._async_ensure_worker()
        self._async_wake_worker()

    def _async_function_changed(self, scope, name: str, change: str) -> None:
        if change == "delete":  # its queued events are dropped as they come due; its configs go now
            self._eic_drop_function(scope, name)

    async def stop(self) -> None:
        self._async_stopping = True  # attempts cancelled below must not start the worker again
        task, self._async_task = self._async_task, None
        running = list(self._async_running.values())
        self._async_running.clear()
        self._async_running_of.clear()
        for pending in ([task] if task is not None else []) + running:
            pending.cancel()
        for pending in ([task] if task is not None else []) + running:
            try:
                await pending
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway; rows stay queued
                pass
        await super().stop()

    def reset(self) -> None:
        self._async_generation += 1
        self._async_timer = self._async_timer_due = None  # the scheduler drops its one-shot timers itself
        for pending in self._async_running.values():
            pending.cancel()
        self._async_running.clear()
        self._async_running_of.clear()
        super().reset()

    def _async_ensure_worker(self) -> None:
        if self._async_task is None and not self._async_stopping:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._async_wake = asyncio.Event()
            self._async_task = loop.create_task(self._async_run(), name="lambda-async")

    def _async_wake_worker(self) -> None:
        self._async_ensure_worker()
        if self._async_wake is not None:
            self._async_wake.set()

    async def _async_on_timer(self, payload: dict) -> None:
        self._async_timer = self._async_timer_due = None
        self._async_launch_due()

    # ------------------------------------------------------------------ the worker
    async def _async_run(self) -> None:
        while True:
            await self._async_wake.wait()
            self._async_wake.clear()
            try:
                self._async_launch_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the worker must survive; rows stay queued
                log.exception("Lambda async queue: launching invocations failed")
                await asyncio.sleep(1.0)
                self._async_wake.set()

    def _async_launch_due(self) -> None:
        """Start an attempt for every due row not already running (up to the cap); arm the
        timer for the earliest row that waits."""
        now = self.clock.now()
        room = _MAX_RUNNING - len(self._async_running)
        if room > 0:
            for row in self.db.query(_DUE_ROWS, (now, _BATCH + len(self._async_running))):
                if room <= 0:
                    break
                function = (row[1], row[2], row[3])
                if row[0] in self._async_running or self._async_running_of.get(function, 0) >= \
                        _MAX_RUNNING_PER_FUNCTION:
                    continue
                room -= 1
                self._async_running_of[function] = self._async_running_of.get(function, 0) + 1
                task = asyncio.get_running_loop().create_task(self._async_attempt(row, self._async_generation),
                                                              name=f"lambda-async-{row[0]}")
                self._async_running[row[0]] = task
        self._async_arm_timer(now)

    def _async_arm_timer(self, now: float) -> None:
        row = self.db.query_one("SELECT MIN(due) FROM async_invocations WHERE due > ?", (now,))
        due = row[0] if row else None
        if due is None or (self._async_timer_due is not None and self._async_timer_due <= due):
            return
        if self._async_timer is not None:
            self.cloud.scheduler.cancel(self._async_timer)
        self._async_timer = self.cloud.scheduler.schedule(due, TIMER_KIND, {}, durable=False)
        self._async_timer_due = due

    async def _async_attempt(self, row: tuple, generation: int) -> None:
        row_id = row[0]
        try:
            await self._async_run_row(row, generation)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a bug must not lose the event: it is tried again later
            log.exception("Lambda async invocation %s failed in Overcast", row[5])
            if generation == self._async_generation:
                self.db.execute("UPDATE async_invocations SET due = ? WHERE id = ?",
                                (self.clock.now() + _THROTTLE_MAX, row_id))
        finally:
            if generation == self._async_generation:
                self._async_running.pop(row_id, None)
                function = (row[1], row[2], row[3])
                left = self._async_running_of.get(function, 1) - 1
                if left > 0:
                    self._async_running_of[function] = left
                else:
                    self._async_running_of.pop(function, None)
                self._async_wake_worker()

    async def _async_run_row(self, row: tuple, generation: int) -> None:
        row_id, account, region, name, qualifier, request_id, payload, trace, received, attempts, throttles = row
        scope = Scope(account, region)
        try:
            fv = self.resolve_function(scope, name, qualifier)
        except AwsError:  # the function (or its alias) is gone: AWS drops the event
            self._async_delete(row_id, generation)
            return
        config = self.event_invoke_config(scope, name, qualifier)
        outcome = AsyncOutcome(scope=scope, fv=fv, qualifier=qualifier, request_id=request_id,
                               payload=bytes(payload), invoke_count=attempts)
        if self.clock.now() - received > config.event_age:
            outcome.condition = "EventAgeExceeded"
            await self._async_settle(row_id, generation, outcome, config)
            return
        if self.concurrency_limit(fv) == 0:
            # "When you set reserved concurrency to zero for an asynchronously invoked function,
            # Lambda begins sending new events to the configured dead-letter queue or the
            # on-failure event destination, without any retries."
            outcome.condition = "ZeroReservedConcurrency"
            await self._async_settle(row_id, generation, outcome, config)
            return
        count_async(self, scope, name, "AsyncEventAge", (self.clock.now() - received) * 1000.0, "Milliseconds")
        try:
            result = await self.invoke_sync(scope, fv, outcome.payload, trace_id=trace)
        except AwsError as exc:  # throttled, or Lambda could not run it: not the function's failure
            if generation != self._async_generation:
                return
            delay = min(_THROTTLE_MAX, _THROTTLE_FIRST * (2 ** throttles))
            log.info("Lambda async invocation %s of %s not run (%s): again in %.0f s", request_id, fv.arn, exc.code,
                     delay)
            self.db.execute("UPDATE async_invocations SET due = ?, throttles = throttles + 1 WHERE id = ?",
                            (self.clock.now() + delay, row_id))
            return
        outcome.invoke_count = attempts + 1
        outcome.result = result
        if not result.function_error:
            outcome.condition = "Success"
            await self._async_settle(row_id, generation, outcome, config)
            return
        if attempts < config.retries:
            if generation == self._async_generation:
                delay = _ERROR_DELAYS[min(attempts, len(_ERROR_DELAYS) - 1)]
                self.db.execute("UPDATE async_invocations SET due = ?, attempts = attempts + 1 WHERE id = ?",
                                (self.clock.now() + delay, row_id))
            return
        outcome.condition = "RetriesExhausted"
        await self._async_settle(row_id, generation, outcome, config)

    async def _async_settle(self, row_id: int, generation: int, outcome: AsyncOutcome, config) -> None:
        """Send the invocation record where it goes, then forget the event."""
        if generation != self._async_generation:
            return
        if not outcome.succeeded:
            count_async(self, outcome.scope, outcome.fv.name, "AsyncEventsDropped")
        await settle_outcome(self, outcome, config)
        self._async_delete(row_id, generation)

    def _async_delete(self, row_id: int, generation: int) -> None:
        if generation == self._async_generation:
            with self.db.transaction():
                self.db.execute("DELETE FROM async_invocations WHERE id = ?", (row_id,))
