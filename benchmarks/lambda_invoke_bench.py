"""Lambda invoke benchmarks: cold start, warm latency and warm throughput of a Python function.

    python benchmarks/lambda_invoke_bench.py [--cold 10] [--warm 1000] [--duration 5] [--threads 4] [--json out.json]

Targets (issue 18), all through boto3:

  cold start       first Invoke of a new Python function (process start, init, answer)   < 300 ms
  warm p50 / p99   sequential Invokes of one warm function                               < 3 ms / < 10 ms
  warm invokes/s   ``--threads`` boto3 clients invoking one function for ``--duration``  >= 1,000 /s

Every answer is checked (the echoed payload, no FunctionError); a wrong one marks the run
INVALID (exit 1). Overcast runs on its own core (``harness``); the clients share the other one
with the function's processes, so the throughput figure is a floor.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import threading
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import boto_client, overcast_server, percentile_ms  # noqa: E402

HANDLER = "def handler(event, context):\n    return event\n"
ROLE = "arn:aws:iam::000000000000:role/bench-lambda"
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("lambda_function.py", HANDLER)
    return out.getvalue()


def _create(client, name: str) -> None:
    client.create_function(FunctionName=name, Runtime=RUNTIME, Handler="lambda_function.handler", Role=ROLE,
                           Code={"ZipFile": _zip()})
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})


def _invoke(client, name: str, n: int) -> None:
    answer = client.invoke(FunctionName=name, Payload=json.dumps({"n": n}))
    body = json.loads(answer["Payload"].read())
    if answer.get("FunctionError") or body != {"n": n}:
        raise AssertionError(f"wrong answer: {answer.get('FunctionError')} {body}")


def cold_starts(client, count: int) -> list[float]:
    samples = []
    for i in range(count):
        name = f"cold-{i}"
        _create(client, name)
        begun = time.perf_counter()
        _invoke(client, name, i)
        samples.append(time.perf_counter() - begun)
    return sorted(samples)


def warm_latencies(client, name: str, count: int) -> list[float]:
    _invoke(client, name, -1)
    samples = []
    for i in range(count):
        begun = time.perf_counter()
        _invoke(client, name, i)
        samples.append(time.perf_counter() - begun)
    return sorted(samples)


def warm_throughput(endpoint: str, name: str, threads: int, duration: float) -> float:
    clients = [boto_client("lambda", endpoint) for _ in range(threads)]
    for client in clients:
        _invoke(client, name, 0)
    counts = [0] * threads
    failures: list[BaseException] = []
    stop = time.perf_counter() + duration

    def run(index: int) -> None:
        try:
            while time.perf_counter() < stop:
                _invoke(clients[index], name, counts[index])
                counts[index] += 1
        except BaseException as exc:  # noqa: BLE001 - reported as INVALID
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    begun = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    return sum(counts) / (time.perf_counter() - begun)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--warm", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json")
    args = parser.parse_args()
    with overcast_server() as server:
        client = boto_client("lambda", server.url)
        try:
            cold = cold_starts(client, args.cold)
            _create(client, "warm")
            warm = warm_latencies(client, "warm", args.warm)
            rate = warm_throughput(server.url, "warm", args.threads, args.duration)
        except AssertionError as exc:
            print(f"INVALID: {exc}")
            return 1
    results = {"cold_p50_ms": percentile_ms(cold, 50), "cold_max_ms": cold[-1] * 1000,
               "warm_p50_ms": percentile_ms(warm, 50), "warm_p99_ms": percentile_ms(warm, 99),
               "warm_invokes_per_s": rate}
    for key, value in results.items():
        print(f"{key:20} {value:10.2f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
