"""CloudWatch's migrations, in order. The order is fixed forever: a change is a new migration
appended at the end, so a data dir written by an older Overcast upgrades in place. Each
concern owns its own ``<x>_schema.py``; one line each here."""

from overcast.services.cloudwatch.alarm_schema import ALARM_LAMBDA_SCHEMA, ALARM_SCHEMA
from overcast.services.cloudwatch.dashboard_schema import DASHBOARD_SCHEMA
from overcast.services.cloudwatch.metric_schema import METRIC_SCHEMA
from overcast.services.cloudwatch.tag_schema import TAG_SCHEMA

MIGRATIONS = (
    METRIC_SCHEMA,
    DASHBOARD_SCHEMA,
    ALARM_SCHEMA,
    TAG_SCHEMA,
    ALARM_LAMBDA_SCHEMA,
)
