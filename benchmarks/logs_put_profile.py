"""Where a PutLogEvents request's server time goes: the gateway (ASGI app) driven in process,
no sockets.

    python benchmarks/logs_put_profile.py [--batches 30] [--cprofile] [--fixed-timestamps]

The very requests ``logs_put_bench.py`` sends (10,000 events of 70 bytes, boto3-built and
signed) is handed to a Gateway on a temporary data dir as uvicorn would hand it over;
everything past uvicorn runs. Prints CPU milliseconds per batch and events per CPU second.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
if not os.environ.get("OVERCAST_PROFILE_INSTALLED"):  # set it to profile the installed package instead
    sys.path.insert(0, os.path.join(HERE, "..", "src"))

from logs_put_bench import EVENTS_PER_BATCH, GROUP, AdvancingBatches, signed_put  # noqa: E402
from overcast.config import Settings  # noqa: E402
from overcast.gateway.app import create_app  # noqa: E402
from s3_profile import _startup, call  # noqa: E402

ENDPOINT = "http://127.0.0.1:4566"


async def run(args) -> None:
    app = create_app(Settings.from_env(data_dir=args.data_dir, log_level="warning"))
    await _startup(app)
    setup = [("create_log_group", {"logGroupName": GROUP}), ("create_log_stream", {"logGroupName": GROUP,
                                                                                  "logStreamName": "s"})]
    import boto3

    for operation, params in setup:
        logs = boto3.client("logs", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test")
        captured = []
        logs.meta.events.register("before-send.logs", lambda request, **_: captured.append(request) or _stop())
        try:
            getattr(logs, operation)(**params)
        except _Stop:
            pass
        request = captured[0]
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
                   if k.lower() not in ("content-length", "host")}
        status, body = await call(app, "POST", "/", headers, request.body)
        assert status == 200, body
    if args.fixed_timestamps:
        batches = [signed_put(ENDPOINT, "s", int(time.time() * 1000) - 60_000)] * args.batches
    else:  # built before the clock starts: the client's work is not the server's
        source = AdvancingBatches(ENDPOINT, "s", int(time.time() * 1000) - 3_600_000)
        batches = [source.next() for _ in range(args.batches)]
    profiler = cProfile.Profile() if args.cprofile else None
    cpu, wall = time.process_time(), time.perf_counter()
    for headers, body in batches:
        if profiler:
            profiler.enable()
        status, answer = await call(app, "POST", "/", headers, body)
        if profiler:
            profiler.disable()
        assert status == 200 and "rejectedLogEventsInfo" not in json.loads(answer), answer[:300]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"PutLogEvents 10,000 events: {cpu / args.batches * 1000:.1f} ms CPU a batch, "
          f"{EVENTS_PER_BATCH * args.batches / cpu:,.0f} events per CPU second "
          f"({wall / args.batches * 1000:.1f} ms wall a batch)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


class _Stop(Exception):
    pass


def _stop():
    raise _Stop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--fixed-timestamps", action="store_true", help="re-send one body (logs_put_bench.py's option)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        args.data_dir = data_dir
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
