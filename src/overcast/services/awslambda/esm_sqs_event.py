"""What an SQS event source mapping hands the function: AWS's SQS event record for each
received message (``{"Records": [...]}``, the shape the Lambda developer guide shows under
"Using Lambda with Amazon SQS"), and the document its FilterCriteria are matched against.

A record's ``attributes`` are the message's system attributes as strings; its
``messageAttributes`` use lowerCamelCase members (``stringValue``, ``binaryValue`` in base64,
``stringListValues``, ``binaryListValues``, ``dataType``).
"""

from __future__ import annotations

import base64
import json

# the system attributes a record carries, in the order AWS lists them
_SYSTEM = ("ApproximateReceiveCount", "AWSTraceHeader", "SentTimestamp", "SequenceNumber", "MessageGroupId",
           "SenderId", "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp", "DeadLetterQueueSourceArn")


def _binary(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value  # already base64 text


def _message_attribute(value: dict) -> dict:
    out: dict = {}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = _binary(value["BinaryValue"])
    out["stringListValues"] = list(value.get("StringListValues") or [])
    out["binaryListValues"] = [_binary(item) for item in value.get("BinaryListValues") or []]
    out["dataType"] = value.get("DataType", "")
    return out


def sqs_record(message: dict, queue_arn: str, region: str) -> dict:
    """The event record of one message of a ReceiveMessage answer."""
    system = message.get("Attributes") or {}
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {name: str(system[name]) for name in _SYSTEM if name in system},
        "messageAttributes": {name: _message_attribute(value)
                              for name, value in (message.get("MessageAttributes") or {}).items()},
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update({
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    })
    return record


def filter_document(record: dict) -> dict:
    """The record as FilterCriteria see it: a body holding a JSON object is matched as that
    object (``{"body": {"state": ["ok"]}}``); any other body as its plain text."""
    body = record.get("body")
    try:
        parsed = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return {**record, "body": parsed}
    return record


def event_payload(records: list[dict]) -> bytes:
    return json.dumps({"Records": records}, separators=(",", ":")).encode("utf-8")
