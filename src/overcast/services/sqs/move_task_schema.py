"""SQS schema, version 1 of the message move task table.

``sqs_move_tasks`` holds one row per StartMessageMoveTask, a child of its source queue (the
dead-letter queue): ``source_key`` is the queue's ``queue_key`` (never reused), so a task
inherits the queue's account/region scope and a new queue with a deleted one's name (and ARN)
sees none of the old queue's tasks.

- ``ordinal`` numbers the tasks of one source queue in start order (the most recent first
  in ListMessageMoveTasks); only the latest few are kept.
- ``destination_arn`` / ``max_per_second`` as given (NULL: each message back to its
  DeadLetterQueueSourceArn / the system-optimized rate).
- ``status``: RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED; ``failure_reason`` when FAILED.
- ``moved`` (ApproximateNumberOfMessagesMoved) is updated in the same commit as the moves.
- ``to_move`` (ApproximateNumberOfMessagesToMove) and ``last_seq`` are the snapshot taken at
  start: the visible messages then, and the highest message sequence number in the queue
  then (messages arriving later are not moved).
- ``started_at`` in epoch milliseconds (StartedTimestamp); ``ended_at`` epoch seconds.
"""

MOVE_TASK_SCHEMA = """
CREATE TABLE sqs_move_tasks (
    source_key INTEGER NOT NULL,
    task_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    source_arn TEXT NOT NULL,
    destination_arn TEXT,
    max_per_second INTEGER,
    status TEXT NOT NULL,
    failure_reason TEXT,
    moved INTEGER NOT NULL,
    to_move INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at REAL,
    PRIMARY KEY (source_key, task_id)
);
CREATE INDEX sqs_move_tasks_by_status ON sqs_move_tasks (status);
"""
