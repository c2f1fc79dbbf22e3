"""The alarms' tables: the alarms, their history, anomaly detectors, and the evaluation schedule.

``alarms``: one row per alarm of an account and region; ``config`` is the alarm's settings as
DescribeAlarms shows them (JSON), the state columns change on each transition.
``alarm_history``: DescribeAlarmHistory's items, ``seq`` ordering them (ids only grow).
``anomaly_detectors``: one row per detector, ``identity`` its canonical JSON key.
``alarm_schedule``: the durable timer that wakes the evaluation (one row).
"""

ALARM_SCHEMA = """
CREATE TABLE alarms (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    state_value TEXT NOT NULL,
    state_reason TEXT NOT NULL,
    state_reason_data TEXT,
    state_updated REAL NOT NULL,
    state_transitioned REAL NOT NULL,
    config_updated REAL NOT NULL,
    actions_enabled INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE INDEX alarms_by_kind ON alarms (account, region, kind);
CREATE TABLE alarm_history (
    seq INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    alarm_name TEXT NOT NULL,
    alarm_type TEXT NOT NULL,
    timestamp REAL NOT NULL,
    item_type TEXT NOT NULL,
    summary TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX alarm_history_by_alarm ON alarm_history (account, region, alarm_name, timestamp);
CREATE INDEX alarm_history_by_time ON alarm_history (account, region, timestamp);
CREATE TABLE anomaly_detectors (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    identity TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, identity)
);
CREATE TABLE alarm_schedule (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    timer_id INTEGER NOT NULL,
    due REAL NOT NULL
);
"""

# Lambda actions wait here until Overcast runs Lambda: the invocation event CloudWatch sends,
# kept for the Lambda service to deliver (``alarm_lambda.py``).
ALARM_LAMBDA_SCHEMA = """
CREATE TABLE alarm_lambda_invocations (
    seq INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_arn TEXT NOT NULL,
    event TEXT NOT NULL,
    created REAL NOT NULL
);
"""
