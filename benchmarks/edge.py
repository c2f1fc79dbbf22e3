"""The edge benchmark: how much of a bare uvicorn app's request rate the full path keeps.

    python benchmarks/edge.py --duration 5 --repeat 3

Measures, with the server on one core and wrk on the other, in one run:
  bare-get   a bare ASGI app on uvicorn answering a small GET with a fixed body (the ceiling)
  bare-sts   the same bare app sent the very bytes of the sts workload (same headers and
             body, so uvicorn's own per-request cost is the same as for sts)
  health     GET /_overcast/health                              (compared with bare-get)
  sts        STS GetCallerIdentity, a SigV4-signed query-protocol POST replayed by wrk
             (routing, SigV4 parse, query parse, provider, XML serialize; compared with bare-sts)
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
    parser.add_argument("--access-log", action="store_true", help="keep the per-request log line on (the default of overcast serve)")
    args = parser.parse_args()

    results = {}
    runs = {"bare-get": [], "bare-sts": [], "health": [], "sts": []}
    baseline = {"bare-get": "bare-get", "bare-sts": "bare-sts", "health": "bare-get", "sts": "bare-sts"}
    c = args.connections
    for _ in range(args.repeat):  # interleave so drift hits every workload alike
        with bare_server() as bare:
            headers, body = signed_sts_request(bare.url)
            runs["bare-get"].append(wrk(bare.url + "/", args.duration, connections=c))
            runs["bare-sts"].append(wrk(bare.url + "/", args.duration, method="POST", body=body, headers=headers,
                                        connections=c))
        with overcast_server(access_log=args.access_log) as oc:
            runs["health"].append(wrk(oc.url + "/_overcast/health", args.duration, connections=c))
            headers, body = signed_sts_request(oc.url)
            runs["sts"].append(wrk(oc.url + "/", args.duration, method="POST", body=body, headers=headers,
                                   connections=c))
    for name, rs in runs.items():
        results[name] = median_run(rs)
    print(f"{'workload':<10} {'req/s (median)':>15} {'of bare':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  runs")
    for name, r in results.items():
        share = r["rps"] / results[baseline[name]]["rps"]
        r["share_of_bare"] = round(share, 3)
        print(f"{name:<10} {r['rps']:>15,.0f} {share:>8.0%} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
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
