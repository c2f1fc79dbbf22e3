"""A message on its way to subscribers, as the delivery queue stores it.

One ``SnsMessage`` per Publish (or per confirmation SNS sends on its own), shared by every
subscription it goes to; what differs per subscription (the body of a per-protocol
MessageStructure, the envelope's UnsubscribeURL) is chosen when it is delivered.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field, fields

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"


def iso_timestamp(epoch: float) -> str:
    """AWS's envelope time: ``2012-05-02T00:54:06.655Z``."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class SnsMessage:
    type: str
    message_id: str
    topic_arn: str
    timestamp: str
    message: str  # the default body
    endpoint: str  # the base URL of Overcast as the publisher reached it ("http://localhost:4566")
    signature_version: str = "1"
    subject: str | None = None
    # MessageStructure "json": protocol -> body (the "default" one is ``message``)
    bodies: dict[str, str] | None = None
    # name -> {"DataType": ..., "StringValue": ...} or {"DataType": ..., "BinaryValue": base64 text}
    attributes: dict[str, dict] = field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    fifo: bool = False
    token: str | None = None  # confirmations
    subscribe_url: str | None = None  # confirmations
    # for confirmations and direct SMS: the one subscription the message is for, and a copy of
    # it (protocol, endpoint, owner, attributes) for when it is gone by delivery time (an
    # UnsubscribeConfirmation) or never existed (Publish to a PhoneNumber)
    subscription_arn: str | None = None
    subscription: dict | None = None
    # the X-Amzn-Trace-Id the deliveries carry on (``tracing.py``); None when Publish had none
    trace_header: str | None = None
    # with active tracing, SNS's segment of the message (its id, its start): deliveries add
    # their subsegments to it
    trace_segment: str | None = None
    trace_started: float | None = None
    signature: str | None = field(default=None, compare=False)  # computed once, on first delivery

    def body_for(self, protocol: str) -> str:
        """The body a subscription of ``protocol`` gets (MessageStructure json picks per protocol)."""
        if self.bodies:
            return self.bodies.get(protocol, self.message)
        return self.message

    def to_payload(self) -> str:
        # by hand, not dataclasses.asdict: this runs once per Publish (asdict deep-copies)
        data = {name: getattr(self, name) for name in _PAYLOAD_FIELDS}
        return json.dumps({k: v for k, v in data.items() if v is not None and v != {}}, separators=(",", ":"))

    @classmethod
    def from_payload(cls, text: str) -> "SnsMessage":
        return cls(**json.loads(text))


_PAYLOAD_FIELDS = tuple(f.name for f in fields(SnsMessage) if f.name != "signature")
