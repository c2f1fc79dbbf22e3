"""S3 multipart upload and download of one big file through boto3's transfer manager.

    python benchmarks/s3_multipart.py [--size 1G] [--threads 10] [--chunk-mib 8] [--sparse] [--timeout 600]

Starts ``overcast serve`` on a temp data dir (pinned to core 0 with taskset, as the other
benchmarks do; this client runs on core 1), writes a ``--size`` file once (from
/dev/urandom, or sparse zeros with ``--sparse``), uploads it with ``upload_file``
(``--threads`` threads, ``--chunk-mib`` parts), downloads it with ``download_file`` and checks
the copy is byte-identical. Reports MB/s both ways and the server's peak resident memory:
VmRSS sampled every 50 ms, and the kernel's high-water mark VmHWM. Every step is bounded by
``--timeout``; the temp file, the download and the data dir are removed at the end.

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

from harness import LOAD_CORE, overcast_server  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1G", help="file size (bytes, or with K/M/G)")
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--chunk-mib", type=int, default=8)
    parser.add_argument("--sparse", action="store_true", help="a sparse file of zeros instead of random bytes")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for each transfer")
    parser.add_argument("--dir", default=None, help="where the temp files go (default: the system temp dir)")
    args = parser.parse_args()
    size = parse_size(args.size)
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
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
        with overcast_server(data_dir) as server:
            s3 = boto3.session.Session().client(
                "s3", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(max_pool_connections=args.threads + 2, retries={"max_attempts": 1},
                              connect_timeout=10, read_timeout=args.timeout))
            s3.create_bucket(Bucket="bench")
            with MemorySampler(server.proc.pid) as memory:
                upload = timed(lambda: s3.upload_file(source, "bench", "big.bin", Config=config), args.timeout)
                upload_hwm = memory.status("VmHWM")
                upload_peak = memory.peak
                download = timed(lambda: s3.download_file("bench", "big.bin", target, Config=config), args.timeout)
            head = s3.head_object(Bucket="bench", Key="big.bin")
            hwm = memory.status("VmHWM")
        identical = os.path.getsize(target) == size and file_sha256(target) == file_sha256(source)
        parts = head["ETag"].strip('"').partition("-")[2]
        print(f"upload   {size / upload / 1e6:8.1f} MB/s  ({upload:.2f} s, {parts} parts of {args.chunk_mib} MiB, "
              f"{args.threads} threads)")
        print(f"download {size / download / 1e6:8.1f} MB/s  ({download:.2f} s)")
        print(f"server memory: peak RSS during the upload {upload_peak / 1e6:.0f} MB (VmHWM {upload_hwm / 1e6:.0f} MB), "
              f"over the whole run {max(memory.peak, hwm) / 1e6:.0f} MB")
        print(f"round trip byte-identical: {identical}")
        return 0 if identical else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
