"""Overcast's own endpoints under ``/_overcast/`` and LocalStack's ``/_localstack/health``."""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl

from overcast.gateway.asgi_io import read_body, send_json, send_response
from overcast.storage import group_commit


SNS_CERTIFICATE_PREFIX = "/_overcast/sns/SimpleNotificationService-"
LAMBDA_CODE_PATH = "/_overcast/lambda/code"  # GetFunction's presigned Code.Location


class InternalEndpoints:
    def __init__(self, cloud):
        self.cloud = cloud

    async def handle(self, method: str, path: str, scope, receive, send) -> None:
        with group_commit.tracking():  # what an endpoint wrote is on disk before it answers
            if (method, path.rstrip("/")) == ("GET", "/_overcast/sns/outbox"):
                await self._sns_outbox(scope, group_commit.settling(send))
                return
            if (method, path.rstrip("/")) == ("GET", LAMBDA_CODE_PATH):
                await self._lambda_code(scope, send)
                return
            await self._handle(method, path, receive, group_commit.settling(send))

    async def _sns_outbox(self, scope, send) -> None:
        """What SNS delivered to email, sms, application and firehose subscriptions."""
        services = self.cloud.services
        if not services.is_implemented("sns"):
            await send_json(send, 200, {"messages": []})
            return
        try:
            answer = (await services.started("sns")).outbox_listing(scope.get("query_string") or b"")
        except ValueError as exc:
            await send_json(send, 400, {"error": "BadRequest", "message": str(exc)})
            return
        await send_json(send, 200, answer)

    async def _lambda_code(self, scope, send) -> None:
        """A function's deployment package, for the signed URL GetFunction answered."""
        services = self.cloud.services
        query = dict(parse_qsl((scope.get("query_string") or b"").decode("latin-1")))
        body = (await (await services.started("lambda")).code_download(query)) if services.is_implemented("lambda") \
            else None
        if body is None:
            await send_response(send, 403, {"content-type": "application/xml"},
                                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                                b"<Message>Request has expired</Message></Error>")
            return
        await send_response(send, 200, {"content-type": "application/zip"}, body)

    async def _handle(self, method: str, path: str, receive, send) -> None:
        route = (method, path.rstrip("/") or "/")
        try:
            if route in (("GET", "/_overcast/health"), ("HEAD", "/_overcast/health")):
                await send_json(send, 200, self.cloud.health())
            elif route in (("GET", "/_localstack/health"), ("HEAD", "/_localstack/health")):
                await send_json(send, 200, self._localstack_health())
            elif route == ("POST", "/_overcast/reset"):
                await self.cloud.reset()
                await send_json(send, 200, {"reset": True})
            elif route == ("GET", "/_overcast/clock"):
                await send_json(send, 200, {"now": self.cloud.clock.now(), "offset": self.cloud.clock.offset})
            elif route == ("POST", "/_overcast/clock"):
                await self._clock(receive, send)
            elif route in (("GET", "/_overcast/imds"), ("POST", "/_overcast/imds")):
                await self._imds(method, receive, send)
            elif method == "GET" and path.startswith(SNS_CERTIFICATE_PREFIX):
                await self._sns_certificate(path, send)
            else:
                await send_json(send, 404, {"error": "NotFound", "message": f"No internal endpoint {method} {path}"})
        except _BadRequest as exc:
            await send_json(send, 400, {"error": "BadRequest", "message": str(exc)})

    async def _sns_certificate(self, path: str, send) -> None:
        """The certificate that verifies SNS message signatures (their SigningCertURL)."""
        signer = (await self.cloud.services.started("sns")).signer
        if path != signer.certificate_path():
            await send_json(send, 404, {"error": "NotFound", "message": f"No certificate {path}"})
            return
        await send_response(send, 200, {"content-type": "application/x-x509-ca-cert"}, signer.certificate_pem)

    async def _clock(self, receive, send) -> None:
        payload = await _json_object(receive, "{\"advance\": seconds} or {\"time\": epoch seconds}")
        clock = self.cloud.clock
        if "advance" in payload:
            seconds = payload["advance"]
        elif "time" in payload:
            target = payload["time"]
            if not isinstance(target, (int, float)) or isinstance(target, bool):
                raise _BadRequest("time must be a number of seconds since the epoch")
            seconds = target - clock.now()
        else:
            raise _BadRequest("give {\"advance\": seconds} or {\"time\": epoch seconds}")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not math.isfinite(seconds) \
                or seconds < 0:
            raise _BadRequest("the clock only moves forward: advance must be a number >= 0")
        await self.cloud.advance_clock(float(seconds))
        await send_json(send, 200, {"now": clock.now(), "offset": clock.offset})

    async def _imds(self, method: str, receive, send) -> None:
        """Whom the instance metadata endpoint answers as (see ``overcast.imds.choice``)."""
        from overcast.imds import choice

        if method == "GET":
            await send_json(send, 200, choice.describe(self.cloud))
            return
        payload = await _json_object(receive, '{"instance_id": ...} or {"instance_profile": ...}')
        try:
            await send_json(send, 200, await choice.choose(self.cloud, payload))
        except choice.ChoiceError as exc:
            raise _BadRequest(str(exc)) from None

    def _localstack_health(self) -> dict:
        health = self.cloud.health()
        return {"services": health["services"], "edition": "community", "version": health["version"]}


class _BadRequest(Exception):
    pass


async def _json_object(receive, expected: str) -> dict:
    """The request's body as a JSON object (an empty body is ``{}``), or 400 naming ``expected``."""
    body = await read_body(receive, 65536, None)
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise _BadRequest(f"the body must be JSON: {expected}") from None
    if not isinstance(payload, dict):
        raise _BadRequest("the body must be a JSON object")
    return payload
