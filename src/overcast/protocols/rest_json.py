"""The rest-json protocol (Lambda, API Gateway, EKS, ~250 services).

Operations are routed by method + URI template (``rest.py``); members outside URI, query
string and headers travel as a JSON object body (or as the one ``payload`` member).
Errors carry the code in ``x-amzn-ErrorType`` and a JSON body ``{"message": ..., members}``.
"""

from __future__ import annotations

import json

from botocore.model import OperationModel, ServiceModel

from overcast.errors import AwsError, SerializationError, UnknownOperation
from overcast.protocols import json_codec
from overcast.protocols.base import HttpRequest, HttpResponse
from overcast.protocols.rest import write_headers
from overcast.protocols.rest_protocol import RestProtocol, error_fields

CONTENT_TYPE = "application/json"


def load_json(body: bytes):
    """``json.loads`` that answers malformed bodies with ``SerializationException``."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise SerializationError(message="The request body is not valid JSON.") from None


def dump_json(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class RestJsonProtocol(RestProtocol):
    name = "rest-json"
    content_type = CONTENT_TYPE

    def no_route(self, service: ServiceModel, request: HttpRequest, known_resource: bool) -> AwsError:
        return UnknownOperation(
            message=f"No operation of {service.service_name} matches {request.method} {request.path}.",
            status=404,
        )

    def invalid_value(self, service: ServiceModel, message: str) -> AwsError:
        return SerializationError(message=message)

    def decode_members(self, service: ServiceModel, shape, body: bytes) -> dict:
        return self._decode(json_codec.reader(shape, True), load_json(body))

    def decode_payload(self, service: ServiceModel, member, body: bytes):
        return self._decode(json_codec.reader(member), load_json(body))

    @staticmethod
    def _decode(read, value):
        try:
            return read(value)
        except (ValueError, TypeError, RecursionError) as exc:
            raise SerializationError(message=str(exc) or "The request body does not fit the operation.") from None

    def encode_members(self, operation: OperationModel, shape, result: dict) -> bytes:
        return dump_json(json_codec.writer(shape, True)(result))

    def encode_payload(self, member, value, name: str, operation: OperationModel) -> bytes:
        return dump_json(json_codec.writer(member)(value))

    def encode_event_structure(self, shape, value) -> tuple[bytes, str]:
        return dump_json(json_codec.writer(shape, True)(value)), CONTENT_TYPE

    def error_response(self, service, operation, shape, error, code, status, ctx) -> HttpResponse:
        headers = self.request_id_headers(service, ctx)
        body: dict = {}
        if shape is not None:
            fields = error_fields(shape, error)
            plan = self.error_plan(shape)
            write_headers(plan, fields, headers)
            body = json_codec.writer(shape, True)(fields)
        # after the members: a member bound to this header (``errorType``) is the code itself
        headers["x-amzn-errortype"] = code
        headers["content-type"] = CONTENT_TYPE
        if "message" not in body and "Message" not in body:
            body["message"] = error.message
        headers.update(error.headers)
        return HttpResponse(status, headers, dump_json(body))


PROTOCOL = RestJsonProtocol()
