"""CloudWatch metric benchmarks, Overcast side by side with moto's server in the same run.

    python benchmarks/cloudwatch_bench.py [--points 1000000] [--put-seconds 10] [--queries 200]
                                          [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0; this process (the boto3 load) on the other. Workloads and
targets from the CloudWatch issue:

  put           PutMetricData, 1,000 values a request (20 metrics x 50 Values), 4 client
                threads; rate = values acknowledged per second            >= 50,000 values/s
  load          --points values put once into one metric, spread over the past 14 days (not
                timed: it makes the data the next two query)
  stats-p99     GetMetricStatistics over those 14 days, Period 3600, Sum/Average/Maximum and
                then p99: the p99 latency of --queries calls                p99 < 1 s
  data-p99      GetMetricData with the same MetricStat plus an expression  p99 < 1 s

A run is INVALID if the stored SampleCount differs from what was put. A peer slower than
--load-budget is measured over the values it took in that time (the table says how many).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


from cpu_meter import process_cpu  # noqa: E402
from harness import boto_client, moto_server, overcast_server  # noqa: E402

NAMESPACE = "Bench/CloudWatch"
VALUES_PER_REQUEST = 1000
DAY = 86400


SERVERS = {"overcast": overcast_server, "moto": moto_server}


def client(endpoint: str):
    return boto_client("cloudwatch", endpoint, read_timeout=120)


def _batch(name: str, stamp: datetime, seed: int) -> list[dict]:
    return [{"MetricName": f"{name}{m}", "Timestamp": stamp,
             "Values": [float((seed * 31 + m * 7 + v) % 997) for v in range(50)]} for m in range(20)]


def put_rate(endpoint: str, seconds: float, server_pid: int | None, threads: int = 4) -> dict:
    """Values acknowledged per second, and per second of the server's own CPU (what one core
    of server sustains when the client, here one Python process, is not the limit)."""
    done, errors = [0], [0]
    stop = time.monotonic() + seconds

    def work(worker: int) -> None:
        cw = client(endpoint)
        i = 0
        while time.monotonic() < stop:
            try:
                cw.put_metric_data(Namespace=NAMESPACE, MetricData=_batch(f"put{worker}-", datetime.now(timezone.utc),
                                                                         i))
                done[0] += VALUES_PER_REQUEST
            except Exception:  # noqa: BLE001 - counted: the run is invalid
                errors[0] += 1
            i += 1

    started, cpu = time.monotonic(), process_cpu(server_pid)
    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    cpu = process_cpu(server_pid) - cpu
    return {"rate": done[0] / (time.monotonic() - started), "per_cpu_second": done[0] / cpu if cpu else 0.0,
            "errors": errors[0]}


def load(endpoint: str, points: int, budget: float) -> tuple[float, int]:
    """Put ``points`` values into one metric over the past 14 days (or what ``budget``
    seconds allow: a slow server is measured over what it took); returns the span's start and
    the values put."""
    cw = client(endpoint)
    deadline = time.monotonic() + budget
    now = time.time()
    start = now - 14 * DAY + 3600
    requests = points // VALUES_PER_REQUEST
    for r in range(requests):
        if time.monotonic() > deadline:
            return start, r * VALUES_PER_REQUEST
        data = []
        for d in range(20):
            stamp = start + (r * 20 + d) * (14 * DAY - 7200) / (requests * 20)
            data.append({"MetricName": "Loaded", "Timestamp": datetime.fromtimestamp(stamp, tz=timezone.utc),
                         "Values": [float((r + d + v) % 1000) for v in range(50)]})
        cw.put_metric_data(Namespace=NAMESPACE, MetricData=data)
    return start, requests * VALUES_PER_REQUEST


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def stats_latency(endpoint: str, start: float, queries: int, points: int) -> dict:
    cw = client(endpoint)
    begin = datetime.fromtimestamp(start - start % 3600, tz=timezone.utc)
    end = datetime.fromtimestamp(time.time() + 3600, tz=timezone.utc)
    basic, extended, counted = [], [], 0.0
    for _ in range(queries):
        t = time.perf_counter()
        out = cw.get_metric_statistics(Namespace=NAMESPACE, MetricName="Loaded", StartTime=begin, EndTime=end,
                                       Period=3600, Statistics=["SampleCount", "Average", "Maximum"])
        basic.append(time.perf_counter() - t)
        counted = sum(p["SampleCount"] for p in out["Datapoints"])
        t = time.perf_counter()
        cw.get_metric_statistics(Namespace=NAMESPACE, MetricName="Loaded", StartTime=begin, EndTime=end,
                                 Period=3600, ExtendedStatistics=["p99"])
        extended.append(time.perf_counter() - t)
    return {"basic_p99_ms": p99(basic), "p99_stat_p99_ms": p99(extended), "stored": counted, "valid": counted == points}


def data_latency(endpoint: str, start: float, queries: int) -> dict:
    cw = client(endpoint)
    begin = datetime.fromtimestamp(start - start % 3600, tz=timezone.utc)
    end = datetime.fromtimestamp(time.time() + 3600, tz=timezone.utc)
    metric = {"Namespace": NAMESPACE, "MetricName": "Loaded", "Dimensions": []}
    samples = []
    try:
        for _ in range(queries):
            t = time.perf_counter()
            cw.get_metric_data(StartTime=begin, EndTime=end, MetricDataQueries=[
                {"Id": "m", "MetricStat": {"Metric": metric, "Period": 3600, "Stat": "Average"}},
                {"Id": "e", "Expression": "m * 2"}])
            samples.append(time.perf_counter() - t)
    except Exception as exc:  # noqa: BLE001 - reported (an operation the server lacks)
        return {"error": type(exc).__name__}
    return {"p99_ms": p99(samples)}


def run(peer: str, args) -> dict:
    with SERVERS[peer]() as server:
        result = {"put": put_rate(server.url, args.put_seconds, server.proc.pid)}
        started = time.monotonic()
        start, loaded = load(server.url, args.points, args.load_budget)
        result["load_seconds"], result["loaded"] = time.monotonic() - started, loaded
        result["stats"] = stats_latency(server.url, start, args.queries, loaded)
        result["data"] = data_latency(server.url, start, args.queries)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--put-seconds", type=float, default=10.0)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--load-budget", type=float, default=900.0, help="seconds the load may take a peer")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = {}
    for peer in args.peers.split(","):
        result = results[peer] = run(peer, args)
        stats, data = result["stats"], result["data"]
        print(f"{peer:9} put {result['put']['rate']:>9,.0f} values/s, {result['put']['per_cpu_second']:,.0f} per "
              f"server CPU second ({result['put']['errors']} errors)  "
              f"load {result['loaded']:,} values in {result['load_seconds']:.0f} s  "
              f"GetMetricStatistics p99 {stats['basic_p99_ms']:.1f} ms "
              f"(p99 stat {stats['p99_stat_p99_ms']:.1f} ms, {'valid' if stats['valid'] else 'INVALID'})  "
              f"GetMetricData p99 {data.get('p99_ms', float('nan')):.1f} ms {data.get('error', '')}", flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
