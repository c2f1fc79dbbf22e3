"""Logs Insights over a million events, Overcast side by side with moto's server.

    python benchmarks/logs_insights_bench.py [--events 1000000] [--queries 5]
                                             [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0; this process (the boto3 load) on the other. One group
holds --events events (one stream, PutLogEvents in 10,000-event batches over the past hour,
not timed); each query is StartQuery then GetQueryResults polled every 20 ms until the status
is Complete: the time of that whole round trip is the median of --queries runs.

  bin        stats count(*) by bin(1m)                                 target < 2 s
  filtered   filter @message like "ERROR" | stats count(*) by bin(5m)   reported
  json       filter status = 503 | fields @timestamp, path | limit 50   reported
  top        stats avg(latency) as avg_latency by path                  reported

A run is INVALID if the answer does not account for the events put (counts summed over the
bins, the rare events found). A peer slower than --load-budget is measured over the events it
took in that time; a peer that refuses a query has the error reported.
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

GROUP, STREAM = "bench-insights", "s1"
BATCH = 10_000  # PutLogEvents' maximum events per request
RARE = 10_000   # one event in RARE is an ERROR, one (another) a JSON 503
PATHS = 7

QUERIES = {
    "bin": "stats count(*) by bin(1m)",
    "filtered": 'filter @message like "ERROR" | stats count(*) as n by bin(5m)',
    "json": "filter status = 503 | fields @timestamp, path | limit 50",
    "top": "stats avg(latency) as avg_latency by path",
}


SERVERS = {"overcast": overcast_server, "moto": moto_server}


def client(endpoint: str):
    return boto_client("logs", endpoint)


def message(i: int) -> str:
    if i % RARE == 17:
        return f"ERROR request {i} failed: upstream reset"
    if i % RARE == 4711:
        return json.dumps({"status": 503, "request": i, "path": "/api/orders", "latency": 900})
    return json.dumps({"status": 200, "request": i, "path": f"/api/v{i % PATHS}/items", "latency": i % 500})


def load(endpoint: str, total: int, budget: float) -> tuple[int, int, int]:
    """(events loaded, first and last timestamp in seconds)."""
    logs = client(endpoint)
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
    start = int(time.time() * 1000) - 3_600_000
    step = max(1, 3_000_000 // max(total, 1))  # spread over 50 minutes, in time order
    deadline = time.monotonic() + budget
    loaded = total
    for first in range(0, total, BATCH):
        if time.monotonic() > deadline:
            loaded = first
            break
        events = [{"timestamp": start + i * step, "message": message(i)}
                  for i in range(first, min(total, first + BATCH))]
        logs.put_log_events(logGroupName=GROUP, logStreamName=STREAM, logEvents=events)
    return loaded, start // 1000 - 1, (start + loaded * step) // 1000 + 1


def valid(name: str, results: list, loaded: int) -> bool:
    rows = [{f["field"]: f["value"] for f in row} for row in results]
    rare = sum(1 for i in range(loaded) if i % RARE == 17), sum(1 for i in range(loaded) if i % RARE == 4711)
    if name == "bin":
        return sum(int(float(r.get("count(*)", 0))) for r in rows) == loaded
    if name == "filtered":
        return sum(int(float(r.get("n", 0))) for r in rows) == rare[0]
    if name == "json":
        return len(rows) == min(50, rare[1]) and all(r.get("path") == "/api/orders" for r in rows)
    # one row per path, /api/orders of the 503s, and the ERROR lines (no path)
    return len(rows) == PATHS + (1 if rare[0] else 0) + (1 if rare[1] else 0)


def query(endpoint: str, text: str, first: int, last: int) -> tuple[float, list]:
    """(seconds from StartQuery to a Complete GetQueryResults, the results)."""
    logs = client(endpoint)
    started = time.perf_counter()
    query_id = logs.start_query(logGroupName=GROUP, queryString=text, startTime=first, endTime=last)["queryId"]
    while True:
        answer = logs.get_query_results(queryId=query_id)
        if answer["status"] not in ("Scheduled", "Running"):
            if answer["status"] != "Complete":
                raise RuntimeError(f"query ended {answer['status']}")
            return time.perf_counter() - started, answer["results"]
        if time.perf_counter() - started > 300:
            raise RuntimeError("query still running after 300 s")
        time.sleep(0.02)


def run(peer: str, args) -> dict:
    with SERVERS[peer]() as server:
        started = time.monotonic()
        loaded, first, last = load(server.url, args.events, args.load_budget)
        result = {"loaded": loaded, "load_seconds": time.monotonic() - started, "queries": {}}
        for name, text in QUERIES.items():
            runs = []
            for _ in range(args.queries):
                try:
                    runs.append(query(server.url, text, first, last))
                except Exception as exc:  # noqa: BLE001 - reported: a query the peer refuses
                    result["queries"][name] = {"error": f"{type(exc).__name__}: {exc}"[:160]}
                    break
            if runs:
                result["queries"][name] = {"median_s": statistics.median(r[0] for r in runs),
                                           "rows": len(runs[-1][1]),
                                           "valid": all(valid(name, r[1], loaded) for r in runs)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=5)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--load-budget", type=float, default=900.0, help="seconds the load may take a peer")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = {}
    for peer in args.peers.split(","):
        result = results[peer] = run(peer, args)
        parts = []
        for name, q in result["queries"].items():
            if "error" in q:
                parts.append(f"{name}: {q['error']}")
            else:
                parts.append(f"{name} {q['median_s'] * 1000:,.0f} ms ({q['rows']} rows, "
                             f"{'valid' if q['valid'] else 'INVALID'})")
        print(f"{peer:9} loaded {result['loaded']:,} events in {result['load_seconds']:.0f} s  " + "  ".join(parts),
              flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
