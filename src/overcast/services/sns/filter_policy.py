"""SNS subscription filter policies: compiled once when set, matched per delivered message.

``compile_filter_policy(text, scope)`` validates a FilterPolicy attribute as SNS does and
returns a ``FilterPolicy``; ``FilterPolicy.matches(message_attributes, body)`` says whether a
published message reaches the subscription.
"""

from __future__ import annotations

import json

from overcast.errors import AwsError

SCOPES = ("MessageAttributes", "MessageBody")


class InvalidFilterPolicy(AwsError):
    """SNS's InvalidParameter for a filter policy.

    ``reason`` is the text after "Invalid parameter: "; Subscribe words it inside its
    Attributes ("Invalid parameter: Attributes Reason: <reason>"), SetSubscriptionAttributes
    bare ("Invalid parameter: <reason>").
    """

    code = "InvalidParameter"

    def __init__(self, reason: str):
        super().__init__(message=f"Invalid parameter: {reason}")
        self.reason = reason

    def in_subscribe_attributes(self) -> AwsError:
        """The same error as Subscribe words it."""
        return AwsError("InvalidParameter", f"Invalid parameter: Attributes Reason: {self.reason}")


class FilterPolicy:
    """A validated filter policy (exact matching only in this first version)."""

    def __init__(self, policy: dict, scope: str):
        self.policy = policy
        self.scope = scope

    def matches(self, message_attributes: dict, body: str) -> bool:
        """True when every key of the policy matches one of its values."""
        for key, values in self.policy.items():
            attribute = message_attributes.get(key)
            if attribute is None:
                return False
            value = attribute.get("StringValue")
            if value is None or value not in [str(v) for v in values]:
                return False
        return True


def compile_filter_policy(text: str, scope: str) -> FilterPolicy:
    """Validate a FilterPolicy attribute value for the given FilterPolicyScope."""
    try:
        policy = json.loads(text)
    except ValueError:
        raise InvalidFilterPolicy("FilterPolicy: failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise InvalidFilterPolicy("FilterPolicy: Filter is not an object")
    return FilterPolicy(policy, scope)
