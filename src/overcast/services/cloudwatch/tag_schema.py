"""CloudWatch tags: one row per tag of a resource (alarm, dashboard, Contributor Insights
rule, metric stream), keyed by the resource's ARN within its scope. Each concern's own table
holds the resource; this one holds the tags of all of them (``tags.py``)."""

TAG_SCHEMA = """
CREATE TABLE resource_tags (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    arn TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (account, region, arn, tag_key)
);
"""
