"""What durability costs: SQLite commits, blob streams and timers, in both durability modes.

    python benchmarks/storage_bench.py [--rows 3000] [--blob-mib 1024] [--seconds 5]

Every loop is bounded by a count and by ``--seconds``. Data goes to a temp dir (removed at
the end) on the same filesystem as ``--dir`` (default: the system temp dir).

Measures:
- single-row INSERT + commit (autocommit ``execute``), ``synchronous=NORMAL`` vs ``FULL``
  (``--fsync``), and a 100-row transaction, and a primary-key SELECT;
- blob writes: 1 MiB blobs per second in both modes; one large stream (``--blob-mib``) fed in
  64 KiB chunks, written inline on the loop vs with each 1 MiB flush offloaded to a thread
  (``asyncio.to_thread``), reporting throughput, the worst event-loop stall seen by a 1 ms
  ticker, and the peak RSS growth;
- scheduler: schedule + cancel of many timers (durable and in memory), and firing them with
  a clock move.

Last results (2-core VM, ext4 on a virtual disk, other test runs sharing the machine, so
the spread between runs is large; p50 is the steadiest number):

- insert+commit, default (WAL, synchronous=NORMAL): p50 14.5 us, p99 50-60 us, mean 26-65 us
  (15k-38k commits/s); 100-row transaction 0.44-0.83 ms; SELECT by key 5-10 us.
- insert+commit, --fsync (synchronous=FULL): p50 0.17-4.0 ms, p99 4-8 ms (270-3800 commits/s);
  100-row transaction 0.8-4 ms. The cost is the virtual disk's fsync.
- 1 MiB blob: 0.7-1.6 ms default, 3.4-10 ms with --fsync.
- 1 GiB stream: 290-2400 MiB/s inline, 250-2500 MiB/s with to_thread: no consistent win, so
  writes stay inline; worst loop stall 8-12 ms typical either way (kernel writeback), RSS
  growth < 2 MiB (flat).
- timers: schedule 1.3 us / cancel 0.3 us in memory, 21-52 us / 13-33 us durable (a commit);
  a clock move fires 10k timers at 11-34 us each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from overcast.runtime.clock import Clock  # noqa: E402
from overcast.runtime.scheduler import Scheduler  # noqa: E402
from overcast.runtime.timerstore import MIGRATIONS, TimerStore  # noqa: E402
from overcast.storage import Storage  # noqa: E402
from overcast.storage import blobs as blobs_module  # noqa: E402

SCHEMA = ("CREATE TABLE messages (account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, "
          "body TEXT NOT NULL, sent REAL NOT NULL, PRIMARY KEY (account, region, id));",)
BODY = "x" * 256


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def bench_rows(root: str, fsync: bool, rows: int, seconds: float) -> None:
    storage = Storage(os.path.join(root, f"rows-{fsync}"), fsync=fsync)
    db = storage.database("bench", SCHEMA)
    samples = []
    deadline = time.monotonic() + seconds
    for n in range(rows):
        started = time.perf_counter()
        db.execute("INSERT INTO messages (account, region, id, body, sent) VALUES (?, ?, ?, ?, ?)",
                   ("000000000000", "us-east-1", f"m{n}", BODY, 1.0))
        samples.append(time.perf_counter() - started)
        if time.monotonic() > deadline:
            break
    mode = "FULL  " if fsync else "NORMAL"
    print(f"  insert+commit  synchronous={mode}: {len(samples)} rows, mean {statistics.mean(samples) * 1e6:8.1f} us, "
          f"p50 {percentile(samples, .5) * 1e6:8.1f} us, p99 {percentile(samples, .99) * 1e6:8.1f} us, "
          f"{len(samples) / sum(samples):9.0f} commits/s")

    batches, started, deadline = 0, time.perf_counter(), time.monotonic() + seconds
    while batches < max(1, rows // 100) and time.monotonic() < deadline:
        with db.transaction():
            for n in range(100):
                db.execute("INSERT INTO messages (account, region, id, body, sent) VALUES (?, ?, ?, ?, ?)",
                           ("000000000000", "us-west-2", f"b{batches}-{n}", BODY, 1.0))
        batches += 1
    elapsed = time.perf_counter() - started
    print(f"  100-row transaction synchronous={mode}: {elapsed / batches * 1e6:8.1f} us per transaction "
          f"({batches * 100 / elapsed:9.0f} rows/s)")

    count = min(len(samples), rows)
    started = time.perf_counter()
    for n in range(count):
        db.query_one("SELECT body, sent FROM messages WHERE account = ? AND region = ? AND id = ?",
                     ("000000000000", "us-east-1", f"m{n}"))
    print(f"  SELECT by primary key: {(time.perf_counter() - started) / count * 1e6:8.1f} us")
    storage.close()


async def bench_small_blobs(root: str, fsync: bool, seconds: float) -> None:
    store = Storage(os.path.join(root, f"blobs-{fsync}"), fsync=fsync).blobs("bench")
    payload = os.urandom(1024 * 1024)
    count, started = 0, time.perf_counter()
    deadline = time.monotonic() + seconds / 2
    while count < 500 and time.monotonic() < deadline:
        await store.write(payload)
        count += 1
    elapsed = time.perf_counter() - started
    print(f"  1 MiB blob writes {'fsync' if fsync else 'default'}: {elapsed / count * 1e3:7.2f} ms each, "
          f"{count / elapsed:7.1f} blobs/s")


def current_rss_mib() -> float:
    """Resident memory now (not the high-water mark), from /proc."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _stream(total: int, chunk: bytes):
    """A request body as the gateway hands it over: 64 KiB at a time, yielding to the loop."""
    sent = 0
    while sent < total:
        yield chunk
        sent += len(chunk)
        await asyncio.sleep(0)


async def _write_threaded(store, source) -> None:
    """The alternative measured: every 1 MiB flush goes through ``asyncio.to_thread``."""
    partial = blobs_module._PartialFile(store)
    try:
        buffer = bytearray()
        async for chunk in source:
            buffer += chunk
            if len(buffer) >= 1024 * 1024:
                data = bytes(buffer)
                buffer.clear()
                await asyncio.to_thread(blobs_module._write_all, partial.fd, data)
                partial.size += len(data)
        if buffer:
            await asyncio.to_thread(blobs_module._write_all, partial.fd, bytes(buffer))
            partial.size += len(buffer)
        partial.close_file()
        partial.publish()
    except BaseException:
        partial.discard()
        raise


async def bench_big_blob(root: str, mib: int, seconds: float, threaded: bool) -> None:
    store = Storage(os.path.join(root, f"big-{threaded}")).blobs("bench")
    total = mib * 1024 * 1024
    chunk = os.urandom(64 * 1024)
    worst_stall = 0.0
    peak_rss = rss_before = current_rss_mib()
    done = False

    async def ticker():
        nonlocal worst_stall, peak_rss
        while not done:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            worst_stall = max(worst_stall, time.perf_counter() - started - 0.001)
            peak_rss = max(peak_rss, current_rss_mib())

    async def bounded(source):
        deadline = time.monotonic() + seconds * 4
        async for part in source:
            if time.monotonic() > deadline:
                break  # bounded: report what was streamed in time
            yield part

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    streamed = 0

    async def counted(source):
        nonlocal streamed
        async for part in source:
            streamed += len(part)
            yield part

    source = counted(bounded(_stream(total, chunk)))
    if threaded:
        await _write_threaded(store, source)
    else:
        await store.write(source)
    elapsed = time.perf_counter() - started
    done = True
    await tick
    rss_growth = peak_rss - rss_before
    how = "to_thread per 1 MiB" if threaded else "inline on the loop "
    print(f"  {streamed / 2**20:6.0f} MiB stream, {how}: {streamed / 2**20 / elapsed:7.0f} MiB/s, "
          f"worst loop stall {worst_stall * 1e3:6.1f} ms, peak RSS growth {rss_growth:6.1f} MiB")
    shutil.rmtree(store.root, ignore_errors=True)


async def bench_timers(root: str, count: int) -> None:
    storage = Storage(os.path.join(root, "timers"))
    clock = Clock()
    scheduler = Scheduler(clock)
    scheduler.open(TimerStore(storage.database("runtime", MIGRATIONS)))
    fired = 0

    def handler(payload):
        nonlocal fired
        fired += 1

    scheduler.on("bench.t", handler)
    await scheduler.start()
    now = clock.now()
    for durable in (False, True):
        started = time.perf_counter()
        ids = [scheduler.schedule(now + 10 + (n * 7919 % count), "bench.t", {"n": n}, durable=durable)
               for n in range(count)]
        scheduled = time.perf_counter() - started
        started = time.perf_counter()
        for timer_id in ids[::2]:
            scheduler.cancel(timer_id)
        cancelled = time.perf_counter() - started
        kind = "durable  " if durable else "in memory"
        print(f"  {count} timers {kind}: schedule {scheduled / count * 1e6:6.1f} us, "
              f"cancel {cancelled / (count // 2) * 1e6:6.1f} us")
    started = time.perf_counter()
    await scheduler.advance(count + 20)
    elapsed = time.perf_counter() - started
    print(f"  clock move firing {fired} timers in due order: {elapsed / max(fired, 1) * 1e6:6.1f} us per timer")
    await scheduler.stop()
    storage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--blob-mib", type=int, default=1024)
    parser.add_argument("--timers", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=5.0, help="bound per measurement")
    parser.add_argument("--dir", default=None, help="where the temp data dir goes")
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="overcast-bench-", dir=args.dir)
    try:
        print(f"data in {root} (python {sys.version.split()[0]})")
        print("SQLite:")
        for fsync in (False, True):
            bench_rows(root, fsync, args.rows, args.seconds)
        print("Blobs:")
        for fsync in (False, True):
            asyncio.run(bench_small_blobs(root, fsync, args.seconds))
        for threaded in (False, True, False, True):  # twice each: the page cache state varies
            asyncio.run(bench_big_blob(root, args.blob_mib, args.seconds, threaded))
        print("Timers:")
        asyncio.run(bench_timers(root, args.timers))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
