"""CloudWatch dashboards schema: one row per dashboard of an account.

Dashboards are global, not regional ("All dashboards in your account are global"): the key is
the account and the name, and their ARNs carry no region.
"""

DASHBOARD_SCHEMA = """
CREATE TABLE dashboards (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    last_modified REAL NOT NULL,
    PRIMARY KEY (account, name)
);
"""
