"""Whatever valid-but-odd documents X-Ray accepted (fields it does not check of any JSON type,
loops of parent ids, unreadable URLs, in-progress segments), the query side answers them:
random documents that pass ingestion's checks go through the trace model, summaries, graphs
and filters without an exception, and through the real server without a 500."""

from __future__ import annotations

import json
import random
import time

import pytest

from overcast.services.xray.filters import Evaluator, parse_filter
from overcast.services.xray.graph import GraphBuilder, TraceGraph
from overcast.services.xray.segment_documents import Rejected, parse_documents
from overcast.services.xray.summaries import trace_summary
from overcast.services.xray.trace_view import TraceView

_ODD_VALUES = [None, True, 0, -1, 2.5, "", "x", "http://[::1", "http://h.example/p", [], [1, "a"], {}, {"a": {"b": 1}}]
_FIELDS = ["origin", "namespace", "user", "resource_arn", "http", "aws", "cause", "annotations", "service", "sql",
           "error", "fault", "throttle", "in_progress", "parent_id", "type", "precursor_ids", "inferred"]
_NESTED = {"http": ["request", "response"], "aws": ["queue_url", "table_name", "bucket_name", "account_id", "ec2"],
           "cause": ["exceptions", "id"], "request": ["url", "method", "user_agent", "client_ip"],
           "response": ["status"], "ec2": ["instance_id", "availability_zone"]}
EXPRESSIONS = ["ok", "fault", "partial", "duration > 0.1", "http.status = 200", 'http.url CONTAINS "h"', 'user = "x"',
               "annotation.a = 1", 'service("n1") { fault }', 'edge("n0", "n1")', 'id(type: "remote")',
               'rootcause.fault.entity { exception.message CONTAINS "x" }', "rootcause.responsetime.entity { coverage > 0.1 }",
               'rootcause.error.service { inferred }']


def _odd(rng: random.Random, key: str, depth: int = 0):
    if key in _NESTED and depth < 3 and rng.random() < 0.7:
        return {k: _odd(rng, k, depth + 1) for k in _NESTED[key] if rng.random() < 0.8}
    if key == "exceptions" and rng.random() < 0.6:
        return [{"type": rng.choice(_ODD_VALUES), "message": rng.choice(_ODD_VALUES)} for _ in range(2)]
    return rng.choice(_ODD_VALUES)


def _random_trace(rng: random.Random, n: int, base: float) -> list[dict]:
    trace_id = f"1-{int(base):08x}-{n:024x}"
    ids = [f"{n:08x}{k:08x}" for k in range(12)]
    docs = []
    for k in range(rng.randint(1, 4)):
        start = base + rng.random()
        doc = {"trace_id": trace_id, "id": ids[k], "name": f"n{rng.randrange(3)}", "start_time": start,
               "end_time": start + rng.random()}
        for field in rng.sample(_FIELDS, rng.randint(0, 6)):
            doc[field] = _odd(rng, field)
        if rng.random() < 0.5:
            doc["parent_id"] = rng.choice(ids)
        if rng.random() < 0.3:
            doc["type"] = "subsegment"
            doc["parent_id"] = rng.choice(ids)
        if rng.random() < 0.6:
            doc["subsegments"] = [{"id": ids[6 + j], "name": f"s{j}", "start_time": start, "end_time": start + 0.1,
                                   "namespace": rng.choice(["aws", "remote", None]),
                                   **{f: _odd(rng, f) for f in rng.sample(_FIELDS[:9], 3)}} for j in range(2)]
        docs.append(doc)
    accepted = []
    for doc in docs:
        try:
            accepted.extend(parse_documents(json.dumps(doc)))
        except Rejected:
            pass
    return accepted


def test_random_accepted_documents_never_break_the_query_side():
    rng = random.Random(7)
    evaluator = Evaluator(lambda field, value: None)
    trees = [parse_filter(e) for e in EXPRESSIONS]
    builder = GraphBuilder()
    checked = 0
    for n in range(600):
        docs = _random_trace(rng, n, 1_700_000_000.0)
        if not docs:
            continue
        checked += 1
        view = TraceView(docs[0]["trace_id"], [json.loads(json.dumps(d)) for d in docs])
        json.dumps(trace_summary(view, len(docs)))
        builder.add(TraceGraph(view))
        for tree in trees:
            assert evaluator.matches(tree, view) in (True, False)
    json.dumps(builder.services())
    assert checked > 150  # enough traces got past ingestion for the run to mean something


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


def test_odd_documents_through_the_server(xray):
    rng = random.Random(11)
    now = float(int(time.time()) - 20)
    texts = [json.dumps(d) for n in range(60) for d in _random_trace(rng, n, now)]
    xray.put_trace_segments(TraceSegmentDocuments=texts[:200])
    window = {"StartTime": now - 5, "EndTime": now + 10}
    for expression in EXPRESSIONS:
        xray.get_trace_summaries(FilterExpression=expression, **window)
    assert xray.get_service_graph(**window)["Services"]
    xray.get_time_series_service_statistics(**window)
    ids = [json.loads(t)["trace_id"] for t in texts[:5]]
    xray.get_trace_graph(TraceIds=ids)
