"""Run the independent loadbench harness's S3 workloads against moto and Overcast, then compare.

    python benchmarks/s3_loadbench.py [--duration 10] [--repeat 3] [--out /tmp/loadbench-s3]

loadbench (``../shared/tools/loadbench`` beside the checkout, or ``LOADBENCH_DIR``; not part of
this project) is run as its README says: ``bench.py --workloads s3-put-1k,s3-get-1k,s3-get-1m``
against each server, then ``compare.py moto.json overcast.json``. Its S3 workloads replay
presigned URLs with wrk (16 connections): PUT of 1 KiB to 5,000 distinct keys in one prefix,
cycled; GET of one 1 KiB object; GET of one 1 MiB object. Both servers are started as in
``s3_bench.py`` (pinned to core 0, fresh data); bench.py runs pinned to core 1 and is given
the server's pid so it reports the server's CPU. (loadbench's 64 MiB multipart workload is
measured with the multipart benchmark: add it with ``--workloads`` if wanted.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import LOAD_CORE, _pinned, overcast_server  # noqa: E402
from sqs_bench import moto_server  # noqa: E402
from sqs_loadbench import LOADBENCH  # noqa: E402

WORKLOADS = "s3-put-1k,s3-get-1k,s3-get-1m"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workloads", default=WORKLOADS)
    parser.add_argument("--peers", default="moto,overcast", help="the first is compare.py's base")
    parser.add_argument("--out", default="/tmp/loadbench-s3", help="folder for the JSON results")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    starts = {"moto": moto_server, "overcast": overcast_server}
    outputs, status = [], 0
    for label in args.peers.split(","):
        path = os.path.join(args.out, f"{label}.json")
        with starts[label]() as server:
            cmd = [sys.executable, os.path.join(LOADBENCH, "bench.py"), "--endpoint", server.url,
                   "--duration", str(args.duration), "--repeat", str(args.repeat), "--workloads", args.workloads,
                   "--label", label, "--json", path, "--server-pid", str(server.proc.pid)]
            status |= subprocess.run(_pinned(cmd, LOAD_CORE), timeout=60 * 60).returncode
        outputs.append(path)
    subprocess.run([sys.executable, os.path.join(LOADBENCH, "compare.py"), *outputs], check=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
