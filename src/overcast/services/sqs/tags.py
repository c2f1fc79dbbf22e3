"""Queue tags: the limits SQS applies at CreateQueue and TagQueue.

Limits (SQS quotas, "Quotas related to queues"): at most 50 tags per queue; keys 1-128
characters, values 0-256 characters; keys are case-sensitive; a tag with an existing key
replaces it.
"""

from __future__ import annotations

from typing import Any

from overcast.errors import AwsError

MAX_TAGS = 50
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256


def checked_tags(tags: Any) -> dict[str, str]:
    """A request's tag map, each key and value checked."""
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise AwsError("InvalidParameterValue", "Tags must be a map of tag keys to values.")
    checked: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
            raise AwsError(
                "InvalidParameterValue",
                f"Tag keys must be between 1 and {MAX_KEY_LENGTH} characters in length.",
            )
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
            raise AwsError(
                "InvalidParameterValue",
                f"Tag values must be between 0 and {MAX_VALUE_LENGTH} characters in length.",
            )
        checked[key] = value
    return checked


def merged_tags(queue_name: str, current: dict[str, str], added: dict[str, str]) -> dict[str, str]:
    """``current`` with ``added`` applied, within the 50-tag limit."""
    merged = {**current, **added}
    if len(merged) > MAX_TAGS:
        raise AwsError(
            "InvalidParameterValue",
            f"Too many tags added for queue {queue_name}. A queue can have at most {MAX_TAGS} tags.",
        )
    return merged
