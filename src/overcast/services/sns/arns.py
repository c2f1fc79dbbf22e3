"""Reading the ARNs SNS operations name, with SNS's answers for a bad or unknown one."""

from __future__ import annotations

import re

from overcast.errors import AwsError

# arn:<partition>:sns:<region>:<12 digits>:<topic name>
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$")
_SUBSCRIPTION_ARN = re.compile(
    r"^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12}$")


def invalid_parameter(text: str) -> AwsError:
    """SNS's InvalidParameter: ``Invalid parameter: <text>``."""
    return AwsError("InvalidParameter", f"Invalid parameter: {text}")


def topic_not_found() -> AwsError:
    return AwsError("NotFound", "Topic does not exist")


def subscription_not_found() -> AwsError:
    return AwsError("NotFound", "Subscription does not exist")


def required(params: dict, name: str):
    value = params.get(name)
    if value is None:
        raise invalid_parameter(f"{name} Reason: no value for required parameter")
    return value


def parse_topic_arn(value, name: str = "TopicArn") -> tuple[str, str, str]:
    """(region, account, topic name) of a well-formed topic ARN, else InvalidParameter."""
    match = _TOPIC_ARN.match(value) if isinstance(value, str) else None
    if match is None:
        raise invalid_parameter(name)
    return match.group(1), match.group(2), match.group(3)


def is_subscription_arn(value) -> bool:
    return isinstance(value, str) and _SUBSCRIPTION_ARN.match(value) is not None


def subscription_topic_arn(value, name: str = "SubscriptionArn") -> str:
    """The topic ARN a well-formed subscription ARN starts with, else InvalidParameter."""
    match = _SUBSCRIPTION_ARN.match(value) if isinstance(value, str) else None
    if match is None:
        raise invalid_parameter(name)
    return match.group(1)
