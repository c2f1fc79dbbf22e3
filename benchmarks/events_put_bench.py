"""EventBridge PutEvents -> rule -> SQS target, Overcast side by side with moto's server.

    python benchmarks/events_put_bench.py --duration 5 --repeat 3 [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0; the load (wrk, and this process) on core 1. Repeats
alternate the servers, each started fresh; the table gives medians. Workloads, targets from
the EventBridge issue:

  put-1       wrk replays one signed PutEvents of ONE entry to the default bus, whose one
              rule sends to one SQS queue; rate = events in the queue per second, from the
              first PutEvents to the last delivery                           >= 3,000 events/s
  put-10      the same with ten entries a request                            >= 3,000 events/s
  latency     PutEvents (one entry) answered -> the event received by a long poll
              already waiting on the queue                                   p99 < 20 ms

A run is INVALID if any PutEvents answers non-2xx or an acknowledged event does not reach the
queue within 60 s of the end of the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from cpu_meter import process_cpu  # noqa: E402
from harness import boto_client, moto_server, overcast_server, percentile_ms, wrk  # noqa: E402
from sqs_client import SqsClient  # noqa: E402

TARGETS = {"put-1": ("rate", 3_000), "put-10": ("rate", 3_000), "latency": ("p99", 20.0)}
SERVERS = {"overcast": overcast_server, "moto": moto_server}
_CREDENTIALS = Credentials("test", "test")
DETAIL = json.dumps({"order": "o-1234", "amount": 42.5, "items": ["a", "b", "c"], "note": "x" * 160})


def signed_put_events(endpoint: str, entries: list[dict]) -> tuple[dict[str, str], str]:
    """Headers and JSON body of a SigV4-signed PutEvents."""
    body = json.dumps({"Entries": entries})
    request = AWSRequest("POST", endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.PutEvents"})
    SigV4Auth(_CREDENTIALS, "events", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = urllib.parse.urlsplit(endpoint).netloc
    return headers, body


def _entry(name: str, detail: str = DETAIL) -> dict:
    return {"Source": "bench.orders", "DetailType": f"Order Placed ({name})", "Detail": detail}


def rule_to_queue(endpoint: str, name: str) -> str:
    """A rule on the default bus matching the workload's events (by detail-type: a slow peer
    still working off an earlier workload's backlog sends nothing to this one's queue), its
    one target a new queue."""
    events, sqs = boto_client("events", endpoint), boto_client("sqs", endpoint)
    url = sqs.create_queue(QueueName=f"bench-{name}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=f"bench-{name}", EventPattern=json.dumps({"source": ["bench.orders"],
                                                                    "detail-type": [f"Order Placed ({name})"]}))
    events.put_targets(Rule=f"bench-{name}", Targets=[{"Id": "queue", "Arn": arn}])
    return url


def _depth(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def throughput(endpoint: str, args, per_request: int, name: str) -> dict:
    """wrk puts events for ``args.duration`` s; then wait until every acknowledged event is in
    the queue. The rate counts deliveries from the start of the load to the last one."""
    url = rule_to_queue(endpoint, name)
    sqs = boto_client("sqs", endpoint)
    headers, body = signed_put_events(endpoint, [_entry(name) for _ in range(per_request)])
    cpu = process_cpu(args.server_pid)
    started = time.perf_counter()
    run = wrk(endpoint + "/", args.duration, method="POST", body=body, headers=headers,
              connections=args.connections)
    requests = run["requests"] or 0
    problems = []
    if run["non2xx"]:
        problems.append(f"{run['non2xx']} non-2xx answers")
    acknowledged = (requests - run["non2xx"]) * per_request
    expected = max(0, acknowledged - args.connections * per_request)  # wrk may stop with requests unanswered
    deadline = time.perf_counter() + 60
    delivered = 0
    while time.perf_counter() < deadline:
        delivered = _depth(sqs, url)
        if delivered >= expected:
            break
        time.sleep(0.05)
    finished = time.perf_counter()
    cpu = process_cpu(args.server_pid) - cpu
    if delivered < expected:
        problems.append(f"lost deliveries: {expected} expected, {delivered} in the queue")
    elapsed = finished - started
    return {"rps": delivered / elapsed, "p50_ms": run["p50_ms"], "p99_ms": run["p99_ms"], "problems": problems,
            "per_core": delivered / cpu if cpu else None,
            "note": f"{acknowledged} events put at {run['rps'] * per_request:,.0f}/s, {delivered} delivered "
                    f"in {elapsed:.1f} s"}


def latency(endpoint: str, args) -> dict:
    url = rule_to_queue(endpoint, "latency")
    return asyncio.run(_latency(endpoint, url, args))


async def _latency(endpoint: str, url: str, args) -> dict:
    client = SqsClient(endpoint)
    loop = asyncio.get_running_loop()
    waiting: dict[str, asyncio.Future] = {}
    problems: list[str] = []

    async def poller():
        conn = client.connection()
        try:
            while True:
                messages = (await client.call(conn, "ReceiveMessage", {
                    "QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20})).get("Messages", [])
                arrived = time.perf_counter()
                for message in messages:
                    key = json.loads(message["Body"])["detail"]["key"]
                    future = waiting.pop(key, None)
                    if future is not None and not future.done():
                        future.set_result(arrived)
                if messages:
                    await client.call(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]})
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001 - recorded: the run becomes INVALID
            problems.append(f"poller: {exc}")
        finally:
            conn.close()

    pollers = [asyncio.ensure_future(poller()) for _ in range(args.pollers)]
    await asyncio.sleep(0.5)
    sender, samples, lost = client.connection(), [], 0
    end = time.perf_counter() + args.duration
    try:
        for i in range(args.latency_count):
            if time.perf_counter() > end or problems:
                break
            key = f"{i:016d}"
            probe = _entry("latency", json.dumps({"key": key, "note": "x" * 200}))
            headers, body = signed_put_events(endpoint, [probe])
            waiting[key] = future = loop.create_future()
            started = time.perf_counter()
            status, answer = await sender.post(headers, body.encode())
            if status != 200:
                problems.append(f"PutEvents -> HTTP {status}: {answer[:200]!r}")
                break
            try:
                samples.append(await asyncio.wait_for(future, 5) - started)
            except asyncio.TimeoutError:
                lost += 1
                waiting.pop(key, None)
            await asyncio.sleep(0.002)
    finally:
        sender.close()
        for task in pollers:
            task.cancel()
        await asyncio.gather(*pollers, return_exceptions=True)
    if lost:
        problems.append(f"{lost} events not received within 5 s")
    samples.sort()
    return {"rps": len(samples) / args.duration, "p50_ms": percentile_ms(samples, 50),
            "p99_ms": percentile_ms(samples, 99), "problems": problems,
            "per_core": None, "note": f"{len(samples)} PutEvents, {args.pollers} long polls waiting"}


WORKLOADS = {
    "put-1": lambda endpoint, args: throughput(endpoint, args, 1, "one"),
    "put-10": lambda endpoint, args: throughput(endpoint, args, 10, "ten"),
    "latency": latency,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--pollers", type=int, default=4)
    parser.add_argument("--latency-count", type=int, default=2000)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--json")
    args = parser.parse_args()
    peers, workloads = args.peers.split(","), args.workloads.split(",")
    runs: dict[str, dict[str, list[dict]]] = {p: {w: [] for w in workloads} for p in peers}
    for repeat in range(args.repeat):
        for peer in peers:
            with SERVERS[peer]() as server:
                args.server_pid = server.proc.pid
                for name in workloads:
                    try:
                        result = WORKLOADS[name](server.url, args)
                    except Exception as exc:  # noqa: BLE001 - a peer that cannot run a workload: INVALID
                        result = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "problems": [repr(exc)[:300]],
                                  "per_core": None, "note": "failed"}
                    runs[peer][name].append(result)
                    status = "INVALID: " + "; ".join(result["problems"]) if result["problems"] else "ok"
                    p99 = f"{result['p99_ms']:.2f}" if result.get("p99_ms") is not None else "-"
                    print(f"  [{repeat + 1}] {peer:<9} {name:<8} {result['rps']:>10,.0f}/s  p99 {p99} ms  "
                          f"{status}  ({result['note']})", flush=True)
    invalid = False
    print("\n| workload | peer | median rate/s | p99 ms | target | runs |\n|---|---|---|---|---|---|")
    for name in workloads:
        for peer in peers:
            results = runs[peer][name]
            invalid |= any(r["problems"] for r in results)
            rate = statistics.median(r["rps"] for r in results)
            p99s = [r["p99_ms"] for r in results if r.get("p99_ms") is not None]
            kind, value = TARGETS[name]
            target = f">= {value:,}/s" if kind == "rate" else f"p99 < {value} ms"
            shown_runs = ", ".join(f"{r['rps']:,.0f}" for r in results)
            p99 = f"{statistics.median(p99s):.2f}" if p99s else "-"
            print(f"| {name} | {peer} | {rate:,.0f} | {p99} | {target} | {shown_runs} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs, f, indent=1)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
