"""CloudWatch's resolution tiers and retention, and how a query's start is aligned.

AWS keeps 1 s (high-resolution) datapoints 3 hours, 60 s datapoints 15 days, 5 minute
datapoints 63 days and 1 hour datapoints 455 days (the GetMetricStatistics documentation).
Overcast writes every tier at ingestion (``metric_store.py``), so each answer is read from
the coarsest tier that can serve the period, and data ages out tier by tier as in AWS.
"""

from __future__ import annotations

HOUR = 3600
DAY = 86400

# tier resolution (seconds) -> how long its datapoints are kept
RETENTION = {1: 3 * HOUR, 60: 15 * DAY, 300: 63 * DAY, 3600: 455 * DAY}
TIERS_COARSE_FIRST = (3600, 300, 60)


def align_start(start: float, period: int, now: float) -> int:
    """StartTime as GetMetricStatistics rounds it: down to the minute when less than 15 days
    ago, to 5 minutes when 15 to 63 days ago, to the hour beyond (AWS's documented rounding);
    a sub-minute period rounds down to a multiple of itself (only the last 3 hours serve it)."""
    if period < 60:
        return int(start // period) * period
    age = now - start
    step = 60 if age < 15 * DAY else 300 if age < 63 * DAY else HOUR
    return int(start // step) * step


def serving_tier(bucket_start: float, period: int, aligned_start: int, now: float) -> int | None:
    """The tier a period starting at ``bucket_start`` is read from: the coarsest tier that
    divides the period and the aligned start and still holds data of that age; None when no
    tier does (AWS then returns no datapoint for that period: an old period must be a multiple
    of the resolution still kept at that age). 1 means the sub-minute path (1 s tier for
    high-resolution data, the 60 s tier for the rest), available for the last 3 hours."""
    if period < 60:
        return 1 if bucket_start >= now - RETENTION[1] else None
    for tier in TIERS_COARSE_FIRST:
        if period % tier == 0 and aligned_start % tier == 0 and bucket_start >= now - RETENTION[tier]:
            return tier
    return None
