"""One trace seen as X-Ray's query side sees it: its segments put back together, the service
nodes they form (including inferred nodes for downstream calls nobody traced), the edges
between them, and the trace-level facts (root segment, duration, response time, partial).

Filter expressions, trace summaries and the trace and service graphs all read this model, so
they agree on what a "service" and an "edge" of a trace are.

Node identity is (name, type): a segment's node is its ``name`` and ``origin``; a client
subsegment (namespace ``aws`` or ``remote``) whose callee sent no segment of its own gives an
inferred node: an AWS resource (``AWS::SQS::Queue``, ``AWS::DynamoDB::Table``,
``AWS::S3::Bucket``) or service (``AWS::<Name>``) for ``aws`` calls, the URL's host with type
``remote`` for HTTP calls.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlparse

from overcast.services.xray.traces import _whole_segments

# Subsegments that stand for a call to another service (an AWS API, an HTTP endpoint).
CLIENT_NAMESPACES = ("aws", "remote")


class Node:
    """A service in a trace, and the documents that stand for it (its segments, or for an
    inferred node the client subsegments that called it)."""

    __slots__ = ("name", "type", "key", "account_id", "inferred", "entities")

    def __init__(self, name: str, type_: str | None, account_id: str | None, inferred: bool):
        self.name = name
        self.type = type_
        self.key = (name, type_)
        self.account_id = account_id
        self.inferred = inferred
        self.entities: list[dict] = []

    def service_id(self) -> dict:
        """The ServiceId shape."""
        out = {"Name": self.name, "Names": [self.name]}
        if self.account_id:
            out["AccountId"] = self.account_id
        if self.type:
            out["Type"] = self.type
        return out


class Edge:
    """A call from one node to another; ``entities`` are the documents whose outcome and
    timing are the edge's (the client subsegment when there is one, else the callee's segment)."""

    __slots__ = ("source", "target", "entities")

    def __init__(self, source: Node, target: Node):
        self.source = source
        self.target = target
        self.entities: list[dict] = []


def walk(doc: dict):
    """The document and every nested subsegment, depth first."""
    yield doc
    for child in doc.get("subsegments") or ():
        if isinstance(child, dict):
            yield from walk(child)


def response_time(doc: dict) -> float | None:
    end, start = doc.get("end_time"), doc.get("start_time")
    if isinstance(end, (int, float)) and isinstance(start, (int, float)):
        return end - start
    return None


def _account_of(doc: dict) -> str | None:
    aws = doc.get("aws")
    if isinstance(aws, dict) and isinstance(aws.get("account_id"), str):
        return aws["account_id"]
    return None


def inferred_identity(sub: dict) -> tuple[str, str]:
    """(name, type) of the node a client subsegment calls when the callee is not traced."""
    aws = sub.get("aws") if isinstance(sub.get("aws"), dict) else {}
    name = str(sub.get("name", ""))
    if sub.get("namespace") == "aws":
        if isinstance(aws.get("queue_url"), str):
            return aws["queue_url"].rstrip("/").rsplit("/", 1)[-1], "AWS::SQS::Queue"
        if isinstance(aws.get("table_name"), str):
            return aws["table_name"], "AWS::DynamoDB::Table"
        if isinstance(aws.get("bucket_name"), str):
            return aws["bucket_name"], "AWS::S3::Bucket"
        return name, f"AWS::{name}"
    http = sub.get("http") if isinstance(sub.get("http"), dict) else {}
    request = http.get("request") if isinstance(http.get("request"), dict) else {}
    host = _host(request.get("url"))
    return (host, "remote") if host else (name, "remote")


def _host(url) -> str | None:
    """The host of a URL a client recorded; None when there is none or it cannot be read."""
    if not isinstance(url, str):
        return None
    try:
        return urlparse(url).hostname
    except ValueError:  # "http://[::1" and the like: recorded as sent, named by the subsegment
        return None


class TraceView:
    """A trace's documents (segments and separately sent subsegments) as nodes and edges."""

    def __init__(self, trace_id: str, docs: list[dict]):
        self.id = trace_id
        self.segments = [d for d in _whole_segments(docs) if d.get("type") != "subsegment"]
        self.nodes: dict[tuple, Node] = {}
        self.edges: dict[tuple, Edge] = {}
        self.owner: dict[str, Node] = {}  # entity id -> the node whose segment holds it
        self.by_id: dict[str, dict] = {}
        self._build()
        roots = [s for s in self.segments if not s.get("parent_id") or s["parent_id"] not in self.by_id]
        roots.sort(key=lambda s: s.get("start_time", 0))
        self.root: dict | None = roots[0] if roots else (self.segments[0] if self.segments else None)

    def _node(self, name: str, type_: str | None, account: str | None, inferred: bool) -> Node:
        node = self.nodes.get((name, type_))
        if node is None:
            node = self.nodes[(name, type_)] = Node(name, type_, account, inferred)
        elif inferred is False:
            node.inferred = False
        return node

    def _edge(self, source: Node, target: Node) -> Edge:
        edge = self.edges.get((source.key, target.key))
        if edge is None:
            edge = self.edges[(source.key, target.key)] = Edge(source, target)
        return edge

    def _build(self) -> None:
        for seg in self.segments:
            origin = seg.get("origin")
            node = self._node(str(seg.get("name", "")), origin if isinstance(origin, str) else None,
                              _account_of(seg), False)
            node.entities.append(seg)
            for entity in walk(seg):
                if "id" in entity:
                    self.by_id[entity["id"]] = entity
                    self.owner[entity["id"]] = node
        called = {s.get("parent_id") for s in self.segments if s.get("parent_id")}
        for seg in self.segments:
            source = self.owner[seg["id"]] if "id" in seg else None
            for sub in walk(seg):
                if sub is seg or sub.get("namespace") not in CLIENT_NAMESPACES or sub.get("id") in called:
                    continue
                name, type_ = inferred_identity(sub)
                target = self._node(name, type_, _account_of(sub), True)
                target.entities.append(sub)
                self._edge(source, target).entities.append(sub)
        for seg in self.segments:
            parent = self.by_id.get(seg.get("parent_id"))
            if parent is None:
                continue
            source, target = self.owner[parent["id"]], self.owner[seg["id"]]
            if source is target:
                continue
            # The caller's client subsegment times the call as the caller saw it; a segment
            # whose parent is a whole segment has only its own timing.
            is_segment = any(parent is s for s in self.segments)
            self._edge(source, target).entities.append(seg if is_segment else parent)

    # trace-level facts -------------------------------------------------------------------

    def entities(self):
        for seg in self.segments:
            yield from walk(seg)

    @property
    def start_time(self) -> float:
        return min((s["start_time"] for s in self.segments if "start_time" in s), default=0.0)

    @cached_property  # read by the graph, the filter facts and the summary: one walk
    def duration(self) -> float | None:
        ends = [e["end_time"] for e in self.entities() if isinstance(e.get("end_time"), (int, float))]
        if not ends or not self.segments:
            return None
        return round(max(ends) - self.start_time, 3)

    @property
    def response_time(self) -> float | None:
        if self.root is None:
            return None
        value = response_time(self.root)
        return round(value, 3) if value is not None else None

    @cached_property
    def partial(self) -> bool:
        return any(e.get("in_progress") is True for e in self.entities())

    def root_flag(self, flag: str) -> bool:
        return bool(self.root is not None and self.root.get(flag) is True)

    @property
    def ok(self) -> bool:
        return not (self.root_flag("fault") or self.root_flag("error") or self.root_flag("throttle"))

    def root_http(self) -> tuple[dict, dict]:
        """The root segment's (http.request, http.response), each {} when absent."""
        http = self.root.get("http") if self.root is not None else None
        if not isinstance(http, dict):
            return {}, {}
        req, resp = http.get("request"), http.get("response")
        return (req if isinstance(req, dict) else {}), (resp if isinstance(resp, dict) else {})

    def entry_point(self) -> Node | None:
        if self.root is None or "id" not in self.root:
            return None
        return self.owner.get(self.root["id"])
