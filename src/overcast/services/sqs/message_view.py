"""How a received message is shown: which system and message attributes a ReceiveMessage asked
for (``All``, names, ``prefix.*`` wildcards) and the digests over what is returned."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.protocols.models import service_model
from overcast.services.sqs.fifo import sequence_number
from overcast.services.sqs.md5 import md5_of_attributes
from overcast.services.sqs.message_store import decode_attributes

SYSTEM_ATTRIBUTES = (
    "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
)


def _known_names() -> frozenset:
    # The deprecated AttributeNames takes queue attribute names too (SQS ignores those on a
    # message); anything outside both enums is an unknown attribute.
    model = service_model("sqs")
    names = set(SYSTEM_ATTRIBUTES) | {"All"}
    names.update(model.shape_for("QueueAttributeName").enum)
    return frozenset(names)


_KNOWN = _known_names()
_ALL = frozenset(SYSTEM_ATTRIBUTES)


def system_selection(*lists) -> frozenset:
    """The system attributes to return, from AttributeNames and MessageSystemAttributeNames."""
    chosen = set()
    for names in lists:
        for name in names or ():
            if name not in _KNOWN:
                raise AwsError("InvalidAttributeName", f"Unknown Attribute {name}.")
            if name == "All":
                return _ALL
            if name in _ALL:
                chosen.add(name)
    return frozenset(chosen)


class AttributeSelection:
    """MessageAttributeNames: ``All`` / ``*`` / ``.*``, exact names, and ``prefix.*`` wildcards."""

    __slots__ = ("everything", "names", "prefixes")

    def __init__(self, names):
        self.everything = False
        self.names = set()
        self.prefixes = []
        for name in names or ():
            if name in ("All", "*", ".*"):
                self.everything = True
            elif name.endswith(".*"):
                # As a pattern: "Hel.*" matches "Hello" and "Hel.lo", any name starting "Hel".
                self.prefixes.append(name[:-2])
            else:
                self.names.add(name)

    def __bool__(self) -> bool:
        return self.everything or bool(self.names) or bool(self.prefixes)

    def matches(self, name: str) -> bool:
        return self.everything or name in self.names or any(name.startswith(p) for p in self.prefixes)


def message_view(received, fifo: bool, system: frozenset, selection: AttributeSelection) -> dict:
    """The ``Message`` of a ReceiveMessage answer."""
    msg, stored, handle = received
    view = {
        "MessageId": stored.message_id,
        "ReceiptHandle": handle,
        "MD5OfBody": stored.md5_body,
        "Body": stored.body,
    }
    if system:
        view["Attributes"] = _system_attributes(msg, stored, fifo, system)
    if selection and stored.attributes:
        everything = decode_attributes(stored.attributes)
        chosen = everything if selection.everything else {
            name: value for name, value in everything.items() if selection.matches(name)
        }
        if chosen:
            view["MessageAttributes"] = chosen
            view["MD5OfMessageAttributes"] = (
                stored.md5_attributes if len(chosen) == len(everything) else md5_of_attributes(chosen)
            )
    return view


def _system_attributes(msg, stored, fifo: bool, system: frozenset) -> dict:
    values = {
        "SenderId": stored.sender_id,
        "SentTimestamp": str(stored.sent_at),
        "ApproximateReceiveCount": str(msg.receive_count),
        "ApproximateFirstReceiveTimestamp": str(msg.first_received_at),
    }
    if fifo:
        values["SequenceNumber"] = sequence_number(msg.seq)
        values["MessageDeduplicationId"] = stored.dedup_id
    if stored.group_id is not None:
        values["MessageGroupId"] = stored.group_id
    if stored.trace_header is not None:
        values["AWSTraceHeader"] = stored.trace_header
    if stored.dead_letter_source is not None:
        values["DeadLetterQueueSourceArn"] = stored.dead_letter_source
    if system is _ALL:
        return values
    return {name: value for name, value in values.items() if name in system}
