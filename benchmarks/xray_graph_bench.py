"""X-Ray queries over a large store: GetServiceGraph and GetTraceSummaries (with a filter
expression) over 100,000 stored segments, through boto3 against a real ``overcast serve``.

    python3 benchmarks/xray_graph_bench.py [--segments 100000] [--repeat 3] [--peers overcast,moto]

The segments are 4 per trace (frontend -> api -> worker, frontend -> auth), each with client
subsegments (HTTP calls, an SQS queue, a DynamoDB table), some faults, errors and throttles,
spread over the last 50 minutes. They are sent with PutTraceSegments first (the ingestion rate
is printed too); each query is then timed ``--repeat`` times and the median reported. The first
run of each query comes right after the last segment was acknowledged (cold: Overcast
summarizes traces in the background as they arrive, and a query first finishes what is still
pending). Overcast is then restarted on the same data dir and each query timed once more, first
thing after the restart. moto's server runs the same workload side by side (``--peers``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import overcast_server  # noqa: E402
from xray_ingest_bench import moto  # noqa: E402

SEGMENTS_PER_TRACE = 4
BATCH = 250  # documents per PutTraceSegments call


def _id(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def _call(rng, name, start, took, url=None, aws=None, **flags):
    sub = {"id": _id(rng), "name": name, "start_time": start, "end_time": start + took,
           "namespace": "aws" if aws else "remote"}
    if aws:
        sub["aws"] = aws
    if url:
        sub["http"] = {"request": {"method": "GET", "url": url}, "response": {"status": 500 if flags.get("fault") else 200}}
    sub.update(flags)
    return sub


def trace_documents(rng: random.Random, start: float) -> list[dict]:
    """One trace's four segment documents."""
    trace_id = f"1-{int(start):08x}-{rng.getrandbits(96):024x}"
    fault = rng.random() < 0.05
    error = not fault and rng.random() < 0.05
    throttle = error and rng.random() < 0.5
    call_api = _call(rng, "api", start + 0.002, 0.05, url="http://api.internal/orders", fault=fault)
    call_auth = _call(rng, "auth", start + 0.001, 0.004, url="http://auth.internal/check")
    frontend = {"trace_id": trace_id, "id": _id(rng), "name": "frontend", "origin": "AWS::EC2::Instance",
                "start_time": start, "end_time": start + 0.06, "fault": fault, "error": error, "throttle": throttle,
                "http": {"request": {"method": "GET", "url": f"http://shop.example.com/item/{rng.randrange(1000)}",
                                     "user_agent": "bench", "client_ip": "10.0.0.1"},
                         "response": {"status": 500 if fault else (429 if throttle else (404 if error else 200))}},
                "annotations": {"customer": f"c{rng.randrange(100)}", "tier": rng.randrange(3)},
                "subsegments": [call_auth, call_api]}
    queue = _call(rng, "SQS", start + 0.03, 0.005,
                  aws={"operation": "SendMessage", "queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"})
    call_worker = _call(rng, "worker", start + 0.036, 0.01, url="http://worker.internal/run")
    api = {"trace_id": trace_id, "id": _id(rng), "parent_id": call_api["id"], "name": "api",
           "origin": "AWS::ECS::Container", "start_time": start + 0.003, "end_time": start + 0.051, "fault": fault,
           "subsegments": [_call(rng, "DynamoDB", start + 0.004, 0.02, aws={"operation": "GetItem", "table_name": "orders"}),
                           queue, call_worker]}
    auth = {"trace_id": trace_id, "id": _id(rng), "parent_id": call_auth["id"], "name": "auth",
            "start_time": start + 0.0015, "end_time": start + 0.0045}
    worker = {"trace_id": trace_id, "id": _id(rng), "parent_id": call_worker["id"], "name": "worker",
              "origin": "AWS::Lambda::Function", "start_time": start + 0.037, "end_time": start + 0.045}
    return [frontend, api, auth, worker]


def _timed(fn, repeat: int) -> tuple[float, object, list[float]]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result, times


def _client(url: str):
    return boto3.client("xray", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, read_timeout=600))


def store(url: str, docs: list[str]) -> None:
    """Send ``docs`` to the server at ``url`` with PutTraceSegments."""
    xray = _client(url)
    began = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        out = xray.put_trace_segments(TraceSegmentDocuments=docs[i:i + BATCH])
        assert not out["UnprocessedTraceSegments"], out["UnprocessedTraceSegments"][:3]
    ingest = time.perf_counter() - began
    print(f"  stored {len(docs):,} segments with PutTraceSegments in {ingest:.1f} s ({len(docs) / ingest:,.0f} segments/s)")


def run_queries(url: str, base: float, repeat: int) -> None:
    """Time each query ``repeat`` times."""
    xray = _client(url)
    window = {"StartTime": base - 10, "EndTime": base + 3000}
    expression = 'service("api") { fault } AND annotation.tier = 1'

    def all_pages():
        pages, count = 0, 0
        for page in xray.get_paginator("get_trace_summaries").paginate(FilterExpression=expression, **window):
            pages, count = pages + 1, count + len(page["TraceSummaries"])
        return f"{pages} pages, {count} traces matched"

    queries = [
        ("GetServiceGraph", lambda: f"{len(xray.get_service_graph(**window)['Services'])} services"),
        (f"GetTraceSummaries '{expression}', every page", all_pages),
        ("GetTraceSummaries, first page",
         lambda: f"{len(xray.get_trace_summaries(FilterExpression=expression, **window)['TraceSummaries'])} traces"),
    ]
    for name, query in queries:
        try:
            median, answer, runs = _timed(query, repeat)
        except Exception as exc:  # noqa: BLE001 - a peer without the operation: say so
            print(f"  {name}: failed: {str(exc)[:160]}")
            continue
        print(f"  {name}: median {median:.3f} s (runs {', '.join(f'{t:.3f}' for t in runs)}); {answer}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", default="overcast,moto")
    args = parser.parse_args()
    rng = random.Random(19)
    traces = args.segments // SEGMENTS_PER_TRACE
    base = time.time() - 3000
    docs = [json.dumps(d, separators=(",", ":")) for i in range(traces)
            for d in trace_documents(rng, base + i * (2900 / traces))]
    for peer in args.peers.split(","):
        data_dir = tempfile.mkdtemp(prefix="overcast-bench-")
        server = overcast_server(data_dir, "--xray-port", "0", "--imds-port", "0") if peer == "overcast" else moto()
        print(f"{peer}: {len(docs):,} segments in {traces:,} traces")
        with server:
            store(server.url, docs)
            run_queries(server.url, base, args.repeat)
        if peer == "overcast":
            print("  after a restart on the same data dir:")
            with overcast_server(data_dir, "--xray-port", "0", "--imds-port", "0") as server:
                run_queries(server.url, base, 1)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
