"""Run the independent loadbench harness's SQS workloads against Overcast and moto, then compare.

    python benchmarks/sqs_loadbench.py [--duration 10] [--repeat 3] [--out /tmp/loadbench]

loadbench (``../shared/tools/loadbench`` beside the checkout, not part of this project) is run as its README
says: ``bench.py --workloads sqs-send,sqs-receive-delete,sqs-latency`` against each server,
then ``compare.py moto.json overcast.json``. Both servers are started the same way as in
``sqs_bench.py`` (pinned to core 0, fresh data); bench.py runs pinned to core 1 and is given
the server's pid so it reports the server's CPU.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import LOAD_CORE, _pinned, overcast_server  # noqa: E402
from sqs_bench import moto_server  # noqa: E402

# shared/ sits beside the repository's checkout
LOADBENCH = os.environ.get(
    "LOADBENCH_DIR",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "tools", "loadbench"),
)
WORKLOADS = "sqs-send,sqs-receive-delete,sqs-latency"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default="/tmp/loadbench-sqs", help="folder for the JSON results")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    outputs = []
    status = 0
    for label, start in (("moto", moto_server), ("overcast", overcast_server)):
        path = os.path.join(args.out, f"{label}.json")
        with start() as server:
            cmd = [sys.executable, os.path.join(LOADBENCH, "bench.py"), "--endpoint", server.url,
                   "--duration", str(args.duration), "--repeat", str(args.repeat), "--workloads", WORKLOADS,
                   "--label", label, "--json", path, "--server-pid", str(server.proc.pid)]
            status |= subprocess.run(_pinned(cmd, LOAD_CORE), timeout=60 * 60).returncode
        outputs.append(path)
    subprocess.run([sys.executable, os.path.join(LOADBENCH, "compare.py"), *outputs], check=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
