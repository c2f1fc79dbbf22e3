"""REST routing: which operation a method + URI template (+ query, headers) names.

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

Paths are matched raw (percent-encoded, as sent) and labels decoded after matching, so keys
holding ``/`` as ``%2F``, ``..``, ``//`` or any unicode come through intact.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from overcast.protocols.base import HttpRequest

_LABEL_RE = re.compile(r"^\{([^}]+)\}$")


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
        # a route named by its query literal (``DELETE /bucket?metrics``) still fits, so the
        # service answers the missing member instead of a plainer route (DeleteBucket) running
        fitting = [r for r in fitting if r.query_literals or all(name in query for name in r.required_query)]
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
