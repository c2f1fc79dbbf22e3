"""The binary ``application/vnd.amazon.eventstream`` framing, and event-stream outputs.

A message is::

    total length (u32) | headers length (u32) | prelude CRC32 (u32)
    headers: name length (u8) name, type (u8), value ...
    payload
    message CRC32 (u32, over everything before it)

all big-endian. Header value types: 0 true, 1 false, 2 byte, 3 short, 4 integer, 5 long,
6 bytes (u16 length), 7 string (u16 length, UTF-8), 8 timestamp (i64 milliseconds), 9 uuid.

An output payload modelled as an event stream (S3 SelectObjectContent's ``Payload``) is
returned by a service as an iterator (async or not) of events, each a one-key dict naming the
event member: ``{"Records": {"Payload": b"..."}}``. Each event becomes one message with
``:message-type: event`` and ``:event-type: <member>``; an exception member of the stream
becomes ``:message-type: exception``; an ``AwsError`` raised by the iterator ends the stream
with an ``:message-type: error`` message (or an exception message when the stream models it).
"""

from __future__ import annotations

import calendar
import struct
import uuid
import zlib
from datetime import datetime
from typing import Any, AsyncIterator, Callable

from overcast.errors import AwsError
from overcast.protocols.values import to_datetime

CONTENT_TYPE = "application/vnd.amazon.eventstream"

_U16 = struct.Struct(">H")
_PRELUDE = struct.Struct(">II")
_U32 = struct.Struct(">I")

TRUE, FALSE, BYTE, SHORT, INTEGER, LONG, BYTES, STRING, TIMESTAMP, UUID = range(10)

# (shape, value) -> (payload bytes, content type), from the protocol (JSON or XML body codec)
StructureEncoder = Callable[[Any, Any], tuple[bytes, str]]


def _header_bytes(name: str, kind: int, value) -> bytes:
    raw_name = name.encode("utf-8")
    head = bytes((len(raw_name),)) + raw_name
    if kind in (TRUE, FALSE):
        return head + bytes((TRUE if value else FALSE,))
    if kind == BYTE:
        return head + struct.pack(">Bb", BYTE, value)
    if kind == SHORT:
        return head + struct.pack(">Bh", SHORT, value)
    if kind == INTEGER:
        return head + struct.pack(">Bi", INTEGER, value)
    if kind == LONG:
        return head + struct.pack(">Bq", LONG, value)
    if kind == TIMESTAMP:
        if not isinstance(value, int):
            dt = to_datetime(value)
            value = calendar.timegm(dt.utctimetuple()) * 1000 + dt.microsecond // 1000
        return head + struct.pack(">Bq", TIMESTAMP, value)
    if kind == UUID:
        raw = value.bytes if isinstance(value, uuid.UUID) else bytes(value)
        return head + bytes((UUID,)) + raw
    if kind == BYTES:
        raw = bytes(value)
        return head + bytes((BYTES,)) + _U16.pack(len(raw)) + raw
    raw = str(value).encode("utf-8")
    return head + bytes((STRING,)) + _U16.pack(len(raw)) + raw


def header_kind(value) -> int:
    """The header type a Python value is written as when no shape says otherwise."""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, int):
        return INTEGER if -(2**31) <= value < 2**31 else LONG
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BYTES
    if isinstance(value, datetime):
        return TIMESTAMP
    if isinstance(value, uuid.UUID):
        return UUID
    return STRING


def encode_message(headers: list[tuple[str, int, Any]] | dict[str, Any], payload: bytes = b"") -> bytes:
    """One event-stream message. ``headers`` is a list of (name, type, value) or a dict whose
    value types are inferred (str -> string, int -> integer/long, bool, bytes, datetime)."""
    if isinstance(headers, dict):
        headers = [(name, header_kind(value), value) for name, value in headers.items()]
    raw_headers = b"".join(_header_bytes(name, kind, value) for name, kind, value in headers)
    total = 12 + len(raw_headers) + len(payload) + 4
    prelude = _PRELUDE.pack(total, len(raw_headers))
    prelude_crc = zlib.crc32(prelude)
    head = prelude + _U32.pack(prelude_crc)
    crc = zlib.crc32(payload, zlib.crc32(raw_headers, zlib.crc32(head)))
    return b"".join((head, raw_headers, payload, _U32.pack(crc)))


_KIND_OF_TYPE = {
    "boolean": TRUE, "byte": BYTE, "short": SHORT, "integer": INTEGER, "long": LONG,
    "blob": BYTES, "string": STRING, "timestamp": TIMESTAMP,
}


class _EventPlan:
    """How one event member of a stream becomes a message."""

    __slots__ = ("name", "shape", "exception", "headers", "payload", "payload_kind", "payload_shape")

    def __init__(self, name: str, shape):
        self.name = name
        self.shape = shape
        self.exception = bool(shape.metadata.get("exception"))
        self.headers: list[tuple[str, int]] = []
        self.payload = None
        self.payload_kind = "structure"
        self.payload_shape = shape
        for member_name, member in shape.members.items():
            ser = member.serialization
            if ser.get("eventheader"):
                kind = _KIND_OF_TYPE.get(member.type_name, STRING)
                self.headers.append((member_name, kind))
            elif ser.get("eventpayload"):
                self.payload = member_name
                self.payload_shape = member
                self.payload_kind = member.type_name if member.type_name in ("blob", "string") else "structure"


class EventStreamWriter:
    """Encodes the events of one event-stream shape, using the protocol's body encoder."""

    def __init__(self, stream_shape, encode_structure: StructureEncoder):
        self.events = {name: _EventPlan(name, member) for name, member in stream_shape.members.items()}
        # exception members by member name and by error code (``throttlingException`` is the
        # member holding the ``ThrottlingException`` shape)
        self.exceptions = {}
        for name, plan in self.events.items():
            if plan.exception:
                self.exceptions[name] = plan
                self.exceptions.setdefault(plan.shape.error_code or plan.shape.name, plan)
        self.encode_structure = encode_structure

    def encode_event(self, event: dict) -> bytes:
        """The message of one event (``{"Records": {...}}``)."""
        if not isinstance(event, dict) or len(event) != 1:
            raise TypeError(f"an event is a one-key dict, not {event!r}")
        (name, value), = event.items()
        plan = self.events.get(name)
        if plan is None:
            raise TypeError(f"no event {name!r} in this stream")
        value = value or {}
        headers: list[tuple[str, int, Any]] = []
        if plan.exception:
            headers.append((":message-type", STRING, "exception"))
            headers.append((":exception-type", STRING, name))
        else:
            headers.append((":message-type", STRING, "event"))
            headers.append((":event-type", STRING, name))
        for member_name, kind in plan.headers:
            item = value.get(member_name)
            if item is not None:
                if kind == TRUE and not item:
                    kind = FALSE
                headers.append((member_name, kind, item))
        if not plan.shape.members:
            # an event with no members (S3 Select's Cont and End) is headers only, no payload
            return encode_message(headers)
        if plan.payload_kind == "blob":
            payload = value.get(plan.payload) or b""
            payload = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
            content_type = "application/octet-stream"
        elif plan.payload_kind == "string":
            payload = (value.get(plan.payload) or "").encode("utf-8")
            content_type = "text/plain"
        elif plan.payload is not None:
            inner = value.get(plan.payload)
            payload, content_type = self.encode_structure(plan.payload_shape, inner or {})
        else:
            payload, content_type = self.encode_structure(plan.shape, value)
        headers.insert(2, (":content-type", STRING, content_type))
        return encode_message(headers, payload)

    def encode_error(self, error: AwsError) -> bytes:
        """The message ending a stream with ``error``: a modelled exception event if the stream
        has one by that code, else a generic ``:message-type: error`` message."""
        plan = self.exceptions.get(error.code)
        if plan is not None:
            body = dict(error.fields)
            for key in ("Message", "message"):
                if key in plan.shape.members and key not in body:
                    body[key] = error.message
            return self.encode_event({plan.name: body})
        return encode_message(
            [
                (":message-type", STRING, "error"),
                (":error-code", STRING, error.code),
                (":error-message", STRING, error.message),
            ]
        )

    async def stream(self, events) -> AsyncIterator[bytes]:
        """Encode ``events`` (an async or plain iterable of event dicts) as they come."""
        try:
            if hasattr(events, "__aiter__"):
                async for event in events:
                    yield self.encode_event(event)
            else:
                for event in events:
                    yield self.encode_event(event)
        except AwsError as error:
            yield self.encode_error(error)
