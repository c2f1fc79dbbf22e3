"""CloudWatch alarm evaluation benchmark, Overcast side by side with moto's server where it applies.

    PYTHONPATH=src python benchmarks/cloudwatch_alarms_bench.py [--alarms 1000] [--minutes 5]
                                                              [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0; this process on the other. Workloads and targets (CloudWatch
issue: "1,000 alarms evaluated each minute with the server still answering in under 10 ms p99"):

  put-alarms    PutMetricAlarm for --alarms alarms (one metric each), one client: alarms/s
  evaluate      Overcast only (moto does not evaluate alarms): each minute, one PutMetricData
                of a datapoint per metric (half of them breaching, alternating every minute so
                every alarm changes state), then the cloud clock moved one minute
                (POST /_overcast/clock), which evaluates every alarm; reported: the seconds one
                round of --alarms evaluations takes (the clock call's duration) and how many
                alarms were seen in the expected state after it          every alarm, each minute
  probe-p99     meanwhile, a second client thread calls DescribeAlarms for one alarm by name
                without pause; its p99 latency while the rounds run (the clock calls; not
                the PutMetricData and listing between them)              p99 < 10 ms
                (moto: the same probe with the same alarms stored, no evaluation running)

A run is INVALID if any call fails or an alarm is not in the state its data asks for.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


from harness import boto_client, moto_server, overcast_server  # noqa: E402

NAMESPACE = "Bench/Alarms"


SERVERS = {"overcast": overcast_server, "moto": moto_server}


def client(endpoint: str):
    return boto_client("cloudwatch", endpoint)


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


def put_alarms(cw, count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        cw.put_metric_alarm(AlarmName=f"alarm-{i:04d}", Namespace=NAMESPACE, MetricName="Load",
                            Dimensions=[{"Name": "Host", "Value": f"h{i}"}], Statistic="Maximum", Period=60,
                            EvaluationPeriods=1, Threshold=5.0, ComparisonOperator="GreaterThanThreshold")
    return count / (time.perf_counter() - started)


class Probe(threading.Thread):
    """DescribeAlarms of one alarm, without pause, latencies kept while ``recording`` is set."""

    def __init__(self, endpoint: str):
        super().__init__(daemon=True)
        self.cw = client(endpoint)
        self.stop = threading.Event()
        self.recording = threading.Event()
        self.samples: list[float] = []
        self.errors = 0

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                self.cw.describe_alarms(AlarmNames=["alarm-0007"])
            except Exception:  # noqa: BLE001 - counted: makes the run invalid
                self.errors += 1
            if self.recording.is_set():
                self.samples.append((time.perf_counter() - started) * 1000)


def cloud_now(url: str) -> float:
    return float(json.loads(urllib.request.urlopen(url + "/_overcast/clock", timeout=10).read())["now"])


def advance(url: str, seconds: float) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(url + "/_overcast/clock", data=json.dumps({"advance": seconds}).encode(),
                                     method="POST")
    urllib.request.urlopen(request, timeout=600).read()
    return time.perf_counter() - started


def evaluate_rounds(url: str, cw, count: int, minutes: int, probe: "Probe") -> dict:
    now = cloud_now(url)
    advance(url, 60 - now % 60 + 1)
    rounds, correct = [], 0
    for minute in range(minutes):
        start = cloud_now(url) // 60 * 60
        stamp = datetime.fromtimestamp(start + 1, tz=timezone.utc)
        breaching = {i for i in range(count) if (i + minute) % 2 == 0}
        for first in range(0, count, 1000):
            cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
                {"MetricName": "Load", "Dimensions": [{"Name": "Host", "Value": f"h{i}"}], "Timestamp": stamp,
                 "Value": 10.0 if i in breaching else 1.0} for i in range(first, min(first + 1000, count))])
        probe.recording.set()  # the probe counts while the alarms are being evaluated
        rounds.append(advance(url, 60))
        probe.recording.clear()
        seen = {}
        token = None
        while True:
            page = cw.describe_alarms(MaxRecords=100, **({"NextToken": token} if token else {}))
            seen.update({a["AlarmName"]: a["StateValue"] for a in page["MetricAlarms"]})
            token = page.get("NextToken")
            if not token:
                break
        correct += sum(1 for i in range(count)
                       if seen.get(f"alarm-{i:04d}") == ("ALARM" if i in breaching else "OK"))
    return {"round_seconds_median": statistics.median(rounds), "round_seconds_max": max(rounds),
            "alarms_in_expected_state": correct, "alarms_expected": count * minutes}


def run_peer(name: str, count: int, minutes: int) -> dict:
    with SERVERS[name]() as server:
        cw = client(server.url)
        result: dict = {"put_alarms_per_s": round(put_alarms(cw, count), 1)}
        probe = Probe(server.url)
        probe.start()
        time.sleep(0.5)
        if name == "overcast":
            result.update(evaluate_rounds(server.url, cw, count, minutes, probe))
        else:
            probe.recording.set()
            time.sleep(10)
            probe.recording.clear()
        probe.stop.set()
        probe.join(5)
        result["probe_calls"] = len(probe.samples)
        result["probe_p99_ms"] = round(p99(probe.samples), 2)
        result["probe_median_ms"] = round(statistics.median(probe.samples), 2) if probe.samples else None
        result["errors"] = probe.errors
        result["valid"] = probe.errors == 0 and result.get("alarms_in_expected_state") == result.get(
            "alarms_expected")
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alarms", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = {}
    for name in args.peers.split(","):
        try:
            results[name] = run_peer(name, args.alarms, args.minutes)
        except Exception as exc:  # noqa: BLE001 - e.g. moto not installed: reported, not fatal
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        print(name, json.dumps(results[name]), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
