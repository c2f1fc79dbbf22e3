"""Delivery to mobile endpoints (protocol ``application``): into the outbox, as the push
service would have been handed it.

The body is the message's entry for the endpoint's platform when MessageStructure json gave
one (the ``GCM`` entry for GCM, ``APNS`` for APNS, ...), else SNS's wrapping of the default
text (an APNs alert, an FCM data message). A disabled endpoint, or one deleted since, is not
delivered to: the delivery is dropped, as SNS drops it.
"""

from __future__ import annotations

import json

from overcast.services.sns.delivery_protocols import DELIVERERS
from overcast.services.sns.outbox import write_entry


def _default_payload(platform: str, text: str) -> str:
    """What SNS sends a platform when only the default message was given."""
    if platform in ("APNS", "APNS_SANDBOX"):
        return json.dumps({"aps": {"alert": text}}, separators=(",", ":"))
    if platform in ("GCM", "ADM"):
        return json.dumps({"data": {"default": text}}, separators=(",", ":"))
    return text


def payload_for(platform: str, message) -> str:
    body = (message.bodies or {}).get(platform)
    return body if body is not None else _default_payload(platform, message.message)


async def deliver_to_device(provider, sub, message) -> None:
    found = provider.platform_endpoint(sub.endpoint)
    if found is None or found[1].get("Enabled") != "true":
        return
    platform, attributes = found
    entry = {"protocol": "application", "endpoint": sub.endpoint, "topicArn": message.topic_arn,
             "subscriptionArn": sub.arn if sub.topic_arn else "", "type": message.type,
             "messageId": message.message_id, "timestamp": message.timestamp, "platform": platform,
             "token": attributes.get("Token", ""), "body": payload_for(platform, message)}
    write_entry(provider, sub, message, entry)


DELIVERERS["application"] = deliver_to_device
