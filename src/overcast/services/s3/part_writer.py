"""Streams an upload's body to a new blob with the hashing, the encryption at rest and the
disk writes in a worker thread, so the event loop only receives bytes.

Why: a part costs an MD5 (its ETag), usually a CRC, and the write; on the event loop that
caps an upload at what one core hashes (MD5 runs at a few hundred MB/s). ``hashlib``,
``zlib.crc32`` and ``os.write`` release the GIL on large buffers, so batches of about 1 MiB
(lists of the chunks as received) handed to a thread overlap with the loop receiving the
next ones and with the other parts of a parallel upload. At most ``_DEPTH`` batches per upload wait for the thread, which
bounds memory (about 4 MiB per upload in flight) and slows a client that sends faster than
the disk takes it.
"""

from __future__ import annotations

import asyncio
import queue
from concurrent.futures import ThreadPoolExecutor

_BATCH = 1024 * 1024
_DEPTH = 4
_END = object()
_POLL = 1.0  # seconds between checks that the event loop still runs, while a thread waits for data
# threads wait on their queue for most of an upload: a pool of their own, so they never hold
# up the default executor (fsyncs, copies) for other work. Its size bounds the uploads
# streaming at once (10 per boto3 transfer by default); more wait for a thread, their
# bodies held back by the per-upload limit.
_POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="s3-part-writer")


class _Feed:
    """Batches handed from the event loop to the writing thread (a plain iterator there)."""

    def __init__(self, loop, take, seal):
        self._loop = loop
        self._take = take  # hashes a batch (in the thread); may raise to stop the upload
        self._seal = seal  # encrypts a chunk at rest (at_rest.py), in the thread too
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._room = asyncio.Semaphore(_DEPTH)
        self.stopped = False

    async def put(self, item) -> None:
        await self._room.acquire()
        if not self.stopped:
            self._queue.put(item)

    def _release(self, n: int = 1) -> None:
        for _ in range(n):
            self._room.release()

    def __iter__(self):  # runs in the worker thread
        try:
            while True:
                try:
                    item = self._queue.get(timeout=_POLL)
                except queue.Empty:
                    if self._loop.is_closed():  # the server stopped mid-upload: never wait forever
                        raise RuntimeError("event loop closed during an upload") from None
                    continue
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                for chunk in item:  # a batch is the list of chunks as received: no join on the loop
                    self._take(chunk)
                    yield self._seal(chunk)
                self._loop.call_soon_threadsafe(self._release)
        finally:
            self.stopped = True
            self._loop.call_soon_threadsafe(self._release, _DEPTH)  # wake a put() waiting for room


async def write_blob(blobs, source, take, seal):
    """A new blob from ``source`` (bytes or an async iterable of chunks); ``take(batch)`` sees
    every plain byte in order, in the worker thread, before ``seal`` encrypts it for the disk.
    Returns the BlobInfo; an exception from ``source`` or ``take`` leaves no blob and
    propagates."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        take(source)
        return blobs.write_bytes(seal(source))
    loop = asyncio.get_running_loop()
    feed = _Feed(loop, take, seal)
    done = loop.run_in_executor(_POOL, blobs.write_bytes, feed)
    pending, size = [], 0
    try:
        async for chunk in source:
            pending.append(chunk)
            size += len(chunk)
            if size >= _BATCH:
                await feed.put(pending)
                pending, size = [], 0
                if feed.stopped:
                    break  # the thread failed: its error is raised below
        if pending and not feed.stopped:
            await feed.put(pending)
        await feed.put(_END)
    except BaseException as exc:
        feed._queue.put(exc)  # the thread raises it: write_bytes removes the partial file
        try:
            await done
        except BaseException:
            pass
        raise
    return await done
