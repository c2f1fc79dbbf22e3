"""The ``smithy-rpc-v2-cbor`` protocol: CloudWatch's default in current SDKs, and others.

Request: ``POST /service/<targetPrefix>/operation/<Operation>`` with ``smithy-protocol:
rpc-v2-cbor`` and a CBOR map body (timestamps as tag 1 epoch seconds, blobs as byte strings).
Response: the output shape as a CBOR map keyed by member names, ``content-type:
application/cbor`` and ``smithy-protocol: rpc-v2-cbor``. Errors: ``{"__type", "message"}`` plus
the modelled members, with ``x-amzn-query-error`` for ``awsQueryCompatible`` services, as in
the json protocol.
"""

from __future__ import annotations

import functools

import cbor2

from overcast.errors import SerializationError, UnknownOperation
from overcast.protocols.base import HttpResponse, WireProtocol
from overcast.protocols.error_shapes import error_status, modelled_error
from overcast.protocols.json import error_headers
from overcast.protocols import cbor_codec

_RESPONSE_HEADERS = {"content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}


@functools.lru_cache(maxsize=None)
def _routes(service_model) -> dict:
    prefix = service_model.metadata.get("targetPrefix", "")
    return {
        f"/service/{prefix}/operation/{name}": service_model.operation_model(name)
        for name in service_model.operation_names
    }


_dumps = cbor2.dumps


def decode_cbor_body(body: bytes) -> dict:
    """The CBOR map of a request body (empty body = ``{}``); SerializationException otherwise."""
    if not body:
        return {}
    try:
        tree = cbor2.loads(body)
    except RecursionError:
        raise SerializationError(message="The CBOR body is nested too deeply.") from None
    except Exception as exc:  # noqa: BLE001 - cbor2 raises many kinds on malformed input
        raise SerializationError(message=f"The request body is not valid CBOR: {exc}") from None
    if tree is None:
        return {}
    if not isinstance(tree, dict):
        raise SerializationError(message="The request body must be a CBOR map.")
    return tree


class RpcV2CborProtocol(WireProtocol):
    """Smithy RPC v2 with CBOR bodies."""

    name = "smithy-rpc-v2-cbor"

    def find_operation(self, service, request):
        path = request.path
        operation = _routes(service).get(path)
        if operation is None:
            name = path.rpartition("/operation/")[2] if "/operation/" in path else path
            raise UnknownOperation(message=f"Operation {name!r} is not supported.")
        return operation

    def parse_request(self, operation, request):
        tree = decode_cbor_body(request.body)
        shape = operation.input_shape
        if shape is None:
            return {}
        try:
            return cbor_codec.reader(shape)(tree)
        except cbor_codec.BadValue as exc:
            raise SerializationError(message=str(exc)) from None
        except RecursionError:
            raise SerializationError(message="The CBOR body is nested too deeply.") from None

    def serialize_response(self, operation, result, ctx):
        shape = operation.output_shape
        tree = cbor_codec.writer(shape)(result) if shape is not None and result else {}
        headers = {**_RESPONSE_HEADERS, "x-amzn-requestid": ctx.request_id}
        return HttpResponse(200, headers, _dumps(tree))

    def serialize_error(self, service, operation, error, ctx):
        info = modelled_error(service, error.code)
        body = {}
        shape = info.shape
        if shape is not None and error.fields:
            body.update(cbor_codec.writer(shape)({k: v for k, v in error.fields.items() if k not in ("message", "Message")}))
        query_compatible = service is not None and service.is_query_compatible
        body["__type"] = info.name if query_compatible else info.code
        body["Message" if shape is not None and "Message" in shape.members else "message"] = error.message
        headers = {**_RESPONSE_HEADERS, **error_headers(service, error, info, ctx.request_id)}
        return HttpResponse(error_status(error, info), headers, _dumps(body))


PROTOCOL = RpcV2CborProtocol()
