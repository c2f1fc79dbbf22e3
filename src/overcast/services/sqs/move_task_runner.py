"""Running message move tasks: ticks on the cloud's clock, each moving a second's worth.

A RUNNING task has exactly one pending tick (an in-memory timer ``sqs.move_task`` of the
scheduler). A tick moves up to the task's rate (MaxNumberOfMessagesPerSecond, or
``DEFAULT_RATE``) of the source queue's oldest visible messages, in chunks of ``CHUNK`` (each
one commit, moves and moved count together, the event loop free between chunks), then
schedules the next tick one second later, until no message of the start-time snapshot is left
visible: the task is COMPLETED. Because ticks follow the cloud clock, ``POST /_overcast/clock``
moves tasks along like everything else.

Ticks are not durable timers: the task rows are the truth. At start every RUNNING task gets a
fresh tick, so a task interrupted by a restart (or a crash) resumes where its last commit left
it; no tick can be doubled.

Where a message goes: to the task's DestinationArn, or back to the queue named by its
DeadLetterQueueSourceArn. A message that cannot be moved fails the task: FailureReason
``CouldNotDetermineMessageSource`` (not dead-lettered by SQS: it was sent to the queue
directly) or ``AWS.SimpleQueueService.NonExistentQueue`` (its destination is gone).
"""

from __future__ import annotations

import asyncio

from overcast.services.sqs.move_task_store import COMPLETED, FAILED, RUNNING, MoveTask, MoveTaskStore

TICK_KIND = "sqs.move_task"
TICK_SECONDS = 1.0  # the rate is per second: one tick moves one second's worth
# Without MaxNumberOfMessagesPerSecond SQS "optimizes the rate"; 1,000/s keeps each tick's
# event-loop work to a few milliseconds per chunk.
DEFAULT_RATE = 1_000
CHUNK = 100  # messages per commit
NO_SOURCE = "CouldNotDetermineMessageSource"
NO_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"


class MoveTaskRunner:
    """Schedules, runs and resumes the move tasks of the SQS provider."""

    def __init__(self, provider):
        self.provider = provider
        self.store = MoveTaskStore(provider)
        self.scheduler = provider.cloud.scheduler
        self._ticks: dict[tuple[int, str], int] = {}  # (source key, task id) -> pending timer id
        self._generation = 0  # bumped by reset: a tick in progress must not write afterwards
        self.scheduler.on(TICK_KIND, self._on_tick)

    # -- lifecycle -------------------------------------------------------------------------

    def resume(self) -> None:
        """At start: forget the tasks of deleted queues, give every RUNNING task a tick now."""
        queues = self.provider.queues
        self.store.forget_queues_except({queue.key for queue in queues.all()})
        now = self.provider.clock.now()
        for task in self.store.running():
            self.launch(task, now)

    def reset(self) -> None:
        """Forget the pending ticks (the scheduler drops its one-shot timers itself)."""
        self._generation += 1
        for timer_id in self._ticks.values():
            self.scheduler.cancel(timer_id)
        self._ticks.clear()

    def launch(self, task: MoveTask, due: float) -> None:
        """Give a RUNNING task its next tick at ``due``."""
        key = (task.source_key, task.task_id)
        previous = self._ticks.pop(key, None)
        if previous is not None:
            self.scheduler.cancel(previous)
        self._ticks[key] = self.scheduler.schedule(
            due, TICK_KIND, {"queue": task.source_key, "task": task.task_id}, durable=False)

    def halt(self, task: MoveTask) -> None:
        """Drop a task's pending tick (it was cancelled)."""
        timer_id = self._ticks.pop((task.source_key, task.task_id), None)
        if timer_id is not None:
            self.scheduler.cancel(timer_id)

    # -- one tick --------------------------------------------------------------------------

    async def _on_tick(self, payload: dict) -> None:
        key = (payload["queue"], payload["task"])
        self._ticks.pop(key, None)
        generation = self._generation
        task = self.store.get(*key)
        if task is None:
            return
        budget = task.max_per_second or DEFAULT_RATE
        while task is not None and task.status == RUNNING and generation == self._generation:
            chunk = min(CHUNK, budget)
            moved, done = self._move_chunk(task, chunk)
            budget -= moved
            if done:
                return
            if budget <= 0:
                self.launch(task, self.provider.clock.now() + TICK_SECONDS)
                return
            await asyncio.sleep(0)  # let requests in between chunks
            if generation != self._generation:
                return
            task = self.store.get(*key)  # it may have been cancelled meanwhile

    def _move_chunk(self, task: MoveTask, limit: int) -> tuple[int, bool]:
        """Move up to ``limit`` messages of the snapshot; returns (moved, task finished)."""
        provider = self.provider
        now = provider.clock.now()
        source = provider.queues.by_key(task.source_key)
        if source is None:
            self.store.finish(task, FAILED, now, NO_QUEUE)
            return 0, True
        oldest = provider.engine.peek_oldest(source, limit)
        eligible = [message for message in oldest if message.seq <= task.last_seq]
        plan, failure = self._destinations(task, eligible)
        moved = 0
        with provider.db.transaction():
            for destination, seqs in plan:
                moved_ids = provider.engine.transfer(source, destination, seqs)
                moved += len(moved_ids)
                if len(moved_ids) < len(seqs):
                    failure = failure or f"Messages could not be moved to {destination.arn}."
                    break
            if moved:
                self.store.add_moved(task, moved)
        if failure is not None:
            self.store.finish(task, FAILED, now, failure)
            return moved, True
        if len(eligible) < limit:  # nothing of the snapshot is left visible
            self.store.finish(task, COMPLETED, now)
            return moved, True
        return moved, False

    def _destinations(self, task: MoveTask, messages) -> tuple[list[tuple[object, list[int]]], str | None]:
        """Where each message goes, grouped by destination in order, up to the first message
        that cannot go anywhere (whose reason is returned)."""
        queues = self.provider.queues
        plan: dict[int, tuple[object, list[int]]] = {}
        fixed = None
        if task.destination_arn is not None:
            fixed = queues.by_arn(task.destination_arn)
            if fixed is None:
                return [], NO_QUEUE
        for message in messages:
            destination = fixed
            if destination is None:
                if not message.dead_letter_source:
                    return list(plan.values()), NO_SOURCE
                destination = queues.by_arn(message.dead_letter_source)
                if destination is None:
                    return list(plan.values()), NO_QUEUE
            plan.setdefault(destination.key, (destination, []))[1].append(message.seq)
        return list(plan.values()), None
