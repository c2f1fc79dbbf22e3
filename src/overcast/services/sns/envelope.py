"""The JSON documents SNS delivers: Notification, SubscriptionConfirmation, UnsubscribeConfirmation.

Fields in AWS's order and AWS's layout (two-space indent, ``"Name" : value``), so a consumer
that compares bodies or parses them with a strict reader sees what AWS sends:

Notification: Type, MessageId, [SequenceNumber], TopicArn, [Subject], Message, Timestamp,
SignatureVersion, Signature, SigningCertURL, UnsubscribeURL, [MessageAttributes]. A FIFO
topic's notifications carry SequenceNumber and no signature fields (SignatureVersion,
Signature, SigningCertURL), as AWS's do.

Confirmations: Type, MessageId, Token, TopicArn, Message, SubscribeURL, Timestamp,
SignatureVersion, Signature, SigningCertURL.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from overcast.services.sns.message import NOTIFICATION, SnsMessage

_SAFE = ":/"  # AWS leaves the ARN's colons as they are in its URLs


def unsubscribe_url(endpoint: str, subscription_arn: str) -> str:
    return f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={quote(subscription_arn, safe=_SAFE)}"


def subscribe_url(endpoint: str, topic_arn: str, token: str) -> str:
    return f"{endpoint}/?Action=ConfirmSubscription&TopicArn={quote(topic_arn, safe=_SAFE)}&Token={token}"


def signed_fields(message: SnsMessage, body: str) -> dict:
    """The fields the signature covers (see ``signing.string_to_sign``)."""
    if message.type == NOTIFICATION:
        return {"Type": message.type, "MessageId": message.message_id, "TopicArn": message.topic_arn,
                "Subject": message.subject, "Message": body, "Timestamp": message.timestamp}
    return {"Type": message.type, "MessageId": message.message_id, "Token": message.token,
            "TopicArn": message.topic_arn, "Message": body, "SubscribeURL": message.subscribe_url,
            "Timestamp": message.timestamp}


def envelope_fields(message: SnsMessage, subscription_arn: str, protocol: str, signer) -> list[tuple[str, object]]:
    """The envelope's (name, value) pairs in AWS's order, signed with ``signer``."""
    body = message.body_for(protocol)
    if message.type == NOTIFICATION:
        fields: list[tuple[str, object]] = [("Type", message.type), ("MessageId", message.message_id)]
        if message.sequence_number is not None:
            fields.append(("SequenceNumber", message.sequence_number))
        fields.append(("TopicArn", message.topic_arn))
        if message.subject is not None:
            fields.append(("Subject", message.subject))
        fields += [("Message", body), ("Timestamp", message.timestamp)]
        if not message.fifo:
            fields += _signature_fields(message, body, signer)
        fields.append(("UnsubscribeURL", unsubscribe_url(message.endpoint, subscription_arn)))
        if message.attributes:
            fields.append(("MessageAttributes", {
                name: {"Type": value["DataType"], "Value": value.get("StringValue", value.get("BinaryValue"))}
                for name, value in message.attributes.items()}))
        return fields
    fields = [("Type", message.type), ("MessageId", message.message_id), ("Token", message.token),
              ("TopicArn", message.topic_arn), ("Message", body), ("SubscribeURL", message.subscribe_url),
              ("Timestamp", message.timestamp)]
    return fields + _signature_fields(message, body, signer)


def _signature_fields(message: SnsMessage, body: str, signer) -> list[tuple[str, object]]:
    if message.signature is None or message.bodies:
        # a per-protocol body has a signature of its own; the common one is kept for the rest
        signature = signer.sign(signed_fields(message, body), message.signature_version)
        if not message.bodies:
            message.signature = signature
    else:
        signature = message.signature
    return [("SignatureVersion", message.signature_version), ("Signature", signature),
            ("SigningCertURL", f"{message.endpoint}{signer.certificate_path()}")]


def render(fields: list[tuple[str, object]]) -> str:
    """AWS's layout of an envelope."""
    lines = []
    for name, value in fields:
        if name == "MessageAttributes":
            inner = ",\n".join(f"    {json.dumps(k)} : {json.dumps(v, separators=(',', ':'))}"
                               for k, v in value.items())
            lines.append(f"  {json.dumps(name)} : {{\n{inner}\n  }}")
        else:
            lines.append(f"  {json.dumps(name)} : {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def envelope(message: SnsMessage, subscription_arn: str, protocol: str, signer) -> str:
    """The JSON document delivered to a subscription that is not raw."""
    return render(envelope_fields(message, subscription_arn, protocol, signer))
