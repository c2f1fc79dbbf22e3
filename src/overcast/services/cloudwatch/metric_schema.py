"""CloudWatch metrics schema: the metrics themselves and their rollups.

``metrics``: one row per (namespace, name, dimension set) of an account and region, with the
cloud time of its last PutMetricData (ListMetrics' two-week window and RecentlyActive).
``metric_id`` is a 63-bit hash of the scope and identity (``metric_store.metric_id``), so the
write path finds a metric's rows without a lookup.

``rollups``: every datapoint lands, at ingestion, in one row per resolution tier it is kept
at (1 s for high-resolution data, 60 s, 300 s and 3600 s for all data), keyed by the tier's
bucket start and the datapoint's unit. A row holds the bucket's sample count, sum, minimum,
maximum and value distribution (``value_distribution.py``; NULL when a statistic set made
percentiles unavailable). ``high_res`` separates, in the 60 s tier, what was put at 1 s
resolution, so a sub-minute period reads those from the 1 s tier and the rest from here.
"""

METRIC_SCHEMA = """
CREATE TABLE metrics (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    metric_id INTEGER NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    last_put REAL NOT NULL,
    PRIMARY KEY (account, region, metric_id)
);
CREATE INDEX metrics_by_namespace ON metrics (account, region, namespace, name);
CREATE TABLE rollups (
    metric_id INTEGER NOT NULL,
    resolution INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    unit TEXT NOT NULL,
    high_res INTEGER NOT NULL,
    sample_count REAL NOT NULL,
    total REAL NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    distribution BLOB,
    PRIMARY KEY (metric_id, resolution, bucket, unit, high_res)
);
CREATE INDEX rollups_by_age ON rollups (resolution, bucket);
"""
