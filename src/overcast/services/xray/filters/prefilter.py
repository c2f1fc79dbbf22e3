"""A necessary condition of a filter expression, tested on a trace's facts computed once when
its segments arrive (``trace_facts``), so GetTraceSummaries decodes only the traces that may
match instead of every trace of its window.

``could_match(tree, facts)`` is False only for a trace the evaluator would refuse: every
trace-level comparison is exact (the facts hold the very values the evaluator reads), a
``service()`` / ``edge()`` needs a node or edge of that identity, and a block's conditions are
tested against the values of all its documents together (a document satisfying the block has
its values among them). What the facts cannot settle (``!``, ``!=`` or http/user tests inside
a block, root causes, groups) counts as a possible match; the evaluator decides those on the
documents.
"""

from __future__ import annotations

from overcast.services.xray.filters import ast
from overcast.services.xray.filters.evaluator import compare, trace_values
from overcast.services.xray.filters.keywords import annotation_key
from overcast.services.xray.trace_view import TraceView, response_time, walk

# The keywords whose values the evaluator reads from the trace or from one document; any
# other keyword but an annotation has none.
KEYWORDS = ("error", "fault", "throttle", "ok", "partial", "responsetime", "duration", "http.url",
            "http.method", "http.useragent", "http.clientip", "http.status", "user")


# The keywords a service() / edge() block's facts answer (for its documents together): the
# flags as bits (two per keyword: False seen, True seen) and the response times; a block's
# test of another of KEYWORDS (http.*, user) is left to the evaluator.
FLAG_KEYWORDS = ("error", "fault", "throttle", "ok", "partial")
_KEYWORD_INDEX = {keyword: i for i, keyword in enumerate(KEYWORDS)}
_FLAG_INDEX = {keyword: i for i, keyword in enumerate(FLAG_KEYWORDS)}


def block_facts(docs: list[dict]) -> tuple[int, tuple]:
    """(flag bits, response times) of ``docs`` together: what ``entity_values`` gives for
    each of them (in one pass: this runs for every node and edge of every trace stored)."""
    bits = 0
    times = []
    for doc in docs:
        get = doc.get
        error, fault, throttle = get("error") is True, get("fault") is True, get("throttle") is True
        ok = not (error or fault or throttle)
        bits |= (1 << error) | (1 << (2 + fault)) | (1 << (4 + throttle)) | (1 << (6 + ok)) \
            | (1 << (8 + (get("in_progress") is True)))
        elapsed = response_time(doc)
        if elapsed is not None:
            times.append(elapsed)
    return bits, tuple(times)


def block_values(facts: tuple[int, tuple], keyword: str) -> list | None:
    """The values of a keyword in a block's facts; None for one they do not hold."""
    if keyword in ("responsetime", "duration"):
        return list(facts[1])
    index = _FLAG_INDEX.get(keyword)
    if index is None:
        return None
    return [value for value in (False, True) if facts[0] >> (2 * index + value) & 1]


def trace_facts(view: TraceView) -> tuple:
    """(trace-level values in KEYWORDS order, annotation values by key, nodes, edges), as
    flat as can be (read back for every candidate of a filtered query): a node is (name,
    type, account id, block facts), an edge (source identity, target identity, block facts)."""
    annotations: dict[str, list] = {}
    for seg in view.segments:  # view.entities() order, as trace_values reads annotations
        for entity in walk(seg):
            found = entity.get("annotations")
            if isinstance(found, dict):
                for key, value in found.items():
                    annotations.setdefault(key, []).append(value)
    nodes = tuple((n.name, n.type, n.account_id, block_facts(n.entities)) for n in view.nodes.values())
    edges = tuple(((e.source.name, e.source.type, e.source.account_id),
                   (e.target.name, e.target.type, e.target.account_id), block_facts(e.entities))
                  for e in view.edges.values())
    return tuple(tuple(trace_values(view, keyword)) for keyword in KEYWORDS), annotations, nodes, edges


def could_match(tree, facts: tuple) -> bool:
    """False only when the trace these facts describe cannot match ``tree``."""
    if isinstance(tree, ast.And):
        return all(could_match(item, facts) for item in tree.items)
    if isinstance(tree, ast.Or):
        return any(could_match(item, facts) for item in tree.items)
    if isinstance(tree, ast.Compare):
        key = annotation_key(tree.keyword)
        if key is not None:
            return compare(tree, facts[1].get(key, []))
        index = _KEYWORD_INDEX.get(tree.keyword)
        return compare(tree, facts[0][index] if index is not None else [])
    if isinstance(tree, ast.ServiceFn):
        return any(_selected(tree.selector, (name, type_, account_id)) and _block(tree.body, values)
                   for name, type_, account_id, values in facts[2])
    if isinstance(tree, ast.EdgeFn):
        return any(_selected(tree.source, source) and _selected(tree.target, target) and _block(tree.body, values)
                   for source, target, values in facts[3])
    return True  # !, root causes, groups: decided on the documents


def _block(body, values: tuple) -> bool:
    """Whether some document of a node or edge may satisfy a block, given all their values."""
    if body is None:
        return True
    if isinstance(body, ast.And):
        return all(_block(item, values) for item in body.items)
    if isinstance(body, ast.Or):
        return any(_block(item, values) for item in body.items)
    if isinstance(body, ast.Compare) and body.op != "!=":  # "!=" holds per document: not from a union
        found = block_values(values, body.keyword)
        if found is not None:
            return compare(body, found)
        return body.keyword in KEYWORDS  # http.*, user: not kept; anything else has no value in a block
    return True


def _selected(selector: ast.Selector, identity: tuple) -> bool:
    name, type_, account_id = identity
    return ((selector.name is None or selector.name == name)
            and (selector.type is None or selector.type == type_)
            and (selector.account_id is None or selector.account_id == account_id))
