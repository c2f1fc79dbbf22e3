"""The ``ec2`` protocol: the query protocol with EC2's naming and response envelope.

Request differences from query: a member is named by its ``queryName``, else its capitalized
``locationName``, else its name; every list is ``Name.N`` (no ``member``, no flattening, and
nothing at all for an empty list).

Response: ``<OpResponse xmlns=...><requestId>..</requestId>members</OpResponse>`` (no result
wrapper); errors: ``<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>``.
"""

from __future__ import annotations

import functools

from overcast.protocols import xml_shapes
from overcast.protocols.base import HttpResponse
from overcast.protocols.error_shapes import error_status, modelled_error
from overcast.protocols.query import QueryProtocol, QueryReader, _write_error_fields, xml_namespace
from overcast.protocols.xml_shapes import escape_text


@functools.lru_cache(maxsize=None)
def _ec2_response_parts(operation):
    name = operation.name
    ns = escape_text(xml_namespace(operation.service_model))
    shape = operation.output_shape
    writer = xml_shapes.members_writer(shape) if shape is not None else None
    return f'<{name}Response xmlns="{ns}"><requestId>', "</requestId>", writer, f"</{name}Response>"


class Ec2Protocol(QueryProtocol):
    """EC2's dialect of the query protocol."""

    name = "ec2"

    def __init__(self):
        self.reader = QueryReader(ec2=True)

    def model_for(self, service):
        return service

    def serialize_response(self, operation, result, ctx):
        head, after_id, write_members, tail = _ec2_response_parts(operation)
        out = [head, escape_text(ctx.request_id), after_id]
        if write_members is not None and result:
            write_members(out, result)
        out.append(tail)
        return HttpResponse(200, {"content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": ctx.request_id},
                            "".join(out).encode("utf-8"))

    def serialize_error(self, service, operation, error, ctx):
        info = modelled_error(service, error.code)
        out = [f"<Response><Errors><Error><Code>{escape_text(info.code)}</Code>"
               f"<Message>{escape_text(error.message)}</Message>"]
        _write_error_fields(out, info, error)
        out.append(f"</Error></Errors><RequestID>{escape_text(ctx.request_id)}</RequestID></Response>")
        headers = {"content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": ctx.request_id, **error.headers}
        return HttpResponse(error_status(error, info), headers, "".join(out).encode("utf-8"))


PROTOCOL = Ec2Protocol()
