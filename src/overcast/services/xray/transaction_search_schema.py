"""Tables of Transaction Search's side of X-Ray: trace retrievals (one row per
StartTraceRetrieval, with the trace ids it found), the account's trace segment destination
and its indexing rules (API shape as JSON text)."""

TRANSACTION_SEARCH_SCHEMA = """
CREATE TABLE trace_retrievals (
    account TEXT NOT NULL, region TEXT NOT NULL, token TEXT NOT NULL,
    trace_ids TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (account, region, token)
);
CREATE INDEX trace_retrievals_by_created ON trace_retrievals (created);
CREATE TABLE segment_destination (
    account TEXT NOT NULL, region TEXT NOT NULL, destination TEXT NOT NULL,
    PRIMARY KEY (account, region)
);
CREATE TABLE indexing_rules (
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);
"""
