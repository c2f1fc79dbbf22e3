"""The five SQS workloads of ``sqs_bench.py``; each runs against one endpoint and checks itself.

Every workload returns ``{"rps": msg/s, "p50_ms", "p99_ms", "non2xx", "socket_errors",
"problems": [...], "server_cpu", "per_core", "note"}`` (with the keys ``harness.median_run``
reads); ``server_cpu`` is the server's CPU seconds during the timed part (``args.server_pid``),
``per_core`` the messages per server CPU-second. A problem (a non-2xx
answer, a failed batch entry, a lost or duplicated message) makes the run INVALID.

The wrk workloads replay header-signed JSON requests; the stateful ones (drain, latency) use
``sqs_client`` from this process, which ``sqs_bench`` pins to the load core.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

import boto3
from botocore.config import Config

from cpu_meter import process_cpu
from sqs_client import ACCESS_KEY, REGION, SECRET_KEY, CallFailed, SqsClient
from wrk_pool import run_pool

# A 2xx batch answer whose Failed list is not empty (JSON protocol; spacing as servers write it).
FAILED_ENTRIES = '"Failed"%s*:%s*%[%s*{'
BODY_PAD = "x" * 240  # 256-byte message bodies with the 16-character id in front


def boto_sqs(endpoint: str):
    """A boto3 client for setup and checks (not for load)."""
    return boto3.session.Session().client(
        "sqs", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY, config=Config(retries={"max_attempts": 1}, read_timeout=120))


def _queue(sqs, prefix: str, **attributes) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}" + (".fifo" if attributes.get("FifoQueue") == "true" else "")
    return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def _depth(sqs, url: str) -> int:
    """All messages in the queue: visible, in flight and delayed."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def _drop(sqs, url: str) -> None:
    try:
        sqs.delete_queue(QueueUrl=url)
    except Exception:  # noqa: BLE001 - cleanup only; a fresh server follows anyway
        pass


def _preflight(client: SqsClient, action: str, headers: dict, body: bytes) -> None:
    async def once():
        conn = client.connection()
        try:
            status, answer = await conn.post(headers, body)
        finally:
            conn.close()
        if not 200 <= status < 300:
            raise CallFailed(action, status, answer)
    asyncio.run(once())


def _replayed(endpoint: str, url: str, pool: list, per_request: int, args, sqs) -> dict:
    """Replay ``pool`` with wrk, then check every acknowledged message is in the queue."""
    client = SqsClient(endpoint)
    _preflight(client, "preflight", *pool[0])
    cpu = process_cpu(args.server_pid)
    run = run_pool(endpoint + "/", pool, args.duration, connections=args.connections, fail_pattern=FAILED_ENTRIES)
    cpu = process_cpu(args.server_pid) - cpu
    stored = _depth(sqs, url) - per_request  # the preflight's messages
    acknowledged = run["ok"] * per_request
    problems = []
    if run["non2xx"]:
        problems.append(f"{run['non2xx']} non-2xx answers (first: {run['first_bad']})")
    if run["socket_errors"]:
        problems.append(f"{run['socket_errors']} socket errors")
    if run["failed_entries"]:
        problems.append(f"{run['failed_entries']} batch answers with failed entries")
    if stored < acknowledged:
        problems.append(f"lost messages: {acknowledged} acknowledged, {stored} in the queue")
    # wrk stops with up to one unanswered request per connection: the server may have stored it.
    if stored > acknowledged + args.connections * per_request:
        problems.append(f"extra messages: {acknowledged} acknowledged, {stored} in the queue")
    return {**run, "rps": run["rps"] * per_request, "problems": problems, "server_cpu": cpu,
            "per_core": acknowledged / cpu if cpu else None,
            "note": f"{acknowledged} acknowledged, {stored} stored"}


def send(endpoint: str, args) -> dict:
    """1. SendMessage, one 256-byte message per request (wrk, 64 distinct signed requests)."""
    sqs, client = boto_sqs(endpoint), SqsClient(endpoint)
    url = _queue(sqs, "bench-send")
    try:
        pool = [client.signed("SendMessage", {"QueueUrl": url, "MessageBody": f"{i:016d}{BODY_PAD}"}) for i in range(64)]
        return _replayed(endpoint, url, pool, 1, args, sqs)
    finally:
        _drop(sqs, url)


def send_batch(endpoint: str, args) -> dict:
    """2. SendMessageBatch of 10 messages of 256 bytes (wrk, 64 distinct signed requests)."""
    sqs, client = boto_sqs(endpoint), SqsClient(endpoint)
    url = _queue(sqs, "bench-batch")
    try:
        pool = [client.signed("SendMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": str(j), "MessageBody": f"{i * 10 + j:016d}{BODY_PAD}"} for j in range(10)]}) for i in range(64)]
        return _replayed(endpoint, url, pool, 10, args, sqs)
    finally:
        _drop(sqs, url)


def fifo_batch(endpoint: str, args) -> dict:
    """5. FIFO SendMessageBatch of 10 across ``--groups`` message groups.

    Every entry carries its own MessageDeduplicationId, so the pool holds enough distinct
    requests for the whole run (a repeated one would be deduplicated, not stored).
    """
    sqs, client = boto_sqs(endpoint), SqsClient(endpoint)
    url = _queue(sqs, "bench-fifo", FifoQueue="true")
    run_id = uuid.uuid4().hex[:8]
    try:
        size = int(args.duration * args.fifo_pool_rate) + 64
        pool = [client.signed("SendMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": str(j), "MessageBody": f"{i * 10 + j:016d}{BODY_PAD}",
             "MessageGroupId": f"group-{(i * 10 + j) % args.groups}",
             "MessageDeduplicationId": f"{run_id}-{i * 10 + j}"} for j in range(10)]}) for i in range(size)]
        result = _replayed(endpoint, url, pool, 10, args, sqs)
        if result["ok"] + 1 > size:
            result["problems"].append(f"request pool too small ({size}): raise --fifo-pool-rate")
        return result
    finally:
        _drop(sqs, url)


def receive_delete(endpoint: str, args) -> dict:
    """3. ReceiveMessage (10) + DeleteMessageBatch by ``--consumers`` consumers, draining a queue.

    Cycles of: fill the queue to ``--depth`` (SendMessageBatch, not timed), then drain it
    (timed), until the timed draining adds up to ``--duration``. Every message must be
    received exactly once.
    """
    sqs = boto_sqs(endpoint)
    url = _queue(sqs, "bench-drain", VisibilityTimeout="300")
    try:
        return asyncio.run(_drain_cycles(SqsClient(endpoint), url, args, sqs))
    finally:
        _drop(sqs, url)


async def _fill(client: SqsClient, url: str, first: int, count: int, consumers: int, deadline: float) -> int:
    """Send ids ``first``.. in batches of 10 until ``count`` or ``deadline``; returns how many."""
    next_id = first

    async def filler():
        nonlocal next_id
        conn = client.connection()
        try:
            while next_id < first + count and time.perf_counter() < deadline:
                start, n = next_id, min(10, first + count - next_id)
                next_id += n
                answer = await client.call(conn, "SendMessageBatch", {"QueueUrl": url, "Entries": [
                    {"Id": str(j), "MessageBody": f"{start + j:016d}{BODY_PAD}"} for j in range(n)]})
                if answer.get("Failed"):
                    raise RuntimeError(f"fill: failed entries {answer['Failed'][:2]}")
        finally:
            conn.close()

    await asyncio.gather(*(filler() for _ in range(consumers)))
    return next_id - first


async def _drain(client: SqsClient, url: str, expected: set[str], consumers: int, deadline: float):
    """Receive and delete until every id in ``expected`` came back or ``deadline``."""
    seen: set[str] = set()
    duplicates, latencies, problems = 0, [], []

    async def consumer():
        nonlocal duplicates
        conn = client.connection()
        try:
            while len(seen) < len(expected) and time.perf_counter() < deadline:
                started = time.perf_counter()
                messages = (await client.call(conn, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10}))\
                    .get("Messages", [])
                if not messages:
                    await asyncio.sleep(0.001)  # the rest is in other consumers' hands
                    continue
                for message in messages:
                    key = message["Body"][:16]
                    duplicates += key in seen
                    seen.add(key)
                answer = await client.call(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]})
                if answer.get("Failed"):
                    problems.append(f"delete failed: {answer['Failed'][:1]}")
                latencies.append(time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - recorded: the run becomes INVALID
            problems.append(f"consumer: {exc}")
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(consumer() for _ in range(consumers)))
    return time.perf_counter() - started, seen, duplicates, latencies, problems


async def _drain_cycles(client: SqsClient, url: str, args, sqs) -> dict:
    drained, elapsed, cycles, fill_seconds, sent, cpu = 0, 0.0, 0, 0.0, 0, 0.0
    latencies, problems = [], []
    while elapsed < args.duration and not problems:
        first = cycles * args.depth
        t0 = time.perf_counter()
        filled = await _fill(client, url, first, args.depth, args.consumers, t0 + 2 * args.duration + 10)
        fill_seconds += time.perf_counter() - t0
        expected = {f"{i:016d}" for i in range(first, first + filled)}
        deadline = time.perf_counter() + max(args.duration - elapsed, 1.0)
        cpu -= process_cpu(args.server_pid)
        seconds, seen, duplicates, lat, errs = await _drain(client, url, expected, args.consumers, deadline)
        cpu += process_cpu(args.server_pid)
        elapsed, drained, cycles, sent = elapsed + seconds, drained + len(seen), cycles + 1, sent + filled
        latencies += lat
        problems += errs
        if duplicates:
            problems.append(f"{duplicates} messages received twice")
        if seen - expected:
            problems.append(f"{len(seen - expected)} unexpected messages received")
        if seen != expected:  # out of time: the rest must still be in the queue
            left = _depth(sqs, url)
            if left != len(expected - seen):
                problems.append(f"lost messages: {len(expected - seen)} not received, {left} in the queue")
            break
        if filled < args.depth:
            break  # the server fills too slowly for another cycle in bounded time
    latencies.sort()
    return {"rps": drained / elapsed if elapsed else 0.0, "non2xx": 0, "socket_errors": 0, "problems": problems,
            "p50_ms": _pct(latencies, 50), "p99_ms": _pct(latencies, 99), "server_cpu": cpu,
            "per_core": drained / cpu if cpu else None,
            "note": f"{cycles} cycles, {sent} messages (depth {args.depth}), {args.consumers} consumers; "
                    f"fill {sent / fill_seconds:,.0f} msg/s; latency = receive+delete pair"}


def latency(endpoint: str, args) -> dict:
    """4. Send -> receive latency with ``--pollers`` long polls waiting (closed loop)."""
    sqs = boto_sqs(endpoint)
    url = _queue(sqs, "bench-latency")
    try:
        return asyncio.run(_latency(SqsClient(endpoint), url, args))
    finally:
        _drop(sqs, url)


async def _latency(client: SqsClient, url: str, args) -> dict:
    loop = asyncio.get_running_loop()
    waiting: dict[str, asyncio.Future] = {}
    problems: list[str] = []

    async def poller():
        conn = client.connection()
        try:
            while True:
                messages = (await client.call(conn, "ReceiveMessage", {
                    "QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20})).get("Messages", [])
                arrived = time.perf_counter()
                for message in messages:
                    future = waiting.pop(message["Body"][:16], None)
                    if future is None:
                        problems.append("a message was received twice")
                    elif not future.done():
                        future.set_result(arrived)
                if messages:
                    await client.call(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]})
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001 - recorded: the run becomes INVALID
            problems.append(f"poller: {exc}")
        finally:
            conn.close()

    cpu = process_cpu(args.server_pid)
    pollers = [asyncio.ensure_future(poller()) for _ in range(args.pollers)]
    await asyncio.sleep(0.5)  # let the long polls reach the server and wait
    sender, samples, lost = client.connection(), [], 0
    end = time.perf_counter() + args.duration
    try:
        for i in range(args.latency_count):
            if time.perf_counter() > end or problems:
                break
            key = f"{i:016d}"
            waiting[key] = future = loop.create_future()
            started = time.perf_counter()
            await client.call(sender, "SendMessage", {"QueueUrl": url, "MessageBody": key + BODY_PAD})
            try:
                samples.append(await asyncio.wait_for(future, 5) - started)
            except asyncio.TimeoutError:
                lost += 1
                waiting.pop(key, None)
            await asyncio.sleep(0.002)  # let the poller that answered wait again
    except Exception as exc:  # noqa: BLE001
        problems.append(f"sender: {exc}")
    finally:
        sender.close()
        for task in pollers:
            task.cancel()
        await asyncio.gather(*pollers, return_exceptions=True)
    cpu = process_cpu(args.server_pid) - cpu
    if lost:
        problems.append(f"{lost} messages not received within 5 s")
    samples.sort()
    return {"rps": len(samples) / args.duration, "non2xx": 0, "socket_errors": 0, "problems": problems,
            "p50_ms": _pct(samples, 50), "p99_ms": _pct(samples, 99), "server_cpu": cpu,
            "per_core": len(samples) / cpu if cpu else None,
            "note": f"{len(samples)} sends, {args.pollers} long polls waiting (WaitTimeSeconds=20); "
                    f"mean {statistics.fmean(samples) * 1000 if samples else 0:.2f} ms"}


def _pct(sorted_seconds: list[float], p: float) -> float | None:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_seconds:
        return None
    rank = max(0, min(len(sorted_seconds) - 1, -(-len(sorted_seconds) * p // 100) - 1))
    return sorted_seconds[int(rank)] * 1000


WORKLOADS = {
    "send": send,
    "send-batch": send_batch,
    "receive-delete": receive_delete,
    "latency": latency,
    "fifo-batch": fifo_batch,
}
