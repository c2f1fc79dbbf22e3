"""The SelectObjectContent response stream: Records events (the output in chunks), Progress
(with RequestProgress), Cont keep-alives while a long scan has nothing to send, then Stats and
End. An error once the stream has begun becomes the stream's error message (the protocol's
event-stream writer turns a raised AwsError into one).

The query runs in a worker thread, one step at a time, so the event loop keeps serving other
requests; the loop side sends Cont (or Progress) whenever a step takes longer than
``KEEPALIVE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

from overcast.errors import AwsError

from . import errors
from .source import QueryCancelled
from .sql import SelectError

log = logging.getLogger(__name__)

RECORDS_CHUNK = 64 * 1024  # bytes of output gathered before a Records event is sent
MAX_RECORDS_EVENT = 1024 * 1024  # the most one Records event carries
KEEPALIVE_SECONDS = 1.0  # idle time after which a Cont (or Progress) event is sent
_DONE = object()
# queries get their own threads: a long scan must not hold one the server's other blocking
# work (fsyncs, copies) waits for
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="s3-select")


def record_events(results: Iterator[list], writer, counts, progress: bool, chunk: int = RECORDS_CHUNK) -> Iterator[dict]:
    """The events of a query, from the engine's lists of records (``results``): Records in
    chunks of about ``chunk`` bytes, a closing Progress (with RequestProgress), Stats, End.
    Engine and reader errors come out as AwsError."""
    pending, held = [], 0
    try:
        for records in results:
            if not records:
                continue
            data = writer.write(records)
            pending.append(data)
            held += len(data)
            if held >= chunk:
                yield from _records(b"".join(pending), counts)
                pending, held = [], 0
        if pending:
            yield from _records(b"".join(pending), counts)
    except SelectError as error:
        raise AwsError(error.code, error.message, error.status) from None
    except (AwsError, QueryCancelled):
        raise
    except Exception:  # a bug must not kill the connection without an answer
        log.exception("S3 Select query failed")
        raise errors.internal_error() from None
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    if progress:
        yield {"Progress": {"Details": counts.details()}}
    yield {"Stats": {"Details": counts.details()}}
    yield {"End": {}}


def _records(payload: bytes, counts) -> Iterator[dict]:
    """Records events of at most ``MAX_RECORDS_EVENT`` bytes (a record may span two: clients
    join the payloads)."""
    for start in range(0, len(payload), MAX_RECORDS_EVENT):
        piece = payload[start:start + MAX_RECORDS_EVENT]
        counts.returned += len(piece)
        yield {"Records": {"Payload": piece}}


async def in_worker(events: Iterator[dict], counts, progress: bool,
                    keepalive: float = KEEPALIVE_SECONDS) -> AsyncIterator[dict]:
    """``events`` (a blocking generator) advanced in a worker thread, with Cont / Progress
    events in between while a step runs longer than ``keepalive`` seconds."""
    loop = asyncio.get_running_loop()
    step = None
    try:
        while True:
            step = loop.run_in_executor(_POOL, next, events, _DONE)
            while True:
                done, _ = await asyncio.wait({step}, timeout=keepalive)
                if done:
                    break
                yield {"Progress": {"Details": counts.details()}} if progress else {"Cont": {}}
            event = step.result()
            step = None
            if event is _DONE:
                return
            yield event
    finally:
        if step is not None and not step.done():
            # the client went away mid-step: the scan stops at its next chunk, then the query ends
            counts.cancelled = True
            step.add_done_callback(lambda done: _close_after(done, events))
        else:
            await loop.run_in_executor(_POOL, events.close)


def _close_after(step: asyncio.Future, events: Iterator[dict]) -> None:
    if not step.cancelled():
        step.exception()  # (retrieved: the QueryCancelled it most likely ended with is expected)
    _POOL.submit(events.close)
