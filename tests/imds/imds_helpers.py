"""Raw HTTP to the instance metadata endpoint of the test server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

TTL = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN = "X-aws-ec2-metadata-token"


def imds(server, path: str, method: str = "GET", headers: dict | None = None) -> tuple[int, bytes, dict]:
    """(status, body, headers) of one request to ``server``'s metadata endpoint."""
    request = urllib.request.Request(server.imds_endpoint + path, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, error.read(), {k.lower(): v for k, v in error.headers.items()}


def text(server, path: str, **kwargs) -> str:
    status, body, _ = imds(server, path, **kwargs)
    assert status == 200, (path, status, body[:200])
    return body.decode()


def token(server, ttl: int = 21600) -> str:
    status, body, headers = imds(server, "/latest/api/token", "PUT", {TTL: str(ttl)})
    assert status == 200 and headers[TTL.lower()] == str(ttl)
    return body.decode()


def choose(server, **body) -> dict:
    return json.loads(server.post("/_overcast/imds", json.dumps(body).encode()))


def advance(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())
