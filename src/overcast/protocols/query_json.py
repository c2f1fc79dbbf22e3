"""Query-protocol answers in JSON, for clients that ask with ``Accept: application/json``.

SQS answers a query request (form POST, ``Action=...``) in JSON when the client accepts
``application/json``: the XML document's nesting with JSON members,
``{"<Op>Response": {"<Op>Result": {...}, "ResponseMetadata": {"RequestId": "..."}}}``, the
result's members named and typed as the service's json model writes them; errors as
``{"Error": {"Type": ..., "Code": ..., "Message": ...}, "RequestId": ...}`` with the query
error code. Only services with legacy query traits (``query_compat``) answer so; the others
keep XML, as AWS's pure query services do.
"""

from __future__ import annotations

import json

from overcast.protocols import json_codec
from overcast.protocols.base import HttpResponse
from overcast.protocols.error_shapes import error_status, fault_name
from overcast.protocols.models import service_model
from overcast.protocols.query_compat import has_overlay

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
CONTENT_TYPE = "application/json"


def wants_json(model, ctx) -> bool:
    """Whether the request asked for JSON (``Accept: application/json``) of a service that gives it."""
    request = ctx.extra.get("request") if ctx.extra else None
    if request is None or not has_overlay(model.service_name):
        return False
    accept = request.headers.get("accept", "")
    return "application/json" in accept.lower()


def response(operation, result: dict, ctx) -> HttpResponse:
    """A successful answer: the result written by the json model's output shape."""
    json_operation = service_model(operation.service_model.service_name).operation_model(operation.name)
    shape = json_operation.output_shape
    members = json_codec.writer(shape)(result) if shape is not None and result else {}
    document = {f"{operation.name}Response": {
        f"{operation.name}Result": members,
        "ResponseMetadata": {"RequestId": ctx.request_id},
    }}
    headers = {"content-type": CONTENT_TYPE, "x-amzn-requestid": ctx.request_id}
    return HttpResponse(200, headers, _dumps(document).encode("utf-8"))


def error(failure, info, message: str, ctx) -> HttpResponse:
    """An error answer with the query error code and fault."""
    document = {
        "Error": {"Type": fault_name(failure, info), "Code": info.query_code, "Message": message},
        "RequestId": ctx.request_id,
    }
    headers = {"content-type": CONTENT_TYPE, "x-amzn-requestid": ctx.request_id, **failure.headers}
    return HttpResponse(error_status(failure, info), headers, _dumps(document).encode("utf-8"))
