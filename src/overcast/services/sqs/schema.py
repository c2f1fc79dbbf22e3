"""SQS's migrations, in order. The order is fixed forever: a change is a new migration appended
at the end, so a data dir written by an older Overcast upgrades in place."""

from overcast.services.sqs.message_schema import MESSAGE_SCHEMA
from overcast.services.sqs.move_task_schema import MOVE_TASK_SCHEMA
from overcast.services.sqs.queue_schema import QUEUE_SCHEMA

MIGRATIONS = (QUEUE_SCHEMA, MESSAGE_SCHEMA, MOVE_TASK_SCHEMA)
