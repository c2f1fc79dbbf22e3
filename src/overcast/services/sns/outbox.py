"""The outbox: where email, email-json, sms, application and firehose deliveries land.

Nothing leaves the machine: each delivery to one of these protocols becomes a row of SNS's
database, as the recipient would have seen it (an email's sender, subject and text; the JSON
document of email-json and firehose; an SMS's text), so a test or a developer can read what
went out: ``GET /_overcast/sns/outbox?topic=<arn>&endpoint=<address>`` or ``overcast sns
outbox``. An email subscription's SubscriptionConfirmation lands here too, with its
SubscribeURL: opening it confirms the subscription, as clicking the link in AWS's email does.

Rows are written with the message id and the subscription as their key, so a delivery that
runs again after a crash does not land twice.
"""

from __future__ import annotations

import json

from overcast.services.sns.delivery_protocols import DELIVERERS
from overcast.services.sns.envelope import envelope, unsubscribe_url
from overcast.services.sns.message import NOTIFICATION, SUBSCRIPTION_CONFIRMATION, iso_timestamp

PROTOCOLS = ("email", "email-json", "sms", "application", "firehose")
SENDER = "no-reply@sns.amazonaws.com"
DEFAULT_LIMIT = 1000


_FOOTER = ("Please do not reply directly to this email. If you have any questions or comments regarding this "
           "email, please contact us at https://aws.amazon.com/support")



def _email_text(provider, sub, message) -> tuple[str, str]:
    """(subject, body) of the email AWS sends for ``message``."""
    if message.type == SUBSCRIPTION_CONFIRMATION:
        return ("AWS Notification - Subscription Confirmation",
                f"You have chosen to subscribe to the topic: \n{message.topic_arn}\n\n"
                "To confirm this subscription, click or visit the link below (If this was in error no action is "
                f"necessary): \n{message.subscribe_url}\n\n{_FOOTER}")
    if message.type == NOTIFICATION:
        body = message.body_for(sub.protocol)
        return (message.subject or "AWS Notification Message",
                f"{body}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit "
                f"the link below to unsubscribe:\n{unsubscribe_url(message.endpoint, sub.arn)}\n\n{_FOOTER}")
    return ("AWS Notification Message", message.message)


def entry_for(provider, sub, message) -> dict:
    """What the recipient of ``message`` at ``sub`` gets, as an outbox entry."""
    entry = {"protocol": sub.protocol, "endpoint": sub.endpoint, "topicArn": message.topic_arn,
             "subscriptionArn": sub.arn, "type": message.type, "messageId": message.message_id,
             "timestamp": message.timestamp}
    topic = provider.store.topic(message.topic_arn)
    display_name = (topic.attributes.get("DisplayName") if topic is not None else None) or ""
    if sub.protocol == "email":
        entry["from"] = f"{display_name or 'AWS Notifications'} <{SENDER}>"
        entry["subject"], entry["body"] = _email_text(provider, sub, message)
    elif sub.protocol == "email-json":
        entry["from"] = f"{display_name or 'AWS Notifications'} <{SENDER}>"
        entry["subject"] = message.subject or ("AWS Notification - Subscription Confirmation"
                                               if message.type == SUBSCRIPTION_CONFIRMATION
                                               else "AWS Notification Message")
        entry["body"] = envelope(message, sub.arn, sub.protocol, provider.signer)
    elif sub.protocol == "sms":
        entry["body"] = message.body_for("sms")
    elif sub.raw and message.type == NOTIFICATION:  # firehose, application
        entry["body"] = message.body_for(sub.protocol)
    else:
        entry["body"] = envelope(message, sub.arn, sub.protocol, provider.signer)
    if message.subscribe_url and message.type == SUBSCRIPTION_CONFIRMATION:
        entry["subscribeUrl"] = message.subscribe_url
    if message.type == NOTIFICATION:
        entry["unsubscribeUrl"] = unsubscribe_url(message.endpoint, sub.arn)
    return entry


async def deliver_to_outbox(provider, sub, message) -> None:
    """Record ``message`` as delivered to ``sub`` (a delivery that never fails)."""
    write_entry(provider, sub, message, entry_for(provider, sub, message))


def write_entry(provider, sub, message, entry: dict) -> None:
    """Add ``entry`` to the outbox, once per (message, subscription)."""
    db = provider.db
    db.execute(
        "INSERT OR IGNORE INTO outbox (time, topic_arn, subscription_arn, protocol, endpoint, message_id, entry) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (provider.clock.now(), message.topic_arn, sub.arn, sub.protocol, sub.endpoint, message.message_id,
         json.dumps(entry, separators=(",", ":"))))


def list_outbox(provider, topic: str | None = None, endpoint: str | None = None, protocol: str | None = None,
                limit: int = DEFAULT_LIMIT) -> list[dict]:
    """The outbox, oldest first; ``topic`` (an ARN, or a topic name), ``endpoint`` and
    ``protocol`` narrow it."""
    db = provider.db
    where, args = [], []
    if topic:
        if topic.startswith("arn:"):
            where.append("topic_arn = ?")
            args.append(topic)
        else:  # a topic name: the ARN's last part
            where.append("topic_arn LIKE ? ESCAPE '\\'")
            args.append("%:" + topic.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
    if endpoint:
        where.append("endpoint = ?")
        args.append(endpoint)
    if protocol:
        where.append("protocol = ?")
        args.append(protocol)
    sql = "SELECT id, time, entry FROM outbox"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.query(sql + " ORDER BY id LIMIT ?", (*args, max(1, int(limit))))
    out = []
    for row_id, time, text in rows:
        entry = json.loads(text)
        out.append({"id": row_id, "time": iso_timestamp(time), **entry})
    return out


for _protocol in PROTOCOLS:
    if _protocol != "application":  # mobile endpoints: platform_delivery.py
        DELIVERERS[_protocol] = deliver_to_outbox
