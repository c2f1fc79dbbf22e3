"""The Lambda Runtime API of one execution environment, served on 127.0.0.1.

A runtime client (Overcast's bootstraps, awslambdaric, a ``provided`` bootstrap in shell)
asks ``GET /2018-06-01/runtime/invocation/next`` for work and answers through
``/invocation/{id}/response`` or ``/invocation/{id}/error``; an init failure goes to
``/init/error``. A small HTTP/1.1 server on asyncio streams: the environment sits on the
event loop and a warm invocation costs one request each way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger("overcast.lambda.runtime_api")

_PREFIX = "/2018-06-01/runtime"
_MAX_BODY = 6 * 1024 * 1024 + 1024 * 1024  # the 6 MB response limit plus room for the error shape
_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            413: "Payload Too Large", 500: "Internal Server Error"}


@dataclass
class Invocation:
    """One request handed to the runtime, and what the runtime answered."""

    request_id: str
    payload: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str | None = None
    client_context: str | None = None
    handed_at: float | None = None  # time.monotonic() when the runtime received it (Duration's start)
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def headers(self) -> dict[str, str]:
        headers = {"Lambda-Runtime-Aws-Request-Id": self.request_id,
                   "Lambda-Runtime-Deadline-Ms": str(self.deadline_ms),
                   "Lambda-Runtime-Invoked-Function-Arn": self.function_arn,
                   "Content-Type": "application/json"}
        if self.trace_id:
            headers["Lambda-Runtime-Trace-Id"] = self.trace_id
        if self.client_context:
            headers["Lambda-Runtime-Client-Context"] = self.client_context
        return headers


@dataclass
class RuntimeOutcome:
    """The runtime's answer: a response body, or an error (its type and body)."""

    body: bytes
    error_type: str | None = None  # None: a response; else the Lambda-Runtime-Function-Error-Type


class RuntimeApi:
    """The server of one environment. ``next_invocation`` is awaited by ``/next``;
    ``on_init_error`` is told of ``/init/error``; ``on_first_next`` marks the end of init."""

    def __init__(self, next_invocation: Callable, on_init_error: Callable, on_first_next: Callable):
        self._next_invocation = next_invocation
        self._on_init_error = on_init_error
        self._on_first_next = on_first_next
        self._current: Invocation | None = None
        self._server: asyncio.base_events.Server | None = None
        self._initialised = False
        self.address = ""

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.address = f"{host}:{port}"
        return self.address

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                method, path, body, keep_alive = request
                status, headers, answer = await self._route(method, path, body)
                if not keep_alive:
                    headers = {**headers, "Connection": "close"}
                _write_response(writer, status, headers, answer)
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        except Exception:  # noqa: BLE001 - a confused client must not break the environment
            log.exception("runtime API request failed")
        finally:
            writer.close()

    async def _route(self, method: str, path: str, body: bytes) -> tuple[int, dict, bytes]:
        if not path.startswith(_PREFIX):
            return _error(404, "InvalidRequest", "unknown path")
        path = path[len(_PREFIX):].split("?", 1)[0]
        if path == "/invocation/next" and method == "GET":
            if not self._initialised:
                self._initialised = True
                self._on_first_next()
            invocation = await self._next_invocation()
            invocation.handed_at = time.monotonic()
            self._current = invocation
            return 200, invocation.headers(), invocation.payload
        if path == "/init/error" and method == "POST":
            self._on_init_error(RuntimeOutcome(body, "Runtime.Unknown"))
            return 202, {}, b'{"status":"OK"}'
        parts = path.split("/")
        if method == "POST" and len(parts) == 4 and parts[1] == "invocation" and parts[3] in ("response", "error"):
            current = self._current
            if current is None or current.request_id != parts[2] or current.done.done():
                return _error(400, "InvalidRequestID", "Invalid request ID")
            outcome = RuntimeOutcome(body, None if parts[3] == "response" else "Unhandled")
            current.done.set_result(outcome)
            return 202, {}, b'{"status":"OK"}'
        return _error(404, "InvalidRequest", "unknown path")


def _error(status: int, kind: str, message: str) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps({"errorType": kind,
                                                                     "errorMessage": message}).encode()


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes, bool] | None:
    """(method, path, body, keep the connection open) of the next request, None at its end."""
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, version = lines[0].split(" ", 2)
    length = 0
    chunked = False
    keep_alive = version.strip().upper() != "HTTP/1.0"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection":
            keep_alive = value.strip().lower() != "close" and (keep_alive or value.strip().lower() == "keep-alive")
    if chunked:
        body = await _read_chunked(reader)
    else:
        if length > _MAX_BODY:
            raise ConnectionError("body too large")
        body = await reader.readexactly(length) if length else b""
    return method, path, body, keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        total += size
        if total > _MAX_BODY:
            raise ConnectionError("body too large")
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _write_response(writer: asyncio.StreamWriter, status: int, headers: dict, body: bytes) -> None:
    head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}", f"Content-Length: {len(body)}"]
    head.extend(f"{name}: {value}" for name, value in headers.items())
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
