"""Message move tasks as stored in ``sqs_move_tasks`` (see ``move_task_schema.py``).

Every write commits before it returns (or joins the caller's transaction, so the task's
moved count and the moves themselves commit together).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED = "RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED"
ACTIVE = (RUNNING, CANCELLING)
KEPT_PER_QUEUE = 10  # ListMessageMoveTasks shows at most the 10 most recent tasks of a queue

_COLUMNS = ("source_key, task_id, ordinal, source_arn, destination_arn, max_per_second, status, failure_reason, "
            "moved, to_move, last_seq, started_at, ended_at")


@dataclass
class MoveTask:
    """One row of ``sqs_move_tasks``."""

    source_key: int
    task_id: str
    ordinal: int
    source_arn: str
    destination_arn: str | None
    max_per_second: int | None
    status: str
    failure_reason: str | None
    moved: int
    to_move: int
    last_seq: int
    started_at: int
    ended_at: float | None

    @property
    def handle(self) -> str:
        return encode_handle(self.task_id, self.source_arn)


def encode_handle(task_id: str, source_arn: str) -> str:
    """The TaskHandle SQS hands out: base64 of ``{"taskId": ..., "sourceArn": ...}``."""
    text = json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode("ascii")


def decode_handle(handle) -> tuple[str, str] | None:
    """(task id, source ARN) of a TaskHandle, or None if it is not one."""
    if not isinstance(handle, str) or not handle or len(handle) > 4096:
        return None
    try:
        decoded = json.loads(base64.b64decode(handle.encode("ascii"), validate=True))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    if not isinstance(decoded, dict):
        return None
    task_id, source_arn = decoded.get("taskId"), decoded.get("sourceArn")
    if not isinstance(task_id, str) or not isinstance(source_arn, str) or not task_id or not source_arn:
        return None
    return task_id, source_arn


class MoveTaskStore:
    """Reads and writes of ``sqs_move_tasks`` on the SQS provider's database."""

    def __init__(self, provider):
        self._provider = provider

    @property
    def db(self):
        return self._provider.db

    def insert(self, task: MoveTask) -> None:
        """Store a new task (its ordinal is assigned here) and forget the oldest finished ones."""
        db = self.db
        with db.transaction():
            row = db.query_one("SELECT MAX(ordinal) FROM sqs_move_tasks WHERE source_key = ?", (task.source_key,))
            task.ordinal = (row[0] or 0) + 1 if row else 1
            db.execute(
                f"INSERT INTO sqs_move_tasks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (task.source_key, task.task_id, task.ordinal, task.source_arn, task.destination_arn,
                 task.max_per_second, task.status, task.failure_reason, task.moved, task.to_move, task.last_seq,
                 task.started_at, task.ended_at),
            )
            # Only one task per queue is active, and it is the newest: the pruned ones are finished.
            db.execute("DELETE FROM sqs_move_tasks WHERE source_key = ? AND ordinal <= ?",
                       (task.source_key, task.ordinal - KEPT_PER_QUEUE))

    def get(self, source_key: int, task_id: str) -> MoveTask | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE source_key = ? AND task_id = ?",
                                (source_key, task_id))
        return MoveTask(*row) if row else None

    def recent(self, source_key: int, limit: int) -> list[MoveTask]:
        """The ``limit`` most recent tasks of a queue, newest first."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE source_key = ? ORDER BY ordinal DESC LIMIT ?",
            (source_key, limit),
        )
        return [MoveTask(*row) for row in rows]

    def active(self, source_key: int) -> MoveTask | None:
        """The queue's RUNNING (or CANCELLING) task, if any."""
        row = self.db.query_one(
            f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE source_key = ? AND status IN (?, ?)",
            (source_key, *ACTIVE),
        )
        return MoveTask(*row) if row else None

    def running(self) -> list[MoveTask]:
        """Every RUNNING task of the cloud (to resume them at start)."""
        rows = self.db.query(f"SELECT {_COLUMNS} FROM sqs_move_tasks WHERE status = ? ORDER BY started_at",
                             (RUNNING,))
        return [MoveTask(*row) for row in rows]

    def add_moved(self, task: MoveTask, count: int) -> None:
        """Count messages moved (inside the transaction that moved them)."""
        self.db.execute("UPDATE sqs_move_tasks SET moved = moved + ? WHERE source_key = ? AND task_id = ?",
                        (count, task.source_key, task.task_id))
        task.moved += count

    def finish(self, task: MoveTask, status: str, now: float, reason: str | None = None) -> None:
        """End a task: COMPLETED, CANCELLED or FAILED (with its reason)."""
        self.db.execute(
            "UPDATE sqs_move_tasks SET status = ?, failure_reason = ?, ended_at = ? "
            "WHERE source_key = ? AND task_id = ?",
            (status, reason, now, task.source_key, task.task_id),
        )
        task.status, task.failure_reason, task.ended_at = status, reason, now

    def forget_queues_except(self, keys: set[int]) -> None:
        """Drop the tasks of queues that no longer exist (DeleteQueue left them behind)."""
        stored = {row[0] for row in self.db.query("SELECT DISTINCT source_key FROM sqs_move_tasks")}
        gone = [(key,) for key in stored - keys]
        if gone:
            with self.db.transaction():
                self.db.executemany("DELETE FROM sqs_move_tasks WHERE source_key = ?", gone)
