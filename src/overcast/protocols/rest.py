"""REST location traits: the members a request or response carries outside its body.

``uri`` labels, ``querystring`` members (lists as repeated parameters, a map taking every
parameter no other member claims), ``header`` members (timestamps rfc822 by default,
``jsonvalue`` as base64 JSON, lists comma-separated with botocore's quoting), ``headers``
prefix maps (``x-amz-meta-*``), ``statusCode`` and ``hostLabel`` members are read and written
here from per-operation plans compiled once; the body itself is left to the protocol (JSON or
XML). Routing is in ``rest_routing.py``.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Callable

from botocore.model import OperationModel

from overcast.errors import AwsError
from overcast.protocols.base import HttpRequest
from overcast.protocols.rest_routing import Route
from overcast.protocols.values import (
    RFC822,
    format_boolean,
    format_float,
    format_timestamp,
    parse_boolean,
    parse_float,
    parse_integer,
    parse_timestamp,
    timestamp_format,
)

_INTEGERS = ("integer", "long", "short", "byte", "bigInteger")
_FLOATS = ("float", "double", "bigDecimal")


def _scalar_reader(shape) -> Callable[[str], Any] | None:
    """text -> value for a scalar carried in a URI, query string or header (None: as is)."""
    kind = shape.type_name
    if kind in _INTEGERS:
        return parse_integer
    if kind == "boolean":
        return parse_boolean
    if kind in _FLOATS:
        return parse_float
    if kind == "timestamp":
        return parse_timestamp
    return None


def _scalar_writer(shape, default_timestamp: str) -> Callable[[Any], str]:
    """value -> text for a scalar written to a header."""
    kind = shape.type_name
    if kind == "boolean":
        return format_boolean
    if kind in _FLOATS:
        return format_float
    if kind == "timestamp":
        fmt = timestamp_format(shape, default_timestamp)
        return _cached_timestamp_writer(fmt)
    if kind in _INTEGERS:
        return lambda v: str(int(v))
    return str


def _cached_timestamp_writer(fmt: str) -> Callable[[Any], str]:
    """value -> header text for timestamps, remembering recent values: S3 answers every GET
    and HEAD with the object's Last-Modified, and formatting a date costs more than the rest
    of the headers together."""
    cache: dict = {}

    def write(value) -> str:
        text = cache.get(value)
        if text is None:
            text = str(format_timestamp(value, fmt))
            if type(value) in (int, float):  # hashable and immutable: safe to remember
                if len(cache) >= 4096:
                    cache.clear()
                cache[value] = text
        return text

    return write


def split_header_list(text: str) -> list[str]:
    """A comma-separated header list as botocore writes it: items holding ``,`` or ``"`` are
    double-quoted with ``\\"`` for a quote inside (other backslashes are literal)."""
    if '"' not in text:
        return [item.strip() for item in text.split(",")]
    items: list[str] = []
    i, n = 0, len(text)
    while i <= n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            buf = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] == '"':
                    buf.append('"')
                    i += 2
                else:
                    buf.append(text[i])
                    i += 1
            items.append("".join(buf))
            i += 1  # closing quote
            comma = text.find(",", i)
            i = n + 1 if comma < 0 else comma + 1
        else:
            comma = text.find(",", i)
            if comma < 0:
                items.append(text[i:].strip())
                break
            items.append(text[i:comma].strip())
            i = comma + 1
    return items


def _header_reader(shape) -> Callable[[str], Any] | None:
    if shape.type_name == "list":
        item_reader = _scalar_reader(shape.member)
        pair_dates = shape.member.type_name == "timestamp"

        def read_list(text: str) -> list:
            items = split_header_list(text)
            if pair_dates:  # "Mon, 01 Jan 2024 ..." holds a comma of its own
                merged: list[str] = []
                for item in items:
                    if merged and merged[-1][:3].isalpha() and len(merged[-1]) == 3:
                        merged[-1] = f"{merged[-1]}, {item}"
                    else:
                        merged.append(item)
                items = merged
            return [item_reader(i) for i in items] if item_reader else items

        return read_list
    if shape.serialization.get("jsonvalue"):
        return lambda text: json.loads(base64.b64decode(text))
    return _scalar_reader(shape)


def _header_writer(shape) -> Callable[[Any], str]:
    if shape.type_name == "list":
        item_writer = _scalar_writer(shape.member, RFC822)
        quote = shape.member.type_name == "string"

        def write_list(value) -> str:
            out = []
            for item in value:
                text = item_writer(item)
                if quote and ('"' in text or "," in text):
                    text = '"' + text.replace('"', '\\"') + '"'
                out.append(text)
            return ",".join(out)

        return write_list
    if shape.serialization.get("jsonvalue"):
        return lambda v: base64.b64encode(json.dumps(v, separators=(",", ":")).encode()).decode()
    return _scalar_writer(shape, RFC822)


class RequestPlan:
    """How to read one operation's input from an HTTP request (compiled once)."""

    __slots__ = (
        "route", "labels", "query", "query_map", "query_reserved", "headers", "header_maps",
        "host_labels", "host_prefix_re", "payload", "payload_kind", "payload_shape",
        "has_body_members", "shape", "header_index",
    )

    def __init__(self, operation: OperationModel, route: Route):
        self.route = route
        self.shape = shape = operation.input_shape
        self.labels: list[tuple[str, str, Callable | None]] = []
        self.query: list[tuple[str, str, bool, Callable | None]] = []
        self.query_map: tuple[str, bool] | None = None
        self.query_reserved = {key for key, _ in route.query_literals}
        self.headers: list[tuple[str, str, Callable | None]] = []
        self.header_maps: list[tuple[str, str]] = []
        self.host_labels: list[str] = []
        self.host_prefix_re = None
        self.payload = None
        self.payload_kind = ""
        self.payload_shape = None
        self.has_body_members = False
        self.header_index: dict[str, tuple[str, Callable | None]] = {}
        if shape is None:
            return
        for name, member in shape.members.items():
            ser = member.serialization
            location = ser.get("location")
            wire = ser.get("name", name)
            if ser.get("hostLabel"):
                self.host_labels.append(name)
            if location == "uri":
                self.labels.append((wire, name, _scalar_reader(member)))
            elif location == "querystring":
                if member.type_name == "map":
                    self.query_map = (name, member.value.type_name == "list")
                elif member.type_name == "list":
                    self.query.append((wire, name, True, _scalar_reader(member.member)))
                    self.query_reserved.add(wire)
                else:
                    self.query.append((wire, name, False, _scalar_reader(member)))
                    self.query_reserved.add(wire)
            elif location == "header":
                self.headers.append((wire.lower(), name, _header_reader(member)))
            elif location == "headers":
                self.header_maps.append((wire.lower(), name))
            elif location is None:
                self.has_body_members = True
        payload = shape.serialization.get("payload")
        if payload is not None:
            self.payload, self.payload_shape, self.payload_kind = payload_of(shape, payload)
            self.has_body_members = False
        self.header_index = {header: (name, read) for header, name, read in self.headers}
        endpoint = operation.endpoint or {}
        prefix = endpoint.get("hostPrefix")
        if prefix and self.host_labels:
            pattern = re.escape(prefix)
            for name in self.host_labels:
                pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[A-Za-z0-9-]+)")
            self.host_prefix_re = re.compile(pattern)


def payload_of(shape, payload: str):
    """``(name, member shape, kind)`` of a payload member; kind is eventstream, blob, string
    or structure."""
    member = shape.members[payload]
    if member.serialization.get("eventstream"):
        return payload, member, "eventstream"
    if member.type_name in ("blob", "string"):
        return payload, member, member.type_name
    return payload, member, "structure"


class ResponsePlan:
    """How to write one operation's output (or one error shape) to HTTP (compiled once)."""

    __slots__ = ("status", "status_member", "headers", "header_maps", "payload", "payload_kind",
                 "payload_shape", "has_body_members", "shape", "content_type_member", "header_index")

    def __init__(self, shape, status: int = 200):
        self.shape = shape
        self.status = status
        self.status_member = None
        self.headers: list[tuple[str, str, Callable]] = []
        self.header_maps: list[tuple[str, str]] = []
        self.header_index: dict[str, tuple[str, Callable]] = {}  # member -> (header, writer)
        self.payload = None
        self.payload_kind = ""
        self.payload_shape = None
        self.has_body_members = False
        # a modelled Content-Type header: the service names the type, we invent none
        self.content_type_member = False
        if shape is None:
            return
        for name, member in shape.members.items():
            ser = member.serialization
            location = ser.get("location")
            if location == "header" and ser.get("name", "").lower() == "content-type":
                self.content_type_member = True
            if location == "statusCode":
                self.status_member = name
            elif location == "header":
                write = _header_writer(member)
                if member.type_name == "list":
                    write = _skip_empty(write)
                self.headers.append((name, ser.get("name", name).lower(), write))
                self.header_index[name] = (ser.get("name", name).lower(), write)
            elif location == "headers":
                self.header_maps.append((name, ser.get("name", "").lower()))
            elif location is None:
                self.has_body_members = True
        payload = shape.serialization.get("payload")
        if payload is not None:
            self.payload, self.payload_shape, self.payload_kind = payload_of(shape, payload)
            self.has_body_members = False


def _skip_empty(write: Callable[[Any], str]) -> Callable[[Any], str | None]:
    """An empty list is no header at all, as botocore writes it."""
    return lambda value: write(value) if value else None


def safe_header_value(text: str) -> str:
    """A header value that can go on the wire: no line breaks; non-latin-1 text as its UTF-8
    bytes (what a client reading the header as UTF-8 expects)."""
    if not text.isascii() or "\n" in text or "\r" in text:
        text = text.replace("\r", " ").replace("\n", " ")
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            text = text.encode("utf-8").decode("latin-1")
    return text


def write_headers(plan: ResponsePlan, result: dict, headers: dict[str, str]) -> None:
    """Add the header-located members of ``result`` to ``headers``."""
    if len(result) < len(plan.headers):  # S3 models ~40 headers; a result holds a few members
        index = plan.header_index
        members = [(name, found[0], found[1]) for name in result if (found := index.get(name)) is not None]
    else:
        members = plan.headers
    for name, header, write in members:
        value = result.get(name)
        if value is None:
            continue
        text = write(value)
        if text is not None:
            headers[header] = safe_header_value(text)
    for name, prefix in plan.header_maps:
        values = result.get(name)
        if values:
            for key, value in values.items():
                if value is not None:
                    headers[prefix + str(key).lower()] = safe_header_value(str(value))


def read_locations(
    plan: RequestPlan,
    request: HttpRequest,
    labels: dict[str, str],
    invalid: Callable[[str], AwsError],
) -> dict:
    """The input members carried in the URI, query string, headers and host of ``request``."""
    params: dict[str, Any] = {}
    for wire, name, read in plan.labels:
        text = labels.get(wire)
        if text is not None:
            params[name] = _convert(read, text, wire, invalid)
    if plan.query or plan.query_map is not None:
        query = request.query
        for wire, name, is_list, read in plan.query:
            values = query.get(wire)
            if values is None:
                continue
            if is_list:
                params[name] = [_convert(read, v, wire, invalid) for v in values] if read else list(values)
            else:
                params[name] = _convert(read, values[0], wire, invalid)
        if plan.query_map is not None:
            name, lists = plan.query_map
            reserved = plan.query_reserved
            extra = {k: (list(v) if lists else v[0]) for k, v in query.items() if k not in reserved}
            if extra:
                params[name] = extra
    headers = request.headers
    if len(plan.headers) > len(headers):  # S3 models ~40 headers; a request sends a few
        index = plan.header_index
        for header, text in headers.items():
            found = index.get(header)
            if found is not None:
                params[found[0]] = _convert(found[1], text, header, invalid)
    else:
        for header, name, read in plan.headers:
            text = headers.get(header)
            if text is not None:
                params[name] = _convert(read, text, header, invalid)
    for prefix, name in plan.header_maps:
        found = {k[len(prefix):]: v for k, v in headers.items() if k.startswith(prefix)}
        if found:
            params[name] = found
    if plan.host_prefix_re is not None and any(n not in params for n in plan.host_labels):
        match = plan.host_prefix_re.match(request.host)
        if match is not None:
            for name in plan.host_labels:
                params.setdefault(name, match.group(name))
    return params


def _convert(read, text: str, where: str, invalid: Callable[[str], AwsError]):
    if read is None:
        return text
    try:
        return read(text)
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise invalid(f"Invalid value for {where}: {text[:200]!r}") from None
