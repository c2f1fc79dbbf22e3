"""Topic attributes: which exist, which may be set, their checks, defaults and derived values.

Settable (CreateTopic's Attributes, SetTopicAttributes): DisplayName, Policy, DeliveryPolicy,
KmsMasterKeyId, TracingConfig, SignatureVersion, the delivery-status logging attributes, and
on FIFO topics ContentBasedDeduplication, ArchivePolicy and FifoThroughputScope; FifoTopic
only at creation. GetTopicAttributes adds what SNS computes (Owner, TopicArn, the
subscription counts, EffectiveDeliveryPolicy) and the default Policy SNS writes.
"""

from __future__ import annotations

import json

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.services.sns.archive import check_archive_policy
from overcast.services.sns.arns import invalid_parameter
from overcast.services.sns.delivery_policy import check_topic_delivery_policy

# The delivery-status logging attributes ("Amazon SNS message delivery status").
_FEEDBACK = tuple(f"{protocol}{kind}" for protocol in ("Application", "HTTP", "Lambda", "SQS", "Firehose")
                  for kind in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn"))
SETTABLE = frozenset({"DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "TracingConfig",
                      "SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope",
                      "DataProtectionPolicy", *_FEEDBACK})
FIFO_ONLY = frozenset({"ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope"})

# The EffectiveDeliveryPolicy of a topic without a DeliveryPolicy of its own.
DEFAULT_EFFECTIVE_DELIVERY_POLICY = json.dumps({"http": {
    "defaultHealthyRetryPolicy": {"minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
                                  "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0,
                                  "backoffFunction": "linear"},
    "disableSubscriptionOverrides": False,
    "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}}, separators=(",", ":"))

# The statement SNS writes into every new topic's Policy (see `aws sns get-topic-attributes`).
_DEFAULT_ACTIONS = ["SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:DeleteTopic", "SNS:GetTopicAttributes",
                    "SNS:Publish", "SNS:RemovePermission", "SNS:AddPermission", "SNS:SetTopicAttributes"]


def default_policy(topic_arn: str, account: str) -> str:
    return json.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                       "Action": list(_DEFAULT_ACTIONS), "Resource": topic_arn,
                       "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]}, separators=(",", ":"))


def checked_value(name: str, value, topic_arn: str, fifo: bool) -> str:
    """The value to store for attribute ``name`` (checked as SNS does), or InvalidParameter."""
    if name not in SETTABLE:
        raise invalid_parameter("AttributeName")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_parameter(name)
    if name in FIFO_ONLY and not fifo:
        if name == "ContentBasedDeduplication":
            raise invalid_parameter("ContentBasedDeduplication Reason: Content-based deduplication can only be "
                                    "set for FIFO topics")
        raise invalid_parameter(f"{name} Reason: {name} can only be set for FIFO topics")
    if name == "ContentBasedDeduplication":
        if value.lower() not in ("true", "false"):
            raise invalid_parameter("ContentBasedDeduplication Reason: Invalid value for ContentBasedDeduplication")
        return value.lower()
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise invalid_parameter("SignatureVersion Reason: Invalid value for SignatureVersion")
    if name == "TracingConfig" and value not in ("PassThrough", "Active"):
        raise invalid_parameter("TracingConfig Reason: Invalid value for TracingConfig")
    if name == "FifoThroughputScope" and value not in ("Topic", "MessageGroup"):
        raise invalid_parameter("FifoThroughputScope Reason: Invalid value for FifoThroughputScope")
    if name == "DisplayName" and len(value) > 100:  # "up to 100 characters" (SMS sender name)
        raise invalid_parameter("DisplayName Reason: DisplayName must be at most 100 characters long")
    if name == "Policy":
        _check_policy(value, topic_arn)
    if name in ("DeliveryPolicy", "ArchivePolicy") and value:
        try:
            document = json.loads(value)
        except ValueError:
            raise invalid_parameter(f"{name}: failed to parse JSON.") from None
        if not isinstance(document, dict):
            raise invalid_parameter(f"{name}: failed to parse JSON.")
        if name == "DeliveryPolicy":
            check_topic_delivery_policy(value)
        else:
            check_archive_policy(value, invalid_parameter)
    return value


def _check_policy(text: str, topic_arn: str) -> None:
    try:
        json.loads(text)
    except ValueError:
        raise invalid_parameter("Policy Error: null") from None
    try:
        parse_policy(text, "resource", topic_arn)
    except (PolicyDocumentError, ValueError) as exc:
        raise invalid_parameter(f"Policy Error: {exc}") from None


def checked_creation_attributes(attributes, topic_arn: str, fifo: bool) -> dict[str, str]:
    """CreateTopic's Attributes checked; FifoTopic handled by the caller."""
    if attributes is None:
        return {}
    out: dict[str, str] = {}
    for name, value in attributes.items():
        if name == "FifoTopic":
            continue
        out[name] = checked_value(name, value, topic_arn, fifo)
    return out
