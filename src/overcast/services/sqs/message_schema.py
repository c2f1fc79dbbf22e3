"""SQS schema: message_schema tables (being written)."""

MESSAGE_SCHEMA = "CREATE TABLE IF NOT EXISTS message_placeholder (id TEXT PRIMARY KEY)"
