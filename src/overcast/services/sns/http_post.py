"""One HTTP/1.1 POST to a subscriber's endpoint, as SNS makes it (``runtime/http_client.py``
sends it).

SNS connects to exactly the host and port of the URL that was subscribed (never following a
redirect: a 3xx is a failed delivery), sends credentials written in the URL
(``https://user:password@host/``) as HTTP basic authentication, checks an HTTPS endpoint's
certificate against the trusted authorities, and gives up on an endpoint that has not
answered within ``TIMEOUT`` seconds. Only the status line matters: 2xx is delivered.
"""

from __future__ import annotations

from overcast.runtime.http_client import EndpointError, request, split_endpoint

__all__ = ["EndpointError", "TIMEOUT", "post", "split_endpoint"]

# How long SNS waits for an HTTP/S endpoint's answer before counting the delivery as failed
# (15 seconds, the figure AWS gives for its HTTP/S delivery timeout).
TIMEOUT = 15.0


async def post(url: str, headers: list[tuple[str, str]], body: bytes, timeout: float = TIMEOUT) -> int:
    """POST ``body`` to ``url``; returns the status code (raises EndpointError when none)."""
    return (await request("POST", url, headers, body, timeout=timeout)).status
