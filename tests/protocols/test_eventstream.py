"""The event-stream encoder, judged by botocore's own decoder (``botocore.eventstream``)."""

from __future__ import annotations

import asyncio
import uuid
import zlib
from datetime import datetime, timezone

import pytest
from botocore.eventstream import EventStream, EventStreamBuffer
from botocore.exceptions import EventStreamError
from botocore.parsers import create_parser
from urllib3._collections import HTTPHeaderDict

from overcast.errors import AwsError
from overcast.protocols import get_protocol
from overcast.protocols.eventstream import (
    BYTE, BYTES, INTEGER, LONG, SHORT, STRING, TIMESTAMP, TRUE, UUID, encode_message,
)
from overcast.protocols.models import service_model


def decode(data: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def test_message_with_every_header_type_decodes():
    moment = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    message = encode_message(
        [
            ("yes", TRUE, True),
            ("no", TRUE, False),
            ("byte", BYTE, -5),
            ("short", SHORT, 1234),
            ("int", INTEGER, -70000),
            ("long", LONG, 2**40),
            ("bytes", BYTES, b"\x00\xff"),
            ("text", STRING, "héllo"),
            ("when", TIMESTAMP, moment),
            ("id", UUID, ident),
        ],
        b"payload",
    )
    (decoded,) = decode(message)
    assert decoded.payload == b"payload"
    assert decoded.headers == {
        "yes": True, "no": False, "byte": -5, "short": 1234, "int": -70000, "long": 2**40,
        "bytes": b"\x00\xff", "text": "héllo", "when": 1714564800250, "id": ident.bytes,
    }


def test_crcs_cover_prelude_and_message():
    message = encode_message({":event-type": "End"}, b"")
    assert int.from_bytes(message[8:12], "big") == zlib.crc32(message[:8])
    assert int.from_bytes(message[-4:], "big") == zlib.crc32(message[:-4])
    assert int.from_bytes(message[:4], "big") == len(message)
    corrupted = message[:-5] + bytes([message[-5] ^ 1]) + message[-4:]
    with pytest.raises(Exception):
        decode(corrupted)


def test_several_messages_in_one_buffer():
    data = b"".join(encode_message({":event-type": f"E{i}"}, b"x" * i) for i in range(5))
    assert [m.headers[":event-type"] for m in decode(data)] == [f"E{i}" for i in range(5)]


class Raw:
    def __init__(self, chunks):
        self.chunks = chunks

    def stream(self):
        yield from self.chunks

    def close(self):
        pass


def client_events(protocol: str, operation, response):
    async def drain():
        return [chunk async for chunk in response.body]

    chunks = asyncio.run(drain())
    parsed = create_parser(protocol).parse(
        {"status_code": response.status, "headers": HTTPHeaderDict(response.headers), "body": Raw(chunks),
         "context": {"operation_name": operation.name}},
        operation.output_shape,
    )
    payload = operation.output_shape.serialization["payload"]
    assert isinstance(parsed[payload], EventStream)
    return parsed[payload]


class Ctx:
    request_id = "req-1"


def test_s3_select_object_content_stream():
    op = service_model("s3").operation_model("SelectObjectContent")

    async def events():
        yield {"Records": {"Payload": b"a,b\n"}}
        yield {"Records": {"Payload": b"c,d\n"}}
        yield {"Stats": {"Details": {"BytesScanned": 100, "BytesProcessed": 100, "BytesReturned": 8}}}
        yield {"Progress": {"Details": {"BytesScanned": 50}}}
        yield {"Cont": {}}
        yield {"End": {}}

    response = get_protocol("rest-xml").serialize_response(op, {"Payload": events()}, Ctx())
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    got = list(client_events("rest-xml", op, response))
    assert got == [
        {"Records": {"Payload": b"a,b\n"}},
        {"Records": {"Payload": b"c,d\n"}},
        {"Stats": {"Details": {"BytesScanned": 100, "BytesProcessed": 100, "BytesReturned": 8}}},
        {"Progress": {"Details": {"BytesScanned": 50}}},
        {"Cont": {}},
        {"End": {}},
    ]


def test_an_error_raised_mid_stream_ends_it_with_an_error_message():
    op = service_model("s3").operation_model("SelectObjectContent")

    async def events():
        yield {"Records": {"Payload": b"row\n"}}
        raise AwsError("InvalidTextEncoding", "UTF-8 encoding is required.")

    response = get_protocol("rest-xml").serialize_response(op, {"Payload": events()}, Ctx())
    stream = iter(client_events("rest-xml", op, response))
    assert next(stream) == {"Records": {"Payload": b"row\n"}}
    with pytest.raises(EventStreamError) as caught:
        next(stream)
    assert caught.value.response["Error"] == {"Code": "InvalidTextEncoding", "Message": "UTF-8 encoding is required."}


def test_modelled_exception_events_and_plain_iterables():
    model = service_model("lambda")
    op = model.operation_model("InvokeWithResponseStream")
    events = [
        {"PayloadChunk": {"Payload": b'{"part": 1}'}},
        {"InvokeComplete": {"ErrorCode": "", "LogResult": "bG9n"}},
    ]
    response = get_protocol("rest-json").serialize_response(op, {"StatusCode": 200, "EventStream": events}, Ctx())
    assert list(client_events("rest-json", op, response)) == [
        {"PayloadChunk": {"Payload": b'{"part": 1}'}},
        {"InvokeComplete": {"ErrorCode": "", "LogResult": "bG9n"}},
    ]

    bedrock = service_model("bedrock-runtime")
    op = bedrock.operation_model("InvokeModelWithResponseStream")

    async def failing():
        yield {"chunk": {"bytes": b"hi"}}
        raise AwsError("ThrottlingException", "slow down")

    response = get_protocol("rest-json").serialize_response(op, {"body": failing(), "contentType": "application/json"}, Ctx())
    stream = iter(client_events("rest-json", op, response))
    assert next(stream) == {"chunk": {"bytes": b"hi"}}
    with pytest.raises(EventStreamError) as caught:
        next(stream)
    # a modelled exception travels as its stream member: AWS names it by the member
    assert caught.value.response["Error"]["Code"] == "throttlingException"
    assert caught.value.response["Error"]["Message"] == "slow down"
