"""S3 Select benchmark: a selective query through SelectObjectContent against GetObject plus
filtering in the client, on Overcast and on moto's server in the same run.

    python benchmarks/s3_select_bench.py [--size-mb 1024] [--moto-size-mb 64] [--peers overcast,moto]

The object is a generated CSV of 10 columns (``id,c1..c9``; ``c1`` cycles 0..99). The query
keeps 1% of the rows and 2 of the 10 columns:

    SELECT s.id, s.c2 FROM S3Object s WHERE s.c1 = '7'

Targets (issue 21, after AWS's "up to 80% less data, up to 400% faster"): at least 80% fewer
bytes returned and at least 4x less wall time than GetObject + csv-module filtering. Both sides
must find the same rows, or the run is INVALID (exit 1). moto's S3 Select parses the whole
object in Python, so it gets its own (smaller) object, ``--moto-size-mb``; MB/s compares them.
moto runs the nearest query it parses (``MOTO_QUERY``: every column of the same rows).
The Overcast server's peak RSS during the query is sampled (the memory bound: < 300 MB).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import threading
import time

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import overcast_server  # noqa: E402
from sqs_bench import moto_server  # noqa: E402

QUERY = "SELECT s.id, s.c2 FROM S3Object s WHERE s.c1 = '7'"
# moto 5.2's S3 Select takes neither a projection nor upper-case keywords: its nearest query
# keeps the same rows with every column (so moto returns more bytes; its rows are counted)
MOTO_QUERY = "select * from s3object s where s.c1 = '7'"
HEADER = "id,c1,c2,c3,c4,c5,c6,c7,c8,c9\n"


def generate(path: str, size_mb: int) -> int:
    """A CSV of about ``size_mb`` MiB; returns its row count."""
    target = size_mb * 1024 * 1024
    rows, written = 0, 0
    with open(path, "w", newline="") as out:
        out.write(HEADER)
        while written < target:
            lines = [f"{i},{i % 100},name-{i},{i * 7 % 1000003},{i % 13}.{i % 97:02d},alpha,beta,gamma,"
                     f"{i * 31},delta-{i % 1000}\n" for i in range(rows, rows + 10_000)]
            text = "".join(lines)
            out.write(text)
            written += len(text)
            rows += 10_000
    return rows


class RssSampler(threading.Thread):
    """The peak resident set size of process ``pid`` while running."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._stop_event = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            self.peak = max(self.peak, int(line.split()[1]) * 1024)
            except OSError:
                return
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def client(url: str):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, read_timeout=3600, connect_timeout=10))


def run_select(s3, bucket: str, key: str, query: str) -> tuple[float, int, bytes, dict]:
    start = time.perf_counter()
    response = s3.select_object_content(Bucket=bucket, Key=key, Expression=query, ExpressionType="SQL",
                                        InputSerialization={"CSV": {"FileHeaderInfo": "USE"}},
                                        OutputSerialization={"CSV": {}})
    parts, stats = [], {}
    for event in response["Payload"]:
        if "Records" in event:
            parts.append(event["Records"]["Payload"])
        elif "Stats" in event:
            stats = event["Stats"]["Details"]
    body = b"".join(parts)
    return time.perf_counter() - start, len(body), body, stats


def run_get_and_filter(s3, bucket: str, key: str) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    counted = _Counting(body)
    reader = csv.reader(io.TextIOWrapper(counted, encoding="utf-8", newline=""))
    header = next(reader)
    at = {name: i for i, name in enumerate(header)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in reader:
        if row[at["c1"]] == "7":
            writer.writerow((row[at["id"]], row[at["c2"]]))
    return time.perf_counter() - start, counted.read_bytes, out.getvalue().encode()


class _Counting(io.RawIOBase):
    def __init__(self, stream):
        self.stream, self.read_bytes = stream, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        self.read_bytes += len(data)
        return len(data)


def measure(peer: str, path: str, size: int) -> dict:
    start = {"overcast": overcast_server, "moto": moto_server}[peer]
    with start() as server:
        s3 = client(server.url)
        s3.create_bucket(Bucket="bench")
        s3.upload_file(path, "bench", "data.csv", Config=TransferConfig(multipart_chunksize=64 * 1024 * 1024))
        sampler = RssSampler(server.proc.pid)
        sampler.start()
        query = MOTO_QUERY if peer == "moto" else QUERY
        select_seconds, select_bytes, selected, stats = run_select(s3, "bench", "data.csv", query)
        peak = sampler.stop()
        get_seconds, get_bytes, filtered = run_get_and_filter(s3, "bench", "data.csv")
    return {"peer": peer, "size": size, "select_seconds": select_seconds, "select_bytes": select_bytes,
            "stats": stats, "get_seconds": get_seconds, "get_bytes": get_bytes, "peak_rss": peak,
            "same_rows": selected == filtered if peer == "overcast" else selected.count(b"\n") == filtered.count(b"\n")}


def report(result: dict) -> str:
    mb = result["size"] / 1e6
    saved = 1 - result["select_bytes"] / max(1, result["get_bytes"])
    speedup = result["get_seconds"] / result["select_seconds"]
    ok = saved >= 0.8 and speedup >= 4
    return (f"| {result['peer']} | {mb:,.0f} | {result['select_seconds']:.2f} | {mb / result['select_seconds']:,.1f} "
            f"| {result['select_bytes']:,} | {result['get_seconds']:.2f} | {result['get_bytes']:,} "
            f"| {saved:.1%} | {speedup:.1f}x | {result['peak_rss'] / 1e6:,.0f} "
            f"| {'yes' if ok else 'no'}{'' if result['same_rows'] else ' (INVALID: rows differ)'} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="Overcast's object, MiB (default 1024)")
    parser.add_argument("--moto-size-mb", type=int, default=64, help="moto's object, MiB (default 64)")
    parser.add_argument("--peers", default="overcast,moto")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="s3-select-bench-") as folder:
        for peer in args.peers.split(","):
            path = os.path.join(folder, f"{peer}.csv")
            generate(path, args.moto_size_mb if peer == "moto" else args.size_mb)
            size = os.path.getsize(path)
            print(f"{peer}: {size / 1e6:,.0f} MB object, measuring...", flush=True)
            results.append(measure(peer, path, size))
            os.unlink(path)
    print()
    print("| peer | object MB | select s | select MB/s scanned | select bytes returned | GetObject+filter s "
          "| GetObject bytes | fewer bytes | faster | server peak RSS MB (select) | meets targets |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(report(result))
    invalid = [r["peer"] for r in results if not r["same_rows"]]
    if invalid:
        print(f"INVALID: {', '.join(invalid)} returned other rows than the client-side filter", file=sys.stderr)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
