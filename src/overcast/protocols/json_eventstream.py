"""Event-stream outputs of the AWS JSON protocols (CloudWatch Logs' ``StartLiveTail``).

The binary framing is ``eventstream.py``'s, shared with rest-xml and rest-json. What the JSON
protocols add: the response carries no JSON document of its own. Its first message is an
``initial-response`` event whose payload is the JSON of the output's other members (``{}``
when the stream is the only one): botocore reads that message before it returns from the call
("First event was not of type initial-response" otherwise), so it is written at once. Each
event after it is a JSON document of the event member's structure.

An operation returns its stream as the event-stream member of its result (an async or plain
iterator of one-key event dicts, as S3 Select does). Such a stream may never end by itself
(a live tail): the body handed to the gateway says so (``ends_with_client``), and the gateway
stops iterating it, running the iterator's cleanup, when the client goes away.
"""

from __future__ import annotations

import functools
import json as _json

from overcast.protocols import json_codec
from overcast.protocols.base import HttpResponse
from overcast.protocols.eventstream import CONTENT_TYPE, STRING, EventStreamWriter, encode_message

EVENT_CONTENT_TYPE = "application/json"

_dumps = _json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _encode_structure(shape, value) -> tuple[bytes, str]:
    return _dumps(json_codec.writer(shape, True)(value)).encode("utf-8"), EVENT_CONTENT_TYPE


@functools.lru_cache(maxsize=None)
def _stream_plan(operation) -> tuple[str, EventStreamWriter, object]:
    """(event-stream member name, its writer, the output shape) of ``operation``."""
    shape = operation.output_shape
    name = shape.event_stream_name
    return name, EventStreamWriter(shape.members[name], _encode_structure), shape


class EventStreamBody:
    """A response body of event-stream messages that may only end when its client leaves.

    ``ends_with_client`` asks the gateway to watch the connection while it streams and to close
    the iterator (its ``finally`` runs) once the client is gone."""

    ends_with_client = True

    def __init__(self, first: bytes, messages):
        self._first = first
        self._messages = messages

    def __aiter__(self):
        return self._iterate()

    async def _iterate(self):
        try:
            yield self._first
            async for message in self._messages:
                yield message
        finally:  # closed early (the client left): the stream's own cleanup runs now, not at GC
            await self._messages.aclose()


def serialize_event_stream(operation, result: dict, content_type: str, request_id: str) -> HttpResponse:
    """The 200 response of an operation whose output is an event stream."""
    name, writer, shape = _stream_plan(operation)
    rest = {key: value for key, value in result.items() if key != name}
    initial = _dumps(json_codec.writer(shape)(rest) if rest else {}).encode("utf-8")
    first = encode_message([(":message-type", STRING, "event"), (":event-type", STRING, "initial-response"),
                            (":content-type", STRING, content_type)], initial)
    events = result.get(name)
    body = EventStreamBody(first, writer.stream(events if events is not None else ()))
    return HttpResponse(200, {"content-type": CONTENT_TYPE, "x-amzn-requestid": request_id}, body)
