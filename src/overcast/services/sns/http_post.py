"""One HTTP/1.1 POST to a subscriber's endpoint, as SNS makes it.

SNS connects to exactly the host and port of the URL that was subscribed (never following a
redirect: a 3xx is a failed delivery), sends credentials written in the URL
(``https://user:password@host/``) as HTTP basic authentication, checks an HTTPS endpoint's
certificate against the trusted authorities, and gives up on an endpoint that has not
answered within ``TIMEOUT`` seconds. Only the status line matters: 2xx is delivered.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from urllib.parse import unquote, urlsplit

# How long SNS waits for an HTTP/S endpoint's answer before counting the delivery as failed
# (15 seconds, the figure AWS gives for its HTTP/S delivery timeout).
TIMEOUT = 15.0
_MAX_STATUS_LINE = 8192

_ssl_context: ssl.SSLContext | None = None


class EndpointError(Exception):
    """The endpoint could not be reached, or did not answer HTTP."""


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


async def post(url: str, headers: list[tuple[str, str]], body: bytes, timeout: float = TIMEOUT) -> int:
    """POST ``body`` to ``url``; returns the status code (raises EndpointError when none)."""
    try:
        return await asyncio.wait_for(_post(url, headers, body), timeout)
    except asyncio.TimeoutError:
        raise EndpointError(f"no answer from {url} within {timeout:g} seconds") from None
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        raise EndpointError(f"{type(exc).__name__}: {exc}") from None


async def _post(url: str, headers: list[tuple[str, str]], body: bytes) -> int:
    scheme, host, port, target, credentials = split_endpoint(url)
    tls = _tls() if scheme == "https" else None
    reader, writer = await asyncio.open_connection(host, port, ssl=tls, server_hostname=host if tls else None)
    try:
        default_port = 443 if scheme == "https" else 80
        host_header = f"[{host}]" if ":" in host else host
        if port != default_port:
            host_header += f":{port}"
        lines = [f"POST {target} HTTP/1.1", f"Host: {host_header}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if credentials is not None:
            lines.append(f"Authorization: Basic {credentials}")
        lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        writer.write("\r\n".join(lines).encode("utf-8") + body)
        await writer.drain()
        status_line = await reader.readuntil(b"\r\n")
        if len(status_line) > _MAX_STATUS_LINE:
            raise EndpointError("status line too long")
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise EndpointError(f"not an HTTP answer: {status_line[:80]!r}")
        return int(parts[1])
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass
