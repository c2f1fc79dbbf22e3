"""X-Ray's migrations, in order. The order is fixed forever: a change is a new migration
appended at the end, so a data dir written by an older Overcast upgrades in place."""

from overcast.services.xray.config_schema import CONFIG_SCHEMA
from overcast.services.xray.graph_summary_schema import GRAPH_SUMMARY_SCHEMA
from overcast.services.xray.insight_schema import INSIGHT_SCHEMA
from overcast.services.xray.segment_schema import SEGMENT_SCHEMA
from overcast.services.xray.transaction_search_schema import TRANSACTION_SEARCH_SCHEMA

MIGRATIONS = (SEGMENT_SCHEMA, CONFIG_SCHEMA, TRANSACTION_SEARCH_SCHEMA, INSIGHT_SCHEMA, GRAPH_SUMMARY_SCHEMA)
