"""Evaluation of a parsed filter expression against one trace (``TraceView``).

Each keyword is read through an accessor that returns the values it has where the expression
looks (the trace, one document of a node or edge, one root-cause service or entity); a
comparison holds when one of the values satisfies it, ``!=`` when the keyword has a value and
none equals the operand. A missing boolean reads as false.
"""

from __future__ import annotations

from typing import Callable

from overcast.services.xray import root_causes
from overcast.services.xray.filters import ast
from overcast.services.xray.filters.keywords import annotation_key
from overcast.services.xray.trace_view import Node, TraceView, response_time

GroupResolver = Callable[[str, str], object]  # (field, value) -> parsed tree or None


def request_response(doc: dict | None) -> tuple[dict, dict]:
    """A document's (http.request, http.response), each {} when absent."""
    http = doc.get("http") if isinstance(doc, dict) else None
    if not isinstance(http, dict):
        return {}, {}
    req, resp = http.get("request"), http.get("response")
    return (req if isinstance(req, dict) else {}), (resp if isinstance(resp, dict) else {})


def _http_value(doc: dict | None, keyword: str) -> list:
    req, resp = request_response(doc)
    field = {"http.url": (req, "url"), "http.method": (req, "method"),
             "http.useragent": (req, "user_agent"), "http.clientip": (req, "client_ip"),
             "http.status": (resp, "status")}[keyword]
    value = field[0].get(field[1])
    return [] if value is None else [value]


def entity_values(doc: dict, keyword: str) -> list:
    """Keyword values of one document (inside service() / edge() blocks)."""
    if keyword in ("error", "fault", "throttle"):
        return [doc.get(keyword) is True]
    if keyword == "ok":
        return [not any(doc.get(f) is True for f in ("error", "fault", "throttle"))]
    if keyword == "partial":
        return [doc.get("in_progress") is True]
    if keyword in ("responsetime", "duration"):
        value = response_time(doc)
        return [] if value is None else [value]
    if keyword.startswith("http."):
        return _http_value(doc, keyword)
    if keyword == "user":
        return [doc["user"]] if isinstance(doc.get("user"), str) else []
    return []


class Evaluator:
    """Evaluates trees against traces; ``groups`` resolves ``group.name``/``group.arn``."""

    def __init__(self, groups: GroupResolver | None = None):
        self.groups = groups
        self._resolving: set = set()

    def matches(self, tree, view: TraceView) -> bool:
        return self._eval(tree, view, lambda kw: trace_values(view, kw))

    # dispatch ---------------------------------------------------------------------------

    def _eval(self, node, view: TraceView, values) -> bool:
        if isinstance(node, ast.And):
            return all(self._eval(item, view, values) for item in node.items)
        if isinstance(node, ast.Or):
            return any(self._eval(item, view, values) for item in node.items)
        if isinstance(node, ast.Not):
            return not self._eval(node.item, view, values)
        if isinstance(node, ast.Compare):
            return compare(node, values(node.keyword))
        if isinstance(node, ast.ServiceFn):
            return any(self._node_matches(n, node.body, view) for n in view.nodes.values()
                       if selected(node.selector, n))
        if isinstance(node, ast.EdgeFn):
            return any(self._docs_match(e.entities, node.body, view) for e in view.edges.values()
                       if selected(node.source, e.source) and selected(node.target, e.target))
        if isinstance(node, ast.RootCause):
            return self._root_cause(node, view)
        if isinstance(node, ast.GroupRef):
            return self._group(node, view)
        raise TypeError(f"unknown filter node {node!r}")

    def _node_matches(self, node: Node, body, view: TraceView) -> bool:
        return self._docs_match(node.entities, body, view)

    def _docs_match(self, docs: list[dict], body, view: TraceView) -> bool:
        if body is None:
            return True
        return any(self._eval(body, view, lambda kw, d=doc: entity_values(d, kw)) for doc in docs)

    def _root_cause(self, node: ast.RootCause, view: TraceView) -> bool:
        causes = (root_causes.response_time_root_causes(view) if node.kind == "responsetime"
                  else root_causes.flag_root_causes(view, node.kind))
        for cause in causes:
            for service in cause["Services"]:
                if node.level == "service":
                    if self._eval(node.body, view, lambda kw, s=service: _service_values(s, kw)):
                        return True
                    continue
                for entity in service.get("EntityPath", ()):
                    if self._eval(node.body, view, lambda kw, e=entity: _entity_path_values(e, kw)):
                        return True
        return False

    def _group(self, node: ast.GroupRef, view: TraceView) -> bool:
        if self.groups is None or (node.field, node.value) in self._resolving:
            return False  # no groups here, or a group that names itself
        tree = self.groups(node.field, node.value)
        if tree is None:
            return False
        self._resolving.add((node.field, node.value))
        try:
            return self.matches(tree, view)
        finally:
            self._resolving.discard((node.field, node.value))


def trace_values(view: TraceView, keyword: str) -> list:
    """The values a keyword has at the trace level (outside service() / edge() blocks)."""
    if keyword in ("error", "fault", "throttle"):
        return [view.root_flag(keyword)]
    if keyword == "ok":
        return [view.ok]
    if keyword == "partial":
        return [view.partial]
    if keyword == "responsetime":
        return [] if view.response_time is None else [view.response_time]
    if keyword == "duration":
        return [] if view.duration is None else [view.duration]
    if keyword.startswith("http."):
        return _http_value(view.root, keyword)
    if keyword == "user":
        return [e["user"] for e in view.segments if isinstance(e.get("user"), str)]
    key = annotation_key(keyword)
    if key is not None:
        out = []
        for entity in view.entities():
            annotations = entity.get("annotations")
            if isinstance(annotations, dict) and key in annotations:
                out.append(annotations[key])
        return out
    return []


def selected(selector: ast.Selector, node: Node) -> bool:
    return ((selector.name is None or selector.name == node.name)
            and (selector.type is None or selector.type == node.type)
            and (selector.account_id is None or selector.account_id == node.account_id))


def _service_values(service: dict, keyword: str) -> list:
    field = {"name": "Name", "type": "Type", "account.id": "AccountId", "inferred": "Inferred"}[keyword]
    value = service.get(field)
    if keyword == "inferred":
        return [bool(value)]
    return [] if value is None else [value]


def _entity_path_values(entity: dict, keyword: str) -> list:
    if keyword == "name":
        return [entity["Name"]] if "Name" in entity else []
    if keyword == "remote":
        return [bool(entity.get("Remote"))]
    if keyword == "coverage":
        return [entity["Coverage"]] if "Coverage" in entity else []
    field = "Name" if keyword == "exception.name" else "Message"
    return [exc[field] for exc in entity.get("Exceptions", ()) if field in exc]


def _same_kind(a, b) -> bool:
    """Strings compare with strings, booleans with booleans, numbers with numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str)
    return isinstance(a, (int, float)) and isinstance(b, (int, float))


def compare(node: ast.Compare, values: list) -> bool:
    if node.op is None:  # bare keyword: a boolean that is true, or an annotation that is present
        return any(v is True for v in values) if annotation_key(node.keyword) is None else bool(values)
    operand = node.value
    typed = [v for v in values if _same_kind(v, operand)]
    if node.op == "!=":
        return bool(typed) and all(v != operand for v in typed)
    return any(_holds(node.op, v, operand) for v in typed)


def _holds(op: str, value, operand) -> bool:
    if op == "=":
        return value == operand
    if op == "<":
        return value < operand
    if op == "<=":
        return value <= operand
    if op == ">":
        return value > operand
    if op == ">=":
        return value >= operand
    if op == "CONTAINS":
        return operand in value
    if op == "BEGINSWITH":
        return value.startswith(operand)
    if op == "ENDSWITH":
        return value.endswith(operand)
    return False
