"""Applying lifecycle rules: expiration, noncurrent-version expiration, expired delete
markers, transitions and aborting incomplete multipart uploads.

S3 evaluates lifecycle rules once a day at midnight UTC, and an object's action falls due at
the first midnight after its reference time plus the rule's days (creation for current
versions, the moment a version became noncurrent for noncurrent ones, initiation for
uploads). The runner follows that on the cloud clock: an hourly tick evaluates once after
every midnight (and once after a start or reset, to catch up). Everything it needs is in
S3's own rows — a version became noncurrent when its successor was written, so the
successor's ``modified`` is that time — so a restart loses nothing.
"""

from __future__ import annotations

import json
import logging
import math

log = logging.getLogger("overcast.s3.lifecycle")

DAY = 86400.0
# the event family S3 reports for lifecycle deletions (s3:LifecycleExpiration:*)
_FAMILY = "LifecycleExpiration"
_VERSION_COLUMNS = "key, version, seq, latest, marker, size, modified, storage_class, attrs"


def due_at(reference: float, days: int) -> float:
    """The first midnight UTC at or after ``reference`` + ``days`` days."""
    return math.ceil((reference + days * DAY) / DAY) * DAY


def tags_of(attrs: dict) -> dict:
    """An object's tags (``attrs["tags"]``, ``[[key, value], ...]``) as a dict."""
    tags = attrs.get("tags") or []
    if isinstance(tags, dict):
        return tags
    return {pair[0]: pair[1] for pair in tags}


def rule_applies(rule: dict, key: str, size: int | None, tags: dict) -> bool:
    """Whether a rule's filter (legacy Prefix, or Filter with Prefix / Tag / sizes / And)
    selects an object; ``size`` None (a delete marker) skips the size conditions."""
    conditions = rule.get("Filter") or {}
    conditions = conditions.get("And") or conditions
    prefix = rule.get("Prefix") or conditions.get("Prefix") or ""
    if not key.startswith(prefix):
        return False
    wanted = list(conditions.get("Tags") or []) + ([conditions["Tag"]] if conditions.get("Tag") else [])
    if any(tags.get(tag["Key"]) != tag["Value"] for tag in wanted):
        return False
    if size is not None:
        above, below = conditions.get("ObjectSizeGreaterThan"), conditions.get("ObjectSizeLessThan")
        if (above is not None and size <= above) or (below is not None and size >= below):
            return False
    return True


class _Version:
    __slots__ = ("key", "version", "seq", "latest", "marker", "size", "modified", "storage_class", "tags")

    def __init__(self, row):
        (self.key, self.version, self.seq, latest, marker, self.size, self.modified, self.storage_class,
         attrs) = row
        self.latest, self.marker = bool(latest), bool(marker)
        self.tags = tags_of(json.loads(attrs)) if attrs != "{}" else {}


class LifecycleRunner:
    def __init__(self, provider):
        self.provider = provider
        self._next = 0.0  # the cloud time of the next evaluation (a midnight); 0: at once

    def reset(self) -> None:
        """After a reset the clock is back to real time: evaluate at the next tick."""
        self._next = 0.0
        self.provider._expiration_rules.clear()

    def tick(self) -> None:
        """The periodic job: evaluate once per UTC day."""
        now = self.provider.clock.now()
        if now < self._next:
            return
        self._next = math.floor(now / DAY) * DAY + DAY
        try:
            self.evaluate(now)
        except Exception:  # noqa: BLE001 - one failed pass must not stop the next day's
            log.exception("lifecycle evaluation failed")

    def evaluate(self, now: float) -> None:
        """Apply every enabled rule of every bucket as of ``now``."""
        provider = self.provider
        if provider.db.query_one("SELECT 1 FROM bucket_configs WHERE kind = 'lifecycle' LIMIT 1") is None:
            return
        for partition, name, config in provider.configs.rows_of_kind("lifecycle"):
            rules = [rule for rule in config.get("Rules") or () if rule.get("Status") == "Enabled"]
            row = provider.db.query_one("SELECT versioning FROM buckets WHERE partition = ? AND name = ?",
                                        (partition, name))
            if rules and row is not None:
                self._apply(partition, name, row[0], rules, now)

    def _apply(self, partition: str, bucket: str, versioning: str | None, rules: list, now: float) -> None:
        rows = self.provider.db.query(f"SELECT {_VERSION_COLUMNS} FROM versions WHERE partition = ? AND bucket = ? "
                                      "ORDER BY key, seq DESC", (partition, bucket))
        group: list[_Version] = []
        for row in rows:
            version = _Version(row)
            if group and group[0].key != version.key:
                self._apply_key(partition, bucket, versioning, rules, group, now)
                group = []
            group.append(version)
        if group:
            self._apply_key(partition, bucket, versioning, rules, group, now)
        self._abort_uploads(partition, bucket, rules, now)

    def _apply_key(self, partition, bucket, versioning, rules, versions: list[_Version], now: float) -> None:
        """One key's versions (newest first): noncurrent ones, then the current one."""
        store = self.provider.store
        current = versions[0] if versions[0].latest else None
        remaining = [current] if current is not None else []
        positions = [position for position, v in enumerate(versions) if not v.latest]
        for index, position in enumerate(positions):
            version = versions[position]
            # noncurrent since its successor (the next newer version) was written
            since = versions[position - 1].modified if position else version.modified
            size = None if version.marker else version.size
            expired = False
            target_class = None
            for rule in rules:
                if not rule_applies(rule, version.key, size, version.tags):
                    continue
                expiration = rule.get("NoncurrentVersionExpiration")
                if expiration and index >= (expiration.get("NewerNoncurrentVersions") or 0) \
                        and now >= due_at(since, expiration["NoncurrentDays"]):
                    expired = True
                for transition in rule.get("NoncurrentVersionTransitions") or ():
                    if not version.marker and now >= due_at(since, transition["NoncurrentDays"]):
                        target_class = transition["StorageClass"]
            if expired and self.provider.version_is_locked(partition, bucket, version.key, version.version, now):
                expired = False  # S3 Lifecycle never removes a version Object Lock protects
            if expired:
                store.remove_version(partition, bucket, version.key, version.version, now, family=_FAMILY)
                continue
            remaining.append(version)
            if target_class and target_class != version.storage_class:
                store.update_storage_class(partition, bucket, version.key, version.version, target_class)
        if current is None:
            return
        if current.marker:
            self._expire_marker(partition, bucket, rules, current, len(remaining), now)
            return
        self._expire_current(partition, bucket, versioning, rules, current, now)

    def _expire_current(self, partition, bucket, versioning, rules, current: _Version, now: float) -> None:
        store = self.provider.store
        target_class, target_due = None, -1.0
        for rule in rules:
            if not rule_applies(rule, current.key, current.size, current.tags):
                continue
            expiration = rule.get("Expiration") or {}
            due = (due_at(current.modified, expiration["Days"]) if expiration.get("Days") is not None
                   else expiration.get("Date"))
            if due is not None and now >= due:
                store.delete(partition, bucket, current.key, versioning, now, family=_FAMILY)
                return
            for transition in rule.get("Transitions") or ():
                due = (due_at(current.modified, transition["Days"]) if transition.get("Days") is not None
                       else transition["Date"])
                if now >= due and due > target_due:
                    target_class, target_due = transition["StorageClass"], due
        if target_class and target_class != current.storage_class:
            store.update_storage_class(partition, bucket, current.key, current.version, target_class)

    def _expire_marker(self, partition, bucket, rules, marker: _Version, versions_left: int, now: float) -> None:
        """A delete marker with no noncurrent versions left is an expired object delete marker:
        removed by ExpiredObjectDeleteMarker, or by an Expiration in Days once it is that old."""
        if versions_left != 1:
            return
        for rule in rules:
            if not rule_applies(rule, marker.key, None, {}):
                continue
            expiration = rule.get("Expiration") or {}
            if expiration.get("ExpiredObjectDeleteMarker") or (
                    expiration.get("Days") is not None and now >= due_at(marker.modified, expiration["Days"])):
                self.provider.store.remove_version(partition, bucket, marker.key, marker.version, now, family=_FAMILY)
                return

    def _abort_uploads(self, partition: str, bucket: str, rules: list, now: float) -> None:
        db = self.provider.db
        uploads = db.query("SELECT upload_id, key, initiated FROM uploads WHERE partition = ? AND bucket = ?",
                           (partition, bucket))
        for upload_id, key, initiated in uploads:
            for rule in rules:
                abort = rule.get("AbortIncompleteMultipartUpload")
                if abort and rule_applies(rule, key, None, {}) and now >= due_at(initiated, abort["DaysAfterInitiation"]):
                    with db.transaction():
                        blobs = [b for (b,) in db.query("DELETE FROM parts WHERE upload_id = ? RETURNING blob",
                                                        (upload_id,))]
                        db.execute("DELETE FROM uploads WHERE upload_id = ?", (upload_id,))
                    for blob in blobs:  # after the commit: a crash leaves orphans, swept at start
                        self.provider.blobs.delete(blob)
                    break
