"""Root causes of a trace, as TraceSummary's FaultRootCauses, ErrorRootCauses and
ResponseTimeRootCauses report them (and ``rootcause.*`` filters test them).

A fault (or error) root cause is the deepest document that carries the flag on a chain of
flagged documents starting at the topmost flagged one: the service it belongs to, with the
path of entities inside that service down to it and their exceptions. The response-time root
cause follows the slowest child at each step. ``ClientImpacting`` says whether the root
segment itself shows the problem.
"""

from __future__ import annotations

from overcast.services.xray.trace_view import CLIENT_NAMESPACES, Node, TraceView, inferred_identity, response_time


def _children(entity: dict, downstream: dict) -> list[dict]:
    kids = [c for c in entity.get("subsegments") or () if isinstance(c, dict)]
    kids.extend(downstream.get(entity.get("id"), ()))
    return kids


def _exceptions(entity: dict) -> list[dict]:
    cause = entity.get("cause")
    if not isinstance(cause, dict):
        return []
    out = []
    exceptions = cause.get("exceptions")
    for exc in exceptions if isinstance(exceptions, list) else ():
        if isinstance(exc, dict):
            item = {}
            if isinstance(exc.get("type"), str):
                item["Name"] = exc["type"]
            if isinstance(exc.get("message"), str):
                item["Message"] = exc["message"]
            out.append(item)
    return out


def _chain(view: TraceView, pick) -> list[dict] | None:
    """The documents from the first to the last chosen by ``pick(candidates)`` (None: stop)."""
    downstream: dict[str, list[dict]] = {}
    for seg in view.segments:
        if seg.get("parent_id") in view.by_id:
            downstream.setdefault(seg["parent_id"], []).append(seg)
    if view.root is None:
        return None
    start = pick([view.root])
    if start is None:  # not client-visible: the first flagged document anywhere
        start = next((e for e in view.entities() if pick([e]) is not None), None)
    if start is None:
        return None
    chain, seen = [start], {id(start)}
    while True:
        # Parent ids can form a loop (documents are sent by clients): never revisit one.
        nxt = pick([c for c in _children(chain[-1], downstream) if id(c) not in seen])
        if nxt is None:
            return chain
        chain.append(nxt)
        seen.add(id(nxt))


def _service(view: TraceView, chain: list[dict], entity_fields) -> dict:
    last = chain[-1]
    owner: Node = view.owner.get(last.get("id"))
    is_call = last.get("namespace") in CLIENT_NAMESPACES and not any(
        s.get("parent_id") == last.get("id") for s in view.segments)
    if is_call:
        name, type_ = inferred_identity(last)
        node = view.nodes.get((name, type_))
        path = [dict(entity_fields(last), Name=str(last.get("name", "")), Remote=True)]
    else:
        node = owner
        path = [dict(entity_fields(e), Name=str(e.get("name", "")), Remote=False)
                for e in chain if view.owner.get(e.get("id")) is owner]
    service = node.service_id() if node is not None else {"Name": str(last.get("name", ""))}
    service["EntityPath"] = path
    service["Inferred"] = bool(node is not None and node.inferred)
    return service


def flag_root_causes(view: TraceView, flag: str) -> list[dict]:
    """FaultRootCauses (flag "fault") or ErrorRootCauses (flag "error")."""
    def pick(candidates):
        return next((c for c in candidates if c.get(flag) is True), None)

    chain = _chain(view, pick)
    if chain is None:
        return []
    service = _service(view, chain, lambda e: {"Exceptions": _exceptions(e)})
    return [{"Services": [service], "ClientImpacting": view.root_flag(flag)}]


def response_time_root_causes(view: TraceView) -> list[dict]:
    """The slowest path through the trace, down to the document that took the time."""
    total = view.response_time
    if not total:
        return []

    def pick(candidates):
        timed = [(response_time(c), c) for c in candidates if response_time(c) is not None]
        return max(timed, key=lambda pair: pair[0])[1] if timed else None

    chain = _chain(view, pick)
    if chain is None:
        return []

    def coverage(entity):
        return {"Coverage": round((response_time(entity) or 0.0) / total, 3)}

    return [{"Services": [_service(view, chain, coverage)], "ClientImpacting": True}]

