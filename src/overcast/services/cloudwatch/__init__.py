"""Amazon CloudWatch (metrics, statistics, metric math, alarms, dashboards)."""
