"""Amazon SQS: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``queues.py`` (``QueueOperations``) | CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, GetQueueAttributes, SetQueueAttributes, TagQueue, UntagQueue, ListQueueTags, AddPermission, RemovePermission, PurgeQueue, ListDeadLetterSourceQueues |
| ``messages.py`` (``MessageOperations``) | SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility, ChangeMessageVisibilityBatch |
| ``move_tasks.py`` (``MoveTaskOperations``) | StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask |
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.sqs.messages import MessageOperations
from overcast.services.sqs.move_tasks import MoveTaskOperations
from overcast.services.sqs.queues import QueueOperations
from overcast.services.sqs.schema import MIGRATIONS


class Provider(QueueOperations, MessageOperations, MoveTaskOperations, BaseProvider):
    service_name = "sqs"
    migrations = MIGRATIONS

    def queue_policy_for(self, queue_arn: str) -> tuple[str | None, str | None]:
        """(owner account, Policy attribute text or None) of the queue with ``queue_arn``, for
        strict-mode authorization; (None, None) when there is no such queue."""
        record = self.queues.by_arn(queue_arn)
        if record is None:
            return None, None
        return record.account, record.attributes.get("Policy") or None

    def queue_tags_for(self, queue_arn: str) -> dict[str, str]:
        """The tags of the queue with ``queue_arn`` (aws:ResourceTag/* in strict mode); {} if none."""
        record = self.queues.by_arn(queue_arn)
        return dict(record.tags) if record is not None else {}
