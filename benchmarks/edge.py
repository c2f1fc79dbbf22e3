"""The edge benchmark: how much of a bare uvicorn app's request rate the full path keeps.

    python benchmarks/edge.py --duration 5 --repeat 3

Measures, with the server on one core and wrk on the other, in one run:
  bare      a bare ASGI app on uvicorn returning a fixed body (the ceiling)
  health    GET /_overcast/health
  sts       STS GetCallerIdentity, a SigV4-signed query-protocol POST replayed by wrk
            (routing, SigV4 parse, query parse, provider, XML serialize)
Target (issue 2): the full path keeps at least 50% of the bare rate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import bare_server, median_run, overcast_server, wrk  # noqa: E402


def signed_sts_request(endpoint: str) -> tuple[dict, str]:
    """Headers and body of a GetCallerIdentity call signed by botocore (valid for 15 minutes)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = "Action=GetCallerIdentity&Version=2011-06-15"
    request = AWSRequest(method="POST", url=endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
    return headers, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()

    results = {}
    runs = {"bare": [], "health": [], "sts": []}
    for _ in range(args.repeat):  # interleave so drift hits every workload alike
        with bare_server() as bare:
            runs["bare"].append(wrk(bare.url + "/", args.duration, connections=args.connections))
        with overcast_server() as oc:
            runs["health"].append(wrk(oc.url + "/_overcast/health", args.duration, connections=args.connections))
            headers, body = signed_sts_request(oc.url)
            runs["sts"].append(wrk(oc.url + "/", args.duration, method="POST", body=body, headers=headers,
                                   connections=args.connections))
    for name, rs in runs.items():
        results[name] = median_run(rs)
    bare_rps = results["bare"]["rps"]
    print(f"{'workload':<10} {'req/s (median)':>15} {'of bare':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  runs")
    for name, r in results.items():
        print(f"{name:<10} {r['rps']:>15,.0f} {r['rps'] / bare_rps:>8.0%} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
              f"{r['errors']:>7}  {r['runs']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    bad = [n for n, r in results.items() if r["errors"]]
    if bad:
        print(f"INVALID: errors in {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
