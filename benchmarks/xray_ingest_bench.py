"""X-Ray ingestion: segments over the daemon's UDP port at a fixed rate, none lost; and
PutTraceSegments over HTTP, Overcast side by side with moto's server.

    python benchmarks/xray_ingest_bench.py --rate 20000 --seconds 5 --repeat 3 [--peers overcast,moto]

UDP: one sender paces datagrams (the SDK's format, one ~400-byte segment each) at ``--rate``
per second for ``--seconds``; then the stored rows are counted in the server's own database
(read-only) until the server has caught up (the last column: how long after the last send).
"lost" is sent minus stored: the target is >= 20,000 segments/s with none lost. moto has no daemon port, so the UDP row is Overcast's alone.

API: one boto3 client sends PutTraceSegments of ``--batch`` documents for ``--seconds``;
segments acknowledged per second, for each peer.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import sys
import tempfile
import time

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, free_port  # noqa: E402

HEADER = b'{"format": "json", "version": 1}\n'


def documents(count: int, prefix: int) -> list[bytes]:
    now = time.time()
    out = []
    for i in range(count):
        doc = {"trace_id": f"1-{int(now):08x}-{prefix:08x}{i:016x}", "id": f"{prefix:04x}{i:012x}"[-16:],
               "name": f"svc-{i % 20}", "start_time": now - 1, "end_time": now - 0.9,
               "http": {"request": {"method": "GET", "url": f"http://svc/{i % 50}"}, "response": {"status": 200}},
               "annotations": {"customer": f"c{i % 100}", "n": i}, "aws": {"xray": {"sdk": "bench"}}}
        out.append(json.dumps(doc).encode())
    return out


def overcast(data_dir: str, xray_port: int) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "overcast", "serve", "--port", str(port), "--data-dir", data_dir,
           "--log-level", "warning", "--imds-port", "0", "--xray-port", str(xray_port)]
    return Server(cmd, port, "/_overcast/health")


def moto() -> Server:
    port = free_port()
    return Server([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port, "/moto-api/")


def stored(data_dir: str) -> int:
    path = os.path.join(data_dir, "xray.db")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    finally:
        conn.close()


def udp_run(rate: int, seconds: float, run: int) -> dict:
    data_dir = tempfile.mkdtemp(prefix="overcast-xray-bench-")
    xray_port = free_port()
    payloads = [HEADER + d for d in documents(int(rate * seconds), run)]
    with overcast(data_dir, xray_port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        target = ("127.0.0.1", xray_port)
        tick = 0.001  # send in 1 ms bursts
        per_tick = max(1, int(rate * tick))
        start = time.perf_counter()
        sent = 0
        while sent < len(payloads):
            due = start + (sent // per_tick) * tick
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            for payload in payloads[sent:sent + per_tick]:
                sock.sendto(payload, target)
            sent = min(len(payloads), sent + per_tick)
        elapsed = time.perf_counter() - start
        sock.close()
        done_sending = time.monotonic()
        deadline = done_sending + 30  # let the server finish what the kernel holds
        count, last, last_change = stored(data_dir), -1, done_sending
        while count < sent and time.monotonic() < deadline and time.monotonic() - last_change < 2:
            time.sleep(0.05)
            last, count = count, stored(data_dir)
            if count != last:
                last_change = time.monotonic()
        caught_up = (last_change if count < sent else time.monotonic()) - done_sending
    return {"sent": sent, "sent_per_s": sent / elapsed, "stored": count, "lost": sent - count,
            "catch_up_s": caught_up}


def api_run(server: Server, seconds: float, batch: int, run: int) -> float:
    client = boto3.session.Session().client(
        "xray", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
    docs = [d.decode() for d in documents(20000, 1000 + run)]
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        chunk = [docs[(done + k) % len(docs)] for k in range(batch)]
        client.put_trace_segments(TraceSegmentDocuments=chunk)
        done += batch
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--json")
    args = parser.parse_args()

    udp = [udp_run(args.rate, args.seconds, run) for run in range(args.repeat)]
    api: dict[str, list[float]] = {}
    for peer in args.peers.split(","):
        for run in range(args.repeat):
            data_dir = tempfile.mkdtemp(prefix="overcast-xray-bench-")
            server = overcast(data_dir, free_port()) if peer == "overcast" else moto()
            with server:
                api.setdefault(peer, []).append(api_run(server, args.seconds, args.batch, run))

    print(f"UDP at {args.rate}/s for {args.seconds}s, {args.repeat} runs (Overcast; moto has no daemon port)")
    print("| run | sent | sent/s | stored | lost | stored within (s after the last send) |")
    print("|---|---|---|---|---|---|")
    for i, r in enumerate(udp, 1):
        print(f"| {i} | {r['sent']:,} | {r['sent_per_s']:,.0f} | {r['stored']:,} | {r['lost']:,} "
              f"| {r['catch_up_s']:.2f} |")
    print()
    print(f"PutTraceSegments, {args.batch} documents per call, one client (median of {args.repeat})")
    print("| peer | segments/s |")
    print("|---|---|")
    for peer, values in api.items():
        print(f"| {peer} | {statistics.median(values):,.0f} |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"udp": udp, "api": api}, out, indent=1)


if __name__ == "__main__":
    main()
