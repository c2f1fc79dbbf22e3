"""Amazon SQS: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``queues.py`` (``QueueOperations``) | CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, GetQueueAttributes, SetQueueAttributes, TagQueue, UntagQueue, ListQueueTags, AddPermission, RemovePermission, PurgeQueue, ListDeadLetterSourceQueues |
| ``messages.py`` (``MessageOperations``) | SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility, ChangeMessageVisibilityBatch |
| ``move_tasks.py`` (``MoveTaskOperations``) | StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask |
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.sqs.authority import SqsAuthority
from overcast.services.sqs.messages import MessageOperations
from overcast.services.sqs.move_tasks import MoveTaskOperations
from overcast.services.sqs.queues import QueueOperations
from overcast.services.sqs.schema import MIGRATIONS


class Provider(QueueOperations, MessageOperations, MoveTaskOperations, SqsAuthority, BaseProvider):
    service_name = "sqs"
    migrations = MIGRATIONS
