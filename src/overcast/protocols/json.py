"""The ``json`` protocol (AWS JSON 1.0 / 1.1): DynamoDB, SQS, Kinesis, CloudWatch Logs...

Request: ``POST /`` with ``X-Amz-Target: <targetPrefix>.<Operation>`` and a JSON body
(``application/x-amz-json-1.0|1.1``). Response: the output shape as JSON, with
``x-amzn-RequestId``. Errors: ``{"__type": code, "message": ...}`` plus the modelled error
shape's members; ``awsQueryCompatible`` services add ``x-amzn-query-error: <query code>;<fault>``
so SDKs map the error to the code the service's query protocol used.
"""

from __future__ import annotations

import functools
import json as _json

from overcast.errors import SerializationError, UnknownOperation
from overcast.protocols.base import HttpResponse, WireProtocol
from overcast.protocols.error_shapes import error_status, fault_name, modelled_error
from overcast.protocols import json_codec
from overcast.protocols.json_eventstream import serialize_event_stream
from overcast.protocols.query_compat import json_error_type

_dumps = _json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@functools.lru_cache(maxsize=None)
def _targets(service_model) -> dict:
    prefix = service_model.metadata.get("targetPrefix", "")
    return {f"{prefix}.{name}": service_model.operation_model(name) for name in service_model.operation_names}


@functools.lru_cache(maxsize=None)
def _content_type(service_model) -> str:
    return f"application/x-amz-json-{service_model.metadata.get('jsonVersion', '1.0')}"


def decode_json_body(body: bytes) -> dict:
    """The JSON object of a request body (empty body = ``{}``); SerializationException otherwise."""
    if not body or not body.strip():
        return {}
    try:
        tree = _json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SerializationError(message=f"The request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise SerializationError(message="The request body is nested too deeply.") from None
    if tree is None:
        return {}
    if not isinstance(tree, dict):
        raise SerializationError(message="The request body must be a JSON object.")
    return tree


def error_body(service_model, error, info) -> dict:
    """The JSON error document: ``__type``, message and the modelled members in ``error.fields``.

    ``__type`` is the code botocore maps to the error shape: the shape's error code, or for
    ``awsQueryCompatible`` services the shape name (the header then carries the query code).
    """
    query_compatible = service_model is not None and service_model.is_query_compatible
    body = {}
    shape = info.shape
    if shape is not None and error.fields:
        body.update(json_codec.writer(shape)({k: v for k, v in error.fields.items() if k not in ("message", "Message")}))
    if query_compatible:
        body["__type"] = json_error_type(service_model.service_name, info.name, shape is not None)
    else:
        body["__type"] = info.code
    if error.message is not None:  # None: AWS sends no message at all (KMS InvalidCiphertextException)
        message_key = "Message" if shape is not None and "Message" in shape.members else "message"
        body[message_key] = error.message
    return body


def error_headers(service_model, error, info, request_id: str) -> dict:
    """Headers every json-family error carries (request id, query-compat code, the error's own)."""
    headers = {"x-amzn-requestid": request_id}
    if service_model is not None and service_model.is_query_compatible:
        headers["x-amzn-query-error"] = f"{info.query_code};{fault_name(error, info)}"
    headers.update(error.headers)
    return headers


class NoOperationNamed(UnknownOperation):
    """A request in no shape the service reads (no ``X-Amz-Target``, not JSON: a plain GET on a
    queue URL). AWS's front end answers it before anything else: 404 and a bare
    ``<UnknownOperationException/>`` document, whatever the service's protocol."""

    status = 404


def _no_operation_answer(ctx) -> HttpResponse:
    return HttpResponse(404, {"content-type": "text/xml", "x-amzn-requestid": ctx.request_id},
                        b"<UnknownOperationException/>\n")


class JsonProtocol(WireProtocol):
    """AWS JSON 1.0/1.1."""

    name = "json"

    def find_operation(self, service, request):
        target = request.headers.get("x-amz-target", "")
        operation = _targets(service).get(target)
        if operation is None and not target and \
                not request.headers.get("content-type", "").startswith("application/x-amz-json"):
            raise NoOperationNamed(message="No operation named by the request.")
        if operation is None:
            raise UnknownOperation(message=f"Operation {target.rpartition('.')[2] or target!r} is not supported.")
        return operation

    def parse_request(self, operation, request):
        shape = operation.input_shape
        tree = decode_json_body(request.body)
        if shape is None:
            return {}
        try:
            return json_codec.reader(shape)(tree)
        except json_codec.JsonShapeError as exc:
            raise SerializationError(message=str(exc)) from None
        except RecursionError:
            raise SerializationError(message="The request body is nested too deeply.") from None

    def serialize_response(self, operation, result, ctx):
        if operation.has_event_stream_output:  # StartLiveTail: json_eventstream.py
            return serialize_event_stream(operation, result, _content_type(operation.service_model), ctx.request_id)
        shape = operation.output_shape
        tree = json_codec.writer(shape)(result) if shape is not None and result else {}
        return HttpResponse(
            200,
            {"content-type": _content_type(operation.service_model), "x-amzn-requestid": ctx.request_id},
            _dumps(tree).encode("utf-8"),
        )

    def serialize_error(self, service, operation, error, ctx):
        if isinstance(error, NoOperationNamed):
            return _no_operation_answer(ctx)
        info = modelled_error(service, error.code)
        headers = {"content-type": _content_type(service) if service is not None else "application/x-amz-json-1.0"}
        headers.update(error_headers(service, error, info, ctx.request_id))
        body = _dumps(error_body(service, error, info)).encode("utf-8")
        return HttpResponse(error_status(error, info), headers, body)


PROTOCOL = JsonProtocol()
