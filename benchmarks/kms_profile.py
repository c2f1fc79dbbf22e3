"""Where a KMS request's server time goes: the gateway (ASGI app) driven in process, no sockets.

    python benchmarks/kms_profile.py [--calls 3000] [--cprofile encrypt]

The very requests ``kms_bench.py`` replays (boto3-built and signed: Encrypt of 256 bytes with
an encryption context, Decrypt of such ciphertexts, GenerateDataKey AES_256) are handed to a
Gateway on a temporary data dir as uvicorn would hand them over; everything past uvicorn runs.
For each workload: CPU microseconds per request, the process pinned to one core. CPU time is
disturbed less than the wall clock by other work on a shared machine; the difference to
``kms_bench.py``'s requests per server CPU-second is uvicorn and the sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
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

from kms_bench import CONTEXT, _plaintext, signed  # noqa: E402
from overcast.config import Settings  # noqa: E402
from overcast.gateway.app import create_app  # noqa: E402
from s3_profile import _startup, call  # noqa: E402

ENDPOINT = "http://127.0.0.1:4566"


async def _answer(app, request) -> dict:
    status, body = await call(app, "POST", "/", *request)
    if status != 200:
        raise RuntimeError(f"{status} {body[:300]!r}")
    return json.loads(body)


async def workloads(app, calls: int) -> dict[str, list]:
    key = (await _answer(app, signed(ENDPOINT, "create_key", [{}])[0]))["KeyMetadata"]["KeyId"]
    encrypts = signed(ENDPOINT, "encrypt", [{"KeyId": key, "Plaintext": _plaintext(i), "EncryptionContext": CONTEXT}
                                            for i in range(calls)])
    blobs = [base64.b64decode((await _answer(app, request))["CiphertextBlob"]) for request in encrypts[:256]]
    decrypts = signed(ENDPOINT, "decrypt", [{"CiphertextBlob": blobs[i % len(blobs)], "EncryptionContext": CONTEXT}
                                            for i in range(calls)])
    data_keys = signed(ENDPOINT, "generate_data_key", [{"KeyId": key, "KeySpec": "AES_256",
                                                        "EncryptionContext": CONTEXT}] * calls)
    return {"encrypt": encrypts, "decrypt": decrypts, "generate-data-key": data_keys}


async def run(args) -> None:
    app = create_app(Settings.from_env(data_dir=args.data_dir, log_level="warning"))
    await _startup(app)
    requests = await workloads(app, args.calls)
    for name, batch in requests.items():
        for request in batch[:200]:  # warm up, and check the answers
            await _answer(app, request)
        profiler = cProfile.Profile() if args.cprofile == name else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for request in batch:
            await call(app, "POST", "/", *request)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{name:<18} {cpu / len(batch) * 1e6:8.1f} us of CPU per request ({len(batch) / cpu:,.0f} requests "
              f"per CPU-second, no HTTP; wall {seconds / len(batch) * 1e6:.1f} us)", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--cprofile", choices=("encrypt", "decrypt", "generate-data-key"))
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory(prefix="overcast-kms-profile-") as data_dir:
        args.data_dir = data_dir
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
