"""A fixed set of six traces covering what filter expressions look at (statuses, flags, HTTP
fields, users, annotations of every type, service types, inferred AWS and HTTP nodes, a
downstream service, a handled downstream fault, an in-progress segment), shared by the filter
table and the tests through the server."""

from __future__ import annotations

BASE = 1_700_000_000.0


def _trace_id(n: int, base: float) -> str:
    return f"1-{int(base):08x}-{n:024x}"


def _id(n: int, k: int) -> str:
    return f"{n:08x}{k:08x}"


def _http(method, url, status=None, ua=None, ip=None):
    request = {"method": method, "url": url}
    if ua:
        request["user_agent"] = ua
    if ip:
        request["client_ip"] = ip
    out = {"request": request}
    if status is not None:
        out["response"] = {"status": status}
    return out


def fixture_traces(base: float = BASE) -> dict[str, list[dict]]:
    """name -> the trace's documents (the segments as sent)."""
    traces: dict[str, list[dict]] = {}

    def root(n, name="web", start_offset=0.0, rt=0.2, **fields):
        start = base + start_offset
        doc = {"trace_id": _trace_id(n, base), "id": _id(n, 1), "name": name, "start_time": start}
        if rt is None:
            doc["in_progress"] = True
        else:
            doc["end_time"] = start + rt
        if name == "web":
            doc["origin"] = "AWS::EC2::Instance"
        doc.update(fields)
        return doc

    t1 = root(1, rt=0.2, http=_http("GET", "http://api.example.com/v2/users", 200, "curl/8.0", "10.0.0.1"),
              user="alice", annotations={"account": "12345", "tier": 2, "beta": True})
    t1["subsegments"] = [{"id": _id(1, 2), "name": "SQS", "namespace": "aws", "start_time": base + 0.05,
                          "end_time": base + 0.06,
                          "aws": {"operation": "SendMessage",
                                  "queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/orders"}}]
    traces["ok_get"] = [t1]

    t2 = root(2, start_offset=1, rt=3.0, fault=True,
              http=_http("POST", "http://api.example.com/v1/orders", 502, "Mozilla/5.0", None))
    call = {"id": _id(2, 2), "name": "backend", "namespace": "remote", "start_time": base + 1.02,
            "end_time": base + 3.92, "fault": True,
            "http": _http("POST", "http://backend.internal/orders", 500)}
    t2["subsegments"] = [call]
    backend = {"trace_id": t2["trace_id"], "id": _id(2, 3), "parent_id": call["id"], "name": "backend",
               "origin": "AWS::ECS::Container", "start_time": base + 1.03, "end_time": base + 3.98 + 0.12,
               "fault": True, "annotations": {"account": "999"},
               "cause": {"exceptions": [{"id": "e1", "type": "DBError", "message": "connection refused"}]}}
    traces["fault_post"] = [t2, backend]

    traces["error_404"] = [root(3, start_offset=2, rt=0.05, error=True, user="bob",
                                http=_http("GET", "http://api.example.com/v2/missing", 404, "Mozilla/5.0", "10.0.0.2"),
                                annotations={"tier": 5})]

    t4 = root(4, name="gateway", start_offset=3, rt=1.0, error=True, throttle=True,
              http=_http("POST", "http://gw.example.org/submit", 429))
    t4["subsegments"] = [{"id": _id(4, 2), "name": "partner", "namespace": "remote", "start_time": base + 3.1,
                          "end_time": base + 3.6, "error": True,
                          "http": _http("GET", "http://partner.example.net/x", 400)}]
    traces["throttled"] = [t4]

    traces["partial"] = [root(5, start_offset=4, rt=None, http=_http("GET", "http://api.example.com/v2/slow"))]

    t6 = root(6, start_offset=5, rt=6.0, user="alice", http=_http("GET", "http://api.example.com/v2/report", 200))
    t6["subsegments"] = [{"id": _id(6, 2), "name": "DynamoDB", "namespace": "aws", "start_time": base + 5.2,
                          "end_time": base + 10.7, "fault": True, "annotations": {"region_code": "eu"},
                          "aws": {"operation": "GetItem", "table_name": "reports"}}]
    traces["slow_ok"] = [t6]
    return traces
