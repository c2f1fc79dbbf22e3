"""SQS schema: move_task_schema tables (being written)."""

MOVE_TASK_SCHEMA = "CREATE TABLE IF NOT EXISTS move_task_placeholder (id TEXT PRIMARY KEY)"
