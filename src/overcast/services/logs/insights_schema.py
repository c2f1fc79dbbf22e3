"""Logs Insights' tables: the queries started (with their answers once complete) and the saved
query definitions.

``insights_queries``: one row per StartQuery, scoped by account and region. ``sources`` is the
JSON list of ``[group_id, "@log label", "group name"]`` the query reads; ``results`` and
``statistics`` are written once, when the query ends (JSON, as GetQueryResults answers them).
A query still ``Scheduled`` or ``Running`` when the server stopped is run again at start, as
AWS would still be running it.

``insights_query_definitions``: PutQueryDefinition's rows; ``log_group_names`` and
``parameters`` are JSON lists.
"""

INSIGHTS_SCHEMA = """
CREATE TABLE insights_queries (
    query_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    query_string TEXT NOT NULL,
    query_language TEXT NOT NULL,
    sources TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    row_limit INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    duration_ms INTEGER,
    user_identity TEXT,
    results TEXT,
    statistics TEXT
);
CREATE INDEX insights_queries_by_scope ON insights_queries (account, region, created_ms);
CREATE TABLE insights_query_definitions (
    definition_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    query_string TEXT NOT NULL,
    query_language TEXT NOT NULL,
    log_group_names TEXT NOT NULL,
    parameters TEXT,
    client_token TEXT,
    last_modified_ms INTEGER NOT NULL
);
CREATE INDEX insights_query_definitions_by_name ON insights_query_definitions (account, region, name);
"""
