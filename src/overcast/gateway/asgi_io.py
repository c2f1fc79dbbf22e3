"""Small helpers over ASGI: reading bodies, streaming them, writing responses."""

from __future__ import annotations

import json

from overcast.errors import AwsError, RequestEntityTooLarge


class TrackedReceive:
    """ASGI ``receive`` that remembers whether the request body was read to its end.

    A response sent before the body was read (an early error to an upload that sent
    ``Expect: 100-continue``) must close the connection: otherwise the unread body, or its
    absence, puts the next request on that connection out of step.
    """

    __slots__ = ("_receive", "done")

    def __init__(self, receive, expects_body: bool):
        self._receive = receive
        self.done = not expects_body

    async def __call__(self):
        message = await self._receive()
        if not message.get("more_body", False):
            self.done = True
        return message


def expects_body(headers: dict[str, str]) -> bool:
    """Whether the request announces a body (a non-zero Content-Length, or chunked)."""
    length = headers.get("content-length")
    if length is not None:
        return length.strip() not in ("0", "")
    return "transfer-encoding" in headers


class ReceiveStream:
    """A request body read from ASGI ``receive`` piece by piece (never whole in memory)."""

    __slots__ = ("_receive", "_done", "first")

    def __init__(self, receive, first: bytes = b""):
        self._receive = receive
        self._done = False
        self.first = first

    def __aiter__(self):
        return self._iterate()

    async def _iterate(self):
        if self.first:
            chunk, self.first = self.first, b""
            yield chunk
        while not self._done:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise AwsError("IncompleteBody", "The request body ended before its declared length.", 400)
            chunk = message.get("body", b"")
            self._done = not message.get("more_body", False)
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


async def drain(receive) -> None:
    """Read and drop the rest of a request body we will not use."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def send_response(send, status: int, headers: dict[str, str], body) -> None:
    """Write a response; ``body`` is bytes or an async iterator of bytes."""
    raw_headers = [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    if isinstance(body, (bytes, bytearray, memoryview)):
        if "content-length" not in headers and "Content-Length" not in headers:
            raw_headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": bytes(body)})
        return
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    async for chunk in body:
        if chunk:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def send_json(send, status: int, payload) -> None:
    await send_response(send, status, {"content-type": "application/json"}, json.dumps(payload).encode())
