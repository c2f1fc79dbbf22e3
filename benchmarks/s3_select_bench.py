"""S3 Select benchmark: a selective query through SelectObjectContent against GetObject plus
filtering in the client, on Overcast and on moto's server in the same run.

    python benchmarks/s3_select_bench.py [--size-mb 1024] [--moto-size-mb 64] [--peers overcast,moto]
        [--input csv|jsonl|parquet] [--compression NONE|GZIP|BZIP2] [--query selective|star|columns]
        [--select-only] [--slow-reader SECONDS]

The object is a generated CSV of 10 columns (``id,c1..c9``; ``c1`` cycles 0..99). The query
keeps 1% of the rows and 2 of the 10 columns:

    SELECT s.id, s.c2 FROM S3Object s WHERE s.c1 = '7'

Targets (issue 21, after AWS's "up to 80% less data, up to 400% faster"): at least 80% fewer
bytes returned and at least 4x less wall time than GetObject + csv-module filtering. Both sides
must find the same rows, or the run is INVALID (exit 1). moto's S3 Select parses the whole
object in Python, so it gets its own (smaller) object, ``--moto-size-mb``; MB/s compares them.
moto runs the nearest query it parses (``MOTO_QUERY``: every column of the same rows).
The Overcast server's peak RSS during the query is sampled (the memory bound: < 300 MB).

The other modes measure the select alone (``--select-only``; the GetObject comparison is for
the selective query over CSV): the same rows as JSON lines (``--input jsonl``) or Parquet
(``--input parquet``, row groups of ``--row-group-rows``), compressed (``--compression``), a
query returning most of the object (``--query star``: ``SELECT *``; ``--query columns``:
``SELECT s.id, s.c2``, no WHERE), and a client reading slowly (``--slow-reader``: a pause after
each Records event, so the server must hold back rather than buffer the output).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
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
QUERIES = {"selective": (QUERY, MOTO_QUERY),
           "star": ("SELECT * FROM S3Object", "select * from s3object"),
           "columns": ("SELECT s.id, s.c2 FROM S3Object s", None)}  # moto: no projection
HEADER = "id,c1,c2,c3,c4,c5,c6,c7,c8,c9\n"
NAMES = HEADER.strip().split(",")
INPUTS = {"csv": {"CSV": {"FileHeaderInfo": "USE"}}, "jsonl": {"JSON": {"Type": "LINES"}}, "parquet": {"Parquet": {}}}


def _rows(start: int, count: int) -> list[tuple]:
    return [(i, i % 100, f"name-{i}", i * 7 % 1000003, f"{i % 13}.{i % 97:02d}", "alpha", "beta", "gamma",
             i * 31, f"delta-{i % 1000}") for i in range(start, start + count)]


def generate(path: str, size_mb: int, kind: str = "csv", row_group_rows: int = 1_000_000) -> int:
    """An object of about ``size_mb`` MiB of CSV text (Parquet: the same rows, stored smaller);
    returns its row count. Every value is a string (as CSV gives them) but for Parquet's
    typed ``id`` and ``c3`` / ``c8``."""
    if kind == "parquet":
        return _generate_parquet(path, size_mb, row_group_rows)
    target = size_mb * 1024 * 1024
    rows, written = 0, 0
    with open(path, "w", newline="") as out:
        if kind == "csv":
            out.write(HEADER)
        while written < target:
            batch = _rows(rows, 10_000)
            if kind == "csv":
                text = "".join(",".join(map(str, row)) + "\n" for row in batch)
                written += len(text)
            else:
                text = "".join(json.dumps(dict(zip(NAMES, map(str, row))), separators=(",", ":")) + "\n"
                               for row in batch)
                written += sum(len(",".join(map(str, row))) + 1 for row in batch)  # the CSV size of the rows
            out.write(text)
            rows += 10_000
    return rows


def _generate_parquet(path: str, size_mb: int, row_group_rows: int) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target, rows, written, writer = size_mb * 1024 * 1024, 0, 0, None
    try:
        while written < target:
            batch = _rows(rows, row_group_rows)
            columns = list(zip(*batch))
            table = pa.table({name: (pa.array(values, pa.int64()) if name in ("id", "c3", "c8")
                                     else pa.array([str(v) for v in values])) for name, values in zip(NAMES, columns)})
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=row_group_rows)
            written += sum(len(",".join(map(str, row))) + 1 for row in batch)
            rows += row_group_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def compress(path: str, compression: str) -> str:
    """The file compressed (``gzip -1`` / ``bzip2 -1``: the object's format, not its ratio, is measured)."""
    if compression == "NONE":
        return path
    tool, suffix = {"GZIP": ("gzip", ".gz"), "BZIP2": ("bzip2", ".bz2")}[compression]
    if not os.path.exists(path + suffix):
        subprocess.run([tool, "-1", "-k", path], check=True)
    return path + suffix


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


def run_select(s3, bucket: str, key: str, query: str, source: dict | None = None,
               pause: float = 0.0) -> tuple[float, int, bytes | None, dict]:
    """Wall time, bytes returned, the output (kept only for the selective query) and Stats."""
    start = time.perf_counter()
    response = s3.select_object_content(Bucket=bucket, Key=key, Expression=query, ExpressionType="SQL",
                                        InputSerialization=source or INPUTS["csv"],
                                        OutputSerialization={"CSV": {}})
    parts, returned, stats, keep = [], 0, {}, query in (QUERY, MOTO_QUERY)
    for event in response["Payload"]:
        if "Records" in event:
            payload = event["Records"]["Payload"]
            returned += len(payload)
            if keep:
                parts.append(payload)
            if pause:
                time.sleep(pause)
        elif "Stats" in event:
            stats = event["Stats"]["Details"]
    return time.perf_counter() - start, returned, b"".join(parts) if keep else None, stats


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


def measure(peer: str, path: str, size: int, args) -> dict:
    start = {"overcast": overcast_server, "moto": moto_server}[peer]
    source = dict(INPUTS[args.input])
    if args.compression != "NONE":
        source["CompressionType"] = args.compression
    query = QUERIES[args.query][1 if peer == "moto" else 0]
    compare = args.query == "selective" and args.input == "csv" and args.compression == "NONE" and not args.select_only
    with tempfile.TemporaryDirectory(prefix="s3-select-data-") as data_dir:  # the object goes with it
        with (start(data_dir) if peer == "overcast" else start()) as server:
            s3 = client(server.url)
            s3.create_bucket(Bucket="bench")
            s3.upload_file(path, "bench", "data", Config=TransferConfig(multipart_chunksize=64 * 1024 * 1024))
            sampler = RssSampler(server.proc.pid)
            sampler.start()
            select_seconds, select_bytes, selected, stats = run_select(s3, "bench", "data", query, source,
                                                                       args.slow_reader)
            peak = sampler.stop()
            result = {"peer": peer, "size": size, "select_seconds": select_seconds, "select_bytes": select_bytes,
                      "stats": stats, "peak_rss": peak, "compared": compare, "same_rows": True}
            if compare:
                get_seconds, get_bytes, filtered = run_get_and_filter(s3, "bench", "data")
                result.update(get_seconds=get_seconds, get_bytes=get_bytes,
                              same_rows=selected == filtered if peer == "overcast"
                              else selected.count(b"\n") == filtered.count(b"\n"))
    return result


def report(result: dict) -> str:
    mb = result["size"] / 1e6
    scanned = result["stats"].get("BytesProcessed", result["size"]) / 1e6
    if not result["compared"]:
        return (f"| {result['peer']} | {mb:,.0f} | {scanned:,.0f} | {result['select_seconds']:.2f} "
                f"| {mb / result['select_seconds']:,.1f} | {scanned / result['select_seconds']:,.1f} "
                f"| {result['select_bytes']:,} | {result['peak_rss'] / 1e6:,.0f} |")
    saved = 1 - result["select_bytes"] / max(1, result["get_bytes"])
    speedup = result["get_seconds"] / result["select_seconds"]
    ok = saved >= 0.8 and speedup >= 4
    return (f"| {result['peer']} | {mb:,.0f} | {result['select_seconds']:.2f} | {mb / result['select_seconds']:,.1f} "
            f"| {result['select_bytes']:,} | {result['get_seconds']:.2f} | {result['get_bytes']:,} "
            f"| {saved:.1%} | {speedup:.1f}x | {result['peak_rss'] / 1e6:,.0f} "
            f"| {'yes' if ok else 'no'}{'' if result['same_rows'] else ' (INVALID: rows differ)'} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="Overcast's object, MiB of CSV text (default 1024)")
    parser.add_argument("--moto-size-mb", type=int, default=64, help="moto's object, MiB (default 64)")
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--input", choices=sorted(INPUTS), default="csv")
    parser.add_argument("--compression", choices=("NONE", "GZIP", "BZIP2"), default="NONE")
    parser.add_argument("--query", choices=sorted(QUERIES), default="selective")
    parser.add_argument("--select-only", action="store_true", help="no GetObject + filter comparison")
    parser.add_argument("--slow-reader", type=float, default=0.0, metavar="SECONDS",
                        help="pause after each Records event the client reads")
    parser.add_argument("--row-group-rows", type=int, default=1_000_000, help="Parquet rows per row group")
    parser.add_argument("--cache-dir", help="keep the generated objects here and reuse them (default: "
                                            "generated in a temporary folder, removed after the run)")
    args = parser.parse_args()
    if args.input == "parquet" and args.compression != "NONE":
        parser.error("Parquet takes no CompressionType")
    results = []
    with tempfile.TemporaryDirectory(prefix="s3-select-bench-") as folder:
        for peer in args.peers.split(","):
            if peer == "moto" and QUERIES[args.query][1] is None:
                print("moto: skipped (it parses no projection)")
                continue
            size_mb = args.moto_size_mb if peer == "moto" else args.size_mb
            path = os.path.join(args.cache_dir or folder, f"{size_mb}mb-{args.row_group_rows}.{args.input}")
            if not os.path.exists(path):
                generate(path + ".part", size_mb, args.input, args.row_group_rows)
                os.rename(path + ".part", path)
            path = compress(path, args.compression)
            size = os.path.getsize(path)
            print(f"{peer}: {size / 1e6:,.0f} MB object ({args.input}, {args.compression}), "
                  f"query {QUERIES[args.query][1 if peer == 'moto' else 0]!r}, measuring...", flush=True)
            results.append(measure(peer, path, size, args))
    print()
    if any(r["compared"] for r in results):
        print("| peer | object MB | select s | select MB/s scanned | select bytes returned | GetObject+filter s "
              "| GetObject bytes | fewer bytes | faster | server peak RSS MB (select) | meets targets |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    else:
        print("| peer | object MB | MB processed | select s | MB/s of object | MB/s processed | bytes returned "
              "| server peak RSS MB (select) |")
        print("|---|---|---|---|---|---|---|---|")
    for result in results:
        print(report(result))
    invalid = [r["peer"] for r in results if not r["same_rows"]]
    if invalid:
        print(f"INVALID: {', '.join(invalid)} returned other rows than the client-side filter", file=sys.stderr)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
