"""The daemon's TCP side: what the SDKs' centralized sampling asks the daemon (``POST
/GetSamplingRules``, ``POST /SamplingTargets``, JSON in and out, unsigned), answered by
X-Ray's own operations for the server's default account and region, as the daemon would
after signing and forwarding the call."""

from __future__ import annotations

import json

from overcast.context import RequestContext
from overcast.errors import AwsError

# path -> X-Ray operation, as the daemon's proxy maps them
ROUTES = {"/GetSamplingRules": "GetSamplingRules", "/SamplingTargets": "GetSamplingTargets"}
_MAX_BODY = 1024 * 1024


def _plain(value):
    """Timestamps as epoch seconds (what the SDKs read), everything else as is."""
    if hasattr(value, "timestamp"):
        return value.timestamp()
    raise TypeError(f"not JSON: {type(value).__name__}")


class SamplingProxyApp:
    """An ASGI app answering the two sampling calls."""

    def __init__(self, cloud, account: str, region: str):
        self.cloud = cloud
        self.account = account
        self.region = region

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        operation = ROUTES.get(scope["path"])
        if scope["method"] != "POST" or operation is None:
            return await _answer(send, 404, {"message": "Not Found"})
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > _MAX_BODY:
                return await _answer(send, 413, {"message": "Request Entity Too Large"})
            if not message.get("more_body"):
                break
        try:
            params = json.loads(body) if body.strip() else {}
            if not isinstance(params, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return await _answer(send, 400, {"__type": "SerializationException", "message": "Invalid JSON body"})
        ctx = RequestContext(account=self.account, region=self.region, service="xray", operation=operation,
                             registry=self.cloud.services)
        try:
            result = await self.cloud.services.invoke(ctx, params)
        except AwsError as exc:
            return await _answer(send, exc.status, {"__type": exc.code, "message": exc.message})
        except (KeyError, TypeError, ValueError, AttributeError):  # shapes the model check let through
            return await _answer(send, 400, {"__type": "InvalidRequestException", "message": "Invalid request"})
        await _answer(send, 200, result)


async def _answer(send, status: int, payload: dict) -> None:
    body = json.dumps(payload, default=_plain).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
