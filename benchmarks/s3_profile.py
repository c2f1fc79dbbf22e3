"""Where an S3 request's server time goes: the gateway (ASGI app) driven in process, no sockets.

    python benchmarks/s3_profile.py [--calls 5000] [--cprofile put-1k] [--logging]

A Gateway on a temporary data dir (as ``overcast serve`` builds it) is handed the very
requests boto3 builds for PutObject and GetObject of 1 KiB (``s3_workloads.signed_requests``:
headers, signature and body), as uvicorn would hand them over; everything past uvicorn runs:
routing, SigV4 inspection, REST parsing, the provider, SQLite and blobs, serialization. For
each workload: CPU microseconds per request (the process's CPU time, which other work on the
machine disturbs less than the wall clock), with the process pinned to one core.
``--cprofile NAME`` prints the top functions of one workload. The difference to the HTTP
figures of ``s3_bench.py`` is uvicorn and the sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
if not os.environ.get("OVERCAST_PROFILE_INSTALLED"):  # set it to profile the installed package instead
    sys.path.insert(0, os.path.join(HERE, "..", "src"))

from overcast.config import Settings  # noqa: E402
from overcast.gateway.app import create_app  # noqa: E402
from s3_workloads import KIB, signed_requests  # noqa: E402

ENDPOINT = "http://127.0.0.1:4566"


async def _startup(app) -> None:
    messages = iter([{"type": "lifespan.startup"}])
    done = asyncio.get_running_loop().create_future()

    async def receive():
        try:
            return next(messages)
        except StopIteration:
            await asyncio.Future()  # the shutdown never comes: the lifespan task waits

    async def send(message):
        if not done.done():
            done.set_result(message)

    asyncio.ensure_future(app(({"type": "lifespan"}), receive, send))
    message = await done
    if message["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"startup failed: {message}")


async def call(app, method: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
    """One request through the ASGI app; returns (status, body)."""
    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "method": method, "path": raw_path, "raw_path": raw_path.encode(),
             "query_string": query.encode(), "client": ("127.0.0.1", 50000),
             "headers": [(b"host", b"127.0.0.1:4566")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
             + ([(b"content-length", str(len(body)).encode())] if body else [])}
    sent = False
    status, chunks = 0, []

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.Future()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def workloads(calls: int, keys: int, logging: bool = False) -> dict[str, list]:
    """The boto3-built requests of each workload (the bucket is created by the first ones);
    PUTs cycle through ``keys`` keys, as ``s3_bench.py`` does: past the first round, each
    one replaces an object."""
    setup = signed_requests(ENDPOINT, [("create_bucket", {"Bucket": "profile"})])
    if logging:  # every request to the bucket also becomes a server access log record
        setup += signed_requests(ENDPOINT, [
            ("create_bucket", {"Bucket": "profile-logs"}),
            ("put_bucket_logging", {"Bucket": "profile", "BucketLoggingStatus": {
                "LoggingEnabled": {"TargetBucket": "profile-logs", "TargetPrefix": "logs/"}}})])
    puts = signed_requests(ENDPOINT, [("put_object", {"Bucket": "profile", "Key": f"prefix/k{i % keys:05d}",
                                                      "Body": os.urandom(KIB)}) for i in range(calls)])
    gets = signed_requests(ENDPOINT, [("get_object", {"Bucket": "profile", "Key": f"prefix/k{i:05d}"})
                                      for i in range(64)])
    return {"setup": setup, "put-1k": puts, "get-1k": (gets * (calls // 64 + 1))[:calls]}


async def run(args) -> None:
    app = create_app(Settings.from_env(data_dir=args.data_dir, log_level="warning"))
    await _startup(app)
    requests = workloads(args.calls, args.keys, args.logging)
    for request in requests["setup"]:
        await call(app, *request)
    for name in ("put-1k", "get-1k"):
        for request in requests[name][:200]:  # warm up, and check the answers
            status, body = await call(app, *request)
            if status != 200:
                raise RuntimeError(f"{name}: {status} {body[:300]!r}")
        profiler = cProfile.Profile() if args.cprofile == name else None
        written = _bytes_written()
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for request in requests[name]:
            await call(app, *request)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        await asyncio.sleep(0.3)  # the WAL checkpoints of those writes (a thread, every 0.1 s)
        written = _bytes_written() - written
        n = len(requests[name])
        print(f"{name:<8} {cpu / n * 1e6:8.1f} us of CPU per request ({n / cpu:,.0f} requests per CPU-second, "
              f"no HTTP; wall {seconds / n * 1e6:.1f} us; {written / n / 1000:.1f} KB written per request)",
              flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


def _bytes_written() -> int:
    """Bytes this process has handed to write() so far (WAL, checkpoints, files): ``wchar``
    of /proc/self/io, which does not depend on the machine's load (0 where there is none)."""
    try:
        with open("/proc/self/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))
    except (OSError, StopIteration):
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--keys", type=int, default=2000, help="put-1k: distinct keys, cycled")
    parser.add_argument("--cprofile", choices=("put-1k", "get-1k"))
    parser.add_argument("--logging", action="store_true", help="with server access logging on the bucket")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory(prefix="overcast-s3-profile-") as data_dir:
        args.data_dir = data_dir
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
