"""SQS queue operations: create, find, list, delete, attributes, tags, permissions, purge.

The queues themselves live in ``self.queues`` (``queue_store.QueueStore``); message counts,
purges and the messages of a deleted queue belong to the message engine (``self.engine``:
``counts(queue)``, ``purge(queue)``, ``drop_queue(queue)``).
"""

from __future__ import annotations

import re

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.sqs import attributes as attrs
from overcast.services.sqs import permissions
from overcast.services.sqs.listing import page
from overcast.services.sqs.queue_store import QueueRecord, QueueStore, queue_does_not_exist
from overcast.services.sqs.tags import checked_tags, merged_tags
from overcast.services.sqs.urls import queue_arn

# Queue names: 1-80 alphanumerics, hyphens and underscores; FIFO names end in ".fifo"
# (suffix included in the 80).
_STANDARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
PURGE_INTERVAL = 60  # "Only one PurgeQueue operation ... is allowed every 60 seconds."
_APPROXIMATE = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed")


def _required(params: dict, name: str):
    value = params.get(name)
    if value is None or value == "":
        raise AwsError("MissingParameter", f"The request must contain the parameter {name}.")
    return value


def _checked_name(name, fifo: bool) -> str:
    if not isinstance(name, str):
        raise AwsError("InvalidParameterValue", "Queue name must be a string.")
    if fifo:
        if not _FIFO_NAME.match(name):
            raise AwsError(
                "InvalidParameterValue",
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                "must end with .fifo suffix and be 1 to 80 in length.",
            )
    elif not _STANDARD_NAME.match(name):
        raise AwsError(
            "InvalidParameterValue",
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        )
    return name


class QueueOperations:
    """CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes, Tag/Untag/
    ListQueueTags, Add/RemovePermission, PurgeQueue, ListDeadLetterSourceQueues."""

    def __init__(self, cloud):
        super().__init__(cloud)
        self.queues = QueueStore(self)

    def reset(self) -> None:
        super().reset()
        self.queues.reset()

    # -- create / find / list / delete -----------------------------------------------------

    def create_queue(self, ctx: RequestContext, params: dict) -> dict:
        """Create a queue, or return the URL of an identical existing one."""
        name = _required(params, "QueueName")
        requested = params.get("Attributes") or {}
        fifo = isinstance(requested, dict) and str(requested.get("FifoQueue", "")).strip().lower() == "true"
        _checked_name(name, fifo)
        given = attrs.normalize(requested, fifo=fifo, creating=True)
        tags = checked_tags(params.get("tags"))
        existing = self.queues.find(ctx.account, ctx.region, name)
        if existing is not None:
            self._check_same(existing, given)
            return {"QueueUrl": self.queues.url_for(ctx, existing)}
        merged_tags(name, {}, tags)
        stored = dict(attrs.STANDARD_DEFAULTS)
        if fifo:
            stored.update(attrs.FIFO_DEFAULTS)
        given.pop("FifoQueue", None)  # "false" on a standard queue: nothing to store
        stored = self._applied(stored, given)
        self._check_consistency(ctx, queue_arn(ctx.region, ctx.account, name), fifo, stored, given)
        record = self.queues.create(ctx.account, ctx.region, name, stored, tags, self.clock.now())
        return {"QueueUrl": self.queues.url_for(ctx, record)}

    @staticmethod
    def _check_same(existing: QueueRecord, given: dict[str, str]) -> None:
        """CreateQueue on an existing name: every given attribute must match the queue's."""
        for name, value in given.items():
            current = existing.attributes.get(name, "")
            if name == "FifoQueue" and not existing.is_fifo:
                current = "false"
            if name == "KmsDataKeyReusePeriodSeconds" and not current:
                current = str(attrs.INTEGER_RANGES[name][2])
            if not attrs.same_value(name, current, value):
                raise AwsError(
                    "QueueNameExists",
                    f"A queue already exists with the same name and a different value for attribute {name}",
                )

    def get_queue_url(self, ctx: RequestContext, params: dict) -> dict:
        """The URL of a queue by name (another account's with QueueOwnerAWSAccountId)."""
        name = _required(params, "QueueName")
        owner = params.get("QueueOwnerAWSAccountId") or ctx.account
        record = self.queues.find(owner, ctx.region, name)
        if record is None:
            raise queue_does_not_exist()
        return {"QueueUrl": self.queues.url_for(ctx, record)}

    def list_queues(self, ctx: RequestContext, params: dict) -> dict:
        """The caller's queues in this region, optionally by name prefix and in pages."""
        prefix = params.get("QueueNamePrefix") or ""
        records = self.queues.in_scope(ctx.account, ctx.region, prefix)
        chosen, token = page(records, [r.name for r in records], params)
        result: dict = {}
        if chosen:
            result["QueueUrls"] = [self.queues.url_for(ctx, record) for record in chosen]
        if token:
            result["NextToken"] = token
        return result

    def delete_queue(self, ctx: RequestContext, params: dict) -> dict:
        """Delete a queue and its messages; the name is free again at once."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        # The row goes first: a crash in between leaves only unreachable message rows
        # (queue keys are never reused), never a queue that lost its messages.
        self.queues.delete(record)
        self.engine.drop_queue(record)
        return {}

    def list_dead_letter_source_queues(self, ctx: RequestContext, params: dict) -> dict:
        """The queues whose RedrivePolicy names this queue as their dead-letter queue."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        sources = self.queues.dead_letter_sources(record)
        chosen, token = page(sources, [r.name for r in sources], params)
        result: dict = {"queueUrls": [self.queues.url_for(ctx, source) for source in chosen]}
        if token:
            result["NextToken"] = token
        return result

    # -- attributes ------------------------------------------------------------------------

    def get_queue_attributes(self, ctx: RequestContext, params: dict) -> dict:
        """The named attributes (``All`` for every one) with their current values."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        names = attrs.requested_names(params.get("AttributeNames"))
        counts = None
        found: dict[str, str] = {}
        for name in names:
            if name in _APPROXIMATE:
                if counts is None:
                    counts = self.engine.counts(record)
                found[name] = str(counts[_APPROXIMATE.index(name)])
                continue
            value = self._attribute(record, name)
            if value is not None:
                found[name] = value
        return {"Attributes": found} if found else {}

    @staticmethod
    def _attribute(record: QueueRecord, name: str) -> str | None:
        if name == "QueueArn":
            return record.arn
        if name == "CreatedTimestamp":
            return str(int(record.created))
        if name == "LastModifiedTimestamp":
            return str(int(record.modified))
        return record.attributes.get(name)

    def set_queue_attributes(self, ctx: RequestContext, params: dict) -> dict:
        """Change settable attributes (FifoQueue and read-only ones are refused)."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        given = attrs.normalize(params.get("Attributes"), fifo=record.is_fifo, creating=False)
        if not given:
            return {}
        stored = self._applied(record.attributes, given)
        self._check_consistency(ctx, record.arn, record.is_fifo, stored, given)
        self.queues.update_attributes(record, stored, self.clock.now())
        return {}

    @staticmethod
    def _applied(current: dict[str, str], given: dict[str, str]) -> dict[str, str]:
        """``current`` with ``given`` applied ('' removes), keeping the encryption settings coherent."""
        stored = dict(current)
        for name, value in given.items():
            if value == "" and name in attrs.REMOVABLE:
                stored.pop(name, None)
            else:
                stored[name] = value
        if given.get("KmsMasterKeyId"):
            # SSE-KMS replaces SSE-SQS; the data key reuse period applies (default 300 s).
            stored["SqsManagedSseEnabled"] = "false"
            stored.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        elif given.get("SqsManagedSseEnabled") == "true" or given.get("KmsMasterKeyId") == "":
            stored.pop("KmsMasterKeyId", None)
            stored.pop("KmsDataKeyReusePeriodSeconds", None)
        return stored

    def _check_consistency(self, ctx: RequestContext, arn: str, fifo: bool, stored: dict, given: dict) -> None:
        """Checks across attributes and queues: high-throughput FIFO settings, the DLQ."""
        if fifo and stored.get("FifoThroughputLimit") == "perMessageGroupId" \
                and stored.get("DeduplicationScope") != "messageGroup":
            raise AwsError(
                "InvalidAttributeValue",
                "Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value "
                "is allowed only when the value for DeduplicationScope is messageGroup.",
            )
        if given.get("RedrivePolicy"):
            self._check_dead_letter_target(ctx, arn, fifo, given["RedrivePolicy"])

    def _check_dead_letter_target(self, ctx: RequestContext, source_arn: str, fifo: bool, text: str) -> None:
        policy = attrs.parse_redrive_policy(text)
        target = self.queues.by_arn(policy["deadLetterTargetArn"])
        if target is None or target.scope != (ctx.account, ctx.region):
            raise attrs.invalid_parameter("RedrivePolicy", text, "Dead letter target does not exist.")
        if target.is_fifo != fifo:
            raise attrs.invalid_parameter(
                "RedrivePolicy", text, "Dead-letter queue must be same type of queue as the source."
            )
        allow = target.redrive_allow_policy
        if allow and (
            allow["redrivePermission"] == "denyAll"
            or (allow["redrivePermission"] == "byQueue" and source_arn not in allow.get("sourceQueueArns", ()))
        ):
            raise attrs.invalid_parameter(
                "RedrivePolicy", text,
                f"Queue {target.arn} does not allow this queue to use it as a dead-letter queue.",
            )

    # -- tags ------------------------------------------------------------------------------

    def tag_queue(self, ctx: RequestContext, params: dict) -> dict:
        """Add or replace tags (at most 50 per queue)."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        added = checked_tags(_required(params, "Tags"))
        self.queues.update_tags(record, merged_tags(record.name, record.tags, added))
        return {}

    def untag_queue(self, ctx: RequestContext, params: dict) -> dict:
        """Remove tags by key (keys the queue does not have are ignored)."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        keys = _required(params, "TagKeys")
        keys = keys if isinstance(keys, list) else [keys]
        remaining = {key: value for key, value in record.tags.items() if key not in set(keys)}
        if len(remaining) != len(record.tags):
            self.queues.update_tags(record, remaining)
        return {}

    def list_queue_tags(self, ctx: RequestContext, params: dict) -> dict:
        """The queue's tags."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        return {"Tags": dict(record.tags)} if record.tags else {}

    # -- permissions -----------------------------------------------------------------------

    def add_permission(self, ctx: RequestContext, params: dict) -> dict:
        """Grant accounts actions on the queue: a labelled statement in its Policy."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        statement = permissions.statement_for(params, record.arn, record.region)
        policy = permissions.with_statement(record.policy, statement, record.arn)
        self.queues.update_attributes(record, {**record.attributes, "Policy": policy}, self.clock.now())
        return {}

    def remove_permission(self, ctx: RequestContext, params: dict) -> dict:
        """Revoke the statement AddPermission made under a label."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        label = permissions.checked_label(params)
        policy = permissions.without_statement(record.policy, label)
        stored = {**record.attributes, "Policy": policy}
        if not policy:
            del stored["Policy"]
        self.queues.update_attributes(record, stored, self.clock.now())
        return {}

    # -- purge -----------------------------------------------------------------------------

    def purge_queue(self, ctx: RequestContext, params: dict) -> dict:
        """Delete every message of the queue; once per 60 seconds of the cloud's clock."""
        record = self.queues.resolve(ctx, params.get("QueueUrl"))
        now = self.clock.now()
        if record.purged_at is not None and now - record.purged_at < PURGE_INTERVAL:
            raise AwsError(
                "PurgeQueueInProgress",
                f"Only one PurgeQueue operation on {record.name} is allowed every {PURGE_INTERVAL} seconds.",
            )
        self.engine.purge(record)
        self.queues.mark_purged(record, now)
        return {}
