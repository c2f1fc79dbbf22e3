"""The REST protocol skeleton rest-json and rest-xml share.

Routing (``rest_routing.py``), the location traits (``rest.py``), payload members, status codes, request ids and
event streams are handled here; a subclass supplies the body format: how a body decodes to
members, how members encode to a body, and how an error looks.

A service's result is the output shape's dict. A blob payload may be ``bytes`` or an async
iterator of bytes (streamed; give the length member, e.g. S3's ``ContentLength``, to send
``Content-Length``); an event-stream payload is an iterator of one-key event dicts
(``eventstream.py``). Two extra keys carry what a model cannot: ``__status__`` (S3's 206 for a
ranged GET) and ``__headers__`` (raw headers).
"""

from __future__ import annotations

from abc import abstractmethod

import threading
from typing import Any

from botocore.model import OperationModel, ServiceModel

from overcast.errors import AwsError
from overcast.protocols.base import HttpRequest, HttpResponse, WireProtocol
from overcast.protocols.eventstream import CONTENT_TYPE as EVENTSTREAM_TYPE
from overcast.protocols.eventstream import EventStreamWriter
from overcast.protocols.rest import RequestPlan, ResponsePlan, read_locations, write_headers
from overcast.protocols.rest_routing import Route, choose_route, route_table, split_path

_NO_BODY_STATUS = (204, 304)

# Keys a result may carry besides its members, for what the model cannot express:
# ``{"__status__": 206}`` answers with that status, ``{"__headers__": {"Location": ...}}`` adds
# raw headers (neither is serialized as a member).
RESULT_STATUS = "__status__"
RESULT_HEADERS = "__headers__"


class RestProtocol(WireProtocol):
    """Base of rest-json and rest-xml; subclasses implement the ``*body*`` hooks."""

    name = ""
    content_type = ""

    def __init__(self):
        self._lock = threading.Lock()
        self._request_plans: dict[OperationModel, RequestPlan] = {}
        self._response_plans: dict[OperationModel, ResponsePlan] = {}
        self._error_plans: dict[Any, ResponsePlan] = {}
        self._error_shapes: dict[ServiceModel, dict[str, Any]] = {}
        self._stream_writers: dict[Any, EventStreamWriter] = {}

    # ---------------------------------------------------------------- hooks for subclasses

    def request_path(self, service: ServiceModel, request: HttpRequest) -> str:
        """The raw path to route on (S3 turns virtual-hosted requests into path style)."""
        return request.path

    def strict_query(self, service: ServiceModel) -> bool:
        """Whether required query members take part in routing (see ``choose_route``)."""
        return False

    @abstractmethod
    def no_route(self, service: ServiceModel, request: HttpRequest, known_resource: bool) -> AwsError:
        """The error for a request no operation of ``service`` matches."""
        ...

    @abstractmethod
    def invalid_value(self, service: ServiceModel, message: str) -> AwsError:
        """The error for a URI/query/header/body value that is not of its modelled type."""
        ...

    @abstractmethod
    def decode_members(self, service: ServiceModel, shape, body: bytes) -> dict:
        """The body members of input structure ``shape`` (no payload trait) from ``body``."""
        ...

    @abstractmethod
    def decode_payload(self, service: ServiceModel, member, body: bytes):
        """The value of a structure payload member from ``body``."""
        ...

    @abstractmethod
    def encode_members(self, operation: OperationModel, shape, result: dict) -> bytes:
        """The body of output structure ``shape`` (no payload trait) holding ``result``."""
        ...

    @abstractmethod
    def encode_payload(self, member, value, name: str, operation: OperationModel) -> bytes:
        """The body of structure payload member ``name`` (shape ``member``) holding ``value``."""
        ...

    @abstractmethod
    def encode_event_structure(self, shape, value) -> tuple[bytes, str]:
        """An event's structure payload as (bytes, content type)."""
        ...

    def request_id_headers(self, service: ServiceModel, ctx) -> dict[str, str]:
        return {"x-amzn-requestid": ctx.request_id} if ctx is not None else {}

    @abstractmethod
    def error_response(
        self, service: ServiceModel, operation, shape, error: AwsError, code: str, status: int, ctx
    ) -> HttpResponse:
        ...

    # ---------------------------------------------------------------- WireProtocol

    def find_operation(self, service: ServiceModel, request: HttpRequest) -> OperationModel:
        table = route_table(service)
        segments = split_path(self.request_path(service, request))
        routes = table.candidates(request.method.upper(), segments)
        route = choose_route(routes, request, self.strict_query(service)) if routes else None
        if route is None:
            raise self.no_route(service, request, bool(routes) or table.any_method_matches(segments))
        return route.operation

    def parse_request(self, operation: OperationModel, request: HttpRequest) -> dict:
        plan = self._request_plan(operation)
        if plan.shape is None:
            return {}
        service = operation.service_model
        labels = plan.route.capture(split_path(self.request_path(service, request)))
        if labels is None:
            raise self.no_route(service, request, True)
        params = read_locations(plan, request, labels, lambda msg: self.invalid_value(service, msg))
        kind = plan.payload_kind
        body = request.body
        if kind:
            if kind in ("blob", "eventstream"):
                if request.stream is not None:
                    params[plan.payload] = request.stream
                elif body:
                    params[plan.payload] = body
            elif request.stream is not None:
                params[plan.payload] = request.stream
            elif body and kind == "string":
                try:
                    params[plan.payload] = body.decode("utf-8")
                except UnicodeDecodeError:
                    raise self.invalid_value(service, "The request body is not UTF-8 text.") from None
            elif body:
                value = self.decode_payload(service, plan.payload_shape, body)
                if value is not None:
                    params[plan.payload] = value
        elif plan.has_body_members and body:
            params.update(self.decode_members(service, plan.shape, body))
        return params

    def serialize_response(self, operation: OperationModel, result: dict, ctx) -> HttpResponse:
        plan = self._response_plan(operation)
        headers = self.request_id_headers(operation.service_model, ctx)
        status = plan.status
        body: Any = b""
        explicit_status = None
        if result:
            # what the model cannot say: S3's 206 for a ranged GetObject, a Location header...
            explicit_status = result.get(RESULT_STATUS)
            extra_headers = result.get(RESULT_HEADERS)
            if extra_headers:
                headers.update({k.lower(): str(v) for k, v in extra_headers.items()})
        if plan.shape is not None and result:
            if plan.status_member is not None and result.get(plan.status_member) is not None:
                status = int(result[plan.status_member])
            write_headers(plan, result, headers)
            body = self._body(operation, plan, result, headers)
        elif plan.has_body_members:
            body = self.encode_members(operation, plan.shape, {})
            headers.setdefault("content-type", self.content_type)
        if explicit_status is not None:
            return HttpResponse(int(explicit_status), headers, b"" if explicit_status in _NO_BODY_STATUS else body)
        if status in _NO_BODY_STATUS and body:
            if status == 204 and body == b"{}":
                body = b""
            elif status == 204 and plan.status_member is None:
                # a few models declare 204 for outputs with body members: HTTP cannot send a
                # body with 204, the client reads the members from a 200 just the same
                status = 200
            else:
                body = b""
        return HttpResponse(status, headers, body)

    def serialize_error(
        self, service: ServiceModel, operation: OperationModel | None, error: AwsError, ctx
    ) -> HttpResponse:
        shape = self.error_shape(service, error.code)
        code = shape.error_code if shape is not None else error.code
        return self.error_response(service, operation, shape, error, code, error_status(error, shape), ctx)

    # ---------------------------------------------------------------- helpers

    def _body(self, operation: OperationModel, plan: ResponsePlan, result: dict, headers: dict) -> Any:
        kind = plan.payload_kind
        if not kind:
            if not plan.has_body_members:
                return b""
            headers.setdefault("content-type", self.content_type)
            return self.encode_members(operation, plan.shape, result)
        value = result.get(plan.payload)
        if value is None:
            return b""
        if kind == "structure":
            headers.setdefault("content-type", self.content_type)
            return self.encode_payload(plan.payload_shape, value, plan.payload, operation)
        if kind == "eventstream":
            headers.setdefault("content-type", EVENTSTREAM_TYPE)
            return self.stream_writer(plan.payload_shape).stream(value)
        if not plan.content_type_member:
            headers.setdefault("content-type", "text/plain" if kind == "string" else "application/octet-stream")
        return blob_body(value)

    def stream_writer(self, shape) -> EventStreamWriter:
        key = (shape.name, id(getattr(shape, "_shape_resolver", None)))
        writer = self._stream_writers.get(key)
        if writer is None:
            writer = EventStreamWriter(shape, self.encode_event_structure)
            self._stream_writers[key] = writer
        return writer

    def _request_plan(self, operation: OperationModel) -> RequestPlan:
        plan = self._request_plans.get(operation)
        if plan is None:
            with self._lock:
                plan = self._request_plans.get(operation)
                if plan is None:
                    plan = RequestPlan(operation, Route(operation))
                    self._request_plans[operation] = plan
        return plan

    def _response_plan(self, operation: OperationModel) -> ResponsePlan:
        plan = self._response_plans.get(operation)
        if plan is None:
            with self._lock:
                plan = self._response_plans.get(operation)
                if plan is None:
                    plan = ResponsePlan(operation.output_shape, int(operation.http.get("responseCode", 200)))
                    self._response_plans[operation] = plan
        return plan

    def error_plan(self, shape) -> ResponsePlan:
        key = (shape.name, id(getattr(shape, "_shape_resolver", None)))
        plan = self._error_plans.get(key)
        if plan is None:
            plan = ResponsePlan(shape)
            self._error_plans[key] = plan
        return plan

    def error_shape(self, service: ServiceModel, code: str):
        """The modelled error shape for ``code`` (by shape name or modelled error code)."""
        shapes = self._error_shapes.get(service)
        if shapes is None:
            shapes = {}
            for shape in service.error_shapes:
                shapes.setdefault(shape.name, shape)
                shapes.setdefault(shape.error_code, shape)
            self._error_shapes[service] = shapes
        return shapes.get(code)


def error_status(error: AwsError, shape) -> int:
    """The HTTP status of ``error``: the one it was raised with, else its class's, else the
    modelled ``httpStatusCode`` of its error shape, else 400."""
    if "status" in vars(error):
        return error.status
    if type(error).status != AwsError.status:
        return type(error).status
    if shape is not None:
        modelled = shape.metadata.get("error", {}).get("httpStatusCode")
        if modelled:
            return int(modelled)
    return error.status


def error_fields(shape, error: AwsError) -> dict:
    """The members of error ``shape`` for ``error``: its fields plus the message member."""
    fields = dict(error.fields)
    if shape is not None:
        for key in ("Message", "message"):
            if key in shape.members:
                fields.setdefault(key, error.message)
                break
    return fields


def blob_body(value) -> Any:
    """A blob payload as response body: bytes, or an async iterator of bytes to stream."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if hasattr(value, "__aiter__"):
        return value
    if hasattr(value, "read"):
        return _read_chunks(value)
    return _iterate(value)


async def _read_chunks(stream, size: int = 1 << 16):
    while True:
        chunk = stream.read(size)
        if not chunk:
            return
        yield chunk


async def _iterate(chunks):
    for chunk in chunks:
        yield chunk
