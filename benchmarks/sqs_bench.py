"""SQS benchmarks, Overcast side by side with moto's server in the same run.

    python benchmarks/sqs_bench.py --duration 5 --repeat 3 [--peers overcast,moto] [--json out.json]

Each server runs pinned to core 0 (``taskset -c 0``); the load (wrk, and this process for the
stateful workloads) runs on core 1. Repeats alternate the servers, each started fresh, so drift
hits both alike; the table gives medians. Workloads (``sqs_workloads.py``), targets from the
SQS issue:

  send            SendMessage, single entry, wrk replaying signed JSON   >= 5,000 msg/s
  send-batch      SendMessageBatch of 10                                 >= 30,000 msg/s
  receive-delete  ReceiveMessage(10) + DeleteMessageBatch draining       >= 5,000 msg/s
  latency         send -> receive with long polls waiting                p99 < 10 ms
  fifo-batch      FIFO SendMessageBatch of 10 across several groups      >= 3,000 msg/s

Any non-2xx answer, failed batch entry, lost or duplicated message marks a run INVALID (exit 1).
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
from harness import LOAD_CORE, Server, free_port, median_run, overcast_server  # noqa: E402
from sqs_client import selftest  # noqa: E402
from sqs_workloads import WORKLOADS  # noqa: E402

# (kind, value): a rate floor in msg/s, or a p99 ceiling in ms.
TARGETS = {
    "send": ("rate", 5_000),
    "send-batch": ("rate", 30_000),
    "receive-delete": ("rate", 5_000),
    "latency": ("p99", 10.0),
    "fifo-batch": ("rate", 3_000),
}


def moto_server() -> Server:
    """moto's server (``moto_server -H 127.0.0.1 -p PORT``), started like Overcast."""
    port = free_port()
    return Server([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port, "/moto-api/")


SERVERS = {"overcast": overcast_server, "moto": moto_server}


def run_peer(peer: str, workloads: list[str], args) -> dict[str, dict]:
    """One fresh server of ``peer``, every workload once against it."""
    results = {}
    with SERVERS[peer]() as server:
        args.server_pid = server.proc.pid  # taskset execs the server: same pid
        for name in workloads:
            load = wait_quiet(args.quiet_wait) if args.quiet_wait else 0.0
            try:
                result = WORKLOADS[name](server.url, args)
            except Exception as exc:  # noqa: BLE001 - the run is INVALID, the others go on
                traceback.print_exc()
                result = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "non2xx": 0, "socket_errors": 0,
                          "problems": [f"{type(exc).__name__}: {exc}"], "note": "", "per_core": None}
            result["load_before"] = round(load, 2)
            status = "INVALID: " + "; ".join(result["problems"]) if result["problems"] else "ok"
            per_core = f"{result['per_core']:,.0f}" if result.get("per_core") else "-"
            print(f"  {peer:<9} {name:<15} {result['rps']:>10,.0f} msg/s  p50 {_ms(result['p50_ms'])}  "
                  f"p99 {_ms(result['p99_ms'])}  {per_core} msg/server-CPU-s  other load {load:.2f} cores  "
                  f"{status}  ({result['note']})", flush=True)
            results[name] = result
    return results


def summarize(runs: list[dict]) -> dict:
    """``harness.median_run`` plus the problems of every run (any problem: INVALID)."""
    summary = median_run([{**r, "p50_ms": r["p50_ms"] or 0.0, "p99_ms": r["p99_ms"] or 0.0} for r in runs])
    per_core = [r["per_core"] for r in runs if r.get("per_core")]
    summary["per_core"] = statistics.median(per_core) if per_core else None
    summary["problems"] = [p for r in runs for p in r["problems"]]
    summary["valid"] = not summary["problems"] and not summary["errors"]
    return summary


def meets(name: str, summary: dict) -> bool:
    kind, value = TARGETS[name]
    return summary["valid"] and (summary["rps"] >= value if kind == "rate" else summary["p99_ms"] < value)


def table(summaries: dict[str, dict[str, dict]], peers: list[str]) -> str:
    """The markdown table of medians, targets and the Overcast/moto ratios."""
    both = {"overcast", "moto"} <= set(peers)
    head = "| workload | target | " + " | ".join(f"{p} msg/s | {p} p50 / p99 ms | {p} msg per server CPU-s" for p in peers)
    head += " | overcast / moto (wall) | overcast / moto (per CPU-s) |" if both else " |"
    lines = [head + " meets target |", "|---" * (head.count("|")) + "|"]
    for name in summaries[peers[0]]:
        kind, value = TARGETS[name]
        target = f">= {value:,} msg/s" if kind == "rate" else f"p99 < {value:g} ms"
        cells = []
        for peer in peers:
            s = summaries[peer][name]
            mark = "" if s["valid"] else " INVALID"
            cells += [f"{s['rps']:,.0f}{mark}", f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f}", _num(s["per_core"])]
        row = f"| {name} | {target} | " + " | ".join(cells)
        if both:
            oc, moto = summaries["overcast"][name], summaries["moto"][name]
            if kind == "rate":
                row += f" | {_ratio(oc['rps'], moto['rps'])}"
            else:
                row += f" | {_ratio(moto['p99_ms'], oc['p99_ms'])} lower p99"
            row += f" | {_ratio(oc['per_core'], moto['per_core'])}"
        overcast = summaries.get("overcast", {}).get(name)
        row += f" | {('yes' if meets(name, overcast) else 'NO') if overcast else '-'} |"
        lines.append(row)
    return "\n".join(lines)


def _ratio(a, b) -> str:
    return f"{a / b:,.1f}x" if a and b else "-"


def _num(value) -> str:
    return f"{value:,.0f}" if value else "-"


def _ms(value) -> str:
    return f"{value:.2f} ms" if value is not None else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per workload run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", default="overcast,moto")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--consumers", type=int, default=8, help="receive-delete consumers")
    parser.add_argument("--depth", type=int, default=1_000, help="receive-delete queue depth per cycle")
    parser.add_argument("--pollers", type=int, default=4, help="latency: long polls waiting")
    parser.add_argument("--latency-count", type=int, default=2_000, help="latency: at most this many sends")
    parser.add_argument("--groups", type=int, default=16, help="fifo-batch: message groups")
    parser.add_argument("--fifo-pool-rate", type=float, default=3_000,
                        help="fifo-batch: distinct batch requests built per second of --duration")
    parser.add_argument("--quiet-wait", type=float, default=30,
                        help="before each workload wait up to this many seconds for an idle machine (0: off)")
    parser.add_argument("--json", help="write the summaries here too")
    args = parser.parse_args()
    peers, workloads = args.peers.split(","), args.workloads.split(",")
    unknown = [w for w in workloads if w not in WORKLOADS] + [p for p in peers if p not in SERVERS]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    selftest()
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {int(LOAD_CORE)})  # the asyncio load generator; servers are on core 0

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
            json.dump({"args": vars(args), "summaries": summaries}, f, indent=2)
    invalid = [f"{p}/{w}" for p in peers for w in workloads if not summaries[p][w]["valid"]]
    if invalid:
        print(f"\nINVALID: {', '.join(invalid)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
