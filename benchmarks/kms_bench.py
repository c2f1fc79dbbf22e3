"""KMS benchmarks: Overcast and moto's server side by side in one run.

    python benchmarks/kms_bench.py --duration 5 --repeat 3 [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0, wrk on core 1 (``wrk_pool``), replaying requests boto3
built and signed (captured at its ``before-send`` hook, never sent by boto3). Rounds alternate
the servers, each started fresh. Workloads and targets (issue 16):

  encrypt            Encrypt of 256 bytes with an encryption context     >= 5,000 requests/s
  decrypt            Decrypt of those ciphertexts, no KeyId              >= 5,000 requests/s
  generate-data-key  GenerateDataKey AES_256                            >= 4,000 requests/s

Before each run one request of the pool is sent and its answer checked (an Encrypt blob
decrypts to its plaintext, a Decrypt answers the plaintext, a data key's blob decrypts to
it); any non-2xx answer during the run marks it INVALID (exit 1).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import sys
import traceback
import urllib.parse

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cpu_meter import process_cpu, wait_quiet  # noqa: E402
from harness import overcast_server  # noqa: E402
from sqs_bench import moto_server, summarize  # noqa: E402
from wrk_pool import run_pool  # noqa: E402

TARGETS = {"encrypt": 5_000, "decrypt": 5_000, "generate-data-key": 4_000}
CONTEXT = {"bench": "kms", "tenant": "t-1"}
POOL = 512


def kms_client(endpoint: str):
    return boto3.session.Session().client("kms", endpoint_url=endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test",
                                          config=Config(retries={"max_attempts": 1}))


class _Captured(Exception):
    """Raised by the before-send hook: the request is built and signed, and not sent."""


def signed(endpoint: str, operation: str, calls: list[dict]) -> list[tuple[dict, bytes]]:
    """(headers, body) of each call of ``operation`` as boto3 would POST it."""
    client = kms_client(endpoint)
    captured = []

    def grab(request, **_):
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
                   if k.lower() not in ("content-length", "host")}
        captured.append((headers, request.body))
        raise _Captured

    client.meta.events.register("before-send.kms", grab)
    for params in calls:
        try:
            getattr(client, operation)(**params)
        except _Captured:
            pass
    return captured


def _send(endpoint: str, headers: dict, body: bytes) -> dict:
    url = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        answer = conn.getresponse()
        payload = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"preflight answered {answer.status}: {payload[:300]!r}")
        return json.loads(payload)
    finally:
        conn.close()


def _plaintext(i: int) -> bytes:
    return f"{i:08d}".encode() * 32  # 256 bytes


def prepare(endpoint: str, name: str) -> list[tuple[dict, bytes]]:
    """A key, the pool of signed requests of workload ``name``, one of them checked."""
    kms = kms_client(endpoint)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    if name == "encrypt":
        pool = signed(endpoint, "encrypt", [{"KeyId": key_id, "Plaintext": _plaintext(i), "EncryptionContext": CONTEXT}
                                            for i in range(POOL)])
        blob = base64.b64decode(_send(endpoint, *pool[0])["CiphertextBlob"])
        if kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] != _plaintext(0):
            raise RuntimeError("an Encrypt answer does not decrypt to its plaintext")
    elif name == "decrypt":
        blobs = [kms.encrypt(KeyId=key_id, Plaintext=_plaintext(i), EncryptionContext=CONTEXT)["CiphertextBlob"]
                 for i in range(POOL)]
        pool = signed(endpoint, "decrypt", [{"CiphertextBlob": b, "EncryptionContext": CONTEXT} for b in blobs])
        if base64.b64decode(_send(endpoint, *pool[0])["Plaintext"]) != _plaintext(0):
            raise RuntimeError("Decrypt answered another plaintext")
    else:
        pool = signed(endpoint, "generate_data_key", [{"KeyId": key_id, "KeySpec": "AES_256",
                                                       "EncryptionContext": CONTEXT}] * POOL)
        answer = _send(endpoint, *pool[0])
        blob, plain = base64.b64decode(answer["CiphertextBlob"]), base64.b64decode(answer["Plaintext"])
        if kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] != plain or len(plain) != 32:
            raise RuntimeError("a data key's blob does not decrypt to its plaintext")
    return pool


def run_workload(endpoint: str, name: str, args) -> dict:
    pool = prepare(endpoint, name)
    cpu = process_cpu(args.server_pid)
    run = run_pool(endpoint + "/", pool, args.duration, connections=args.connections)
    cpu = process_cpu(args.server_pid) - cpu
    problems = []
    if run["non2xx"]:
        problems.append(f"{run['non2xx']} non-2xx answers (first: {run['first_bad']})")
    if run["socket_errors"]:
        problems.append(f"{run['socket_errors']} socket errors")
    requests = run["ok"] + run["non2xx"]
    return {**run, "problems": problems, "per_core": requests / cpu if cpu else None, "note": f"pool {len(pool)}"}


def run_peer(peer: str, workloads: list[str], args) -> dict[str, dict]:
    start = {"overcast": lambda: overcast_server(access_log=args.access_log), "moto": moto_server}[peer]
    results = {}
    with start() as server:
        args.server_pid = server.proc.pid  # taskset execs the server: same pid
        for name in workloads:
            load = wait_quiet(args.quiet_wait) if args.quiet_wait else 0.0
            try:
                result = run_workload(server.url, name, args)
            except Exception as exc:  # noqa: BLE001 - the run is INVALID, the others go on
                traceback.print_exc()
                result = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "non2xx": 0, "socket_errors": 0,
                          "problems": [f"{type(exc).__name__}: {exc}"], "note": "", "per_core": None}
            result["load_before"] = round(load, 2)
            status = "INVALID: " + "; ".join(result["problems"]) if result["problems"] else "ok"
            print(f"  {peer:<9} {name:<18} {result['rps']:>8,.0f} req/s  p50 {_ms(result['p50_ms'])}  "
                  f"p99 {_ms(result['p99_ms'])}  {_num(result.get('per_core'))} req/server-CPU-s  "
                  f"other load {load:.2f} cores  {status}", flush=True)
            results[name] = result
    return results


def table(summaries: dict[str, dict[str, dict]], peers: list[str]) -> str:
    both = {"overcast", "moto"} <= set(peers)
    cols = ["workload", "target"]
    for p in peers:
        cols += [f"{p} req/s", f"{p} rounds", f"{p} p50 / p99 ms", f"{p} req per server CPU-s"]
    cols += ["overcast / moto"] if both else []
    cols.append("meets target")
    lines = ["| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
    for name in summaries[peers[0]]:
        cells = [name, f">= {TARGETS[name]:,} req/s"]
        for p in peers:
            s = summaries[p][name]
            cells += [f"{s['rps']:,.0f}" + ("" if s["valid"] else " INVALID"), " / ".join(f"{r:,}" for r in s["runs"]),
                      f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f}", _num(s["per_core"])]
        if both:
            oc, mo = summaries["overcast"][name]["rps"], summaries["moto"][name]["rps"]
            cells.append(f"{oc / mo:,.1f}x" if oc and mo else "-")
        oc = summaries.get("overcast", {}).get(name)
        cells.append("-" if oc is None else "yes" if oc["valid"] and oc["rps"] >= TARGETS[name] else "NO")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _num(value) -> str:
    return f"{value:,.0f}" if value else "-"


def _ms(value) -> str:
    return f"{value:.2f} ms" if value is not None else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per workload run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--workloads", default=",".join(TARGETS))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--access-log", action="store_true",
                        help="Overcast with its per-request log line (the default of overcast serve)")
    parser.add_argument("--quiet-wait", type=float, default=30,
                        help="before each workload wait up to this many seconds for an idle machine (0: off)")
    parser.add_argument("--json", help="write the summaries here too")
    args = parser.parse_args()
    peers, workloads = args.peers.split(","), args.workloads.split(",")
    unknown = [w for w in workloads if w not in TARGETS] + [p for p in peers if p not in ("overcast", "moto")]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    runs: dict[str, dict[str, list]] = {p: {w: [] for w in workloads} for p in peers}
    for round_ in range(args.repeat):
        print(f"round {round_ + 1}/{args.repeat}", flush=True)
        for peer in peers:
            for name, result in run_peer(peer, workloads, args).items():
                runs[peer][name].append(result)
    summaries = {p: {w: summarize(runs[p][w]) for w in workloads} for p in peers}
    print()
    print(table(summaries, peers))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "summaries": summaries}, f, indent=2, default=str)
    invalid = [f"{p}/{w}" for p in peers for w in workloads if not summaries[p][w]["valid"]]
    if invalid:
        print(f"\nINVALID: {', '.join(invalid)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
