"""SQS message move tasks: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.

A move task redrives the messages of a dead-letter queue (the source: a queue some queue's
RedrivePolicy targets) back to the queues they were dead-lettered from, or to one named
destination, at up to MaxNumberOfMessagesPerSecond (1-500; by default as fast as the system
chooses). Only one task per source queue is active at a time. The messages to move are those
in the queue when the task starts (ApproximateNumberOfMessagesToMove); later arrivals stay.

The operations check parameters and keep the task rows (``move_task_store.py``); the moving
is done on the cloud's clock by ``move_task_runner.py`` through the message engine's
``peek_oldest`` / ``transfer``. A cancel takes effect at once: the task goes straight to
CANCELLED (SQS passes through CANCELLING while its workers stop; Overcast has none to wait for).
"""

from __future__ import annotations

import uuid

from overcast.errors import AwsError
from overcast.services.sqs.move_task_runner import MoveTaskRunner
from overcast.services.sqs.move_task_store import CANCELLED, FAILED, RUNNING, MoveTask, decode_handle

MAX_RATE = 500  # MaxNumberOfMessagesPerSecond: "The maximum value for messages per second is 500."
MAX_RESULTS = 10  # ListMessageMoveTasks MaxResults: "The default is 1 ... The upper limit is 10."


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def _not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message)


def _bounded(params: dict, name: str, default: int | None, high: int) -> int | None:
    value = params.get(name)
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
        raise _invalid(f"Value for parameter {name} is invalid. Reason: You must enter a number that's "
                       f"between 1 and {high}.")
    return value


class MoveTaskOperations:
    """StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask."""

    def __init__(self, cloud):
        super().__init__(cloud)
        self.move_tasks = MoveTaskRunner(self)

    async def start(self) -> None:
        await super().start()
        self.move_tasks.resume()

    def reset(self) -> None:
        super().reset()
        self.move_tasks.reset()

    def _queue_by_arn(self, ctx, arn, parameter: str):
        """The queue an ARN parameter names, in the caller's region."""
        if arn is None or arn == "":
            raise AwsError("MissingParameter", f"The request must contain the parameter {parameter}.")
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) != 6 or parts[0] != "arn" or not all(parts[1:]):
            raise _invalid(f"You must use this format to specify the {parameter}: "
                           "arn:<partition>:<service>:<region>:<account-id>:<resource-id>")
        queue = self.queues.by_arn(arn) if parts[2] == "sqs" and parts[3] == ctx.region else None
        if queue is None:
            raise _not_found(f"The resource that you specified for the {parameter} parameter doesn't exist.")
        return queue

    def start_message_move_task(self, ctx, params: dict) -> dict:
        """Start moving a dead-letter queue's messages back (or to DestinationArn)."""
        source = self._queue_by_arn(ctx, params.get("SourceArn"), "SourceArn")
        rate = _bounded(params, "MaxNumberOfMessagesPerSecond", None, MAX_RATE)
        if not self.queues.dead_letter_sources(source):
            raise _invalid("Source queue must be configured as a Dead Letter Queue.")
        destination_arn = params.get("DestinationArn") or None
        if destination_arn is not None:
            destination = self._queue_by_arn(ctx, destination_arn, "DestinationArn")
            if destination.key == source.key:
                raise _invalid("Source queue and destination queue must be different.")
            if destination.is_fifo and not source.is_fifo:
                # Messages of a standard queue have no MessageGroupId for a FIFO queue.
                raise _invalid("Destination queue must not be a FIFO queue when the source queue is a standard queue.")
        store = self.move_tasks.store
        if store.active(source.key) is not None:
            raise _invalid("There is already a task running. Only one active task is allowed for a source queue "
                           "arn at a given time.")
        # The snapshot: what is visible now is to move; the newest message now marks the end.
        visible = self.engine.counts(source)[0]
        messages = self.engine.state(source).messages  # seq -> message, in seq order
        last_seq = next(reversed(messages), 0) if messages else 0
        now = self.clock.now()
        task = MoveTask(source.key, str(uuid.uuid4()), 0, source.arn, destination_arn, rate, RUNNING, None,
                        0, visible, last_seq, int(now * 1000), None)
        store.insert(task)
        self.move_tasks.launch(task, now)
        return {"TaskHandle": task.handle}

    def list_message_move_tasks(self, ctx, params: dict) -> dict:
        """The most recent tasks of a source queue, newest first (MaxResults, default 1)."""
        source = self._queue_by_arn(ctx, params.get("SourceArn"), "SourceArn")
        limit = _bounded(params, "MaxResults", 1, MAX_RESULTS)
        return {"Results": [_entry(task) for task in self.move_tasks.store.recent(source.key, limit)]}

    def cancel_message_move_task(self, ctx, params: dict) -> dict:
        """Stop a RUNNING task; the messages already moved stay moved."""
        handle = params.get("TaskHandle")
        if handle is None or handle == "":
            raise AwsError("MissingParameter", "The request must contain the parameter TaskHandle.")
        decoded = decode_handle(handle)
        if decoded is None:
            raise _invalid("Value for parameter TaskHandle is invalid.")
        task_id, source_arn = decoded
        source = self._queue_by_arn(ctx, source_arn, "SourceArn")
        store = self.move_tasks.store
        task = store.get(source.key, task_id)
        if task is None:
            raise _not_found("Task does not exist.")
        if task.status != RUNNING:
            # A finished task no longer has a handle (ListMessageMoveTasks shows none for it).
            raise _not_found(f"Task does not exist: the task is {task.status}, only a RUNNING task can be cancelled.")
        store.finish(task, CANCELLED, self.clock.now())
        self.move_tasks.halt(task)
        return {"ApproximateNumberOfMessagesMoved": task.moved}


def _entry(task: MoveTask) -> dict:
    """One ListMessageMoveTasksResultEntry."""
    entry = {
        "Status": task.status,
        "SourceArn": task.source_arn,
        "ApproximateNumberOfMessagesMoved": task.moved,
        "ApproximateNumberOfMessagesToMove": task.to_move,
        "StartedTimestamp": task.started_at,
    }
    if task.status == RUNNING:
        entry["TaskHandle"] = task.handle  # "only populated for tasks that are in RUNNING status"
    if task.destination_arn is not None:
        entry["DestinationArn"] = task.destination_arn
    if task.max_per_second is not None:
        entry["MaxNumberOfMessagesPerSecond"] = task.max_per_second
    if task.status == FAILED and task.failure_reason:
        entry["FailureReason"] = task.failure_reason
    return entry
