"""A necessary condition of a filter expression, tested on a trace's facts computed once when
its segments arrive (``trace_facts``), so GetTraceSummaries decodes only the traces that may
match instead of every trace of its window.

``could_match(tree, facts)`` is False only for a trace the evaluator would refuse: every
trace-level comparison is exact (the facts hold the very values the evaluator reads), a
``service()`` / ``edge()`` needs a node or edge of that identity, and a block's conditions are
tested against the values of all its documents together (a document satisfying the block has
its values among them). What the facts cannot settle (``!``, ``!=`` inside a block, root
causes, groups) counts as a possible match; the evaluator decides those on the documents.
"""

from __future__ import annotations

from overcast.services.xray.filters import ast
from overcast.services.xray.filters.evaluator import compare, entity_values, trace_values
from overcast.services.xray.filters.keywords import annotation_key
from overcast.services.xray.trace_view import TraceView, walk

# The keywords whose values the evaluator reads from the trace or from one document; any
# other keyword but an annotation has none.
KEYWORDS = ("error", "fault", "throttle", "ok", "partial", "responsetime", "duration", "http.url",
            "http.method", "http.useragent", "http.clientip", "http.status", "user")


def _values_of(docs: list[dict]) -> dict:
    return {keyword: [value for doc in docs for value in entity_values(doc, keyword)] for keyword in KEYWORDS}


def trace_facts(view: TraceView) -> tuple:
    """(trace-level values by keyword, annotation values by key, nodes, edges): plain tuples,
    dicts, lists and JSON values, so they can be stored (marshal)."""
    annotations: dict[str, list] = {}
    for seg in view.segments:  # view.entities() order, as trace_values reads annotations
        for entity in walk(seg):
            found = entity.get("annotations")
            if isinstance(found, dict):
                for key, value in found.items():
                    annotations.setdefault(key, []).append(value)
    nodes = [((n.name, n.type, n.account_id), _values_of(n.entities)) for n in view.nodes.values()]
    edges = [((e.source.name, e.source.type, e.source.account_id), (e.target.name, e.target.type, e.target.account_id),
              _values_of(e.entities)) for e in view.edges.values()]
    return {keyword: trace_values(view, keyword) for keyword in KEYWORDS}, annotations, nodes, edges


def could_match(tree, facts: tuple) -> bool:
    """False only when the trace these facts describe cannot match ``tree``."""
    if isinstance(tree, ast.And):
        return all(could_match(item, facts) for item in tree.items)
    if isinstance(tree, ast.Or):
        return any(could_match(item, facts) for item in tree.items)
    if isinstance(tree, ast.Compare):
        values, annotations = facts[0], facts[1]
        key = annotation_key(tree.keyword)
        return compare(tree, annotations.get(key, []) if key is not None else values.get(tree.keyword, []))
    if isinstance(tree, ast.ServiceFn):
        return any(_selected(tree.selector, identity) and _block(tree.body, values) for identity, values in facts[2])
    if isinstance(tree, ast.EdgeFn):
        return any(_selected(tree.source, source) and _selected(tree.target, target) and _block(tree.body, values)
                   for source, target, values in facts[3])
    return True  # !, root causes, groups: decided on the documents


def _block(body, values: dict) -> bool:
    """Whether some document of a node or edge may satisfy a block, given all their values."""
    if body is None:
        return True
    if isinstance(body, ast.And):
        return all(_block(item, values) for item in body.items)
    if isinstance(body, ast.Or):
        return any(_block(item, values) for item in body.items)
    if isinstance(body, ast.Compare) and body.op != "!=":  # "!=" holds per document: not from a union
        return compare(body, values.get(body.keyword, []))
    return True


def _selected(selector: ast.Selector, identity: tuple) -> bool:
    name, type_, account_id = identity
    return ((selector.name is None or selector.name == name)
            and (selector.type is None or selector.type == type_)
            and (selector.account_id is None or selector.account_id == account_id))
