"""Tables of X-Ray insights: per group with insights enabled, the per-minute request and fault
counts of each service the detector saw (``insight_minutes``; service ``""`` is the group's
clients, the traces' entry points), the detector's progress (``insight_state``: last minute
evaluated, anomaly streaks, open insights), the insights (API shape as JSON text) and their
events."""

INSIGHT_SCHEMA = """
CREATE TABLE insight_minutes (
    account TEXT NOT NULL, region TEXT NOT NULL, group_arn TEXT NOT NULL, minute REAL NOT NULL,
    service TEXT NOT NULL, total INTEGER NOT NULL, faults INTEGER NOT NULL, anomalous INTEGER NOT NULL,
    PRIMARY KEY (account, region, group_arn, service, minute)
);
CREATE TABLE insight_state (
    account TEXT NOT NULL, region TEXT NOT NULL, group_arn TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (account, region, group_arn)
);
CREATE TABLE insights (
    account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, group_arn TEXT NOT NULL,
    start_time REAL NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (account, region, id)
);
CREATE INDEX insights_by_group ON insights (account, region, group_arn, start_time);
CREATE TABLE insight_events (
    account TEXT NOT NULL, region TEXT NOT NULL, insight_id TEXT NOT NULL, event_time REAL NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (account, region, insight_id, event_time)
);
"""
