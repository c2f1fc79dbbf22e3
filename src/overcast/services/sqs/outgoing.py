"""A send request, checked against its queue and ready for the engine (SendMessage and each
entry of SendMessageBatch)."""

from __future__ import annotations

from typing import NamedTuple

from overcast.services.sqs.md5 import md5_of_attributes, md5_of_body
from overcast.services.sqs.message_store import encode_attributes
from overcast.services.sqs.message_validation import (
    check_body,
    check_delay,
    check_fifo_id,
    check_message_attributes,
    check_size,
    check_system_attributes,
    invalid_parameter,
    missing_parameter,
)


class Outgoing(NamedTuple):
    """One message to enqueue, validated, with its digests computed once."""

    body: str
    md5_body: str
    attributes: str | None  # stored form (message_store.encode_attributes)
    md5_attributes: str | None
    trace_header: str | None
    md5_system: str | None
    delay: int | None  # None: the queue's DelaySeconds
    group_id: str | None
    dedup_id: str | None  # None on FIFO: derived from the body (ContentBasedDeduplication)
    size: int  # bytes counted against the size limits (body and message attributes)


def prepare(queue, params: dict, trace_id: str | None = None) -> Outgoing:
    """Check one message's parameters against ``queue``; the SQS error for the first problem.

    ``trace_id`` is the request's X-Amzn-Trace-Id header: it becomes the message's
    AWSTraceHeader unless the message sets that system attribute itself (which wins, as the
    X-Ray documentation for SQS says).
    """
    body = params.get("MessageBody")
    size = check_body(body)
    if len(params) == 2 and not queue.is_fifo:
        # Nothing but the body (beside QueueUrl or the entry Id): the common case, kept short.
        check_size(size, queue.maximum_message_size)
        return Outgoing(body, md5_of_body(body), None, None, trace_id, None, None, None, None, size)
    attributes = params.get("MessageAttributes")
    if attributes:
        size += check_message_attributes(attributes)
    check_size(size, queue.maximum_message_size)
    system = params.get("MessageSystemAttributes")
    trace_header = check_system_attributes(system) if system else None
    if trace_header is None:
        trace_header = trace_id
    delay = check_delay(params.get("DelaySeconds"), queue.is_fifo)
    group_id = params.get("MessageGroupId")
    dedup_id = params.get("MessageDeduplicationId")
    if queue.is_fifo:
        if group_id is None or group_id == "":
            raise missing_parameter("MessageGroupId")
        check_fifo_id("MessageGroupId", group_id)
        if dedup_id is not None:
            check_fifo_id("MessageDeduplicationId", dedup_id)
        elif not queue.content_based_deduplication:
            raise invalid_parameter(
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                "provided explicitly"
            )
    else:
        if group_id is not None:  # fair queues: a tenant id on a standard queue
            check_fifo_id("MessageGroupId", group_id)
        if dedup_id is not None:
            raise invalid_parameter(
                f"Value {dedup_id} for parameter MessageDeduplicationId is invalid. "
                "Reason: The request include parameter that is not valid for this queue type."
            )
    return Outgoing(
        body,
        md5_of_body(body),
        encode_attributes(attributes) if attributes else None,
        md5_of_attributes(attributes) if attributes else None,
        trace_header,
        md5_of_attributes(system) if system else None,
        delay,
        group_id,
        dedup_id,
        size,
    )


def payload_size(params: dict) -> int:
    """Bytes an entry that failed its checks counts toward a batch's total (body plus
    attributes), read leniently."""
    total = 0
    body = params.get("MessageBody")
    if isinstance(body, str):
        total += len(body.encode("utf-8", "surrogatepass"))
    attributes = params.get("MessageAttributes")
    if isinstance(attributes, dict):
        for name, value in attributes.items():
            total += len(str(name).encode("utf-8", "surrogatepass"))
            if isinstance(value, dict):
                for key in ("DataType", "StringValue"):
                    if isinstance(value.get(key), str):
                        total += len(value[key].encode("utf-8", "surrogatepass"))
                if isinstance(value.get("BinaryValue"), (bytes, bytearray)):
                    total += len(value["BinaryValue"])
    return total
