"""S3 server access logging, applied: each request to a bucket with logging enabled becomes a
record (``access_log_format.py``) delivered, batched, to the configured target bucket as an
object named ``<TargetPrefix>YYYY-mm-DD-HH-MM-SS-<16 hex>`` (or, with a
``PartitionedPrefix`` key format, ``<TargetPrefix><account>/<region>/<bucket>/YYYY/MM/DD/...``).

The hot path: ``bucket_row`` asks ``logging_target`` (a dict lookup in memory, nothing when no
bucket logs) and marks the request; once the answer has gone out the gateway calls the hook,
which formats the line into a memory buffer. The buffer is written to the
``access_log_records`` table about once a second (and before each delivery and at stop), so
records survive a restart; deliveries run every ``s3_access_log_seconds`` of cloud time
(S3 delivers within hours, best effort), each target's records as one object written through
PutObject as the target bucket's owner, and are then removed from the table.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
import time

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.storage.scope import partition_of

from .access_log_format import format_record
from .cors import request_target

log = logging.getLogger("overcast.s3.access_log")

_FLUSH_SECONDS = 1.0  # how long a record waits in memory before it is on disk
_MAX_BUFFERED = 5000  # written at once beyond this (bounded memory under any load)
HOOK = "access_log_hook"  # ctx.extra key the gateway calls once the answer is sent


class AccessLogMixin:
    _logging_targets: dict | None = None  # (partition, bucket) -> LoggingEnabled; None: not loaded
    _access_records: list | None = None
    _access_flush = None
    _delivering = False

    def __init__(self, cloud):
        super().__init__(cloud)
        self._access_records = []
        cloud.scheduler.every(cloud.settings.s3_access_log_seconds, self.deliver_access_logs)

    # -- which buckets log -----------------------------------------------------------------

    def logging_targets_changed(self) -> None:
        """Forget the remembered logging configurations (after a put, a delete, a reset)."""
        self._logging_targets = None

    def _targets(self) -> dict:
        targets = self._logging_targets
        if targets is None:
            rows = self.db.query("SELECT partition, bucket, value FROM bucket_configs WHERE kind = 'logging'")
            targets = self._logging_targets = {(p, b): json.loads(v) for p, b, v in rows if v != "null"}
        return targets

    def mark_logged_request(self, ctx, bucket) -> None:
        """Called by ``bucket_row``: when ``bucket`` logs, have the gateway record the request."""
        targets = self._targets()
        if targets and HOOK not in ctx.extra:
            target = targets.get((bucket.partition, bucket.name))
            if target is not None:
                ctx.extra[HOOK] = functools.partial(self._record_access, bucket, target)

    def mark_refused_request(self, ctx, path: str) -> None:
        """Called by the gateway for an S3 request refused before it reached its bucket (a bad
        signature, an expired URL, a strict-mode denial): S3 logs those too, with their error
        code. Only a bucket that logs costs a lookup (its row, remembered by ``bucket_row``)."""
        if HOOK in ctx.extra:
            return
        targets = self._targets()
        if not targets:
            return
        name = request_target(ctx.host, path)[0]
        if not name or (partition_of(ctx.region), name) not in targets:
            return
        try:
            self.bucket_row(ctx, name, owned=False)  # sets the hook (``mark_logged_request``)
        except AwsError:
            pass  # gone since: nothing to log

    # -- recording -------------------------------------------------------------------------

    def _record_access(self, bucket, target: dict, ctx, response, started: float, ready: float) -> None:
        request = ctx.extra.get("request")
        if request is None:
            return
        ended = time.perf_counter()
        now = self.clock.now()
        try:
            line = format_record(ctx, bucket, request, response, now, (ended - started) * 1000,
                                 (ready - started) * 1000)
        except Exception:  # noqa: BLE001 - the answer is sent: a record must not break the server
            log.exception("access log record of %s %s not written", request.method, request.path)
            return
        key_format = target.get("TargetObjectKeyFormat") or {}
        self._access_records.append((bucket.partition, bucket.name, bucket.account, bucket.region,
                                     target["TargetBucket"], target["TargetPrefix"],
                                     json.dumps(key_format) if key_format else "", now, line))
        if len(self._access_records) >= _MAX_BUFFERED:
            self.flush_access_records()
        elif self._access_flush is None:
            try:
                self._access_flush = asyncio.get_running_loop().call_later(_FLUSH_SECONDS, self.flush_access_records)
            except RuntimeError:
                self.flush_access_records()

    def flush_access_records(self) -> None:
        """Write the buffered records to the table (committed before this returns)."""
        if self._access_flush is not None:
            self._access_flush.cancel()
            self._access_flush = None
        records, self._access_records = self._access_records, []
        if records:
            self.db.executemany(
                "INSERT INTO access_log_records (partition, bucket, account, region, target_bucket, target_prefix, "
                "key_format, logged, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", records)
            self.db.commit_pending()

    def forget_access_records(self) -> None:
        """After a reset: records in memory go (the table is wiped)."""
        if self._access_flush is not None:
            self._access_flush.cancel()
            self._access_flush = None
        self._access_records = []
        self.logging_targets_changed()

    # -- delivery --------------------------------------------------------------------------

    async def deliver_access_logs(self) -> None:
        """The periodic job: every pending record goes to its target, one object per batch."""
        if self._delivering:
            return
        self._delivering = True
        try:
            self.flush_access_records()
            rows = self.db.query("SELECT id, partition, bucket, account, region, target_bucket, target_prefix, "
                                 "key_format, logged, line FROM access_log_records ORDER BY id")
            batches: dict[tuple, list] = {}
            for row in rows:
                batches.setdefault(row[1:8], []).append(row)
            for batch_key, records in batches.items():
                try:
                    await self._deliver_batch(batch_key, records)
                except Exception:  # noqa: BLE001 - one target failing must not stop the others
                    log.exception("access log delivery to %s failed", batch_key[4])
                    continue
                self._delete_records([record[0] for record in records])
        finally:
            self._delivering = False

    def _delete_records(self, ids: list[int]) -> None:
        self.db.executemany("DELETE FROM access_log_records WHERE id = ?", [(i,) for i in ids])
        self.db.commit_pending()

    async def _deliver_batch(self, batch_key: tuple, records: list) -> None:
        partition, source, account, region, target_name, prefix, key_format = batch_key
        target = self.db.query_one("SELECT account, region FROM buckets WHERE partition = ? AND name = ?",
                                   (partition, target_name))
        if target is None:  # the target is gone: S3 cannot deliver these either
            log.warning("access logs of bucket %s dropped: target bucket %s does not exist", source, target_name)
            return
        now = self.clock.now()
        key = log_object_key(prefix, json.loads(key_format) if key_format else {}, account, region, source,
                             records[0][8], now)
        body = "".join(record[9] + "\n" for record in records).encode()
        ctx = RequestContext(account=target[0], region=target[1], service="s3", operation="PutObject",
                             principal_arn="", registry=self.cloud.services)
        await self.put_object(ctx, {"Bucket": target_name, "Key": key, "Body": body, "ContentType": "text/plain"})


def log_object_key(prefix: str, key_format: dict, account: str, region: str, source: str, logged: float,
                   delivered: float) -> str:
    """The name S3 gives a log object: the delivery time and 16 random hex digits, after the
    source's account, region, bucket and date folders when the key format is partitioned
    (dated by the first record's event time or by the delivery time, as configured)."""
    stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(delivered))
    name = f"{stamp}-{secrets.token_hex(8).upper()}"
    partitioned = key_format.get("PartitionedPrefix")
    if partitioned is None:
        return f"{prefix}{name}"
    dated = logged if partitioned.get("PartitionDateSource") == "EventTime" else delivered
    return f"{prefix}{account}/{region}/{source}/{time.strftime('%Y/%m/%d', time.gmtime(dated))}/{name}"
