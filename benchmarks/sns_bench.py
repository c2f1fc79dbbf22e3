"""SNS benchmarks, Overcast side by side with moto's server in the same run.

    python benchmarks/sns_bench.py --duration 5 --repeat 3 [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0; the load (wrk, and this process) on core 1. Repeats
alternate the servers, each started fresh; the table gives medians. Workloads, targets from
the SNS issue:

  publish-1     Publish (wrk replaying one signed query request) to a topic with one SQS
                subscriber; rate = messages delivered to the queue per second, from the
                first Publish to the last delivery                           >= 3,000 msg/s
  fanout-10     the same with ten SQS subscribers; rate = deliveries/s       >= 15,000 deliveries/s
  latency       Publish -> SQS ReceiveMessage with long polls waiting        p99 < 10 ms

A run is INVALID if any Publish answers non-2xx or an acknowledged message is not delivered
within 60 s of the end of the load.
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

import boto3  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from cpu_meter import process_cpu  # noqa: E402
from harness import Server, free_port, overcast_server, percentile_ms, wrk  # noqa: E402
from sqs_client import SqsClient  # noqa: E402

TARGETS = {"publish-1": ("rate", 3_000), "fanout-10": ("rate", 15_000), "latency": ("p99", 10.0)}
BODY = "x" * 240
_CREDENTIALS = Credentials("test", "test")


def moto_server() -> Server:
    port = free_port()
    return Server([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port, "/moto-api/")


SERVERS = {"overcast": overcast_server, "moto": moto_server}


def clients(endpoint: str):
    config = Config(retries={"max_attempts": 2}, read_timeout=60)
    make = lambda service: boto3.session.Session().client(  # noqa: E731
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=config)
    return make("sns"), make("sqs")


def signed_publish(endpoint: str, topic_arn: str, message: str) -> tuple[dict[str, str], str]:
    """Headers and form body of a SigV4-signed Publish (query protocol)."""
    body = urllib.parse.urlencode({"Action": "Publish", "Version": "2010-03-31", "TopicArn": topic_arn,
                                   "Message": message})
    request = AWSRequest("POST", endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(_CREDENTIALS, "sns", "us-east-1").add_auth(request)
    headers = {k: v for k, v in request.headers.items()}
    headers["Host"] = urllib.parse.urlsplit(endpoint).netloc
    return headers, body


ENVELOPED = False


def _subscribed_queues(sns, sqs, topic_arn: str, count: int, prefix: str) -> list[str]:
    urls = []
    for i in range(count):
        url = sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # --enveloped: SNS's signed JSON envelope (an RSA signature per message) instead of the raw body
        raw = "false" if ENVELOPED else "true"
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": raw})
        urls.append(url)
    return urls


def _depth(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def fan_out(endpoint: str, args, subscribers: int, name: str) -> dict:
    """wrk publishes for ``args.duration`` s; then wait until every acknowledged message is in
    every queue. The rate counts deliveries from the start of the load to the last one."""
    sns, sqs = clients(endpoint)
    topic = sns.create_topic(Name=f"bench-{name}")["TopicArn"]
    urls = _subscribed_queues(sns, sqs, topic, subscribers, f"bench-{name}")
    headers, body = signed_publish(endpoint, topic, BODY)
    cpu = process_cpu(args.server_pid)
    started = time.perf_counter()
    run = wrk(endpoint + "/", args.duration, method="POST", body=body, headers=headers,
              connections=args.connections)
    published = run["requests"] or 0
    problems = []
    if run["non2xx"]:
        problems.append(f"{run['non2xx']} non-2xx answers")
    acknowledged = published - run["non2xx"]
    expected = max(0, acknowledged - args.connections)  # wrk may stop with requests unanswered
    deadline = time.perf_counter() + 60
    delivered = 0
    while time.perf_counter() < deadline:
        delivered = sum(_depth(sqs, url) for url in urls)
        if delivered >= expected * subscribers:
            break
        time.sleep(0.05)
    finished = time.perf_counter()
    cpu = process_cpu(args.server_pid) - cpu
    if delivered < expected * subscribers:
        problems.append(f"lost deliveries: {expected * subscribers} expected, {delivered} in the queues")
    elapsed = finished - started
    return {"rps": delivered / elapsed, "p50_ms": run["p50_ms"], "p99_ms": run["p99_ms"], "problems": problems,
            "per_core": delivered / cpu if cpu else None,
            "note": f"{published} published at {run['rps']:,.0f}/s, {delivered} delivered in {elapsed:.1f} s"}


def latency(endpoint: str, args) -> dict:
    sns, sqs = clients(endpoint)
    topic = sns.create_topic(Name="bench-latency")["TopicArn"]
    url = _subscribed_queues(sns, sqs, topic, 1, "bench-latency")[0]
    return asyncio.run(_latency(endpoint, topic, url, args))


async def _latency(endpoint: str, topic: str, url: str, args) -> dict:
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
                    body = json.loads(message["Body"])["Message"] if ENVELOPED else message["Body"]
                    future = waiting.pop(body[:16], None)
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
            headers, body = signed_publish(endpoint, topic, key + BODY)
            waiting[key] = future = loop.create_future()
            started = time.perf_counter()
            status, answer = await sender.post(headers, body.encode())
            if status != 200:
                problems.append(f"Publish -> HTTP {status}: {answer[:200]!r}")
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
        problems.append(f"{lost} messages not received within 5 s")
    samples.sort()
    return {"rps": len(samples) / args.duration, "p50_ms": percentile_ms(samples, 50),
            "p99_ms": percentile_ms(samples, 99), "problems": problems,
            "per_core": None, "note": f"{len(samples)} publishes, {args.pollers} long polls waiting"}


WORKLOADS = {
    "publish-1": lambda endpoint, args: fan_out(endpoint, args, 1, "one"),
    "fanout-10": lambda endpoint, args: fan_out(endpoint, args, 10, "ten"),
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
    parser.add_argument("--enveloped", action="store_true", help="subscribe without RawMessageDelivery")
    args = parser.parse_args()
    global ENVELOPED
    ENVELOPED = args.enveloped
    peers, workloads = args.peers.split(","), args.workloads.split(",")
    runs: dict[str, dict[str, list[dict]]] = {p: {w: [] for w in workloads} for p in peers}
    for repeat in range(args.repeat):
        for peer in peers:
            with SERVERS[peer]() as server:
                args.server_pid = server.proc.pid
                for name in workloads:
                    result = WORKLOADS[name](server.url, args)
                    runs[peer][name].append(result)
                    status = "INVALID: " + "; ".join(result["problems"]) if result["problems"] else "ok"
                    p99 = f"{result['p99_ms']:.2f}" if result.get("p99_ms") is not None else "-"
                    print(f"  [{repeat + 1}] {peer:<9} {name:<10} {result['rps']:>10,.0f}/s  p99 {p99} ms  "
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
