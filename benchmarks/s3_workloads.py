"""The S3 workloads of ``s3_bench.py``; each runs against one endpoint and checks itself.

The load is wrk replaying requests that boto3 itself built and signed: each request is
captured from a real ``put_object`` / ``get_object`` call at boto3's ``before-send`` hook
(headers exactly as boto3 sends them: SigV4 ``Authorization``, ``X-Amz-Date``, the payload's
``X-Amz-Content-SHA256``, the ``x-amz-checksum-crc32`` boto3 adds to uploads, its
``User-Agent`` and ``amz-sdk-*`` headers) and never sent by boto3. Only ``Expect:
100-continue`` is left out: wrk sends head and body together and cannot read an interim
``100 Continue`` answer.

Every workload returns ``{"rps", "mbps", "p50_ms", "p99_ms", "non2xx", "socket_errors",
"problems", "per_core", "note"}``; ``per_core`` is requests per server CPU-second
(``args.server_pid``). A problem (a non-2xx answer, a short body, a lost or wrong object)
makes the run INVALID. ``args.checks`` False (the bare ceiling app) skips the checks that
need a real S3 behind the endpoint.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import os
import random
import string
import time
import urllib.parse
import uuid

import boto3
from botocore.config import Config

from cpu_meter import process_cpu
from harness import wrk
from wrk_pool import run_pool

ACCESS_KEY = SECRET_KEY = "test"
REGION = "us-east-1"
KIB, MIB = 1024, 1024 * 1024
# headers boto3 sends that a wrk replay must not (see the module docstring)
_DROPPED = ("expect", "content-length", "host")


def boto_s3(endpoint: str):
    """A boto3 client for setup and checks (path-style, no retries)."""
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, read_timeout=120))


class _Captured(Exception):
    """Raised by the before-send hook: the request is built and signed, and not sent."""


def signed_requests(endpoint: str, calls: list[tuple[str, dict]]) -> list[tuple[str, str, dict, bytes]]:
    """(method, path, headers, body) of each ``(operation, params)`` call as boto3 would send it."""
    client = boto_s3(endpoint)
    captured = []

    def grab(request, **_):
        body = request.body
        if hasattr(body, "getvalue"):
            body = body.getvalue()
        elif hasattr(body, "read"):
            body = body.read()
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
                   if k.lower() not in _DROPPED}
        url = urllib.parse.urlsplit(request.url)
        captured.append((request.method, url.path + (f"?{url.query}" if url.query else ""), headers, body or b""))
        raise _Captured

    client.meta.events.register("before-send.s3", grab)
    for operation, params in calls:
        try:
            getattr(client, operation)(**params)
        except _Captured:
            pass
    return captured


def process_written(pid: int | None) -> int:
    """Bytes process ``pid`` has handed to write() so far (``wchar`` of /proc/<pid>/io: its
    WAL, checkpoints and files, whatever the machine's load); 0 if unknown."""
    if not pid:
        return 0
    try:
        with open(f"/proc/{pid}/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))
    except (OSError, StopIteration):
        return 0


def _line_body(size: int, seed: int) -> bytes:
    """``size`` printable bytes without line breaks (wrk's pool file is line-based)."""
    rng = random.Random(seed)
    return "".join(rng.choices(string.ascii_letters + string.digits, k=size)).encode()


def _send_once(endpoint: str, method: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
    url = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def _bucket(s3, prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    return name


def _result(run: dict, args, cpu: float, size: int, problems: list[str], note: str) -> dict:
    if run["non2xx"]:
        problems.append(f"{run['non2xx']} non-2xx answers (first: {run.get('first_bad', '?')})")
    if run["socket_errors"]:
        problems.append(f"{run['socket_errors']} socket errors")
    requests = run.get("requests") or run["rps"] * args.duration
    return {**run, "mbps": run["rps"] * size / 1e6, "problems": problems, "server_cpu": cpu,
            "per_core": requests / cpu if cpu else None, "note": note}


def put_1k(endpoint: str, args, encryption: dict | None = None) -> dict:
    """PutObject of 1 KiB, distinct keys in one prefix (``--put-keys`` of them, cycled);
    ``encryption``: SSE request members (the ``-kms`` workloads)."""
    s3 = boto_s3(endpoint)
    bucket = _bucket(s3, "bench-put")
    bodies = {f"prefix/k{i:07d}": _line_body(KIB, i) for i in range(args.put_keys)}
    pool = signed_requests(endpoint, [("put_object", {"Bucket": bucket, "Key": k, "Body": b, **(encryption or {})})
                                      for k, b in bodies.items()])
    status, answer = _send_once(endpoint, *pool[0])
    if status != 200:
        raise RuntimeError(f"preflight PUT answered {status}: {answer[:300]!r}")
    cpu, written = process_cpu(args.server_pid), process_written(args.server_pid)
    run = run_pool(endpoint + "/", pool, args.duration, connections=args.connections)
    cpu = process_cpu(args.server_pid) - cpu
    run["requests"] = run["ok"] + run["non2xx"]
    time.sleep(0.3)  # the WAL checkpoints of those writes (a thread of the server, every 0.1 s)
    written = process_written(args.server_pid) - written
    problems: list[str] = []
    note = (f"{len(pool)} keys cycled, {run['ok']} acknowledged, "
            f"{written / max(1, run['requests']) / 1000:.1f} KB written per PUT")
    if args.checks:
        problems += _check_stored(s3, bucket, bodies, run["ok"] + 1, args.connections)
    return _result(run, args, cpu, KIB, problems, note)


def _check_stored(s3, bucket: str, bodies: dict[str, bytes], acknowledged: int, in_flight: int) -> list[str]:
    """Every acknowledged key is listed with the ETag of its body (the MD5), nothing else."""
    listed = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        listed.update({o["Key"]: (o["ETag"], o["Size"]) for o in page.get("Contents", [])})
    keys = list(bodies)
    must = set(keys[:min(acknowledged, len(keys))])
    may = set(keys[:min(acknowledged + in_flight, len(keys))])
    problems = []
    if must - set(listed):
        problems.append(f"lost objects: {len(must - set(listed))} acknowledged keys not listed")
    if set(listed) - may:
        problems.append(f"{len(set(listed) - may)} unexpected keys listed")
    wrong = [k for k, (etag, size) in listed.items()
             if k in bodies and (size != KIB or etag.strip('"') != hashlib.md5(bodies[k]).hexdigest())]
    if wrong:
        problems.append(f"{len(wrong)} objects with a wrong ETag or size (first {wrong[0]})")
    return problems


def _get(endpoint: str, args, size: int, keys: int, encryption: dict | None = None) -> tuple[dict, dict]:
    """Store ``keys`` objects of ``size`` bytes; returns (boto3-signed GETs, bodies by path)."""
    s3 = boto_s3(endpoint)
    bucket = _bucket(s3, "bench-get")
    names = [f"prefix/obj{i:04d}" for i in range(keys)]
    bodies = {}
    for i, key in enumerate(names):
        body = os.urandom(size) if size > 64 * KIB else _line_body(size, 10_000 + i)
        s3.put_object(Bucket=bucket, Key=key, Body=body, **(encryption or {}))
        bodies[f"/{bucket}/{key}"] = body
    pool = signed_requests(endpoint, [("get_object", {"Bucket": bucket, "Key": k}) for k in names])
    for method, path, headers, _ in pool[:8]:
        status, answer = _send_once(endpoint, method, path, headers, b"")
        if status != 200 or answer != bodies[path.split("?")[0]]:
            raise RuntimeError(f"preflight GET answered {status} with {len(answer)} bytes, not the object")
    return pool, bodies


def get_1k(endpoint: str, args, encryption: dict | None = None) -> dict:
    """GetObject of 1 KiB objects (``--get-keys`` of them, one prefix), bodies checked once."""
    pool, _ = _get(endpoint, args, KIB, args.get_keys, encryption)
    cpu = process_cpu(args.server_pid)
    run = run_pool(endpoint + "/", pool, args.duration, connections=args.connections)
    cpu = process_cpu(args.server_pid) - cpu
    run["requests"] = run["ok"] + run["non2xx"]
    problems = []
    if run["requests"] and run["bytes"] / run["requests"] < KIB:
        problems.append("short answers: fewer bytes read than the objects hold")
    return _result(run, args, cpu, KIB, problems, f"{len(pool)} keys")


def get_1m(endpoint: str, args) -> dict:
    """GetObject of one 1 MiB object (wrk without a Lua response hook, which would copy bodies)."""
    pool, _ = _get(endpoint, args, MIB, 1)
    method, path, headers, _ = pool[0]
    cpu = process_cpu(args.server_pid)
    run = wrk(endpoint + path, args.duration, method=method, headers=headers, connections=args.big_connections)
    cpu = process_cpu(args.server_pid) - cpu
    problems = []
    if run["requests"] and run["bytes"] < run["requests"] * MIB * 0.99:  # wrk prints "x.xxGB read"
        problems.append("short answers: fewer bytes read than the object holds")
    return _result(run, args, cpu, MIB, problems, f"{args.big_connections} connections")


# SSE-KMS under the account's aws/s3 key: a KMS GenerateDataKey per PUT, a Decrypt per GET
SSE_KMS = {"ServerSideEncryption": "aws:kms"}
WORKLOADS = {"put-1k": put_1k, "get-1k": get_1k, "get-1m": get_1m,
             "put-1k-kms": functools.partial(put_1k, encryption=SSE_KMS),
             "get-1k-kms": functools.partial(get_1k, encryption=SSE_KMS)}
