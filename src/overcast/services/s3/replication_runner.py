"""Applying replication rules: new versions and delete markers copied to destination buckets.

How S3 replicates (S3 user guide, "Replicating objects within and across Regions", "What
does Amazon S3 replicate?"), and how it is done here:

- Only writes made after the configuration are replicated, asynchronously. ``Replicator``
  subscribes to the object store's change events; a new version (PutObject, POST, CopyObject,
  CompleteMultipartUpload) or delete marker (a DELETE without a version id) that an enabled
  rule selects is queued in the ``replication_queue`` table, in the same transaction that
  marks the source version ``PENDING`` (``x-amz-replication-status``). The queue is the
  truth: a restart (even a ``kill -9``) resumes it. Existing objects are never queued.
- One rule per destination applies: of the enabled rules that select the object (prefix,
  tags) and name the same destination, the one of highest ``Priority``. Delete markers go
  where that rule has ``DeleteMarkerReplication`` Enabled (a legacy V1 rule, without
  ``Filter``, always replicates them); a version-specific DELETE is never replicated, nor a
  delete marker that a lifecycle rule adds. Objects encrypted with SSE-KMS are replicated
  only by a rule with ``SourceSelectionCriteria.SseKmsEncryptedObjects`` Enabled.
- ``OVERCAST_S3_REPLICATION_SECONDS`` of cloud time after the write, the queue entry is
  applied on the scheduler: the replica keeps the source's version id, ETag, last-modified
  time, metadata, tags, checksum and (unless the destination names a storage class) storage
  class, with status ``REPLICA``; its bytes are hard links of the source's blobs. The source
  becomes ``COMPLETED`` once every destination has its replica, ``FAILED`` when one cannot
  (the destination bucket is gone or no longer versioned, or lacks the Object Lock the
  source bucket has; in strict mode, the rule's role does not exist). Object Lock retention
  and legal holds go with the replica.
- Replicas are not replicated again (a destination's own rules leave them alone).
- ``AccessControlTranslation`` (owner override) makes the destination account the replica's
  owner, with the default (owner-only) ACL.

- Later tag and ACL changes of a replicated (``COMPLETED``) source version reach its replicas
  the same way (queued, then applied; the ACL not under an owner override). Changes made on a
  replica go back to its source only through a rule of the replica's bucket with
  ``SourceSelectionCriteria.ReplicaModifications`` Enabled (replica modification sync).

Not done: the role's permissions are not evaluated (s3:ReplicateObject on the destination,
the destination bucket's policy for another account); in strict mode only the role's existence
is checked. ExistingObjectReplication is stored: existing objects are never replicated (S3 does
it through Batch Replication). No s3:Replication:* event notifications, no replication metrics.
"""

from __future__ import annotations

import json
import logging

from overcast.context import RequestContext
from overcast.errors import AwsError

from .at_rest import kms_blob
from .kms_encryption import first_envelope
from .lifecycle_runner import rule_applies, tags_of
from .replication_config import KIND, destination_bucket
from .store import NULL_VERSION, ObjectVersion

log = logging.getLogger("overcast.s3.replication")

_TIMER = "s3.replicate"
STATUS = "replication"  # the version's attrs member holding its replication status
REPLICA = "REPLICA"
# members of the source's attrs a replica does not take
_NOT_COPIED = (STATUS, "restore")
# members of a version's attrs whose later changes reach its replicas
_SYNCED = frozenset({"tags", "acl"})


def replication_header(attrs: dict) -> dict:
    """``{"ReplicationStatus": ...}`` (``x-amz-replication-status``) of a version, or {}."""
    status = attrs.get(STATUS)
    return {"ReplicationStatus": status} if status else {}


def replicates_markers(rule: dict) -> bool:
    """A V2 rule (with ``Filter``) replicates delete markers when told to; a V1 rule always."""
    if rule.get("Filter") is None:
        return True
    return (rule.get("DeleteMarkerReplication") or {}).get("Status") == "Enabled"


def _is_kms(attrs: dict) -> bool:
    return str((attrs.get("sse") or {}).get("ServerSideEncryption", "")).startswith("aws:kms")


def rules_for(config: dict, version: ObjectVersion) -> list[dict]:
    """The rules that replicate ``version``: per destination bucket, the enabled rule of
    highest priority among those selecting it."""
    tags = tags_of(version.attrs)
    best: dict[str, tuple[int, dict]] = {}
    for rule in config.get("Rules") or ():
        if rule.get("Status") != "Enabled" or not rule_applies(rule, version.key, None, tags):
            continue
        if _is_kms(version.attrs) and ((rule.get("SourceSelectionCriteria") or {}).get(
                "SseKmsEncryptedObjects") or {}).get("Status") != "Enabled":
            continue
        destination, rank = destination_bucket(rule), rule.get("Priority") or 0
        if destination not in best or rank > best[destination][0]:
            best[destination] = (rank, rule)
    return [rule for _, rule in best.values() if not version.marker or replicates_markers(rule)]


class Replicator:
    """Queues object changes that replication rules select, and applies the queue."""

    def __init__(self, provider):
        self.provider = provider
        # Whether any bucket may have a replication configuration: skips a query per write
        # when none does.
        self._any: bool | None = None
        self._armed: float | None = None  # due time of the wake-up set, if any

    @property
    def db(self):
        return self.provider.db

    def configuration_changed(self) -> None:
        self._any = None

    def reset(self) -> None:
        """After ``POST /_overcast/reset``: the queue is wiped, timers are dropped."""
        self._any = None
        self._armed = None

    def bucket_versioning(self, partition: str, name: str):
        """A bucket's versioning state (None if never enabled), or False when there is no such bucket."""
        row = self.db.query_one("SELECT versioning FROM buckets WHERE partition = ? AND name = ?", (partition, name))
        return False if row is None else row[0]

    # -- queueing --------------------------------------------------------------------------

    def _config_of(self, partition: str, bucket: str) -> dict | None:
        db = self.db
        if self._any is None:
            self._any = db.query_one("SELECT 1 FROM bucket_configs WHERE kind = ? LIMIT 1", (KIND,)) is not None
        if not self._any:
            return None
        row = db.query_one("SELECT value FROM bucket_configs WHERE partition = ? AND bucket = ? AND kind = ?",
                           (partition, bucket, KIND))
        return None if row is None else json.loads(row[0])

    def on_event(self, event) -> None:
        """``ObjectStore`` subscriber: queue a new version or delete marker that a rule selects."""
        if not (event.kind.startswith("ObjectCreated:") or event.kind == "ObjectRemoved:DeleteMarkerCreated"):
            return  # version-specific deletes and lifecycle expirations are not replicated
        if event.version is None or event.version == NULL_VERSION:
            return
        config = self._config_of(event.partition, event.bucket)
        if config is None:
            return
        version = self.provider.store.version(event.partition, event.bucket, event.key, event.version)
        if version is None or version.attrs.get(STATUS) == REPLICA:
            return
        self._queue(event.partition, event.bucket, version, config, rules_for(config, version))

    def on_attrs_changed(self, partition: str, bucket: str, key: str, version_id: str, names: tuple) -> None:
        """``ObjectStore`` attrs subscriber: tag and ACL changes of a replicated version are
        brought to its replicas (S3 replicates object ACL updates and tags)."""
        if not _SYNCED.intersection(names) or version_id == NULL_VERSION:
            return
        config = self._config_of(partition, bucket)
        if config is None:
            return
        version = self.provider.store.version(partition, bucket, key, version_id)
        if version is None or version.marker:
            return
        status = version.attrs.get(STATUS)
        if status == REPLICA:  # back to the source only by rules with replica modification sync
            self._queue(partition, bucket, version, config, [
                rule for rule in rules_for(config, version) if ((rule.get("SourceSelectionCriteria") or {}).get(
                    "ReplicaModifications") or {}).get("Status") == "Enabled"], metadata=True)
        elif status == "COMPLETED":  # a PENDING version's replica takes the attrs as they are when made
            self._queue(partition, bucket, version, config, rules_for(config, version), metadata=True)

    def _queue(self, partition: str, bucket: str, version: ObjectVersion, config: dict, rules: list,
               metadata: bool = False) -> None:
        """Queue ``version`` (or, with ``metadata``, its tags and ACL) for each rule's destination."""
        if not rules:
            return
        db = self.db
        due = self.provider.clock.now() + float(self.provider.cloud.settings.s3_replication_seconds)
        with db.transaction():
            for rule in rules:
                spec = {"role": config["Role"], "rule": rule, **({"metadata": True} if metadata else {})}
                db.execute("INSERT INTO replication_queue (partition, bucket, key, version, rule, due) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (partition, bucket, version.key, version.version,
                                                         json.dumps(spec), due))
            if not version.marker and not metadata:
                self.provider.store.update_attrs(partition, bucket, version.key, version.version,
                                                 **{STATUS: "PENDING"})
        self._arm(due)

    def resume(self) -> None:
        """At start: wake up for what was queued before the server stopped (or was killed)."""
        row = self.db.query_one("SELECT MIN(due) FROM replication_queue")
        if row is not None and row[0] is not None:
            self._arm(row[0])

    def _arm(self, due: float) -> None:
        # The queue is durable; the timer is only a wake-up, so it need not be stored.
        if self._armed is not None and self._armed <= due:
            return
        self._armed = due
        self.provider.cloud.scheduler.schedule(due, _TIMER, {}, durable=False)

    # -- applying --------------------------------------------------------------------------

    async def run_due(self, payload: dict | None = None) -> None:
        """Timer handler: apply every queue entry that fell due, oldest first."""
        self._armed = None
        try:
            rows = self.db.query("SELECT id, partition, bucket, key, version, rule FROM replication_queue "
                                 "WHERE due <= ? ORDER BY id", (self.provider.clock.now(),))
            for row in rows:
                try:
                    await self._apply(*row)
                except Exception:  # noqa: BLE001 - an entry that cannot be applied is dropped, not retried forever
                    log.exception("replication queue entry %s dropped", row[0])
                    self.db.execute("DELETE FROM replication_queue WHERE id = ?", (row[0],))
        finally:
            self.resume()  # whatever happened, wake up again for what is left

    async def _apply(self, entry_id: int, partition: str, bucket: str, key: str, version_id: str, spec: str) -> None:
        store = self.provider.store
        source = store.version(partition, bucket, key, version_id)
        done = False
        if source is not None:
            try:
                done = await self._replicate(partition, bucket, source, json.loads(spec))
            except Exception:  # noqa: BLE001 - a broken entry fails alone, it never blocks the queue
                log.exception("replication of %s/%s (%s) failed", bucket, key, version_id)
        db = self.db
        with db.transaction():
            db.execute("DELETE FROM replication_queue WHERE id = ?", (entry_id,))
            if source is None or source.marker:
                return
            current = store.version(partition, bucket, key, version_id)
            if current is None:
                return
            status = current.attrs.get(STATUS)
            if status == REPLICA:
                return  # a replica's metadata went back to its source: it stays a replica
            if not done:
                status = "FAILED"
            elif status != "FAILED" and db.query_one(
                    "SELECT 1 FROM replication_queue WHERE partition = ? AND bucket = ? AND key = ? AND version = ? "
                    "LIMIT 1", (partition, bucket, key, version_id)) is None:
                status = "COMPLETED"  # every destination has its replica
            store.update_attrs(partition, bucket, key, version_id, **{STATUS: status})

    def _has_object_lock(self, partition: str, bucket: str) -> bool:
        return self.db.query_one("SELECT 1 FROM bucket_configs WHERE partition = ? AND bucket = ? AND kind = "
                                 "'object-lock'", (partition, bucket)) is not None

    async def _replicate(self, partition: str, source_bucket: str, source: ObjectVersion, spec: dict) -> bool:
        """Store the replica of ``source`` in the rule's destination; False when it cannot."""
        rule = spec["rule"]
        name = destination_bucket(rule)
        if self.bucket_versioning(partition, name) != "Enabled":
            return False  # gone, or no longer versioned: S3 reports DstBucketNotFound / DstBucketUnversioned
        if self._has_object_lock(partition, source_bucket) and not self._has_object_lock(partition, name):
            return False  # a locked bucket's versions go only where locks hold: DstBucketObjectLockConfigMissing
        if self.provider.cloud.settings.strict and not await self._role_exists(spec["role"]):
            return False  # S3 cannot assume the role: AssumeRoleNotPermitted
        if spec.get("metadata"):
            self._sync_metadata(partition, name, source, rule)
            return True
        replica = ObjectVersion(key=source.key, version=source.version, modified=source.modified,
                                marker=source.marker, attrs={STATUS: REPLICA})
        if not source.marker:
            destination = rule.get("Destination") or {}
            attrs = {member: value for member, value in source.attrs.items() if member not in _NOT_COPIED}
            if source.parts is not None:
                attrs["parts"] = [list(part) for part in source.parts]
            replica_key = (destination.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID")
            if _is_kms(attrs) and replica_key:  # the replica is encrypted under the rule's key
                attrs["sse"] = {**attrs["sse"], "SSEKMSKeyId": replica_key}
            if _is_kms(attrs):
                try:
                    await self._rewrap_for_replica(partition, source_bucket, name, source, attrs)
                except AwsError:
                    return False  # a source or replica key KMS refuses: S3 reports the replica FAILED
            if destination.get("AccessControlTranslation"):
                attrs["owner"] = destination["Account"]
                attrs.pop("acl", None)
            attrs[STATUS] = REPLICA
            replica.size, replica.etag = source.size, source.etag
            replica.headers, replica.meta, replica.attrs = dict(source.headers), dict(source.meta), attrs
            replica.storage_class = destination.get("StorageClass") or source.storage_class
            self.provider._link_segments(source, replica)  # copy.py: hard links, no bytes copied
        try:
            stored = self.provider.store.put_replica(partition, name, replica)
        except BaseException:
            self._free(replica)
            raise
        if not stored:  # already there: an entry applied again after a crash
            self._free(replica)
        return True

    def _sync_metadata(self, partition: str, destination: str, source: ObjectVersion, rule: dict) -> None:
        """Give the other copy of ``source`` in ``destination`` (its replica, or for replica
        modification sync its source: the same version id) the current tags, and the ACL
        unless the rule makes the destination the owner. Nothing changes when they already
        match, which is also what ends a two-way sync."""
        target = self.provider.store.version(partition, destination, source.key, source.version)
        if target is None:
            return  # deleted from the destination since: nothing to bring up to date
        changes = {"tags": source.attrs.get("tags") or None}
        if not (rule.get("Destination") or {}).get("AccessControlTranslation"):
            changes["acl"] = source.attrs.get("acl")
        if any(target.attrs.get(name) != value for name, value in changes.items()):
            self.provider.store.update_attrs(partition, destination, source.key, source.version, **changes)

    def _free(self, replica: ObjectVersion) -> None:
        if not replica.marker:
            for blob in replica.blob_ids():
                self.provider.blobs.delete(blob)

    async def _rewrap_for_replica(self, partition: str, source_bucket: str, destination: str, source: ObjectVersion,
                                  attrs: dict) -> None:
        """Wrap the replica's blob keys (hard links of the source's ciphertext) by a KMS data key
        of its own, for its bucket and key (KMS binds a data key to the object's ARN)."""
        provider = self.provider
        envelope = first_envelope(source)
        account = provider.db.query_one("SELECT account FROM buckets WHERE partition = ? AND name = ?",
                                        (partition, destination))
        if kms_blob(envelope) is None or account is None:
            return  # an object written before SSE-KMS called KMS: plain service-key envelopes
        ctx = RequestContext(account=account[0], region=provider.cloud.settings.region, service="s3",
                             registry=provider.cloud.services)
        old = await provider.kms_wrapping_key(ctx, source.attrs.get("sse"), envelope, partition, source_bucket,
                                              source.key, as_requester=False)  # S3's own work: its rights
        sse = dict(attrs["sse"])
        new, blob = await provider.kms_data_key(ctx, provider.bucket_row(ctx, destination), source.key, sse,
                                                as_requester=False)
        attrs["sse"] = sse
        if attrs.get("enc") is not None:
            attrs["enc"] = provider.at_rest.rewrap(attrs["enc"], old, new, blob)
        for part in attrs.get("parts") or ():
            if len(part) > 4 and part[4] is not None:
                part[4] = provider.at_rest.rewrap(part[4], old, new, blob)

    async def _role_exists(self, role_arn: str) -> bool:
        """Whether the rule's role exists, asked of IAM in the role's account."""
        parts = role_arn.split(":")
        ctx = RequestContext(account=parts[4], region=self.provider.cloud.settings.region, service="s3",
                             registry=self.provider.cloud.services)
        try:
            await ctx.services.call("iam", "GetRole", {"RoleName": role_arn.rsplit("/", 1)[-1]})
        except AwsError:
            return False
        return True


class ReplicationMixin:
    _replicator: Replicator | None = None

    def __init__(self, cloud):
        super().__init__(cloud)
        cloud.scheduler.on(_TIMER, self._replication_due)

    async def _replication_due(self, payload: dict) -> None:
        await self.replicator.run_due(payload)

    @property
    def replicator(self) -> Replicator:
        """Queues and applies replication (subscribed to object changes on first use)."""
        if self._replicator is None:
            self._replicator = Replicator(self)
            self.store.subscribe(self._replicator.on_event)
            self.store.subscribe_attrs(self._replicator.on_attrs_changed)
        return self._replicator
