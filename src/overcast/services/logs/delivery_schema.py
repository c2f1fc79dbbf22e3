"""The delivery concern's tables: metric filters, subscription filters, destinations, account
policies, pending subscription deliveries and export tasks.

Filters belong to a log group by ``group_id`` (``log_groups``): group ids come from a counter
and are never reused, so a group deleted and created again under the same name starts with no
filters, as on AWS, and the rows of a deleted group are never read again (lookups go by the
live group's id or join ``log_groups``). ``config`` columns hold the resource as its Describe
operation shows it (JSON).

``subscription_deliveries``: one row per pending delivery, written in the PutLogEvents
transaction that stored the events (so nothing acknowledged is lost); ``payload`` is the
decoded envelope (JSON), ``due`` the cloud time of the next attempt (``PARKED`` while the
destination's service does not run in Overcast).
"""

DELIVERY_SCHEMA = """
CREATE TABLE metric_filters (
    group_id INTEGER NOT NULL,
    filter_name TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (group_id, filter_name)
);
CREATE INDEX metric_filters_by_account ON metric_filters (account, region, filter_name);
CREATE TABLE subscription_filters (
    group_id INTEGER NOT NULL,
    filter_name TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (group_id, filter_name)
);
CREATE TABLE log_destinations (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE TABLE account_policies (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    policy_type TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, policy_type, policy_name)
);
CREATE TABLE subscription_deliveries (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    destination_arn TEXT NOT NULL,
    role_arn TEXT,
    payload TEXT NOT NULL,
    due REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscription_deliveries_due ON subscription_deliveries (due, id);
CREATE TABLE export_tasks (
    task_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL
);
CREATE INDEX export_tasks_by_account ON export_tasks (account, region, created_ms);
"""
