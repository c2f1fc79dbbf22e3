"""Publish and PublishBatch: checks, FIFO sequencing and deduplication, and the hand-off to
the delivery queue (``delivery.py``), in the commit that acknowledges the call.

Checks run in AWS's order: Subject, an empty message, the phone number, the attributes, the
256 KiB size, the FIFO ids, MessageStructure, then the topic's existence.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.sns.arns import invalid_parameter
from overcast.services.sns.message import NOTIFICATION, SnsMessage, iso_timestamp
from overcast.services.sns.message_attributes import checked_attributes, size_of
from overcast.services.sns.subscriptions import endpoint_base

MAX_MESSAGE_BYTES = 262_144  # "up to 256 KB", attributes included
MAX_SUBJECT = 100  # "must be ASCII text ... no line breaks or control characters ... fewer than 100 characters"
MAX_BATCH = 10
DEDUPLICATION_WINDOW = 300.0  # FIFO topics: "five-minute deduplication interval"
_SUBJECT = re.compile(r"^[\x20-\x7e]+$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
FIRST_SEQUENCE = 10_000_000_000_000_000_000


class EntryError(AwsError):
    """A check of one message's own content (Subject, an empty message, MessageStructure):
    PublishBatch reports it as that entry's failure; Publish answers it."""

    code = "InvalidParameter"

    def __init__(self, text: str):
        super().__init__(message=f"Invalid parameter: {text}")


class _Entry:
    """One message to publish, checked."""

    def __init__(self, message: str, subject, bodies, attributes, group_id, deduplication_id):
        self.message, self.subject, self.bodies = message, subject, bodies
        self.attributes, self.group_id, self.deduplication_id = attributes, group_id, deduplication_id


def _checked_entry(params: dict, fifo_by_name: bool, where: str = "messageAttributes") -> _Entry:
    subject = params.get("Subject")
    if subject is not None and (not _SUBJECT.match(subject) or len(subject) > MAX_SUBJECT):
        raise EntryError("Subject")
    message = params.get("Message")
    if message is None or message == "":
        raise EntryError("Empty message")
    attributes = checked_attributes(params.get("MessageAttributes"), where)
    if size_of(message, attributes) > MAX_MESSAGE_BYTES:
        raise invalid_parameter("Message too long")
    group_id, dedup_id = params.get("MessageGroupId"), params.get("MessageDeduplicationId")
    if fifo_by_name:
        if not group_id:
            raise invalid_parameter("The MessageGroupId parameter is required for FIFO topics")
        if not _FIFO_ID.match(group_id):
            raise invalid_parameter("MessageGroupId Reason: MessageGroupId can only include alphanumeric and "
                                    "punctuation characters. 1 to 128 in length.")
        if dedup_id is not None and not _FIFO_ID.match(dedup_id):
            raise invalid_parameter("MessageDeduplicationId Reason: MessageDeduplicationId can only include "
                                    "alphanumeric and punctuation characters. 1 to 128 in length.")
    elif dedup_id is not None:
        raise invalid_parameter("MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
                                "parameter that is not valid for this topic type")
    bodies = None
    structure = params.get("MessageStructure")
    if structure is not None:
        if structure != "json":
            raise EntryError("MessageStructure")
        try:
            document = json.loads(message)
        except ValueError:
            raise EntryError("Message Structure - JSON message body failed to parse") from None
        if not isinstance(document, dict):
            raise EntryError("Message Structure - JSON message body failed to parse")
        # keys whose values are not strings are ignored ("must have simple JSON string values")
        bodies = {k: v for k, v in document.items() if isinstance(v, str)}
        if "default" not in bodies:
            raise EntryError("Message Structure - No default entry in JSON message body")
        message = bodies["default"]
    return _Entry(message, subject, bodies, attributes, group_id, dedup_id)


def check_publish_request(params: dict) -> _Entry:
    """Publish's checks of its own parameters (no state read); the checked message."""
    phone = params.get("PhoneNumber")
    target = params.get("TopicArn") or params.get("TargetArn")
    if params.get("TopicArn") and params.get("TargetArn"):
        raise invalid_parameter("TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified")
    if phone is not None and target:
        raise invalid_parameter("TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may "
                                "be specified")
    entry = _checked_entry(params, isinstance(target, str) and target.endswith(".fifo"))
    if phone is not None and not _E164.match(phone):
        raise invalid_parameter(f"PhoneNumber Reason: {phone} is not valid to publish to")
    return entry


class PublishOperations:
    def publish(self, ctx: RequestContext, params: dict) -> dict:
        phone = params.get("PhoneNumber")
        target = params.get("TopicArn") or params.get("TargetArn")
        entry = check_publish_request(params)
        if phone is not None:
            return {"MessageId": self.publish_sms(ctx, phone, entry.message, entry.attributes)}
        if not target:
            raise invalid_parameter("TopicArn or TargetArn Reason: no value for required parameter")
        if params.get("TargetArn") and ":endpoint/" in target:
            return {"MessageId": self.publish_to_endpoint(ctx, target, entry, endpoint_base(ctx))}
        name = "TopicArn" if params.get("TopicArn") else "TargetArn"
        topic = self.topic_for(ctx, target, name)
        if topic.is_fifo:  # sequence, deduplication and the delivery rows in one commit
            with self.db.transaction():
                message = self._accept(ctx, topic, entry)
        else:  # the delivery rows are the only write: enqueue's own transaction
            message = self._accept(ctx, topic, entry)
        out = {"MessageId": message.message_id}
        if message.sequence_number is not None:
            out["SequenceNumber"] = message.sequence_number
        return out

    def publish_batch(self, ctx: RequestContext, params: dict) -> dict:
        entries = params.get("PublishBatchRequestEntries") or []
        topic_arn = params.get("TopicArn")
        if not entries:
            raise AwsError("EmptyBatchRequest", "The batch request doesn't contain any entries.")
        if len(entries) > MAX_BATCH:
            raise AwsError("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.")
        ids = [entry.get("Id") for entry in entries]
        if len(set(ids)) != len(ids):
            raise AwsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
        for entry_id in ids:
            if not isinstance(entry_id, str) or not _BATCH_ID.match(entry_id):
                raise AwsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, "
                               "hyphens and underscores. It can be at most 80 letters long.")
        fifo = isinstance(topic_arn, str) and topic_arn.endswith(".fifo")
        checked: list[tuple[str, _Entry | EntryError]] = []
        total = 0
        for position, entry in enumerate(entries, start=1):
            try:
                item = _checked_entry(entry, fifo, f"publishBatchRequestEntries.{position}.member.messageAttributes")
                total += size_of(entry["Message"], item.attributes)
            except EntryError as exc:  # that entry fails; the others go on
                item = exc
            checked.append((entry["Id"], item))
        if total > MAX_MESSAGE_BYTES:
            raise AwsError("BatchRequestTooLong", "The length of all the messages put together is more than the "
                           "limit.")
        topic = self.topic_for(ctx, topic_arn)
        successful, failed = [], []
        with self.db.transaction():
            for entry_id, item in checked:
                if isinstance(item, EntryError):
                    failed.append({"Id": entry_id, "Code": item.code, "Message": item.message, "SenderFault": True})
                    continue
                message = self._accept(ctx, topic, item)
                result = {"Id": entry_id, "MessageId": message.message_id}
                if message.sequence_number is not None:
                    result["SequenceNumber"] = message.sequence_number
                successful.append(result)
        return {"Successful": successful, "Failed": failed}

    def _accept(self, ctx: RequestContext, topic, entry: _Entry) -> SnsMessage:
        """Sequence, deduplicate and enqueue one checked message (inside the caller's transaction)."""
        now = self.clock.now()
        message = SnsMessage(
            type=NOTIFICATION, message_id=str(uuid.uuid4()), topic_arn=topic.arn, timestamp=iso_timestamp(now),
            message=entry.message, endpoint=endpoint_base(ctx),
            signature_version=topic.attributes.get("SignatureVersion", "1"), subject=entry.subject,
            bodies=entry.bodies, attributes=entry.attributes, group_id=entry.group_id)
        self.topic_metrics.published(topic.arn, size_of(entry.message, entry.attributes))
        if topic.is_fifo:
            dedup_id = entry.deduplication_id
            if dedup_id is None:
                if not topic.content_based_deduplication:
                    raise invalid_parameter("The topic should either have ContentBasedDeduplication enabled or "
                                            "MessageDeduplicationId provided explicitly")
                dedup_id = hashlib.sha256(entry.message.encode("utf-8")).hexdigest()
            message.fifo = True
            message.deduplication_id = dedup_id
            seen = self._deduplicated(topic, entry.group_id, dedup_id, now)
            if seen is not None:
                message.message_id, message.sequence_number = seen
                return message
            message.sequence_number = str(FIRST_SEQUENCE + self.store.next_sequence(topic))
            self._remember(topic, entry.group_id, dedup_id, message, now)
            self.archive_message(topic, message, now)
        if ctx.trace_id:  # the only cost of tracing when the publisher sends no header
            self.tracer.trace(ctx, topic, message, now)
        matching = [sub for sub in self.store.subscriptions_of(topic.arn)
                    if sub.confirmed and (sub.filter is None or sub.filter.matches(
                        entry.attributes, message.body_for(sub.protocol)))]
        self.delivery.enqueue(message, matching)
        return message

    def _dedup_scope(self, topic, group_id: str, dedup_id: str) -> str:
        if topic.attributes.get("FifoThroughputScope") == "MessageGroup":
            return f"{topic.arn}\n{group_id}\n{dedup_id}"
        return f"{topic.arn}\n\n{dedup_id}"

    def _deduplicated(self, topic, group_id: str, dedup_id: str, now: float) -> tuple[str, str] | None:
        row = self.db.query_one("SELECT message_id, sequence_number, expires FROM fifo_deduplication WHERE scope = ?",
                                (self._dedup_scope(topic, group_id, dedup_id),))
        if row is None or row[2] <= now:
            return None
        return row[0], row[1]

    def _remember(self, topic, group_id: str, dedup_id: str, message: SnsMessage, now: float) -> None:
        self.db.execute("DELETE FROM fifo_deduplication WHERE expires <= ?", (now,))
        self.db.execute("INSERT OR REPLACE INTO fifo_deduplication (scope, message_id, sequence_number, expires) "
                        "VALUES (?, ?, ?, ?)", (self._dedup_scope(topic, group_id, dedup_id), message.message_id,
                                                message.sequence_number, now + DEDUPLICATION_WINDOW))
