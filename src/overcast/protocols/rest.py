"""What rest-json and rest-xml share: URI-template routing and the HTTP location traits.

A REST operation is found from its ``http.method`` + ``http.requestUri`` template: literal
segments, ``{Label}`` (one segment) and greedy ``{Label+}`` (one or more segments, ``/``
kept) labels, and query literals after ``?`` that the request must carry (S3's ``?uploads``,
``?list-type=2``). Each service gets one routing trie (built once, cached), so a request walks
a handful of dict lookups instead of matching every template.

When several operations match, the most specific wins, the way AWS front ends route:
more literal path segments, then fewer greedy labels, then more query literals, then the
operation whose required query/header members are all present (S3's ``UploadPart`` over
``PutObject`` when ``partNumber`` + ``uploadId`` are given, ``CopyObject`` when
``x-amz-copy-source`` is), with the most of them, then non-deprecated operations.

The location traits (``uri``, ``querystring``, ``header``, ``headers`` prefix maps,
``statusCode``, ``hostLabel``) are read and written here from per-operation plans compiled
once; the body itself is left to the protocol (JSON or XML) through a few hooks.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any, Callable
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from overcast.errors import AwsError
from overcast.protocols.base import HttpRequest
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

_LABEL_RE = re.compile(r"^\{([^}]+)\}$")
_INTEGERS = ("integer", "long", "short", "byte", "bigInteger")
_FLOATS = ("float", "double", "bigDecimal")


# --------------------------------------------------------------------------- routing


class Route:
    """One operation's template, compiled for matching and label extraction."""

    __slots__ = (
        "operation", "labels", "greedy_index", "literal_count", "query_literals",
        "required_query", "required_headers", "requirement_count", "deprecated", "segments",
        "suffix", "static_rank",
    )

    def __init__(self, operation: OperationModel):
        self.operation = operation
        path, _, query = operation.http.get("requestUri", "/").partition("?")
        parts = path.strip("/").split("/") if path.strip("/") else []
        self.segments: list[str | None] = []  # literal text, or None for a label
        self.labels: list[str] = []  # label names in template order
        self.greedy_index = -1  # index in ``segments`` of the greedy label, if any
        self.suffix: tuple[str, ...] = ()  # literal segments after the greedy label
        for part in parts:
            match = _LABEL_RE.match(part)
            if match is None:
                self.segments.append(part)
                continue
            name = match.group(1)
            if name.endswith("+"):
                self.greedy_index = len(self.segments)
                name = name[:-1]
            self.labels.append(name)
            self.segments.append(None)
        if self.greedy_index >= 0:
            tail = self.segments[self.greedy_index + 1 :]
            if any(seg is None for seg in tail):
                raise ValueError(f"unsupported template {operation.http['requestUri']!r}")
            self.suffix = tuple(tail)  # type: ignore[arg-type]
            self.segments = self.segments[: self.greedy_index + 1]
        self.literal_count = sum(1 for seg in self.segments if seg is not None) + len(self.suffix)
        literals = []
        for item in query.split("&") if query else ():
            key, eq, value = item.partition("=")
            literals.append((unquote(key), unquote(value) if eq else None))
        self.query_literals = tuple(literals)
        required_query, required_headers = [], []
        shape = operation.input_shape
        if shape is not None:
            for name in shape.required_members:
                member = shape.members[name]
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "querystring" and member.type_name != "map":
                    required_query.append(wire)
                elif location == "header":
                    required_headers.append(wire.lower())
        self.required_query = tuple(required_query)
        self.required_headers = tuple(required_headers)
        self.requirement_count = len(required_query) + len(required_headers)
        self.deprecated = bool(operation.deprecated)
        # the specificity known without the request: literal segments, no greedy label, literals
        self.static_rank = (self.literal_count, self.greedy_index < 0, len(self.query_literals))

    def query_ok(self, query: dict[str, list[str]]) -> bool:
        """True when the request carries every query literal of the template."""
        for key, value in self.query_literals:
            values = query.get(key)
            if values is None or (value is not None and value not in values):
                return False
        return True

    def requirements_met(self, query: dict[str, list[str]], headers: dict[str, str]) -> bool:
        return all(name in query for name in self.required_query) and all(
            name in headers for name in self.required_headers
        )

    def capture(self, segments: list[str]) -> dict[str, str] | None:
        """label -> decoded value when ``segments`` (raw path split on ``/``) match, else None."""
        tmpl = self.segments
        count = len(segments)
        if self.greedy_index < 0:
            if count == len(tmpl) + 1 and segments[-1] == "":
                count -= 1  # one trailing slash is tolerated
            elif count != len(tmpl):
                return None
            values = []
            for i in range(count):
                seg, want = segments[i], tmpl[i]
                if want is None:
                    if not seg:
                        return None
                    values.append(unquote(seg))
                elif seg != want and unquote(seg) != want:
                    return None
            return dict(zip(self.labels, values))
        head = self.greedy_index
        end = count - len(self.suffix)
        if end <= head:
            return None
        values = []
        for i in range(head):
            seg, want = segments[i], tmpl[i]
            if want is None:
                if not seg:
                    return None
                values.append(unquote(seg))
            elif seg != want and unquote(seg) != want:
                return None
        for offset, want in enumerate(self.suffix):
            seg = segments[end + offset]
            if seg != want and unquote(seg) != want:
                return None
        greedy = "/".join(segments[head:end])
        if not greedy:
            return None
        values.append(unquote(greedy))
        return dict(zip(self.labels, values))


class _Node:
    __slots__ = ("literals", "label", "greedy", "routes")

    def __init__(self):
        self.literals: dict[str, _Node] = {}
        self.label: _Node | None = None
        self.greedy: dict[tuple[str, ...], list[Route]] = {}  # literal suffix -> routes
        self.routes: list[Route] = []


class RouteTable:
    """Every operation of one service, indexed by method and path segments."""

    def __init__(self, service: ServiceModel):
        self.roots: dict[str, _Node] = {}
        for name in service.operation_names:
            operation = service.operation_model(name)
            route = Route(operation)
            node = self.roots.setdefault(operation.http.get("method", "POST").upper(), _Node())
            for seg in route.segments[: route.greedy_index if route.greedy_index >= 0 else None]:
                if seg is None:
                    if node.label is None:
                        node.label = _Node()
                    node = node.label
                else:
                    node = node.literals.setdefault(seg, _Node())
            if route.greedy_index >= 0:
                node.greedy.setdefault(route.suffix, []).append(route)
            else:
                node.routes.append(route)

    def candidates(self, method: str, segments: list[str]) -> list[Route]:
        """Routes of ``method`` whose path template matches ``segments`` (query not checked)."""
        root = self.roots.get(method)
        if root is None:
            return []
        found: list[Route] = []
        self._walk(root, segments, 0, found)
        return found

    def any_method_matches(self, segments: list[str]) -> bool:
        return any(self.candidates(method, segments) for method in self.roots)

    def _walk(self, node: _Node, segments: list[str], i: int, found: list[Route]) -> None:
        count = len(segments)
        if i == count or (i == count - 1 and segments[i] == ""):
            found.extend(node.routes)
        for suffix, routes in node.greedy.items():
            end = count - len(suffix)
            if end <= i or (end == i + 1 and segments[i] == ""):
                continue  # the greedy label needs at least one character
            if all(seg == want or unquote(seg) == want for seg, want in zip(segments[end:], suffix)):
                found.extend(routes)
        if i >= count:
            return
        seg = segments[i]
        child = node.literals.get(seg)
        if child is None and "%" in seg:
            child = node.literals.get(unquote(seg))
        if child is not None:
            self._walk(child, segments, i + 1, found)
        if node.label is not None and seg:
            self._walk(node.label, segments, i + 1, found)


def choose_route(routes: list[Route], request: HttpRequest, strict_query: bool = False) -> Route | None:
    """The most specific of the path-matching ``routes`` for this request (None if none fit).

    ``strict_query``: a route whose required query members are missing does not fit (S3, where
    ``uploadId`` is what makes ``POST /bucket/key`` a CompleteMultipartUpload); otherwise such a
    route still fits, and the service answers the missing member.
    """
    if len(routes) == 1 and not routes[0].query_literals and not (strict_query and routes[0].required_query):
        return routes[0]
    query = request.query
    fitting = [r for r in routes if not r.query_literals or r.query_ok(query)]
    if strict_query:
        fitting = [r for r in fitting if all(name in query for name in r.required_query)]
    if len(fitting) <= 1:
        return fitting[0] if fitting else None
    best = max(r.static_rank for r in fitting)
    top = [r for r in fitting if r.static_rank == best]
    if len(top) == 1:
        return top[0]
    headers = request.headers

    def rank(route: Route):
        # the operation whose required query/header members are all present, with the most
        # of them (UploadPart over PutObject), then the non-deprecated one
        met = not route.requirement_count or route.requirements_met(query, headers)
        return (met, route.requirement_count if met else 0, not route.deprecated)

    return max(top, key=rank)


_tables: dict[int, tuple[ServiceModel, RouteTable]] = {}
_tables_lock = threading.Lock()


def route_table(service: ServiceModel) -> RouteTable:
    """The routing table of ``service`` (built on first use)."""
    entry = _tables.get(id(service))
    if entry is None or entry[0] is not service:
        with _tables_lock:
            entry = _tables.get(id(service))
            if entry is None or entry[0] is not service:
                entry = (service, RouteTable(service))  # holding the model keeps its id unique
                _tables[id(service)] = entry
    return entry[1]


def split_path(path: str) -> list[str]:
    """Raw path -> raw segments (``/a//b/`` -> ``['a', '', 'b', '']``; ``/`` -> ``[]``)."""
    if path.startswith("/"):
        path = path[1:]
    return path.split("/") if path else []


# ------------------------------------------------------------------ location traits


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
        return lambda v: str(format_timestamp(v, fmt))
    if kind in _INTEGERS:
        return lambda v: str(int(v))
    return str


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
            self.payload = payload
            self.payload_shape = member = shape.members[payload]
            if member.serialization.get("eventstream"):
                self.payload_kind = "eventstream"
            elif member.type_name in ("blob", "string"):
                self.payload_kind = member.type_name
            else:
                self.payload_kind = "structure"
            self.has_body_members = False
        self.header_index = {header: (name, read) for header, name, read in self.headers}
        endpoint = operation.endpoint or {}
        prefix = endpoint.get("hostPrefix")
        if prefix and self.host_labels:
            pattern = re.escape(prefix)
            for name in self.host_labels:
                pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[A-Za-z0-9-]+)")
            self.host_prefix_re = re.compile(pattern)


class ResponsePlan:
    """How to write one operation's output (or one error shape) to HTTP (compiled once)."""

    __slots__ = ("status", "status_member", "headers", "header_maps", "payload", "payload_kind",
                 "payload_shape", "has_body_members", "shape", "content_type_member")

    def __init__(self, shape, status: int = 200):
        self.shape = shape
        self.status = status
        self.status_member = None
        self.headers: list[tuple[str, str, Callable]] = []
        self.header_maps: list[tuple[str, str]] = []
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
            elif location == "headers":
                self.header_maps.append((name, ser.get("name", "").lower()))
            elif location is None:
                self.has_body_members = True
        payload = shape.serialization.get("payload")
        if payload is not None:
            self.payload = payload
            self.payload_shape = member = shape.members[payload]
            if member.serialization.get("eventstream"):
                self.payload_kind = "eventstream"
            elif member.type_name in ("blob", "string"):
                self.payload_kind = member.type_name
            else:
                self.payload_kind = "structure"
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
    for name, header, write in plan.headers:
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


def plan_cache() -> tuple[dict, threading.Lock]:
    """A fresh (cache, lock) pair for per-operation plans keyed by operation object."""
    return {}, threading.Lock()
