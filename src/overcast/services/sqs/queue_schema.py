"""SQS schema: queue_schema tables (being written)."""

QUEUE_SCHEMA = "CREATE TABLE IF NOT EXISTS queue_placeholder (id TEXT PRIMARY KEY)"
