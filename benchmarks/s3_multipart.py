"""S3 multipart upload and download of one big file through boto3's transfer manager.

    python benchmarks/s3_multipart.py [--size 1G] [--threads 10] [--chunk-mib 8] [--sparse] [--timeout 600]
                                      [--spread] [--ceiling]

Starts ``overcast serve`` on a temp data dir (pinned to core 0 with taskset, as the other
benchmarks do; this client runs on core 1), writes a ``--size`` file once (from
/dev/urandom, or sparse zeros with ``--sparse``), uploads it with ``upload_file``
(``--threads`` threads, ``--chunk-mib`` parts), downloads it with ``download_file`` and checks
the copy is byte-identical. Reports MB/s both ways, the server's CPU time for each (MB per
server CPU-second: what one core of its own would sustain, steady when other work shares the
machine), and the server's peak resident memory:
VmRSS sampled every 50 ms, and the kernel's high-water mark VmHWM. Every step is bounded by
``--timeout``; the temp file, the download and the data dir are removed at the end.

``--ceiling`` first uploads the same file to ``sink_app`` below (a bare uvicorn app that
drains the bodies and answers the multipart calls with fixed XML, pinned like the server):
what this client and machine allow at all, beside which the Overcast number reads.

Targets (S3 issue): multipart upload >= 300 MB/s; server memory under 200 MB during the
upload.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import HERE, LOAD_CORE, Server, free_port, overcast_server  # noqa: E402

MIB = 1024 * 1024


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().rstrip("IB")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def make_file(path: str, size: int, sparse: bool) -> None:
    """The source file: sparse zeros (instant) or random bytes (written once, 8 MiB at a time)."""
    with open(path, "wb") as f:
        if sparse:
            f.truncate(size)
            return
        left = size
        while left:
            chunk = os.urandom(min(8 * MIB, left))
            f.write(chunk)
            left -= len(chunk)


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


class MemorySampler:
    """Samples a process's VmRSS every 50 ms in a thread; ``peak`` in bytes."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def status(self, field: str) -> int:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process (all its threads) so far."""
        return sum(self.cpu_split())

    def cpu_split(self) -> tuple[float, float]:
        """(user, system) CPU seconds of the process so far."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            tick = os.sysconf("SC_CLK_TCK")
            return int(fields[11]) / tick, int(fields[12]) / tick
        except OSError:
            return 0.0, 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.status("VmRSS"))
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


_CREATED = (b'<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>bench</Bucket>'
            b"<Key>big.bin</Key><UploadId>sink</UploadId></InitiateMultipartUploadResult>")
_COMPLETED = (b'<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>bench</Bucket>'
              b"<Key>big.bin</Key><ETag>&quot;0-1&quot;</ETag></CompleteMultipartUploadResult>")


async def sink_app(scope, receive, send):
    """The ceiling: drains every body, answers CreateMultipartUpload / Complete with fixed XML
    and anything else 200 with a fixed ETag (no parsing, hashing or storage)."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    while (await receive()).get("more_body"):
        pass
    body = b""
    if scope["method"] == "POST":
        body = _CREATED if b"uploads" in scope["query_string"] else _COMPLETED
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"etag", b'"00000000000000000000000000000000"'),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def sink_server() -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "s3_multipart:sink_app", "--app-dir", HERE, "--port", str(port),
           "--host", "127.0.0.1", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
           "--log-level", "warning"]
    return Server(cmd, port, "/")


def client_for(url: str, args):
    return boto3.session.Session().client(
        "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(max_pool_connections=args.threads + 2, retries={"max_attempts": 1}, connect_timeout=10,
                      read_timeout=args.timeout))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1G", help="file size (bytes, or with K/M/G)")
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--chunk-mib", type=int, default=8)
    parser.add_argument("--sparse", action="store_true", help="a sparse file of zeros instead of random bytes")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for each transfer")
    parser.add_argument("--dir", default=None, help="where the temp files go (default: the system temp dir)")
    parser.add_argument("--ceiling", action="store_true", help="also upload to a bare sink app first")
    parser.add_argument("--spread", action="store_true",
                        help="let the server use every core (default: pinned to core 0, this client on core 1)")
    args = parser.parse_args()
    size = parse_size(args.size)
    if not args.spread and shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {int(LOAD_CORE)})
    work = tempfile.mkdtemp(prefix="overcast-mpu-bench-", dir=args.dir)
    data_dir = os.path.join(work, "data")
    source, target = os.path.join(work, "source.bin"), os.path.join(work, "download.bin")
    try:
        free = shutil.disk_usage(work).free
        if free < 2.5 * size:  # the source, the stored parts and the download
            print(f"not enough free disk: {free / 2**30:.1f} GiB free, {2.5 * size / 2**30:.1f} GiB needed")
            return 1
        started = time.monotonic()
        make_file(source, size, args.sparse)
        print(f"source file: {size / MIB:,.0f} MiB ({'sparse' if args.sparse else 'random'}) "
              f"in {time.monotonic() - started:.1f} s")
        config = TransferConfig(multipart_threshold=args.chunk_mib * MIB, multipart_chunksize=args.chunk_mib * MIB,
                                max_concurrency=args.threads)
        if args.ceiling:
            with sink_server() as sink:
                if args.spread:
                    os.sched_setaffinity(sink.proc.pid, range(os.cpu_count() or 1))
                ceiling = timed(lambda: client_for(sink.url, args).upload_file(source, "bench", "big.bin",
                                                                               Config=config), args.timeout)
            print(f"ceiling  {size / ceiling / 1e6:8.1f} MB/s  (the same upload to a bare sink app)")
        with overcast_server(data_dir) as server:
            if args.spread:  # undo the pin to core 0 (threads the server starts later inherit this)
                os.sched_setaffinity(server.proc.pid, range(os.cpu_count() or 1))
            s3 = client_for(server.url, args)
            s3.create_bucket(Bucket="bench")
            with MemorySampler(server.proc.pid) as memory:
                cpu, split = memory.cpu_seconds(), memory.cpu_split()
                upload = timed(lambda: s3.upload_file(source, "bench", "big.bin", Config=config), args.timeout)
                upload_cpu, cpu = memory.cpu_seconds() - cpu, memory.cpu_seconds()
                upload_user, upload_system = (b - a for a, b in zip(split, memory.cpu_split()))
                upload_hwm = memory.status("VmHWM")
                upload_peak = memory.peak
                download = timed(lambda: s3.download_file("bench", "big.bin", target, Config=config), args.timeout)
                download_cpu = memory.cpu_seconds() - cpu
            head = s3.head_object(Bucket="bench", Key="big.bin")
            hwm = memory.status("VmHWM")
        identical = os.path.getsize(target) == size and file_sha256(target) == file_sha256(source)
        parts = head["ETag"].strip('"').partition("-")[2]
        print(f"upload   {size / upload / 1e6:8.1f} MB/s  ({upload:.2f} s, {parts} parts of {args.chunk_mib} MiB, "
              f"{args.threads} threads; server CPU {upload_cpu:.2f} s (user {upload_user:.2f}, system "
              f"{upload_system:.2f}) = {per_cpu(size, upload_cpu)} per server CPU-s)")
        print(f"download {size / download / 1e6:8.1f} MB/s  ({download:.2f} s; server CPU {download_cpu:.2f} s = "
              f"{per_cpu(size, download_cpu)} per server CPU-s)")
        print(f"server memory: peak RSS during the upload {upload_peak / 1e6:.0f} MB "
              f"(VmHWM {upload_hwm / 1e6:.0f} MB), "
              f"over the whole run {max(memory.peak, hwm) / 1e6:.0f} MB")
        print(f"round trip byte-identical: {identical}")
        return 0 if identical else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def per_cpu(size: int, cpu: float) -> str:
    """Throughput per CPU-second of the server: what one free core would sustain."""
    return f"{size / cpu / 1e6:.0f} MB" if cpu > 0 else "-"


def timed(action, timeout: float) -> float:
    """Run ``action`` in a thread; its duration in seconds (raises if over ``timeout``)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(timeout)
    elapsed = time.monotonic() - started
    if thread.is_alive():
        raise SystemExit(f"transfer did not finish in {timeout:.0f} s")
    if errors:
        raise errors[0]
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
