"""Small helpers over ASGI: reading bodies, streaming them, writing responses."""

from __future__ import annotations

import asyncio
import json

from overcast.errors import AwsError, RequestEntityTooLarge
from overcast.gateway.wire_names import S3_WIRE_NAMES, s3_wire_name


class RequestBody:
    """The request body as ASGI delivers it: read whole or streamed, never both.

    It remembers whether the body was read to its end: a response sent before that (an early
    error to an upload that sent ``Expect: 100-continue``) must close the connection, or the
    unread body (or its absence) puts the next request on that connection out of step.
    """

    __slots__ = ("_receive", "done")

    def __init__(self, receive, headers: dict[str, str]):
        self._receive = receive
        length = headers.get("content-length")
        self.done = length.strip() in ("0", "") if length is not None else "transfer-encoding" not in headers

    async def read(self, limit: int, declared: str | None) -> bytes:
        """The whole body, refusing one larger than ``limit`` before reading it."""
        body = await read_body(self._receive, limit, declared)
        self.done = True
        return body

    def stream(self) -> "ReceiveStream":
        """The body piece by piece (large uploads), never whole in memory."""
        return ReceiveStream(self)

    async def receive_chunk(self) -> tuple[bytes, bool]:
        """The next piece of the body and whether more follows."""
        message = await self._receive()
        if message["type"] == "http.disconnect":
            raise AwsError("IncompleteBody", "The request body ended before its declared length.", 400)
        more = message.get("more_body", False)
        if not more:
            self.done = True
        return message.get("body", b""), more


class ReceiveStream:
    """An async iterator over a request body's pieces."""

    __slots__ = ("_body",)

    def __init__(self, body: RequestBody):
        self._body = body

    def __aiter__(self):
        return self._iterate()

    async def _iterate(self):
        more = not self._body.done
        while more:
            chunk, more = await self._body.receive_chunk()
            if chunk:
                yield chunk


async def read_body(receive, limit: int, declared: str | None) -> bytes:
    """The whole request body, refusing one larger than ``limit`` before reading it."""
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise AwsError("InvalidArgument", "Content-Length is not a number.", 400) from None
        if length < 0:
            raise AwsError("InvalidArgument", "Content-Length is negative.", 400)
        if length > limit:
            raise RequestEntityTooLarge(message=f"Request body of {length} bytes exceeds the limit of {limit}.")
    message = await receive()
    body = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    parts = [body]
    size = len(body)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise AwsError("IncompleteBody", "The request body ended before its declared length.", 400)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge(message=f"Request body exceeds the limit of {limit} bytes.")
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


# header name -> its bytes, for the few dozen names responses use
_ENCODED_NAMES: dict[str, bytes] = {}


def _raw_headers(headers: dict[str, str], s3: bool = False) -> list[tuple[bytes, bytes]]:
    raw = []
    names = S3_WIRE_NAMES if s3 else _ENCODED_NAMES
    for name, value in headers.items():
        encoded = names.get(name)
        if encoded is None:
            if s3:
                encoded = s3_wire_name(name)  # spelt as S3 writes it (wire_names.py)
            else:
                encoded = name.encode("latin-1")
                if len(_ENCODED_NAMES) < 1024:
                    _ENCODED_NAMES[name] = encoded
        raw.append((encoded, (value if type(value) is str else str(value)).encode("latin-1")))
    return raw


# A streamed body whose length is known and at most this is read whole and sent in one
# message (a small S3 object): one ASGI send instead of one per chunk plus the final empty one.
_SMALL_STREAM = 64 * 1024


async def send_response(send, status: int, headers: dict[str, str], body, s3: bool = False, receive=None) -> None:
    """Write a response; ``body`` is bytes or an async iterator of bytes. ``s3``: header
    names spelt as S3 writes them. ``receive``: a body that ``ends_with_client`` (a live
    tail) is streamed until its client leaves."""
    raw_headers = _raw_headers(headers, s3)
    if (getattr(body, "length", None) or 0) <= _SMALL_STREAM and hasattr(body, "read_chunk"):
        # a blob reader (``overcast.storage.blobs``): reads without blocking the loop
        chunks = []
        while chunk := body.read_chunk():
            chunks.append(chunk)
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if type(body) is bytes or isinstance(body, (bytearray, memoryview)):
        # (a 204 has no body and, as S3 answers it, no Content-Length)
        if "content-length" not in headers and "Content-Length" not in headers and status != 204:
            raw_headers.append((s3_wire_name("content-length") if s3 else b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": bytes(body)})
        return
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    if receive is not None and getattr(body, "ends_with_client", False):
        await _stream_until_client_leaves(send, body, receive)
        return
    async for chunk in body:
        if chunk:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _client_left(receive) -> None:
    """Returns when the client disconnects (the request body was read whole before, so the
    only message still to come is ``http.disconnect``)."""
    message = await receive()
    while message["type"] != "http.disconnect":
        message = await receive()


async def _stream_until_client_leaves(send, body, receive) -> None:
    """Stream ``body`` until it ends or the client disconnects. The server drops what is sent
    to a closed connection without a word, so a stream that only ends with its client (a live
    tail) would run on for hours: the connection is watched, and the body's iterator is
    cancelled and closed (its cleanup runs) the moment the client is gone."""
    left = asyncio.ensure_future(_client_left(receive))
    chunks = body.__aiter__()
    step = None
    try:
        while True:
            step = asyncio.ensure_future(chunks.__anext__())
            await asyncio.wait((step, left), return_when=asyncio.FIRST_COMPLETED)
            if not step.done():
                return  # the client left (the step is cancelled below)
            try:
                chunk = step.result()
            except StopAsyncIteration:
                break
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:  # also when this request itself is cancelled (a shutdown past its grace)
        left.cancel()
        if step is not None and not step.done():
            step.cancel()
            await asyncio.gather(step, return_exceptions=True)
        await chunks.aclose()


async def send_json(send, status: int, payload) -> None:
    await send_response(send, status, {"content-type": "application/json"}, json.dumps(payload).encode())
