"""Where an SQS request's server time goes: the provider methods called in process, no HTTP.

    python benchmarks/sqs_profile.py [--calls 3000] [--cprofile send-batch]

A Cloud on a temporary data dir (as ``overcast serve`` builds it), one queue per workload,
then ``--calls`` calls of each provider method, timed:

  send          send_message (one 256-byte message)
  send-batch    send_message_batch (10 messages)
  fifo-batch    send_message_batch of 10 on a FIFO queue, 16 groups, explicit dedup ids
  receive       receive_message (10) + delete_message_batch on a pre-filled queue

For each: microseconds per call and per message, and the share spent inside SQLite
(``Database.execute`` / ``executemany`` / ``query`` and the commits, timed by wrapping the
provider's database). ``--cprofile NAME`` prints the top functions of one workload. Compare
with the HTTP figures of ``sqs_bench.py``: the rest of a request's cost is the edge (uvicorn,
routing, SigV4 inspection, JSON parse/serialize; see ``rpc_protocols_bench.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from overcast.cloud import Cloud  # noqa: E402
from overcast.config import Settings  # noqa: E402
from overcast.context import RequestContext  # noqa: E402

BODY = "x" * 240


class TimedDatabase:
    """Wraps a Database: counts the seconds spent in its statements and transactions."""

    def __init__(self, db):
        self._db = db
        self.seconds = 0.0

    def __getattr__(self, name):
        attr = getattr(self._db, name)
        if name not in ("execute", "executemany", "query", "query_one"):
            return attr

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
        return timed

    def transaction(self):
        outer = self

        class Timed:
            def __enter__(self):
                started = time.perf_counter()
                self.inner = outer._db.transaction()
                result = self.inner.__enter__()
                outer.seconds += time.perf_counter() - started
                return result

            def __exit__(self, *exc):
                started = time.perf_counter()  # the COMMIT
                try:
                    return self.inner.__exit__(*exc)
                finally:
                    outer.seconds += time.perf_counter() - started
        return Timed()


def context(operation: str) -> RequestContext:
    return RequestContext(account="000000000000", region="us-east-1", service="sqs", operation=operation,
                          host="127.0.0.1:4566")


async def _done(result):
    """A provider method's answer, whether the method is a coroutine or not."""
    return await result if asyncio.iscoroutine(result) else result


def workloads(sqs, calls: int):
    """name -> (setup() -> state, one(state, i) -> messages handled)."""
    def queue(name, **attributes):
        return sqs.create_queue(context("CreateQueue"), {"QueueName": name, "Attributes": attributes})["QueueUrl"]

    async def send(url, i):
        await _done(sqs.send_message(context("SendMessage"), {"QueueUrl": url, "MessageBody": f"{i:016d}{BODY}"}))
        return 1

    async def batch(url, i):
        await _done(sqs.send_message_batch(context("SendMessageBatch"), {"QueueUrl": url, "Entries": [
            {"Id": str(j), "MessageBody": f"{i * 10 + j:016d}{BODY}"} for j in range(10)]}))
        return 10

    async def fifo(url, i):
        await _done(sqs.send_message_batch(context("SendMessageBatch"), {"QueueUrl": url, "Entries": [
            {"Id": str(j), "MessageBody": f"{i * 10 + j:016d}{BODY}", "MessageGroupId": f"g{(i * 10 + j) % 16}",
             "MessageDeduplicationId": f"d{i * 10 + j}"} for j in range(10)]}))
        return 10

    async def filled():
        url = queue("profile-receive", VisibilityTimeout="300")
        for i in range(calls):
            await batch(url, i)
        return url

    async def receive(url, i):
        got = (await sqs.receive_message(context("ReceiveMessage"), {"QueueUrl": url, "MaxNumberOfMessages": 10}))
        messages = got.get("Messages", [])
        sqs.delete_message_batch(context("DeleteMessageBatch"), {"QueueUrl": url, "Entries": [
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]})
        return len(messages)

    return {
        "send": (lambda: queue("profile-send"), send),
        "send-batch": (lambda: queue("profile-batch"), batch),
        "fifo-batch": (lambda: queue("profile.fifo", FifoQueue="true"), fifo),
        "receive": (filled, receive),
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--cprofile", help="print the top functions of this workload")
    args = parser.parse_args()
    cloud = Cloud(Settings(data_dir=tempfile.mkdtemp(prefix="overcast-profile-")))
    await cloud.start()
    sqs = cloud.services.provider("sqs")
    await sqs.start()
    timed = TimedDatabase(sqs.db)
    sqs._db = timed  # every store of the provider reads provider.db
    print(f"{'workload':<11} {'us/call':>8} {'us/msg':>7} {'sqlite share':>13}")
    for name, (setup, one) in workloads(sqs, args.calls).items():
        state = await _done(setup())
        profiler = cProfile.Profile() if name == args.cprofile else None
        timed.seconds, handled = 0.0, 0
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(args.calls):
            result = one(state, i)
            handled += await result if asyncio.iscoroutine(result) else result
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"{name:<11} {elapsed / args.calls * 1e6:>8.1f} {elapsed / max(handled, 1) * 1e6:>7.1f} "
              f"{timed.seconds / elapsed:>12.0%}")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    await cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
