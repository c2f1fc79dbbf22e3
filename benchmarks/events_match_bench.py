"""EventBridge pattern matching: 1,000 rules on one bus, and TestEventPattern over HTTP beside moto.

    python benchmarks/events_match_bench.py [--rules 1000] [--events 20000] [--http-seconds 5]
                                            [--peers overcast,moto] [--json out.json]

index      the bus's RuleIndex (what delivery uses) over ``--rules`` rules of mixed shapes
           (most name a source and a detail-type with content filters on detail; some only a
           detail-type; a tenth name no exact value or prefix at all and are scanned): time
           per event, mean (CPU time of this process, and wall) and wall p50/p99, against
           testing every rule in turn. Target: < 1 ms of CPU per event. In process, no server.
http       TestEventPattern (wrk replaying one signed request, one pattern with content
           filters) against Overcast and moto's server, each pinned to core 0, wrk on core 1.

A run is INVALID if the index and the one-by-one scan disagree on any event, or if a server
answers non-2xx.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

from harness import moto_server, overcast_server, wrk  # noqa: E402

from overcast.services.events.event_patterns import RuleIndex, compile_event_pattern  # noqa: E402

TARGET_MS = 1.0
SOURCES = 200
TYPES = ["Order Placed", "Order Shipped", "Payment Failed", "User Signed Up", "Object Created",
         "Instance State Change", "Alarm State Change", "Build Finished"]


def make_rules(count: int, rng: random.Random) -> list[str]:
    """Pattern texts: 70% source + detail-type + detail filters, 20% detail-type only with
    content filters, 10% with no exact field (wildcard, numeric, exists only: scanned)."""
    rules = []
    for i in range(count):
        kind = i % 10
        source = f"app.service-{rng.randrange(SOURCES)}"
        detail_type = rng.choice(TYPES)
        if kind < 7:
            pattern = {"source": [source], "detail-type": [detail_type],
                       "detail": {"status": [rng.choice(["ok", "failed", "pending"])],
                                  "amount": [{"numeric": [">", rng.randrange(100)]}],
                                  "region": [{"prefix": rng.choice(["us-", "eu-", "ap-"])}]}}
        elif kind < 9:
            pattern = {"detail-type": [detail_type],
                       "detail": {"$or": [{"status": [{"anything-but": "ok"}]},
                                          {"amount": [{"numeric": [">=", 90]}]}]}}
        else:
            pattern = {"detail": {"key": [{"wildcard": f"*/{rng.randrange(50)}/*.json"}],
                                  "amount": [{"numeric": [">=", rng.randrange(100)]}],
                                  "flag": [{"exists": True}]}}
        rules.append(json.dumps(pattern))
    return rules


def make_event(rng: random.Random) -> dict:
    return {
        "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": rng.choice(TYPES), "source": f"app.service-{rng.randrange(SOURCES)}",
        "account": "123456789012", "time": "2026-12-04T12:00:00Z", "region": "us-east-1",
        "resources": [f"arn:aws:s3:::bucket-{rng.randrange(10)}"],
        "detail": {"status": rng.choice(["ok", "failed", "pending"]), "amount": rng.randrange(120),
                   "region": rng.choice(["us-east-1", "eu-west-1", "ap-south-1"]),
                   "key": f"data/{rng.randrange(50)}/part-{rng.randrange(1000)}.json",
                   "flag": rng.random() < 0.5, "items": [{"sku": f"S-{n}"} for n in range(3)]},
    }


def bench_index(rule_count: int, event_count: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    texts = make_rules(rule_count, rng)
    started = time.perf_counter()
    compiled = [(index, compile_event_pattern(text)) for index, text in enumerate(texts)]
    index = RuleIndex(compiled)
    build_ms = (time.perf_counter() - started) * 1000
    events = [json.loads(json.dumps(make_event(rng))) for _ in range(event_count)]

    def timed(match, sample: list) -> tuple[dict, list]:
        """Wall time per event (percentiles) and this process's CPU time per event (the mean
        that other work on a shared machine does not inflate)."""
        times, answers = [], []
        cpu = time.process_time()
        for event in sample:
            t0 = time.perf_counter()
            answers.append(match(event))
            times.append((time.perf_counter() - t0) * 1000)
        cpu_ms = (time.process_time() - cpu) * 1000 / len(sample)
        ordered = sorted(times)
        return {"cpu_mean_ms": cpu_ms, "wall_mean_ms": statistics.fmean(times),
                "p50_ms": ordered[len(ordered) // 2], "p99_ms": ordered[int(len(ordered) * 0.99)]}, answers

    index_stats, index_answers = timed(index.match, events)
    # Testing every rule in turn is slow: a tenth of the events are enough to compare.
    sample = events[: max(1, len(events) // 10)]
    scan_stats, scan_answers = timed(lambda e: [key for key, p in compiled if p.matches(e)], sample)
    if index_answers[: len(sample)] != scan_answers:
        raise SystemExit("INVALID: the index and the one-by-one scan disagree")
    matched = sum(len(a) for a in index_answers) / len(events)
    return {"rules": rule_count, "events": event_count, "build_ms": build_ms,
            "scanned_rules": len(index.scanned), "matched_per_event": matched,
            "index": index_stats, "scan_all": scan_stats}


HTTP_PATTERN = json.dumps({"source": ["app.orders"], "detail-type": ["Order Placed"],
                           "detail": {"amount": [{"numeric": [">", 10, "<=", 500]}],
                                      "region": [{"prefix": "eu-"}], "status": [{"anything-but": "test"}]}})
HTTP_EVENT = json.dumps({"version": "0", "id": "1", "detail-type": "Order Placed", "source": "app.orders",
                         "account": "123456789012", "time": "2026-12-04T12:00:00Z", "region": "us-east-1",
                         "resources": [], "detail": {"amount": 42, "region": "eu-west-1", "status": "live"}})


def signed_request(endpoint: str) -> tuple[dict, str]:
    """TestEventPattern's headers and body, signed once (the servers do not check freshness)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = json.dumps({"EventPattern": HTTP_PATTERN, "Event": HTTP_EVENT})
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.TestEventPattern"})
    SigV4Auth(Credentials("test", "test"), "events", "us-east-1").add_auth(request)
    return dict(request.headers.items()), body


def bench_http(peer: str, seconds: float) -> dict:
    import urllib.request

    with (overcast_server() if peer == "overcast" else moto_server()) as server:
        headers, body = signed_request(server.url)
        # One call first: what it answers says whether the run measures a real match (moto 5
        # answers 200 with an empty body, no Result: it is shown, not hidden).
        answer = urllib.request.urlopen(urllib.request.Request(
            server.url + "/", data=body.encode(), headers=headers, method="POST"), timeout=30).read()
        try:
            matched = json.loads(answer).get("Result")
        except ValueError:
            matched = None
        if peer == "overcast" and matched is not True:
            raise SystemExit(f"INVALID: {peer} answered {answer[:200]!r}")
        result = wrk(server.url + "/", seconds, method="POST", body=body, headers=headers, connections=8)
    if result["non2xx"] or result["socket_errors"]:
        raise SystemExit(f"INVALID: {peer} had {result['non2xx']} non-2xx, {result['socket_errors']} socket errors")
    result["answer"] = "Result true" if matched is True else f"no Result ({answer[:40]!r})"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--http-seconds", type=float, default=5)
    parser.add_argument("--peers", default="overcast,moto", help="servers for the HTTP part ('' skips it)")
    parser.add_argument("--json")
    args = parser.parse_args()

    out = {"index": bench_index(args.rules, args.events), "http": {}}
    index = out["index"]
    verdict = "PASS" if index["index"]["cpu_mean_ms"] < TARGET_MS else "FAIL"
    print(f"{index['rules']} rules ({index['scanned_rules']} scanned), {index['events']} events, "
          f"{index['matched_per_event']:.2f} rules matched per event, index built in {index['build_ms']:.0f} ms")
    print(f"{'':12}{'CPU ms':>10}{'wall ms':>10}{'p50 ms':>10}{'p99 ms':>10}   (per event)")
    for name in ("index", "scan_all"):
        row = index[name]
        print(f"{name:12}{row['cpu_mean_ms']:>10.4f}{row['wall_mean_ms']:>10.4f}{row['p50_ms']:>10.4f}"
              f"{row['p99_ms']:>10.4f}")
    print(f"target < {TARGET_MS} ms per event: {verdict}")
    for peer in filter(None, args.peers.split(",")):
        result = bench_http(peer, args.http_seconds)
        out["http"][peer] = result
        print(f"TestEventPattern over HTTP, {peer:8}: {result['rps']:>8.0f} req/s  "
              f"p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms  answered: {result['answer']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
