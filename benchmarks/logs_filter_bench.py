"""FilterLogEvents over a million events, Overcast side by side with moto's server.

    python benchmarks/logs_filter_bench.py [--events 1000000] [--queries 5]
                                           [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0; this process (the boto3 load) on the other. The workload
from the CloudWatch Logs issue: one group holding --events events (one stream, PutLogEvents in
10,000-event batches over the past hour, not timed), then FilterLogEvents over the whole group,
following nextToken until the search is complete; the time of that whole search is the
median of --queries runs. Target: a selective pattern answers in under 1 s.

  selective   "ERROR" (one event in 10,000 holds it)                   target < 1 s
  json        { $.status = 503 } (one JSON event in 10,000)            reported
  regex       %timeout=[0-9]{4}% (no SQL prefilter: every event read)  reported

A run is INVALID if a search returns a different number of events than were put matching.
A peer slower than --load-budget is measured over the events it took in that time; a search
still paging after --query-budget seconds is reported as "over" that budget (with what it had
found and how many pages it had read).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


from harness import boto_client, moto_server, overcast_server  # noqa: E402

GROUP, STREAM = "bench-filter", "s1"
BATCH = 10_000  # PutLogEvents' maximum events per request
RARE = 10_000  # one event in RARE is an ERROR, one (another) a JSON 503

QUERIES = {
    "selective": "ERROR",
    "json": "{ $.status = 503 }",
    "regex": "%timeout=[0-9]{4}%",
}


SERVERS = {"overcast": overcast_server, "moto": moto_server}


def client(endpoint: str):
    return boto_client("logs", endpoint)


def message(i: int) -> str:
    if i % RARE == 17:
        return f"ERROR request {i} failed: upstream reset"
    if i % RARE == 4711:
        return json.dumps({"status": 503, "request": i, "path": "/api/orders"})
    if i % RARE == 999:
        return f"WARN request {i} slow timeout={1000 + i % 9000}"
    return f"INFO request {i} path=/api/v{i % 7}/items status=200 latency={i % 500} timeout=250"


def expected(total: int) -> dict[str, int]:
    counts = dict.fromkeys(QUERIES, 0)
    for i in range(total):
        r = i % RARE
        counts["selective"] += r == 17
        counts["json"] += r == 4711
        counts["regex"] += r == 999
    return counts


def load(endpoint: str, total: int, budget: float) -> int:
    logs = client(endpoint)
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
    start = int(time.time() * 1000) - 3_600_000
    step = max(1, 3_000_000 // max(total, 1))  # spread over 50 minutes, in time order
    deadline = time.monotonic() + budget
    for first in range(0, total, BATCH):
        if time.monotonic() > deadline:
            return first
        events = [{"timestamp": start + i * step, "message": message(i)}
                  for i in range(first, min(total, first + BATCH))]
        logs.put_log_events(logGroupName=GROUP, logStreamName=STREAM, logEvents=events)
    return total


def search(endpoint: str, pattern: str, budget: float) -> tuple[float, int, int, bool]:
    """(seconds for the whole search, events found, pages, whether it completed in budget)."""
    logs = client(endpoint)
    started, found, pages, token = time.perf_counter(), 0, 0, None
    while True:
        if pages and time.perf_counter() - started > budget:
            return time.perf_counter() - started, found, pages, False
        kwargs = {"nextToken": token} if token else {}
        answer = logs.filter_log_events(logGroupName=GROUP, filterPattern=pattern, **kwargs)
        found += len(answer["events"])
        pages += 1
        token = answer.get("nextToken")
        if not token:
            return time.perf_counter() - started, found, pages, True


def run(peer: str, args) -> dict:
    with SERVERS[peer]() as server:
        started = time.monotonic()
        loaded = load(server.url, args.events, args.load_budget)
        result = {"loaded": loaded, "load_seconds": time.monotonic() - started, "queries": {}}
        want = expected(loaded)
        for name, pattern in QUERIES.items():
            runs = []
            for _ in range(args.queries):
                try:
                    runs.append(search(server.url, pattern, args.query_budget))
                    if not runs[-1][3]:
                        break  # one search over budget is enough to say so
                except Exception as exc:  # noqa: BLE001 - reported: a pattern the peer refuses
                    result["queries"][name] = {"error": f"{type(exc).__name__}: {exc}"[:120]}
                    break
            if runs:
                result["queries"][name] = {
                    "median_s": statistics.median(r[0] for r in runs), "found": runs[-1][1],
                    "pages": runs[-1][2], "complete": all(r[3] for r in runs),
                    "valid": all(r[1] == want[name] for r in runs if r[3]), "expected": want[name]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=5)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--load-budget", type=float, default=900.0, help="seconds the load may take a peer")
    parser.add_argument("--query-budget", type=float, default=120.0, help="seconds one search may take a peer")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = {}
    for peer in args.peers.split(","):
        result = results[peer] = run(peer, args)
        parts = []
        for name, q in result["queries"].items():
            if "error" in q:
                parts.append(f"{name}: {q['error']}")
            elif not q["complete"]:
                parts.append(f"{name} over {args.query_budget:.0f} s ({q['found']} of {q['expected']} found in "
                             f"{q['pages']} pages)")
            else:
                parts.append(f"{name} {q['median_s'] * 1000:,.0f} ms ({q['found']} found in {q['pages']} pages, "
                             f"{'valid' if q['valid'] else 'INVALID'})")
        print(f"{peer:9} loaded {result['loaded']:,} events in {result['load_seconds']:.0f} s  " + "  ".join(parts),
              flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
