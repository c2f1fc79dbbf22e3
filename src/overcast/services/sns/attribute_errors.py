"""SNS's InvalidParameter for a bad attribute value, worded per operation.

SNS words the same complaint two ways: SetSubscriptionAttributes / SetTopicAttributes say
"Invalid parameter: <reason>", Subscribe / CreateTopic (attributes given with the call) say
"Invalid parameter: Attributes Reason: <reason>".
"""

from __future__ import annotations

from overcast.errors import AwsError


class InvalidAttribute(AwsError):
    """An attribute value SNS refuses; ``reason`` is the text after "Invalid parameter: "."""

    code = "InvalidParameter"

    def __init__(self, reason: str):
        super().__init__(message=f"Invalid parameter: {reason}")
        self.reason = reason

    def in_subscribe_attributes(self) -> AwsError:
        """The same error as an operation taking an Attributes map words it."""
        return AwsError("InvalidParameter", f"Invalid parameter: Attributes Reason: {self.reason}")
