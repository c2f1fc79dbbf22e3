"""What an export task writes to S3, and how it reaches the bucket.

Objects (AWS's layout, "Export log data to Amazon S3"): one folder per log stream under
``<prefix>/<task id>/``, gzipped files ``000000.gz``, ``000001.gz``... each line
``<ISO 8601 timestamp with milliseconds, Z> <message>``. A file holds at most ``FILE_BYTES`` of
uncompressed text; the next event starts the next file. When a task is created, AWS first
writes ``<prefix>/aws-logs-write-test`` ("Permission Check Successful") to prove it can write.

The events are read off the event loop (``provider.read``: the group's events in the time
range, ``from`` and ``to`` both included, by stream then time), a stream's events in slices of
``READ_SLICE``, so memory stays bounded. Objects are written with S3's PutObject through the
in-process client, in the bucket owner's account, with the ACL ``bucket-owner-full-control``
the bucket policy of AWS's guide requires (strict mode checked that policy before the task
was accepted: ``exports.py``).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
from datetime import datetime, timezone

from overcast.context import RequestContext

FILE_BYTES = 64 * 1024 * 1024
READ_SLICE = 20_000
WRITE_TEST_KEY = "aws-logs-write-test"
WRITE_TEST_BODY = b"Permission Check Successful"
LOGS_SERVICE = "logs.amazonaws.com"


def iso_millis(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000.0, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def export_line(timestamp_ms: int, message: str) -> bytes:
    return f"{iso_millis(timestamp_ms)} {message}\n".encode("utf-8", "surrogatepass")


def object_key(prefix: str, task_id: str, stream: str, index: int) -> str:
    return f"{prefix}/{task_id}/{stream}/{index:06d}.gz"


def streams_in_range(conn, group_id: int, stream_prefix: str, start: int, end: int) -> list[tuple[int, str]]:
    """(stream id, name) of the group's streams with events in [start, end], by name."""
    return conn.execute(
        "SELECT s.stream_id, s.name FROM log_streams s WHERE s.group_id = ? AND substr(s.name, 1, ?) = ? "
        "AND EXISTS (SELECT 1 FROM log_events e WHERE e.stream_id = s.stream_id AND e.timestamp BETWEEN ? AND ?) "
        "ORDER BY s.name", (group_id, len(stream_prefix), stream_prefix, start, end)).fetchall()


def stream_slice(conn, stream_id: int, start: int, end: int, after: tuple[int, int] | None) -> list[tuple]:
    """Up to READ_SLICE (timestamp, seq, message) of a stream in time order, after ``after``."""
    if after is None:
        return conn.execute(
            "SELECT timestamp, seq, message FROM log_events WHERE stream_id = ? AND timestamp BETWEEN ? AND ? "
            "ORDER BY timestamp, seq LIMIT ?", (stream_id, start, end, READ_SLICE)).fetchall()
    return conn.execute(
        "SELECT timestamp, seq, message FROM log_events WHERE stream_id = ? AND timestamp BETWEEN ? AND ? "
        "AND (timestamp > ? OR (timestamp = ? AND seq > ?)) ORDER BY timestamp, seq LIMIT ?",
        (stream_id, start, end, after[0], after[0], after[1], READ_SLICE)).fetchall()


class BucketWriter:
    """PutObject into the export's bucket as Logs, in the bucket owner's account."""

    def __init__(self, provider, owner: str, region: str, bucket: str):
        self.ctx = RequestContext(account=owner, region=region, service="logs", principal_arn=LOGS_SERVICE,
                                  registry=provider.cloud.services)
        self.bucket = bucket

    async def put(self, key: str, body: bytes) -> None:
        # Content-MD5: a bucket with Object Lock takes no PutObject without an integrity check
        params = {"Bucket": self.bucket, "Key": key, "Body": body, "ACL": "bucket-owner-full-control",
                  "ContentMD5": base64.b64encode(hashlib.md5(body).digest()).decode()}
        await self.ctx.services.call("s3", "PutObject", params)


async def write_stream(provider, writer: BucketWriter, task: dict, stream_id: int, stream: str,
                       still_running) -> int:
    """Write one stream's events as its gzipped files; returns the files written (stops early,
    between slices, when ``still_running()`` turns False: the task was cancelled)."""
    start, end = task["from"], task["to"]
    prefix, task_id = task["destinationPrefix"], task["taskId"]
    index = 0
    buffer = bytearray()
    after = None
    while True:
        rows = await provider.read(stream_slice, stream_id, start, end, after)
        for timestamp, _, message in rows:
            line = export_line(timestamp, message)
            if buffer and len(buffer) + len(line) > FILE_BYTES:
                await writer.put(object_key(prefix, task_id, stream, index), await _gzipped(buffer))
                index += 1
                buffer = bytearray()
            buffer += line
        if len(rows) < READ_SLICE:
            break
        if not still_running():
            return index
        after = (rows[-1][0], rows[-1][1])
    if buffer:
        await writer.put(object_key(prefix, task_id, stream, index), await _gzipped(buffer))
        index += 1
    return index


async def _gzipped(buffer: bytearray) -> bytes:
    """The file's bytes gzipped off the event loop (a file holds up to FILE_BYTES)."""
    return await asyncio.to_thread(gzip.compress, bytes(buffer))
