"""A log group as DescribeLogGroups shows it."""

from __future__ import annotations

from overcast.services.logs.models import GroupRow
from overcast.storage.errors import StorageError


def describe_group(group: GroupRow, metric_filter_count: int) -> dict:
    out = {
        "logGroupName": group.name,
        "creationTime": group.created_ms,
        "metricFilterCount": metric_filter_count,
        "arn": group.arn,
        "storedBytes": group.stored_bytes,
        "logGroupClass": group.log_group_class,
        "logGroupArn": group.log_group_arn,
        "deletionProtectionEnabled": group.deletion_protection,
    }
    if group.retention_days is not None:
        out["retentionInDays"] = group.retention_days
    if group.kms_key_id is not None:
        out["kmsKeyId"] = group.kms_key_id
    if group.data_protection_policy is not None:
        out["dataProtectionStatus"] = "ACTIVATED"
    return out


def metric_filter_counts(db, group_ids: list[int]) -> dict[int, int]:
    """group id -> number of metric filters (the delivery concern's ``metric_filters`` table;
    none before that table exists)."""
    if not group_ids:
        return {}
    marks = ", ".join("?" * len(group_ids))
    try:
        rows = db.query(f"SELECT group_id, COUNT(*) FROM metric_filters WHERE group_id IN ({marks}) "
                        "GROUP BY group_id", group_ids)
    except StorageError:
        return {}
    return {int(g): int(n) for g, n in rows}
