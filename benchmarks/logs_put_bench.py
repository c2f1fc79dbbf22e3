"""CloudWatch Logs PutLogEvents, Overcast side by side with moto's server in the same run.

    python benchmarks/logs_put_bench.py [--seconds 10] [--threads 2] [--peers overcast,moto]
                                        [--json out.json]

Each server runs pinned to core 0; this process (the load) on the other. The load sends
PutLogEvents batches of 10,000 events of 70 bytes each (about 0.96 MiB, under the 1 MiB batch
limit), bodies built and signed as boto3 would send them but once per batch shape, so the
client's own serialization of 10,000 structures is not what is measured. Target from the
Logs issue: >= 150,000 events/s.

By default each batch carries the next second of a stream's events (timestamps advance from
batch to batch as a real producer's do): the body is written from a template and signed per
batch (about 10 ms of the client's core). ``--fixed-timestamps`` re-sends one body, so every
batch lands in the same second: the stores' time indexes then take each batch's rows at a
thousand places spread over the whole index rather than at its end, and the cost of a batch
grows with the number of events stored (an indexed store's worst case, not a producer's).

A run is INVALID if the events stored (GetLogEvents, read back page by page after the timed
part) differ from the events acknowledged.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from cpu_meter import process_cpu  # noqa: E402
from harness import Server, free_port, overcast_server  # noqa: E402

EVENTS_PER_BATCH = 10_000
MESSAGE_BYTES = 70
GROUP = "/bench/put"


def moto_server() -> Server:
    port = free_port()
    return Server([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port, "/moto-api/")


SERVERS = {"overcast": overcast_server, "moto": moto_server}


class _Captured(Exception):
    pass


def client(endpoint: str):
    return boto3.session.Session().client(
        "logs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=300))


def signed_put(endpoint: str, stream: str, start_ms: int) -> tuple[dict, bytes]:
    """(headers, body) of one PutLogEvents of a full batch, as boto3 would POST it."""
    logs = client(endpoint)
    captured = []

    def grab(request, **_):
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
                   if k.lower() not in ("content-length", "host")}
        captured.append((headers, request.body))
        raise _Captured

    logs.meta.events.register("before-send.logs", grab)
    line = "x" * (MESSAGE_BYTES - 12)
    events = [{"timestamp": start_ms + i // 10, "message": f"{i:010d} {line}"} for i in range(EVENTS_PER_BATCH)]
    try:
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)
    except _Captured:
        pass
    return captured[0]


class AdvancingBatches:
    """Signed PutLogEvents requests of one stream, each the second after the previous one's,
    with the same 10,000 messages as ``signed_put``'s (so the same bytes on the wire)."""

    def __init__(self, endpoint: str, stream: str, start_ms: int):
        headers, _ = signed_put(endpoint, stream, start_ms)
        self.url, self.next_ms = endpoint + "/", start_ms
        self.headers = {k: v for k, v in headers.items() if k.lower() in ("x-amz-target", "content-type")}
        self.signer = SigV4Auth(Credentials("test", "test"), "logs", "us-east-1")
        line = "x" * (MESSAGE_BYTES - 12)
        self.head = json.dumps({"logGroupName": GROUP, "logStreamName": stream})[:-1] + ', "logEvents": ['
        self.messages = [json.dumps(f"{i:010d} {line}") for i in range(EVENTS_PER_BATCH)]

    def next(self) -> tuple[dict, bytes]:
        base, self.next_ms = self.next_ms, self.next_ms + EVENTS_PER_BATCH // 10
        events = ", ".join([f'{{"timestamp": {base + i // 10}, "message": {message}}}'
                            for i, message in enumerate(self.messages)])
        request = AWSRequest("POST", self.url, data=(self.head + events + "]}").encode(), headers=self.headers)
        self.signer.add_auth(request)
        return dict(request.headers.items()), request.body


def put_rate(endpoint: str, seconds: float, server_pid: int | None, threads: int,
             fixed_timestamps: bool = False) -> dict:
    logs = client(endpoint)
    logs.create_log_group(logGroupName=GROUP)
    # advancing: a second of events a batch from an hour ago stays within the accepted range
    start_ms = int(time.time() * 1000) - (60_000 if fixed_timestamps else 3_600_000)
    requests = []
    for worker in range(threads):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=f"s{worker}")
        if fixed_timestamps:
            requests.append(signed_put(endpoint, f"s{worker}", start_ms))
        else:
            requests.append(AdvancingBatches(endpoint, f"s{worker}", start_ms))
    url = urllib.parse.urlsplit(endpoint)
    done, errors = [0] * threads, [0]
    stop = time.monotonic() + seconds

    def work(worker: int) -> None:
        source = requests[worker]
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        while time.monotonic() < stop:
            headers, body = source if fixed_timestamps else source.next()
            conn.request("POST", "/", body=body, headers=headers)
            answer = conn.getresponse()
            payload = answer.read()
            if answer.status == 200 and "rejectedLogEventsInfo" not in json.loads(payload):
                done[worker] += EVENTS_PER_BATCH
            else:
                errors[0] += 1
        conn.close()

    started, cpu = time.monotonic(), process_cpu(server_pid)
    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed, cpu = time.monotonic() - started, process_cpu(server_pid) - cpu
    total = sum(done)
    stored = sum(count_stored(logs, f"s{w}") for w in range(threads))
    return {"rate": total / elapsed, "per_cpu_second": total / cpu if cpu else 0.0, "errors": errors[0],
            "acknowledged": total, "stored": stored, "valid": stored == total}


def count_stored(logs, stream: str) -> int:
    """The events of a stream, read back with GetLogEvents from the head."""
    count, token = 0, None
    while True:
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, **kwargs)
        if not page["events"] or page["nextForwardToken"] == token:
            return count
        count += len(page["events"])
        token = page["nextForwardToken"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--fixed-timestamps", action="store_true",
                        help="re-send one body: every batch in the same second (see the docstring)")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = {}
    for peer in args.peers.split(","):
        with SERVERS[peer]() as server:
            result = results[peer] = put_rate(server.url, args.seconds, server.proc.pid, args.threads,
                                                      args.fixed_timestamps)
        print(f"{peer:9} PutLogEvents {result['rate']:>10,.0f} events/s, {result['per_cpu_second']:,.0f} per server "
              f"CPU second ({result['errors']} errors; {result['acknowledged']:,} acknowledged, {result['stored']:,} "
              f"read back: {'valid' if result['valid'] else 'INVALID'})", flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
