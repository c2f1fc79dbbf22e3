"""The request quotas in front of the operations: one token bucket per quota and scope.

Asked by the gateway after routing, parsing and authentication, before authorization and the
operation; only built when ``--quotas`` is on, so the default costs nothing."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.quotas.rules import Quota
from overcast.quotas.throttle_errors import throttle_error
from overcast.runtime.token_bucket import TokenBucket

# Buckets idle long enough are full again: forgetting them all past this many changes nothing
# but a burst's start, and keeps a client writing to endless prefixes from growing memory.
_MAX_BUCKETS = 100_000
_SYMMETRIC = "SYMMETRIC_DEFAULT"


class Limiter:
    def __init__(self, quotas: dict[str, list[Quota]], registry):
        self._quotas = quotas
        self._registry = registry
        self._buckets: dict[tuple, TokenBucket] = {}
        # KMS key -> (key spec, owner): a key's spec never changes, and an alias only moves to a key of
        # the same type, so one lookup per key is enough
        self._key_specs: dict[tuple[str, str, str], tuple[str, str]] = {}

    async def check(self, ctx, method: str, params: dict) -> None:
        """Raise the service's throttling error when the request's quota has no token left."""
        quotas = self._quotas.get(ctx.service)
        if not quotas:
            return
        operation = ctx.operation
        for quota in quotas:
            if quota.operations is not None and operation not in quota.operations:
                continue
            if quota.methods is not None and method not in quota.methods:
                continue
            scope = _scope(quota, params)
            if scope is None:
                continue
            owner = ctx.account
            if quota.key_specs:
                spec, owner = await self._key(ctx, params)
                if not quota.covers_key_spec(spec):
                    continue
            if quota.fifo_throughput_limit is not None and \
                    quota.fifo_throughput_limit != await self._throughput_limit(ctx, params["QueueUrl"]):
                continue
            # a bucket's prefix is counted for every caller; a KMS key's use for its owner's
            # account (as KMS counts cross-account requests); the rest for the caller's account
            if quota.scope == "prefix":
                owner = ""
            key = (quota.index, owner, ctx.region, scope, None if quota.shared else operation)
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_BUCKETS:
                    self._buckets.clear()
                bucket = self._buckets[key] = TokenBucket(quota.rate_in(ctx.region), quota.burst_in(ctx.region))
            if not bucket.take():
                raise throttle_error(ctx.service)
            return

    async def _key(self, ctx, params: dict) -> tuple[str, str]:
        """The key spec of the KMS key a request uses, and the account that owns the key."""
        key_id = params.get("KeyId") or params.get("SourceKeyId") or params.get("DestinationKeyId")
        if not isinstance(key_id, str) or not key_id:
            return _SYMMETRIC, ctx.account  # GenerateRandom, Decrypt of a symmetric ciphertext without KeyId
        cache_key = (ctx.account, ctx.region, key_id)
        found = self._key_specs.get(cache_key)
        if found is None:
            kms = await self._registry.started("kms")
            try:
                record = kms.keys.locate(ctx, key_id)
            except AwsError:
                return _SYMMETRIC, ctx.account  # the operation answers its own error for an unknown key
            if len(self._key_specs) >= _MAX_BUCKETS:
                self._key_specs.clear()
            found = self._key_specs[cache_key] = (record.spec, record.account)
        return found


    async def _throughput_limit(self, ctx, url: str) -> str | None:
        """A FIFO queue's FifoThroughputLimit (it can change: asked each time, from memory)."""
        sqs = await self._registry.started("sqs")
        try:
            return sqs.queues.resolve(ctx, url).fifo_throughput_limit
        except AwsError:
            return None  # the operation answers its own error for an unknown queue


def _scope(quota: Quota, params: dict):
    """The part of the request a quota is counted per; None when the quota does not apply."""
    if quota.scope == "prefix":  # S3: per bucket and partitioned prefix (the key up to its last '/')
        key = params.get("Key")
        return (params.get("Bucket"), key.rpartition("/")[0] if isinstance(key, str) else "")
    if quota.scope == "queue":
        url = params.get("QueueUrl")
        if not isinstance(url, str):
            return None
        if quota.fifo_only and not url.endswith(".fifo"):
            return None
        return tuple(url.rstrip("/").rsplit("/", 2)[-2:])  # account and name, whatever the host
    return ""
