"""How long ``overcast serve`` takes from launch to answering: ``python benchmarks/startup.py``.

Launches the server N times on a fresh data dir, and times launch -> ``Ready.`` on stdout and
launch -> first ``/_overcast/health`` answer. Target (issue 2): under 1 second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from harness import free_port


def once() -> tuple[float, float]:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "overcast", "serve", "--port", str(port), "--data-dir", tempfile.mkdtemp()],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        for line in proc.stdout:
            if line.strip() == "Ready.":
                ready = time.perf_counter() - started
                break
        else:
            raise RuntimeError("server exited before Ready.")
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_overcast/health", timeout=5).read()
        return ready, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [once() for _ in range(args.runs)]
    ready = statistics.median(r[0] for r in runs)
    health = statistics.median(r[1] for r in runs)
    print(f"launch -> Ready.: median {ready * 1000:.0f} ms; launch -> first health answer: median {health * 1000:.0f} ms "
          f"({args.runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
