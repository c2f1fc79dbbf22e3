"""Queue attributes: names, defaults, ranges, and the validation SQS applies on Create/Set.

Values travel as strings (the API's attribute map is ``String -> String``); this module turns
a request's map into the normalized strings a queue stores (``"true"``/``"false"``, integers
without padding, redrive policies as compact JSON) and raises the errors SQS answers:
``InvalidAttributeName`` ("Unknown Attribute X.") for names SQS does not know or will not set,
``InvalidAttributeValue`` ("Invalid value for the parameter X.") for a value out of range, and
``InvalidParameterValue`` with SQS's "Value ... for parameter ... is invalid. Reason: ..." for
redrive policies. Checks that need other queues (the dead-letter target exists, has the same
type, lets this queue in) live in ``queues.py``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from overcast.errors import AwsError

# Integer attributes: name -> (minimum, maximum, default), from the CreateQueue documentation.
INTEGER_RANGES: dict[str, tuple[int, int, int]] = {
    "DelaySeconds": (0, 900, 0),  # up to 15 minutes
    "MaximumMessageSize": (1024, 1_048_576, 1_048_576),  # 1 KiB .. 1 MiB
    "MessageRetentionPeriod": (60, 1_209_600, 345_600),  # 1 minute .. 14 days, default 4 days
    "ReceiveMessageWaitTimeSeconds": (0, 20, 0),
    "VisibilityTimeout": (0, 43_200, 30),  # up to 12 hours
    "KmsDataKeyReusePeriodSeconds": (60, 86_400, 300),  # 1 minute .. 24 hours, default 5 minutes
}

# Every queue has these (stored at creation, returned by "All").
STANDARD_DEFAULTS: dict[str, str] = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    # SSE-SQS is on by default for queues created since October 2022.
    "SqsManagedSseEnabled": "true",
}

# FIFO queues also have these.
FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}

# The DeduplicationScope a FIFO queue was created with, kept beside its attributes under a name
# no API attribute can have (never listed nor compared): SQS goes on deduplicating by the
# creation-time scope after SetQueueAttributes changes DeduplicationScope.
CREATION_DEDUPLICATION_SCOPE = "overcast:DeduplicationScopeAtCreation"

# Present only once set (empty string removes them again).
OPTIONAL = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds")
REMOVABLE = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")

FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
# The high-throughput FIFO settings: on a standard queue SQS names the condition rather than
# calling them unknown (FifoQueue and ContentBasedDeduplication are simply unknown there).
HIGH_THROUGHPUT_ONLY = ("DeduplicationScope", "FifoThroughputLimit")
BOOLEANS = ("SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication")
ENUMS: dict[str, tuple[str, ...]] = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}

# Computed on read; never accepted by CreateQueue / SetQueueAttributes.
READ_ONLY = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
)

SETTABLE = (*INTEGER_RANGES, "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
            "SqsManagedSseEnabled", "FifoQueue", *FIFO_ONLY)

# Everything GetQueueAttributes knows, in the order "All" lists them.
ALL_NAMES = (
    "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
    "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds", "Policy", "RedrivePolicy", "RedriveAllowPolicy",
    "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue",
    "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
)
KNOWN_NAMES = frozenset(ALL_NAMES)

MAX_RECEIVE_COUNT = (1, 1000)  # RedrivePolicy.maxReceiveCount, both inclusive
MAX_SOURCE_QUEUE_ARNS = 10  # RedriveAllowPolicy.sourceQueueArns with byQueue
REDRIVE_PERMISSIONS = ("allowAll", "denyAll", "byQueue")

_INTEGER = re.compile(r"^\s*[+-]?\d{1,18}\s*$")


def unknown_attribute(name: str) -> AwsError:
    return AwsError("InvalidAttributeName", f"Unknown Attribute {name}.")


def invalid_value(name: str) -> AwsError:
    return AwsError("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


def fifo_only(name: str) -> AwsError:
    return AwsError("InvalidAttributeName", f"You can specify the {name} only when FifoQueue is set to true.")


def queue_type_change() -> AwsError:
    return AwsError(
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )


def invalid_parameter(name: str, value: str, reason: str) -> AwsError:
    return AwsError("InvalidParameterValue", f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def normalize(attributes: Any, *, fifo: bool, creating: bool) -> dict[str, str]:
    """Validate a request's attribute map; returns name -> normalized value.

    ``fifo`` is the queue's type (for CreateQueue: whether FifoQueue is "true"). A standard
    queue knows neither FifoQueue (not even "false") nor the FIFO-only attributes.
    ``creating`` is False for SetQueueAttributes, where FifoQueue "true" on a FIFO queue
    changes nothing (left out of the result) and "false" is refused.
    """
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise AwsError("InvalidParameterValue", "Attributes must be a map of attribute names to values.")
    result: dict[str, str] = {}
    for name, value in attributes.items():
        if name not in SETTABLE:
            raise unknown_attribute(name)
        if not fifo and name in HIGH_THROUGHPUT_ONLY:
            raise fifo_only(name)
        if not fifo and (name in FIFO_ONLY or name == "FifoQueue"):
            raise unknown_attribute(name)
        if not isinstance(value, str):
            value = "" if value is None else str(value)
        value = normalize_value(name, value)
        if name == "FifoQueue" and not creating:
            if value == "false":
                raise queue_type_change()
            continue  # already a FIFO queue
        result[name] = value
    if result.get("KmsMasterKeyId") and result.get("SqsManagedSseEnabled") == "true":
        # One server-side encryption at a time: SSE-KMS or SSE-SQS.
        raise AwsError(
            "InvalidAttributeValue",
            "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
        )
    return result


def normalize_value(name: str, value: str) -> str:
    """One attribute's value checked and in its stored form ('' for a removal)."""
    if name in INTEGER_RANGES:
        low, high, _ = INTEGER_RANGES[name]
        if not _INTEGER.match(value) or not low <= int(value) <= high:
            raise invalid_value(name)
        return str(int(value))
    if name in BOOLEANS:
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise invalid_value(name)
        return lowered
    if name in ENUMS:
        if value not in ENUMS[name]:
            raise invalid_value(name)
        return value
    if name == "RedrivePolicy":
        return "" if value == "" else json.dumps(parse_redrive_policy(value), separators=(",", ":"))
    if name == "RedriveAllowPolicy":
        return "" if value == "" else json.dumps(parse_redrive_allow_policy(value), separators=(",", ":"))
    if name == "Policy":
        if value != "":
            check_policy(value)
        return value
    return value  # KmsMasterKeyId: any key id, alias or ARN; '' removes it


def parse_redrive_policy(text: str) -> dict:
    """``{"deadLetterTargetArn": str, "maxReceiveCount": int}`` from a RedrivePolicy value."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise invalid_parameter("RedrivePolicy", text, "Redrive policy is not a valid JSON map.") from None
    if not isinstance(document, dict):
        raise invalid_parameter("RedrivePolicy", text, "Redrive policy is not a valid JSON map.")
    for key in ("deadLetterTargetArn", "maxReceiveCount"):
        if key not in document:
            raise invalid_parameter(
                "RedrivePolicy", text, f"Redrive policy does not contain mandatory attribute: {key}."
            )
    extra = sorted(set(document) - {"deadLetterTargetArn", "maxReceiveCount"})
    if extra:
        raise invalid_parameter(
            "RedrivePolicy", text,
            f"Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount], found {extra[0]}.",
        )
    arn = document["deadLetterTargetArn"]
    if not isinstance(arn, str) or not arn:
        raise invalid_parameter("RedrivePolicy", text, "Invalid value for deadLetterTargetArn.")
    count = document["maxReceiveCount"]
    parsed = _as_int(count)
    low, high = MAX_RECEIVE_COUNT
    if parsed is None or not low <= parsed <= high:
        raise invalid_parameter(
            "RedrivePolicy", text,
            f"Invalid value for maxReceiveCount: {count}, valid values are from {low} to {high} both inclusive.",
        )
    return {"deadLetterTargetArn": arn, "maxReceiveCount": parsed}


def parse_redrive_allow_policy(text: str) -> dict:
    """``{"redrivePermission": ..., ["sourceQueueArns": [...]]}`` from a RedriveAllowPolicy value."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        raise invalid_parameter("RedriveAllowPolicy", text, "Redrive allow policy is not a valid JSON map.")
    permission = document.get("redrivePermission")
    if permission not in REDRIVE_PERMISSIONS:
        raise invalid_parameter(
            "RedriveAllowPolicy", text,
            "Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.",
        )
    extra = sorted(set(document) - {"redrivePermission", "sourceQueueArns"})
    if extra:
        raise invalid_parameter(
            "RedriveAllowPolicy", text,
            f"Only following attributes are supported: [redrivePermission, sourceQueueArns], found {extra[0]}.",
        )
    sources = document.get("sourceQueueArns")
    if permission != "byQueue":
        if sources is not None:
            raise invalid_parameter(
                "RedriveAllowPolicy", text,
                "sourceQueueArns can be specified only when redrivePermission is byQueue.",
            )
        return {"redrivePermission": permission}
    if (not isinstance(sources, list) or not 1 <= len(sources) <= MAX_SOURCE_QUEUE_ARNS
            or not all(isinstance(arn, str) and arn for arn in sources)):
        raise invalid_parameter(
            "RedriveAllowPolicy", text,
            f"sourceQueueArns must list 1 to {MAX_SOURCE_QUEUE_ARNS} queue ARNs when redrivePermission is byQueue.",
        )
    return {"redrivePermission": permission, "sourceQueueArns": list(sources)}


def check_policy(text: str) -> dict:
    """The queue policy as a JSON object with statements, or ``InvalidAttributeValue``."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise invalid_value("Policy") from None
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), (list, dict)):
        raise invalid_value("Policy")
    return document


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.match(value):
        return int(value)
    return None


def same_value(name: str, left: str, right: str) -> bool:
    """Whether two stored values of ``name`` mean the same (CreateQueue's idempotence check)."""
    if left == right:
        return True
    if name == "Policy" and left and right:
        try:
            return json.loads(left) == json.loads(right)
        except ValueError:
            return False
    return False


def requested_names(names: Any) -> list[str]:
    """GetQueueAttributes' AttributeNames checked (``All`` expands to every name, in order)."""
    if not names:
        return []
    if not isinstance(names, list):
        names = [names]
    wanted: list[str] = []
    for name in names:
        if name == "All":
            return list(ALL_NAMES)
        if name not in KNOWN_NAMES:
            raise unknown_attribute(name)
        if name not in wanted:
            wanted.append(name)
    return wanted
