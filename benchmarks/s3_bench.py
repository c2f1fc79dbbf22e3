"""S3 benchmarks: Overcast, moto's server and a bare uvicorn app side by side in one run.

    python benchmarks/s3_bench.py --duration 5 --repeat 3 [--peers overcast,moto,bare] [--json out.json]

Each server runs pinned to core 0 (``taskset -c 0``), wrk on core 1. Rounds alternate the
servers, each started fresh, so drift hits all alike; the table gives medians and the spread
of the rounds. Workloads (``s3_workloads.py``: wrk replaying requests boto3 built and signed),
targets from the S3 issue (the per-prefix rates AWS promises):

  put-1k   PutObject, 1 KiB bodies, distinct keys in one prefix     >= 3,500 requests/s
  get-1k   GetObject of 1 KiB objects                               >= 5,500 requests/s
  get-1m   GetObject of a 1 MiB object                              MB/s reported
  put-1k-kms, get-1k-kms   the 1 KiB workloads with SSE-KMS (aws/s3 key): within 25% of the
           plain ones of the same run (issue 16); the ratios are printed after the table

``bare`` is a bare uvicorn app (``s3_bare_app.py``) keeping bodies in a dict: the ceiling.
Any non-2xx answer, short body, lost or wrong object marks a run INVALID (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cpu_meter import wait_quiet  # noqa: E402
from harness import HERE, Server, free_port, overcast_server  # noqa: E402
from s3_workloads import WORKLOADS  # noqa: E402
from sqs_bench import moto_server, summarize  # noqa: E402

TARGETS = {"put-1k": 3_500, "get-1k": 5_500, "get-1m": None, "put-1k-kms": None, "get-1k-kms": None}
KMS_FLOOR = 0.75  # SSE-KMS workloads: at least this share of the plain workload's rate  # requests/s; None: MB/s reported


def bare_s3_server() -> Server:
    """``s3_bare_app`` on uvicorn (uvloop, httptools), as ``harness.bare_server`` runs its app."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "s3_bare_app:app", "--app-dir", HERE, "--port", str(port),
           "--host", "127.0.0.1", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
           "--log-level", "warning"]
    return Server(cmd, port, "/")


def run_peer(peer: str, workloads: list[str], args) -> dict[str, dict]:
    """One fresh server of ``peer``, every workload once against it."""
    start = {"overcast": lambda: overcast_server(access_log=args.access_log), "moto": moto_server,
             "bare": bare_s3_server}[peer]
    results = {}
    with start() as server:
        args.server_pid = server.proc.pid  # taskset execs the server: same pid
        args.checks = peer != "bare"
        for name in workloads:
            load = wait_quiet(args.quiet_wait) if args.quiet_wait else 0.0
            try:
                result = WORKLOADS[name](server.url, args)
            except Exception as exc:  # noqa: BLE001 - the run is INVALID, the others go on
                traceback.print_exc()
                result = {"rps": 0.0, "mbps": 0.0, "p50_ms": None, "p99_ms": None, "non2xx": 0,
                          "socket_errors": 0, "problems": [f"{type(exc).__name__}: {exc}"], "note": "",
                          "per_core": None}
            result["load_before"] = round(load, 2)
            status = "INVALID: " + "; ".join(result["problems"]) if result["problems"] else "ok"
            print(f"  {peer:<9} {name:<7} {result['rps']:>8,.0f} req/s {result['mbps']:>8,.1f} MB/s  "
                  f"p50 {_ms(result['p50_ms'])}  p99 {_ms(result['p99_ms'])}  "
                  f"{_num(result.get('per_core'))} req/server-CPU-s  other load {load:.2f} cores  {status}  "
                  f"({result['note']})", flush=True)
            results[name] = result
    return results


def table(summaries: dict[str, dict[str, dict]], peers: list[str]) -> str:
    """Medians per peer, the rounds' spread, ratios to moto and to bare, the target."""
    cols = ["workload", "target"]
    for p in peers:
        cols += [f"{p} req/s (MB/s)", f"{p} rounds", f"{p} p50 / p99 ms", f"{p} req per server CPU-s"]
    cols += [f"overcast / {p}" for p in ("moto", "bare") if p in peers and "overcast" in peers]
    cols.append("meets target")
    lines = ["| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
    for name in summaries[peers[0]]:
        target = TARGETS[name]
        cells = [name, f">= {target:,} req/s" if target else "MB/s reported"]
        for p in peers:
            s = summaries[p][name]
            mark = "" if s["valid"] else " INVALID"
            cells += [f"{s['rps']:,.0f} ({s['mbps']:,.1f}){mark}", " / ".join(f"{r:,}" for r in s["runs"]),
                      f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f}", _num(s["per_core"])]
        for other in ("moto", "bare"):
            if other in peers and "overcast" in peers:
                oc, ot = summaries["overcast"][name]["rps"], summaries[other][name]["rps"]
                cells.append(f"{oc / ot:,.2f}x" if oc and ot else "-")
        oc = summaries.get("overcast", {}).get(name)
        cells.append("-" if oc is None or target is None else "yes" if oc["valid"] and oc["rps"] >= target else "NO")
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
    parser.add_argument("--peers", default="overcast,moto,bare")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (1 KiB workloads)")
    parser.add_argument("--big-connections", type=int, default=16, help="wrk connections (get-1m)")
    parser.add_argument("--put-keys", type=int, default=2_000, help="put-1k: distinct keys, cycled")
    parser.add_argument("--get-keys", type=int, default=64, help="get-1k: distinct objects, cycled")
    parser.add_argument("--access-log", action="store_true",
                        help="Overcast with its per-request log line (the default of overcast serve)")
    parser.add_argument("--quiet-wait", type=float, default=30,
                        help="before each workload wait up to this many seconds for an idle machine (0: off)")
    parser.add_argument("--json", help="write the summaries here too")
    args = parser.parse_args()
    peers, workloads = args.peers.split(","), args.workloads.split(",")
    unknown = [w for w in workloads if w not in WORKLOADS] + [p for p in peers if p not in ("overcast", "moto", "bare")]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")

    runs: dict[str, dict[str, list]] = {p: {w: [] for w in workloads} for p in peers}
    for round_ in range(args.repeat):
        print(f"round {round_ + 1}/{args.repeat}", flush=True)
        for peer in peers:
            for name, result in run_peer(peer, workloads, args).items():
                runs[peer][name].append(result)
    summaries = {}
    for p in peers:
        summaries[p] = {}
        for w in workloads:
            s = summarize(runs[p][w])
            s["mbps"] = statistics.median(r["mbps"] for r in runs[p][w])
            summaries[p][w] = s
    print()
    print(table(summaries, peers))
    for name in workloads:
        plain = name.removesuffix("-kms")
        if name != plain and plain in workloads and "overcast" in peers:
            kms_rps, plain_rps = summaries["overcast"][name]["rps"], summaries["overcast"][plain]["rps"]
            ratio = kms_rps / plain_rps if plain_rps else 0.0
            print(f"overcast {name} / {plain}: {ratio:.2f} ({'within' if ratio >= KMS_FLOOR else 'NOT within'} 25%)")
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
