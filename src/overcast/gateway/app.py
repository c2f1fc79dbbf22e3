"""The ASGI app: every request, from bytes in to bytes out.

routing -> auth (inspect) -> body (read whole, or streamed for streaming uploads) -> auth
(verify) -> protocol parse -> service operation -> protocol serialize. Any ``AwsError`` is
answered in the request's protocol; anything else is an Overcast bug, logged with its
traceback and answered as ``InternalFailure`` (never a traceback on the wire).
"""

from __future__ import annotations

import gc
import itertools
import logging
import time
from random import getrandbits as _random_bits

from overcast.auth import Authenticator
from overcast.auth.query_headers import apply_query_headers
from overcast.auth.sigv4 import S3_SIGNING_NAMES
from overcast.cloud import Cloud
from overcast.context import RequestContext
from overcast.errors import AwsError, InternalFailure, NotImplementedOperation
from overcast.gateway.accesslog import AccessLog
from overcast.gateway.asgi_io import RequestBody, send_response
from overcast.gateway.content_encoding import decode_body
from overcast.gateway.fallback import fallback_error
from overcast.gateway.function_urls import LAMBDA_URL_PATH, asgi_headers, is_function_url, serve_function_url
from overcast.gateway.internal import InternalEndpoints
from overcast.gateway.routing import WEBSITE_PATH, Router, WebsiteTarget, website_target
from overcast.gateway.storage_full import StorageAlarm, cannot_store, unavailable_error
from overcast.protocols import HttpRequest, HttpResponse, get_protocol
from overcast.protocols.models import service_model
from overcast.runtime.audit import AuditRecord
from overcast.storage import group_commit

log = logging.getLogger("overcast.gateway")

# Answered on every response to a browser, so the JavaScript SDK can read AWS's headers.
_CORS_EXPOSE = (
    "x-amz-request-id,x-amz-id-2,x-amzn-requestid,x-amzn-errortype,x-amz-version-id,"
    "x-amz-delete-marker,etag,content-length,x-amz-checksum-crc32,x-amz-checksum-crc32c,"
    "x-amz-checksum-sha1,x-amz-checksum-sha256,x-amz-checksum-crc64nvme,x-amzn-query-error"
)


def new_request_id() -> str:
    """A request id shaped like AWS's (a version 4 UUID): random per process, then a counter.

    Unique within the process by the counter and across restarts by the random part; a fifth
    of the cost of ``uuid4()`` on every request.
    """
    return f"{_ID_PREFIX}{next(_ID_COUNTER):012x}"


_ID_PREFIX = "%08x-%04x-4%03x-%x%03x-" % (
    _random_bits(32), _random_bits(16), _random_bits(12), 8 | _random_bits(2), _random_bits(12)
)
_ID_COUNTER = itertools.count(_random_bits(40))


def _join_repeated(raw_headers) -> dict[str, str]:
    """Headers with repeated names joined by commas, as HTTP defines them."""
    headers: dict[str, str] = {}
    for name, value in raw_headers:
        key = name.decode("latin-1")
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]},{text}" if key in headers else text
    return headers


def _settle_garbage_collector() -> None:
    """Keep the garbage collector off the long-lived heap (service models, plans, routes).

    Everything alive after startup is moved out of the collector's generations, so a full
    collection no longer walks the hundreds of thousands of botocore model objects; requests
    allocate short-lived objects that the young generation handles.
    """
    gc.collect()
    gc.freeze()


class Gateway:
    """The ASGI application of one cloud."""

    def __init__(self, cloud: Cloud):
        self.cloud = cloud
        self.settings = cloud.settings
        self.router = Router()
        self.auth = Authenticator(cloud.settings, cloud.clock, cloud.credentials)
        self.access_log = AccessLog(cloud.settings.log_level)
        self.internal = InternalEndpoints(cloud)
        self.storage_alarm = StorageAlarm()
        # Strict mode only: open mode pays nothing for authorization.
        self.authorizer = None
        if cloud.settings.strict:
            from overcast.auth.authorization.authorizer import Authorizer

            self.authorizer = Authorizer(cloud.services, cloud.clock, cloud.authorization_messages)
            cloud.services.authorizer = self.authorizer  # in-process calls made with the caller's permissions
        # Request quotas (--quotas): off by default, and then no cost per request.
        self.quotas = None
        if cloud.settings.quotas != "off":
            from overcast.quotas.limiter import Limiter
            from overcast.quotas.rules import load

            self.quotas = Limiter(load(cloud.settings.quotas), cloud.services)

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            await self.handle_http(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.cloud.start()
                    self.router.warm()
                    _settle_garbage_collector()
                except Exception as exc:  # noqa: BLE001 - reported to the server, which exits
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.access_log.flush()
                await self.cloud.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def handle_http(self, scope, receive, send):
        started = time.perf_counter()
        method = scope["method"]
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        website_path = False
        if path.startswith("/_overcast/") or path.startswith("/_localstack/"):
            website_path = path.startswith(WEBSITE_PATH)
            if not website_path and not path.startswith(LAMBDA_URL_PATH):
                await self.internal.handle(method, path, scope, receive, send)
                return
        raw_headers = scope["headers"]
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw_headers}
        if len(headers) != len(raw_headers):
            headers = _join_repeated(raw_headers)
        query_string = scope["query_string"].decode("latin-1")
        # S3's website endpoint (path form, or host form: one substring test on the hot path)
        if website_path or "s3-website" in headers.get("host", ""):
            target = website_target(headers.get("host", ""), path)
            if target is not None:
                await self._website(target, method, path, query_string, headers, scope, receive, send, started)
                return
            if website_path:  # no bucket named: an internal path like any other
                await self.internal.handle(method, path, scope, receive, send)
                return
        if is_function_url(headers.get("host", ""), path):  # Lambda function URLs (gateway/function_urls.py)
            answer = await serve_function_url(self, method, path, query_string, headers, scope,
                                              RequestBody(receive, headers))
            if answer is not None:
                await send({"type": "http.response.start", "status": answer[0], "headers": asgi_headers(
                    {**answer[1], "content-length": str(len(answer[2]))})})
                await send({"type": "http.response.body", "body": answer[2]})
                return
        if method == "OPTIONS":
            answer = await self._bucket_preflight(path, headers)
            if answer is not None:
                await send_response(send, *answer, s3=True)
                return
        if method == "OPTIONS" and "access-control-request-method" in headers:
            await send_response(send, 200, self._preflight_headers(headers), b"")
            return

        client = scope.get("client")
        ctx = RequestContext(
            account="",
            region=self.settings.region,
            service="",
            request_id=new_request_id(),
            trace_id=headers.get("x-amzn-trace-id"),
            source_ip=client[0] if client else "",
            host=headers.get("host", ""),
            registry=self.cloud.services,
        )
        scope["overcast.ctx"] = ctx  # http_protocol.py: a stalled body's answer depends on the service
        request = HttpRequest(method, path, query_string, headers)
        ctx.extra["request"] = request  # for checks on headers no model member holds (S3 DeleteObjects' Content-MD5)
        ctx.extra["started"] = started  # the audit record's start and duration
        body = RequestBody(receive, headers)
        with group_commit.tracking():  # the writes the answer waits for (group commit)
            response = await self._respond(ctx, request, body)
        if not body.done:
            response.headers["connection"] = "close"
        s3 = ctx.service == "s3"
        if s3:
            response.headers["server"] = "AmazonS3"  # every S3 answer, errors and 304s included
        if "origin" in headers:
            if s3:  # a bucket's own CORS rules decide, as in S3: no rule, no CORS headers
                response.headers.update(self._bucket_cors(ctx, method, path, headers))
            else:
                response.headers.setdefault("access-control-allow-origin", "*")
                response.headers.setdefault("access-control-expose-headers", _CORS_EXPOSE)
        log_hook = ctx.extra.get("access_log_hook")  # S3 server access logging (services/s3/access_log.py)
        ready = time.perf_counter() if log_hook is not None else 0.0
        await send_response(send, response.status, response.headers, response.body, s3=s3, receive=receive)
        if log_hook is not None:
            log_hook(ctx, response, started, ready)
        if self.access_log.enabled:
            millis = (time.perf_counter() - started) * 1000
            self.access_log.log(method, path, ctx.service or "-", ctx.operation, response.status, millis,
                                ctx.request_id, ctx.extra.get("error_code"))

    async def _website(self, target: WebsiteTarget, method: str, path: str, query_string: str,
                       headers: dict[str, str], scope, receive, send, started: float) -> None:
        """A request to a bucket's static website (``services/s3/website_endpoint.py``):
        anonymous, answered in HTML, never through S3's REST operations."""
        registry = self.cloud.services
        s3 = await registry.started("s3")
        client = scope.get("client")
        ctx = RequestContext(account="", region=target.region or self.settings.region, service="s3",
                             request_id=new_request_id(), trace_id=headers.get("x-amzn-trace-id"),
                             source_ip=client[0] if client else "", host=headers.get("host", ""),
                             registry=registry)
        request = HttpRequest(method, path, query_string, headers)
        body = RequestBody(receive, headers)
        response = await s3.serve_website(ctx, request, target.bucket, target.path, target.base, self.authorizer)
        if not body.done:
            response.headers["connection"] = "close"
        response.headers["server"] = "AmazonS3"  # a website endpoint answers as S3 too
        await send_response(send, response.status, response.headers, response.body, s3=True)
        if self.access_log.enabled:
            millis = (time.perf_counter() - started) * 1000
            self.access_log.log(method, path, "s3-website", "", response.status, millis, ctx.request_id)

    async def _respond(self, ctx: RequestContext, request: HttpRequest, body: RequestBody) -> HttpResponse:
        protocol = operation = model = None
        params: dict = {}
        try:
            headers = request.headers
            try:
                info = self.auth.inspect(request.method, request.query_string, headers)
            except AwsError:
                # a signature naming no service: S3 (the REST fallback) answers in its own envelope
                route = self.router.route(request.method, request.path, request.query_string, headers, None)
                if route.service == "s3":
                    ctx.service, ctx.protocol = route.service, route.protocol
                    protocol, model = get_protocol(route.protocol), service_model("s3")
                raise
            if info is not None and (info.kind == "sigv2-presigned"
                                     or (info.kind == "presigned" and info.service in S3_SIGNING_NAMES)):
                apply_query_headers(info, request.query_string, headers)  # before routing: x-amz-copy-source...
            route = self.router.route(
                request.method, request.path, request.query_string, headers, info.service if info else None
            )
            ctx.service, ctx.protocol = route.service, route.protocol
            if info is not None and info.region:
                ctx.region = info.region
            protocol = get_protocol(route.protocol)
            limit = self.settings.max_body_bytes
            encoded = None  # a gzip body as sent (the signature covers it); parsed decoded
            if protocol.needs_body_to_route:
                request.body = await body.read(limit, headers.get("content-length"))
                encoded = decode_body(request, route.protocol, limit)
            if route.candidates:
                self.router.refine(route, request, lambda name: protocol.find_operation(service_model(name), request))
                ctx.service = route.service
            model = service_model(route.service)
            if route.service == "s3" and _is_form_upload(protocol, model, request):
                return await self._form_upload(ctx, request, body, protocol, model)
            operation = protocol.find_operation(model, request)
            ctx.operation = operation.name
            if not protocol.needs_body_to_route:
                if operation.has_streaming_input:
                    if not route.implemented:  # refuse before reading a body nobody will use
                        raise self._not_implemented(route.service, operation.name)
                    request.stream = self.auth.wrap_stream(info, headers, body.stream())
                elif not body.done:
                    if (self.authorizer is not None and route.service == "s3"
                            and headers.get("expect", "").lower() == "100-continue"):
                        # reading the body sends 100 Continue: a refusal must come first
                        await self._authorize_before_body(info, request, ctx, protocol, operation)
                    request.body = await body.read(limit, headers.get("content-length"))
                    encoded = decode_body(request, route.protocol, limit)
            if encoded is not None:
                request.body, decoded = encoded, request.body
            identity = self.auth.authenticate(info, request, ctx)
            if encoded is not None:
                request.body = decoded
            ctx.account, ctx.access_key = identity.account, identity.access_key
            ctx.principal_arn, ctx.user_id = identity.principal_arn, identity.user_id
            ctx.credential = identity.credential
            params = protocol.parse_request(operation, request)
            if self.access_log.debug:
                self.access_log.log_params(ctx.request_id, ctx.service, operation.name, params, operation.input_shape)
            if not route.implemented:  # after parsing: malformed input is still a 4xx
                raise self._not_implemented(route.service, operation.name)
            if self.quotas is not None:  # over its request quota: the service's throttling error
                await self.quotas.check(ctx, request.method, params)
            if self.authorizer is not None:
                # AWS's order: the request's own parameters, then authorization
                await self.cloud.services.validate_request(ctx, params)
                await self.authorizer.authorize(ctx, params, request)
            self.cloud.service_metrics.count_call(ctx.account, ctx.region, ctx.service, operation.name)  # AWS/Usage
            result = await self.cloud.services.invoke(ctx, params)
            await group_commit.settle()  # acknowledged only once its writes are committed
            # an operation whose answer is not its output shape (CloudWatch's GetMetricWidgetImage
            # with OutputFormat image/png: the PNG itself) returns the HTTP response whole
            response = result if isinstance(result, HttpResponse) else protocol.serialize_response(operation, result,
                                                                                                   ctx)
            error = None
        except AwsError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - an Overcast bug: logged, answered as AWS would
            error = self._internal_error(ctx, exc)
        if error is not None:
            ctx.extra["error_code"] = error.code  # for the access log and S3 server access logs
            if ctx.service == "s3" and "access_log_hook" not in ctx.extra:
                self._log_refused_s3(ctx, request)
            response = self._error_response(protocol, model, operation, error, ctx)
            await self._settle_quietly()
        if self.cloud.audit.active:
            self._audit(ctx, request, params, response.status, error)
        return response

    async def _authorize_before_body(self, info, request: HttpRequest, ctx: RequestContext, protocol, operation):
        """Strict mode, a body behind ``Expect: 100-continue``: its signature is checked, and
        when the policy decision reads nothing from the body, the request is authorized,
        before the body is invited (S3 answers a caller it refuses in place of the 100)."""
        identity = self.auth.check_before_body(info, request, ctx)
        mode = None if identity is None else self.authorizer.decides_without_body(ctx.service, operation)
        if mode is None:
            return
        probe = HttpRequest(request.method, request.path, request.query_string, request.headers)
        try:
            params = protocol.parse_request(operation, probe)
        except AwsError:
            return  # a request not readable without its body is judged once the body is read
        ctx.account, ctx.access_key = identity.account, identity.access_key
        ctx.principal_arn, ctx.user_id = identity.principal_arn, identity.user_id
        ctx.credential = identity.credential
        if mode == "whole":
            await self.cloud.services.validate_request(ctx, params)
            await self.authorizer.authorize(ctx, params, probe)
            return
        # the body fills condition keys only: a denial with them unknown holds for any body
        # (its own parameters, missing here, are validated once it is read)
        await self.authorizer.authorize(ctx, params, probe, body_unknown=True)
        ctx.extra.pop("authorized", None)

    async def _form_upload(self, ctx: RequestContext, request: HttpRequest, body: RequestBody, protocol, model):
        """S3's browser upload (an HTML form POSTed to a bucket): no operation in the model,
        so it runs as ``PostObject`` with the raw request, its body streamed; the form's own
        fields carry its signature (verified by the provider)."""
        ctx.operation = "PostObject"
        ctx.extra["authorizer"] = self.authorizer  # strict mode: the provider authorizes once the key is known
        bucket = protocol.request_path(model, request).strip("/")
        error = None
        try:
            request.stream = body.stream()
            result = await self.cloud.services.invoke(ctx, {"Bucket": bucket, "Request": request})
            await group_commit.settle()
            headers = protocol.request_id_headers(model, ctx)
            headers.update(result.get("__headers__", {}))
            response = HttpResponse(result.get("__status__", 204), headers, result.get("Body", b""))
        except AwsError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - an Overcast bug: logged, answered as AWS would
            error = self._internal_error(ctx, exc)
        if error is not None:
            ctx.extra["error_code"] = error.code
            response = self._error_response(protocol, model, None, error, ctx)
            await self._settle_quietly()
        if self.cloud.audit.active:
            self._audit(ctx, request, {"Bucket": bucket}, response.status, error)
        return response

    def _internal_error(self, ctx: RequestContext, exc: Exception) -> AwsError:
        """The answer to an unexpected exception: storage that cannot take the write is the
        service's "try again" error with one log line (storage_full.py); anything else is an
        Overcast bug, logged with its traceback."""
        if cannot_store(exc):
            self.storage_alarm.report(ctx.service, ctx.operation, exc)
            return unavailable_error(ctx.service)
        log.exception("internal error in %s %s", ctx.service, ctx.operation)
        return InternalFailure(message="We encountered an internal error. Please try again.")

    @staticmethod
    async def _settle_quietly() -> None:
        """Before an error answer: what the failed call did write (an earlier step of it) is
        committed too; a commit failure changes nothing about the error already chosen."""
        try:
            await group_commit.settle()
        except Exception:  # noqa: BLE001
            log.exception("commit failed behind an error answer")

    @staticmethod
    def _not_implemented(service: str, operation: str) -> NotImplementedOperation:
        return NotImplementedOperation(
            message=f"Overcast does not implement the service {service} (operation {operation})."
        )

    def _error_response(self, protocol, model, operation, error: AwsError, ctx) -> HttpResponse:
        if protocol is not None and model is not None:
            try:
                return protocol.serialize_error(model, operation, error, ctx)
            except Exception:  # noqa: BLE001
                log.exception("serializing %r failed", error)
        return fallback_error(error, ctx.request_id)

    def _audit(self, ctx: RequestContext, request: HttpRequest, params: dict, status: int, error) -> None:
        now = self.cloud.clock.now()
        duration = time.perf_counter() - ctx.extra.get("started", time.perf_counter())
        self.cloud.audit.emit(
            AuditRecord(
                time=now,
                request_id=ctx.request_id,
                account=ctx.account,
                region=ctx.region,
                service=ctx.service,
                operation=ctx.operation,
                principal_arn=ctx.principal_arn,
                access_key=ctx.access_key,
                source_ip=ctx.source_ip,
                user_agent=request.headers.get("user-agent", ""),
                params=params,
                status=status,
                error_code=error.code if error is not None else None,
                error_message=error.message if error is not None else None,
                trace_id=ctx.trace_id, started=now - duration, duration=duration,
            )
        )

    async def _bucket_preflight(self, path: str, headers: dict[str, str]):
        """(status, headers, body) of an OPTIONS request S3 answers (a bucket's, existing or
        not), from the bucket's CORS rules; None for anything else (the generic answer)."""
        s3 = await self.cloud.services.started("s3")  # the first request since the start may be a preflight
        protocol = get_protocol("rest-xml")
        ctx = RequestContext(account="", region=self.settings.region, service="s3", request_id=new_request_id())
        try:
            found = s3.cors_preflight(self.settings.region, headers.get("host", ""), path, headers)
        except AwsError as error:
            response = protocol.serialize_error(service_model("s3"), None, error, ctx)
            response.headers["server"] = "AmazonS3"
            return response.status, response.headers, response.body
        if found is None:
            return None
        # a preflight S3 answers carries its request ids and Server header as any other answer
        answer = protocol.request_id_headers(service_model("s3"), ctx)
        answer.update(found)
        answer["server"] = "AmazonS3"
        return 200, answer, b""

    def _log_refused_s3(self, ctx: RequestContext, request: HttpRequest) -> None:
        """A request S3 refused before it reached its bucket (signature, expiry, strict-mode
        denial) is logged like any other when that bucket logs (services/s3/access_log.py)."""
        s3 = self.cloud.services.loaded().get("s3")
        if s3 is not None:
            s3.mark_refused_request(ctx, request.path)

    def _bucket_cors(self, ctx: RequestContext, method: str, path: str, headers: dict[str, str]) -> dict:
        s3 = self.cloud.services.loaded().get("s3")
        return {} if s3 is None else s3.cors_response_headers(ctx.region, method, ctx.host, path, headers)

    @staticmethod
    def _preflight_headers(headers: dict[str, str]) -> dict[str, str]:
        return {
            "access-control-allow-origin": headers.get("origin", "*"),
            "access-control-allow-methods": "GET,HEAD,PUT,POST,DELETE,OPTIONS,PATCH",
            "access-control-allow-headers": headers.get("access-control-request-headers", "*"),
            "access-control-expose-headers": _CORS_EXPOSE,
            "access-control-max-age": "3000",
            "vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
        }


def _is_form_upload(protocol, model, request: HttpRequest) -> bool:
    """A ``multipart/form-data`` POST on a bucket URL (``/bucket``, or ``/`` on a virtual host)."""
    if request.method != "POST" or not request.headers.get("content-type", "").lower().startswith(
        "multipart/form-data"
    ):
        return False
    path = protocol.request_path(model, request).strip("/")
    return bool(path) and "/" not in path


def create_app(settings=None) -> Gateway:
    """The ASGI app for ``settings`` (from the environment when None)."""
    from overcast.config import Settings

    return Gateway(Cloud(settings or Settings.from_env()))
