"""The ``query`` protocol (STS, IAM, SNS, CloudWatch, SQS for older SDKs...).

Request: ``Action=<Operation>&Version=...&Name.member.1=...`` as a form body (POST
``application/x-www-form-urlencoded``) or a query string (GET). Parameters are flattened
paths: structure members by ``locationName``, wrapped lists ``Name.member.N`` (or the member's
``locationName``), flattened lists ``Name.N`` (named by the list member's ``locationName``),
maps ``Name.entry.N.key`` / ``.value`` (flattened: ``Name.N.key``; key/value renamed by their
``locationName``), scalars as text (booleans ``true``/``false``, timestamps ISO 8601, blobs base64).

Response: ``<OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata><RequestId>``;
errors: ``<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>``
with the query code of the modelled error (``error.code`` trait, e.g.
``AWS.SimpleQueueService.NonExistentQueue``).

json-first services that older SDKs still call in query (SQS) are read and written with the
legacy query traits of ``query_compat``.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, unquote_plus

from overcast.errors import AwsError, InvalidAction, MissingAction
from overcast.protocols import xml_shapes
from overcast.protocols.base import HttpResponse, WireProtocol
from overcast.protocols.error_shapes import error_status, fault_name, modelled_error
from overcast.protocols.plans import PlanCache
from overcast.protocols.query_compat import invalid_action_message, query_message, query_model, url_member
from overcast.protocols import query_json
from overcast.protocols.values import decode_blob, parse_boolean, parse_float, parse_integer, parse_timestamp
from overcast.protocols.xml_shapes import escape_text

_MISSING = object()
_INTEGERS = ("integer", "long", "short", "byte", "bigInteger")
_FLOATS = ("float", "double", "bigDecimal")


def malformed(message: str) -> AwsError:
    """The error for a request whose form encoding cannot be read."""
    return AwsError("MalformedQueryString", message, 400)


def invalid_value(key: str, text: str, expected: str) -> AwsError:
    """The error for a parameter whose text is not of its shape's type."""
    shown = text if len(text) <= 64 else text[:61] + "..."
    return AwsError("InvalidParameterValue", f"Value ({shown}) for parameter {key} is invalid. Expected {expected}.", 400)


# ------------------------------------------------------------------------------------------
# Form decoding
# ------------------------------------------------------------------------------------------


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _decode_form(text: str) -> list[tuple[str, str]]:
    if "%" in text or "+" in text:
        if "%" in text and _BAD_ESCAPE.search(text):
            raise malformed("The request contains an invalid percent-encoding.")
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    # Nothing escaped (most SDK requests): split directly, a third of parse_qsl's cost.
    pairs = []
    for item in text.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((name, value))
    return pairs


def form_pairs(request) -> list[tuple[str, str]]:
    """The request's parameters: query string first, then the form body (later values win)."""
    pairs: list[tuple[str, str]] = []
    try:
        if request.query_string:
            pairs.extend(_decode_form(request.query_string))
        body = request.body
        if body:
            text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else str(body)
            pairs.extend(_decode_form(text))
    except UnicodeDecodeError:
        raise malformed("The request is not valid UTF-8 form encoding.") from None
    except ValueError as exc:
        raise malformed(f"The request form encoding is malformed: {exc}") from None
    return pairs


def action_of(request) -> str | None:
    """The ``Action`` parameter, found without decoding the whole form (routing is hot)."""
    for source in (request.body, request.query_string):
        if not source:
            continue
        if isinstance(source, (bytes, bytearray)):
            source = bytes(source).decode("latin-1")
        start = 0
        while True:
            at = source.find("Action=", start)
            if at < 0:
                break
            if at == 0 or source[at - 1] == "&":
                end = source.find("&", at)
                value = source[at + 7 : end if end >= 0 else len(source)]
                return unquote_plus(value) if ("%" in value or "+" in value) else value
            start = at + 7
    return None


def build_tree(pairs) -> dict:
    """Flattened ``A.B.1.C`` keys as a tree of dicts; a value sits under the ``None`` key."""
    root: dict = {}
    for key, value in pairs:
        node = root
        for part in key.split("."):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            node = child
        node[None] = value
    return root


# ------------------------------------------------------------------------------------------
# Reading params: plans per shape
# ------------------------------------------------------------------------------------------


class QueryReader:
    """Compiles ``read(parent_node, key)`` plans per shape for one naming flavour.

    ``ec2=False``: query naming; ``ec2=True``: ec2 naming (``queryName``, else the
    capitalized ``locationName``, else the member name; lists always ``Name.N``).
    """

    def __init__(self, ec2: bool):
        self.ec2 = ec2
        self._plans = PlanCache(self._compile)

    def read_input(self, shape, tree: dict) -> dict:
        """The params dict of ``shape`` from a parameter tree."""
        return self._plans.get(shape).members(tree)

    def member_name(self, shape, default: str) -> str:
        ser = shape.serialization
        if self.ec2:
            if "queryName" in ser:
                return ser["queryName"]
            name = ser.get("name")
            return name[0].upper() + name[1:] if name else default
        return ser.get("name", default)

    def _compile(self, shape, cache: PlanCache):
        kind = shape.type_name
        if kind == "structure":
            return self._compile_structure(shape, cache)
        if kind == "list":
            return self._compile_list(shape, cache)
        if kind == "map":
            return self._compile_map(shape, cache)
        return self._compile_scalar(shape)

    def _compile_structure(self, shape, cache):
        members = [(self.member_name(m, name), name, cache.callable(m)) for name, m in shape.members.items()]

        def read_members(node: dict) -> dict:
            out = {}
            for key, name, read in members:
                value = read(node, key)
                if value is not _MISSING:
                    out[name] = value
            return out

        def read_structure(parent: dict, key: str):
            node = parent.get(key)
            if node is None:
                return _MISSING
            return read_members(node)

        read_structure.members = read_members
        return read_structure

    def _compile_list(self, shape, cache):
        read_item = cache.callable(shape.member)
        if self.ec2:

            def read_ec2_list(parent: dict, key: str):
                node = parent.get(key)
                if node is None:
                    return _MISSING
                return _read_items(node, read_item)

            return read_ec2_list
        item_name = shape.member.serialization.get("name")
        if shape.serialization.get("flattened"):
            # botocore replaces the last path part with the list member's locationName
            def read_flat_list(parent: dict, key: str):
                node = parent.get(item_name or key)
                if node is None or not _has_items(node):
                    marker = parent.get(key)
                    return [] if marker is not None and marker.get(None) == "" else _MISSING
                return _read_items(node, read_item)

            return read_flat_list
        wrapper = item_name or "member"

        def read_list(parent: dict, key: str):
            node = parent.get(key)
            if node is None:
                return _MISSING
            items = node.get(wrapper)
            return [] if items is None else _read_items(items, read_item)

        return read_list

    def _compile_map(self, shape, cache):
        read_key = cache.callable(shape.key)
        read_value = cache.callable(shape.value)
        key_name = self.member_name(shape.key, "key")
        value_name = self.member_name(shape.value, "value")
        flattened = bool(shape.serialization.get("flattened"))

        def read_map(parent: dict, key: str):
            node = parent.get(key)
            if node is None:
                return _MISSING
            entries = node if flattened else node.get("entry")
            out = {}
            if entries:
                for index in _indexes(entries):
                    entry = entries[index]
                    k = read_key(entry, key_name)
                    if k is _MISSING:
                        continue
                    v = read_value(entry, value_name)
                    out[k] = None if v is _MISSING else v
            return out

        return read_map

    def _compile_scalar(self, shape):
        kind = shape.type_name
        if kind in _INTEGERS:
            convert, expected = parse_integer, "an integer"
        elif kind in _FLOATS:
            convert, expected = parse_float, "a number"
        elif kind == "boolean":
            convert, expected = parse_boolean, "true or false"
        elif kind == "timestamp":
            convert, expected = parse_timestamp, "an ISO 8601 timestamp"
        elif kind == "blob":
            convert, expected = decode_blob, "base64 text"
        else:

            def read_text(parent: dict, key: str):
                node = parent.get(key)
                if node is None:
                    return _MISSING
                text = node.get(None)
                return _MISSING if text is None else text

            return read_text

        def read_scalar(parent: dict, key: str):
            node = parent.get(key)
            if node is None:
                return _MISSING
            text = node.get(None)
            if text is None:
                return _MISSING
            try:
                return convert(text)
            except (ValueError, TypeError, OverflowError):
                raise invalid_value(key, text, expected) from None

        return read_scalar


def _indexes(node: dict) -> list[str]:
    return sorted((k for k in node if k is not None and k.isdigit()), key=int)


def _has_items(node: dict) -> bool:
    return any(k is not None and k.isdigit() for k in node)


def _read_items(node: dict, read_item) -> list:
    items = []
    for index in _indexes(node):
        value = read_item(node, index)
        if value is not _MISSING:
            items.append(value)
    return items


# ------------------------------------------------------------------------------------------
# The protocol
# ------------------------------------------------------------------------------------------


def xml_namespace(service_model) -> str:
    """The service's XML namespace (``xmlNamespace``, else AWS's ``/doc/<apiVersion>/`` form)."""
    md = service_model.metadata
    ns = md.get("xmlNamespace")
    if isinstance(ns, dict):
        ns = ns.get("uri")
    return ns or f"https://{md.get('endpointPrefix', service_model.service_name)}.amazonaws.com/doc/{md.get('apiVersion', '')}/"


@functools.lru_cache(maxsize=None)
def _operations(service_model) -> dict:
    return {name: service_model.operation_model(name) for name in service_model.operation_names}


class QueryProtocol(WireProtocol):
    """AWS query: form-encoded requests, XML responses."""

    name = "query"
    needs_body_to_route = True

    def __init__(self):
        self.reader = QueryReader(ec2=False)

    def model_for(self, service):
        """The model this protocol reads ``service`` with (legacy query traits restored)."""
        return query_model(service)

    def find_operation(self, service, request):
        action = action_of(request)
        if not action:
            raise MissingAction(message="Missing Action")
        model = self.model_for(service)
        operation = _operations(model).get(action)
        if operation is None:
            version = model.metadata.get("apiVersion", "")
            raise InvalidAction(message=invalid_action_message(service.service_name, action)
                                or f"Could not find operation {action} for version {version}")
        if request.path not in ("", "/"):
            # posted to a resource URL (SQS's queue URL): only actions on that resource are valid
            member = url_member(service.service_name)
            shape = operation.input_shape
            if member is not None and (shape is None or member not in shape.members):
                raise InvalidAction(message=invalid_action_message(service.service_name, action))
        return operation

    def parse_request(self, operation, request):
        shape = operation.input_shape
        if shape is None or not shape.members:
            return {}  # nothing to read (the form's Action was read by find_operation)
        params = self.reader.read_input(shape, build_tree(form_pairs(request)))
        if request.path not in ("", "/"):
            member = url_member(operation.service_model.service_name)
            if member is not None and member not in params and member in shape.members:
                scheme = request.headers.get("x-forwarded-proto", "http")
                params[member] = f"{scheme}://{request.headers.get('host', 'localhost')}{request.path}"
        return params

    def serialize_response(self, operation, result, ctx):
        if query_json.wants_json(operation.service_model, ctx):
            return query_json.response(operation, result, ctx)
        head, open_result, close_result, write_members, tail = _query_response_parts(operation)
        out = [head, open_result]
        if write_members is not None and result:
            write_members(out, result)
        if len(out) == 2 and open_result:  # an empty result element is written self-closing
            out[1] = open_result[:-1] + "/>"
        else:
            out.append(close_result)
        out.append(tail.format(request_id=escape_text(ctx.request_id)))
        return HttpResponse(200, {"content-type": "text/xml", "x-amzn-requestid": ctx.request_id},
                            "".join(out).encode("utf-8"))

    def serialize_error(self, service, operation, error, ctx):
        model = self.model_for(service) if service is not None else None
        info = modelled_error(model, error.code)
        message = query_message(model.service_name, error.message) if model is not None else error.message
        if model is not None and query_json.wants_json(model, ctx):
            return query_json.error(error, info, message, ctx)
        out = [f'<ErrorResponse xmlns="{escape_text(xml_namespace(model))}">' if model is not None else "<ErrorResponse>"]
        out.append(f"<Error><Type>{fault_name(error, info)}</Type><Code>{escape_text(info.query_code)}</Code>"
                   f"<Message>{escape_text(message)}</Message>")
        _write_error_fields(out, info, error)
        out.append(f"</Error><RequestId>{escape_text(ctx.request_id)}</RequestId></ErrorResponse>")
        headers = {"content-type": "text/xml", "x-amzn-requestid": ctx.request_id, **error.headers}
        return HttpResponse(error_status(error, info), headers, "".join(out).encode("utf-8"))


# members carried by the error envelope itself (a modelled ``Code``/``Message`` member is the
# envelope's element; writing it twice would turn it into a list for XML readers)
_ENVELOPE = ("message", "Message", "Code", "Type")


def _write_error_fields(out: list, info, error) -> None:
    if info.shape is not None and error.fields:
        fields = {k: v for k, v in error.fields.items() if k not in _ENVELOPE}
        if fields:
            xml_shapes.members_writer(info.shape)(out, fields)


@functools.lru_cache(maxsize=None)
def _query_response_parts(operation):
    name = operation.name
    ns = escape_text(xml_namespace(operation.service_model))
    head = f'<{name}Response xmlns="{ns}">'
    tail = "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>" + f"</{name}Response>"
    shape = operation.output_shape
    if shape is None:
        return head, "", "", None, tail
    wrapper = shape.serialization.get("resultWrapper")
    open_result, close_result = (f"<{wrapper}>", f"</{wrapper}>") if wrapper else ("", "")
    return head, open_result, close_result, xml_shapes.members_writer(shape), tail


PROTOCOL = QueryProtocol()
