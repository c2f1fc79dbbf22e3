"""Subscription attributes: the settable ones, their checks, and what GetSubscriptionAttributes shows.

Subscribe words an error inside its Attributes ("Invalid parameter: Attributes Reason: ...");
SetSubscriptionAttributes bare ("Invalid parameter: ...").
"""

from __future__ import annotations

import json

from overcast.errors import AwsError
from overcast.services.sns.archive import check_replay_policy
from overcast.services.sns.arns import invalid_parameter
from overcast.services.sns.attribute_errors import InvalidAttribute
from overcast.services.sns.delivery_policy import check_subscription_delivery_policy
from overcast.services.sns.filter_policy import InvalidFilterPolicy, check_scope, compile_filter_policy

SETTABLE = frozenset({"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
                      "SubscriptionRoleArn", "ReplayPolicy"})
# Protocols that can take the message without its envelope.
RAW_PROTOCOLS = frozenset({"sqs", "http", "https", "firehose"})


def _error(text: str, subscribing: bool) -> AwsError:
    return invalid_parameter(f"Attributes Reason: {text}" if subscribing else text)


def checked_value(name: str, value, protocol: str, topic_arn: str, endpoint: str, scope: str,
                  subscribing: bool) -> str:
    """The value to store for ``name`` on a subscription of ``protocol``, checked as SNS does."""
    if name not in SETTABLE:
        raise _error("AttributeName", subscribing)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _error(name, subscribing)
    if name == "RawMessageDelivery":
        if protocol not in RAW_PROTOCOLS:
            raise _error(f"Delivery protocol [{protocol}] does not support raw message delivery.", subscribing)
        if value.lower() not in ("true", "false"):
            raise _error(f"RawMessageDelivery: Invalid value [{value}]. Must be true or false.", subscribing)
        return value.lower()
    if name == "FilterPolicyScope":
        try:
            check_scope(value)
        except AwsError:
            raise _error(f"FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or "
                         "MessageAttributes", subscribing) from None
        return value
    if name == "FilterPolicy":
        if value:
            try:
                compile_filter_policy(value, scope)
            except InvalidFilterPolicy as exc:
                raise (exc.in_subscribe_attributes() if subscribing else exc) from None
        return value
    if name == "RedrivePolicy" and value:
        _check_redrive_policy(value, topic_arn, endpoint, subscribing)
    if name in ("DeliveryPolicy", "ReplayPolicy") and value:
        try:
            document = json.loads(value)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise _error(f"{name}: failed to parse JSON.", subscribing)
        if name == "DeliveryPolicy":
            try:
                check_subscription_delivery_policy(value)
            except InvalidAttribute as exc:
                raise (exc.in_subscribe_attributes() if subscribing else exc) from None
        else:
            check_replay_policy(value, topic_arn.endswith(".fifo"), lambda text: _error(text, subscribing))
    if name == "SubscriptionRoleArn" and value and not value.startswith("arn:"):
        raise _error("SubscriptionRoleArn", subscribing)
    return value


def _check_redrive_policy(value: str, topic_arn: str, endpoint: str, subscribing: bool) -> None:
    try:
        document = json.loads(value)
    except ValueError:
        raise _error("RedrivePolicy: failed to parse JSON.", subscribing) from None
    target = document.get("deadLetterTargetArn") if isinstance(document, dict) else None
    parts = target.split(":") if isinstance(target, str) else []
    if len(parts) != 6 or parts[0] != "arn" or not parts[5]:
        raise _error("RedrivePolicy: deadLetterTargetArn is an invalid arn", subscribing)
    if topic_arn.endswith(".fifo") and endpoint.endswith(".fifo") and (parts[2] != "sqs"
                                                                        or not parts[5].endswith(".fifo")):
        raise _error("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.",
                     subscribing)


def shown(sub, topic_default_delivery_policy: str | None) -> dict[str, str]:
    """GetSubscriptionAttributes' map."""
    out = {
        "Owner": sub.owner, "RawMessageDelivery": "false", "TopicArn": sub.topic_arn, "Endpoint": sub.endpoint,
        "Protocol": sub.protocol, "PendingConfirmation": "false" if sub.confirmed else "true",
        "ConfirmationWasAuthenticated": sub.attributes.get("_authenticated", "false"),
        "SubscriptionArn": sub.arn,
    }
    principal = sub.attributes.get("_principal")
    if principal:
        out["SubscriptionPrincipal"] = principal
    for name, value in sub.attributes.items():
        if not name.startswith("_") and value != "":
            out[name] = value
    if "FilterPolicy" in out:
        out.setdefault("FilterPolicyScope", "MessageAttributes")
    else:
        out.pop("FilterPolicyScope", None)
    if sub.protocol in ("http", "https"):
        out["EffectiveDeliveryPolicy"] = sub.attributes.get("DeliveryPolicy") or topic_default_delivery_policy or ""
    return out
