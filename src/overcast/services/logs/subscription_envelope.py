"""What a subscription filter sends: AWS's envelope, gzipped (and base64 for Lambda).

DATA_MESSAGE (one per destination call)::

    {"messageType": "DATA_MESSAGE", "owner": "<account>", "logGroup": "...", "logStream": "...",
     "subscriptionFilters": ["<filter name>"], "logEvents": [{"id", "timestamp", "message"}],
     "policyLevel": "LOG_GROUP_LEVEL" | "ACCOUNT_LEVEL"}

CONTROL_MESSAGE: the test message sent to a Kinesis or Firehose destination when a filter is
put ("CWL CONTROL MESSAGE: Checking health of destination ..."), owner ``CloudwatchLogs``.

A Lambda function receives ``{"awslogs": {"data": base64(gzip(json))}}``; a Kinesis stream or
Firehose stream receives the gzipped JSON as the record's data.
"""

from __future__ import annotations

import base64
import gzip
import json

# Lambda's asynchronous invocation payload limit is 256 KB; AWS splits a batch's events over
# several messages to stay under the destinations' limits (the events' own text dominates).
MAX_MESSAGE_EVENT_BYTES = 200 * 1024
_EVENT_OVERHEAD = 64  # the id, timestamp and JSON punctuation of one event, roughly


def data_messages(owner: str, group_name: str, stream_name: str, filter_name: str, events,
                  policy_level: str = "LOG_GROUP_LEVEL") -> list[dict]:
    """The DATA_MESSAGEs carrying ``events`` (IngestedEvents), split to stay deliverable."""
    messages: list[dict] = []
    chunk: list[dict] = []
    size = 0
    for event in events:
        entry = {"id": event.event_id, "timestamp": event.timestamp, "message": event.message}
        cost = len(event.message.encode("utf-8", "surrogatepass")) + _EVENT_OVERHEAD
        if chunk and size + cost > MAX_MESSAGE_EVENT_BYTES:
            messages.append(_data_message(owner, group_name, stream_name, filter_name, chunk, policy_level))
            chunk, size = [], 0
        chunk.append(entry)
        size += cost
    if chunk:
        messages.append(_data_message(owner, group_name, stream_name, filter_name, chunk, policy_level))
    return messages


def _data_message(owner, group_name, stream_name, filter_name, entries, policy_level) -> dict:
    return {"messageType": "DATA_MESSAGE", "owner": owner, "logGroup": group_name, "logStream": stream_name,
            "subscriptionFilters": [filter_name], "logEvents": entries, "policyLevel": policy_level}


def control_message(destination_kind: str, now_ms: int) -> dict:
    """The test message a Kinesis or Firehose destination gets when a filter is put."""
    what = "Kinesis stream" if destination_kind == "kinesis" else "Firehose"
    text = f"CWL CONTROL MESSAGE: Checking health of destination {what}."
    return {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
            "subscriptionFilters": [], "logEvents": [
                {"id": "", "timestamp": now_ms, "message": text}]}


def gzipped(message: dict) -> bytes:
    """The message as the destinations receive it: gzip of its compact JSON."""
    return gzip.compress(json.dumps(message, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def lambda_event(message: dict) -> dict:
    """The event a Lambda function is invoked with."""
    return {"awslogs": {"data": base64.b64encode(gzipped(message)).decode("ascii")}}
