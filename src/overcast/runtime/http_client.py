"""One outbound HTTP/1.1 request from Overcast to a user's endpoint (SNS HTTP/S subscriptions,
EventBridge API destinations and their OAuth authorization endpoints).

The request goes to exactly the host and port of the URL (a redirect is an answer like any
other: never followed), carries credentials written in the URL (``https://user:pw@host/``) as
HTTP basic authentication when the caller asks for it, checks an HTTPS endpoint's certificate
against the trusted authorities, and gives up on an endpoint that has not answered within the
caller's timeout. ``Connection: close`` on every request: one request per connection, so the
answer's body ends at the end of the stream when it has neither a length nor chunks.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

_MAX_HEAD_LINE = 8192
_MAX_HEADERS = 200

_ssl_context: ssl.SSLContext | None = None


class EndpointError(Exception):
    """The endpoint could not be reached, did not answer HTTP, or did not answer in time."""

    def __init__(self, message: str, *, timed_out: bool = False):
        super().__init__(message)
        self.timed_out = timed_out


@dataclass
class Answer:
    """An endpoint's answer: its status, its headers (names lower-cased, in order) and as much
    of its body as the caller asked to read (decoded from gzip/deflate when so encoded)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)


def _tls() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = ssl.create_default_context()
    return _ssl_context


def split_endpoint(url: str) -> tuple[str, str, int, str, str | None]:
    """(scheme, host, port, request target, basic credentials or None) of an endpoint URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"not an HTTP/S URL: {url}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise EndpointError(f"bad port in {url}") from None
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    credentials = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        credentials = base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return scheme, parts.hostname, port, target, credentials


async def request(method: str, url: str, headers: list[tuple[str, str]], body: bytes, *, timeout: float,
                  url_credentials: bool = True, max_body: int = 0) -> Answer:
    """Sends one request; returns the answer with at most ``max_body`` bytes of its body (0: the
    body is not read). Raises EndpointError when there is no HTTP answer within ``timeout``."""
    try:
        return await asyncio.wait_for(_exchange(method, url, headers, body, url_credentials, max_body), timeout)
    except asyncio.TimeoutError:
        raise EndpointError(f"no answer from {url} within {timeout:g} seconds", timed_out=True) from None
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
            zlib.error) as exc:
        raise EndpointError(f"{type(exc).__name__}: {exc}") from None


async def _exchange(method: str, url: str, headers: list[tuple[str, str]], body: bytes, url_credentials: bool,
                    max_body: int) -> Answer:
    scheme, host, port, target, credentials = split_endpoint(url)
    tls = _tls() if scheme == "https" else None
    reader, writer = await asyncio.open_connection(host, port, ssl=tls, server_hostname=host if tls else None)
    try:
        default_port = 443 if scheme == "https" else 80
        host_header = f"[{host}]" if ":" in host else host
        if port != default_port:
            host_header += f":{port}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host_header}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if credentials is not None and url_credentials:
            lines.append(f"Authorization: Basic {credentials}")
        lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        writer.write("\r\n".join(lines).encode("utf-8") + body)
        await writer.drain()
        answer = await _read_head(reader)
        if max_body and method != "HEAD" and answer.status not in (204, 304) and answer.status >= 200:
            answer.body = _decoded(answer, await _read_body(reader, answer, max_body))
        return answer
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass


async def _read_line(reader: asyncio.StreamReader) -> bytes:
    line = await reader.readuntil(b"\r\n")
    if len(line) > _MAX_HEAD_LINE:
        raise EndpointError("answer line too long")
    return line


async def _read_head(reader: asyncio.StreamReader) -> Answer:
    status_line = await _read_line(reader)
    parts = status_line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise EndpointError(f"not an HTTP answer: {status_line[:80]!r}")
    answer = Answer(int(parts[1]))
    while True:
        line = (await _read_line(reader)).decode("latin-1").rstrip("\r\n")
        if not line:
            return answer
        if len(answer.headers) >= _MAX_HEADERS:
            raise EndpointError("too many answer headers")
        name, _, value = line.partition(":")
        answer.headers.append((name.strip().lower(), value.strip()))


async def _read_body(reader: asyncio.StreamReader, answer: Answer, limit: int) -> bytes:
    if (answer.header("transfer-encoding") or "").lower().endswith("chunked"):
        chunks, size = [], 0
        while size < limit:
            length = int((await _read_line(reader)).split(b";")[0].strip() or b"0", 16)
            if length == 0:
                break
            chunk = await reader.readexactly(length)
            await reader.readexactly(2)
            chunks.append(chunk)
            size += length
        return b"".join(chunks)[:limit]
    length = answer.header("content-length")
    if length is not None and length.isdigit():
        return await reader.readexactly(min(int(length), limit))
    parts, size = [], 0  # ``Connection: close``: the body ends with the stream
    while size < limit and (part := await reader.read(limit - size)):
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _decoded(answer: Answer, body: bytes) -> bytes:
    encoding = (answer.header("content-encoding") or "").lower()
    if encoding == "gzip":
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body
