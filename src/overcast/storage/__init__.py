"""Durable state: one SQLite database per service (WAL) and a blob folder for large bodies."""
