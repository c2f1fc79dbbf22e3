"""Delivering S3 Inventory reports to their destination bucket, on the cloud clock.

S3 publishes an enabled inventory daily or weekly. Here a report falls due at the first UTC
midnight after the configuration was put, then at each midnight (Daily) or seven days after
the previous report (Weekly); an hourly tick delivers what fell due, also once after a start
(the state is S3's own rows: ``inventory-run/<id>`` holds when the configuration was put and
when its last report was delivered, so a restart loses nothing).

A report is S3's layout in the destination (``<prefix>/<source>/<id>/...``):

- ``data/<uuid>.csv.gz``: gzip CSV, every field quoted, the key URL-encoded, the columns
  Bucket, Key (VersionId, IsLatest, IsDeleteMarker for All versions) and the optional fields
  in S3's order;
- ``<YYYY-MM-DDTHH-MMZ>/manifest.json`` (files with key, size, MD5checksum) and
  ``manifest.checksum`` (the MD5 of manifest.json);
- ``hive/dt=<YYYY-MM-DD-HH-MM>/symlink.txt``: the data files' s3:// URLs, for Athena/Hive.

Every file is written through the provider's own PutObject, as an ordinary object of the
destination bucket's owner (notifications, versioning and lifecycle apply to it). ORC and
Parquet reports need a columnar writer Overcast does not ship: those configurations are
stored but not delivered (logged once per due report).
"""

from __future__ import annotations

import base64
import csv
import datetime
import gzip
import hashlib
import io
import json
import logging
import math
import uuid
from urllib.parse import quote_plus

from overcast.context import RequestContext

from .acl import stored_grants
from .buckets import Bucket
from .lifecycle_runner import DAY, due_at, rule_applies, tags_of

log = logging.getLogger("overcast.s3.inventory")

FAMILY = "inventory"
_RUN_STATE = "inventory-run/"
WEEK = 7 * DAY
MANIFEST_VERSION = "2016-11-30"  # the version S3 writes in every inventory manifest
# The optional fields' column order in S3's reports (the fileSchema of its manifests)
_FIELD_ORDER = ("Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus",
                "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode", "ObjectLockLegalHoldStatus",
                "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm", "ObjectAccessControlList",
                "ObjectOwner", "LifecycleExpirationDate")
_COLUMNS = "key, version, latest, marker, size, etag, modified, storage_class, attrs"


def run_state_kind(config_id: str) -> str:
    """The ``bucket_configs`` kind holding a configuration's delivery state."""
    return _RUN_STATE + config_id


def next_due(config: dict, state: dict) -> float:
    """When the configuration's next report falls due (a UTC midnight)."""
    last = state.get("last")
    if last is None:  # the first report: at the first midnight after the configuration was put
        return math.floor(state.get("since", 0.0) / DAY) * DAY + DAY
    interval = WEEK if config["Schedule"]["Frequency"] == "Weekly" else DAY
    return math.floor(last / DAY) * DAY + interval


def _iso(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _acl_field(attrs: dict, owner: str) -> str:
    """ObjectAccessControlList: base64 of the JSON S3 describes for inventory reports."""
    grants = []
    for grant in stored_grants(attrs.get("acl"), owner):
        grantee = grant["Grantee"]
        entry = {"permission": grant["Permission"], "type": grantee.get("Type")}
        if grantee.get("ID"):
            entry["canonicalId"] = grantee["ID"]
        if grantee.get("URI"):
            entry["uri"] = grantee["URI"]
        if grantee.get("EmailAddress"):
            entry["emailAddress"] = grantee["EmailAddress"]
        grants.append(entry)
    document = {"version": "2022-11-10", "status": "AVAILABLE", "grants": grants}
    return base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()


class InventoryRunner:
    def __init__(self, provider):
        self.provider = provider
        self._running = False

    async def tick(self) -> None:
        """The periodic job: deliver every enabled configuration whose report fell due."""
        if self._running:  # a delivery awaits writes: never two passes at once
            return
        self._running = True
        try:
            await self._deliver_due(self.provider.clock.now())
        except Exception:  # noqa: BLE001 - one failed pass must not stop the next
            log.exception("inventory delivery failed")
        finally:
            self._running = False

    async def _deliver_due(self, now: float) -> None:
        provider = self.provider
        for partition, name, config in list(provider.id_configs(FAMILY).every()):
            if not config.get("IsEnabled"):
                continue
            row = provider.db.query_one("SELECT account, region, created, versioning FROM buckets "
                                        "WHERE partition = ? AND name = ?", (partition, name))
            if row is None:
                continue
            source = Bucket(*row, partition, name)
            kind = run_state_kind(config["Id"])
            state = provider.configs.get(source, kind) or {"since": now}
            if now < next_due(config, state):
                continue
            try:
                await self.deliver(source, config, now)
            except Exception:  # noqa: BLE001 - the others are still delivered
                log.exception("inventory %s of bucket %s was not delivered", config["Id"], name)
            # a failed report is not retried before the next one falls due, as in S3
            provider.configs.put(source, kind, {**state, "last": now})

    async def deliver(self, source, config: dict, now: float) -> None:
        """Write one report of ``config`` for bucket ``source`` to its destination."""
        provider = self.provider
        destination = config["Destination"]["S3BucketDestination"]
        if destination["Format"] != "CSV":
            log.warning("inventory %s of bucket %s: %s reports are not produced by Overcast", config["Id"],
                        source.name, destination["Format"])
            return
        target_name = destination["Bucket"].split(":", 5)[5]
        target = provider.db.query_one("SELECT account, region FROM buckets WHERE partition = ? AND name = ?",
                                       (source.partition, target_name))
        if target is None or (destination.get("AccountId") and destination["AccountId"] != target[0]):
            log.warning("inventory %s of bucket %s: destination bucket %s not found", config["Id"], source.name,
                        target_name)
            return
        ctx = RequestContext(account=target[0], region=target[1], service="s3", operation="PutObject",
                             principal_arn="", registry=provider.cloud.services)
        schema, rows = self._rows(source, config)
        base = "/".join(part for part in ((destination.get("Prefix") or "").rstrip("/"), source.name, config["Id"])
                        if part)
        moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        files = []
        if rows:
            text = io.StringIO()
            writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerows(rows)
            body = gzip.compress(text.getvalue().encode("utf-8"), mtime=0)
            data_key = f"{base}/data/{uuid.uuid4()}.csv.gz"
            await self._write(ctx, target_name, data_key, body, "application/octet-stream", destination)
            files.append({"key": data_key, "size": len(body), "MD5checksum": hashlib.md5(body).hexdigest()})
        manifest = {"sourceBucket": source.name, "destinationBucket": destination["Bucket"],
                    "version": MANIFEST_VERSION, "creationTimestamp": str(int(now * 1000)), "fileFormat": "CSV",
                    "fileSchema": ", ".join(schema), "files": files}
        manifest_body = json.dumps(manifest, indent=2).encode()
        folder = f"{base}/{moment.strftime('%Y-%m-%dT%H-%MZ')}"
        await self._write(ctx, target_name, f"{folder}/manifest.json", manifest_body, "application/json", destination)
        await self._write(ctx, target_name, f"{folder}/manifest.checksum",
                          hashlib.md5(manifest_body).hexdigest().encode(), "text/plain", destination)
        symlink = "".join(f"s3://{target_name}/{entry['key']}\n" for entry in files).encode()
        await self._write(ctx, target_name, f"{base}/hive/dt={moment.strftime('%Y-%m-%d-%H-%M')}/symlink.txt",
                          symlink, "text/plain", destination)

    async def _write(self, ctx, bucket: str, key: str, body: bytes, content_type: str, destination: dict) -> None:
        params = {"Bucket": bucket, "Key": key, "Body": body, "ContentType": content_type}
        encryption = destination.get("Encryption") or {}
        if encryption.get("SSEKMS"):
            params.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=encryption["SSEKMS"]["KeyId"])
        elif "SSES3" in encryption:
            params["ServerSideEncryption"] = "AES256"
        await self.provider.put_object(ctx, params)

    def _rows(self, source, config: dict) -> tuple[list[str], list[list]]:
        """The report's column names and rows (every version or the current ones, by key)."""
        every_version = config["IncludedObjectVersions"] == "All"
        wanted = set(config.get("OptionalFields") or ())
        fields = [name for name in _FIELD_ORDER if name in wanted]
        schema = ["Bucket", "Key"] + (["VersionId", "IsLatest", "IsDeleteMarker"] if every_version else []) + fields
        prefix = (config.get("Filter") or {}).get("Prefix") or ""
        sql = (f"SELECT {_COLUMNS} FROM versions WHERE partition = ? AND bucket = ? AND key >= ?"
               + ("" if every_version else " AND latest = 1 AND marker = 0") + " ORDER BY key, seq DESC")
        expiration_rules = self._expiration_rules(source) if "LifecycleExpirationDate" in wanted else []
        rows = []
        for key, version, latest, marker, size, etag, modified, storage_class, attrs in self.provider.db.query(
                sql, (source.partition, source.name, prefix)):
            if not key.startswith(prefix):
                break
            attrs = json.loads(attrs) if attrs and attrs != "{}" else {}
            row = [source.name, quote_plus(key, safe="/")]
            if every_version:
                row += [version, "true" if latest else "false", "true" if marker else "false"]
            values = self._optional_values(source, attrs, bool(marker), size, etag, modified, storage_class,
                                           key, bool(latest), expiration_rules)
            rows.append(row + [values[name] for name in fields])
        return schema, rows

    def _expiration_rules(self, source) -> list:
        config = self.provider.configs.get(source, "lifecycle") or {}
        return [rule for rule in config.get("Rules") or () if rule.get("Status") == "Enabled"
                and ((rule.get("Expiration") or {}).get("Days") or (rule.get("Expiration") or {}).get("Date"))]

    @staticmethod
    def _optional_values(source, attrs, marker, size, etag, modified, storage_class, key, latest, rules) -> dict:
        if marker:  # a delete marker has no size, class or encryption: empty fields
            return dict.fromkeys(_FIELD_ORDER, "") | {"LastModifiedDate": _iso(modified)}
        sse = attrs.get("sse") or {}
        algorithm = sse.get("ServerSideEncryption", "AES256")
        encryption = {"aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}.get(algorithm, "SSE-S3")
        if sse.get("SSECustomerAlgorithm"):
            encryption = "SSE-C"
        expiry = ""
        if latest:
            for rule in rules:
                if rule_applies(rule, key, size, tags_of(attrs)):
                    expiration = rule["Expiration"]
                    due = due_at(modified, expiration["Days"]) if expiration.get("Days") else expiration["Date"]
                    expiry = min(expiry, _iso(due)) if expiry else _iso(due)
        return {
            "Size": str(size), "LastModifiedDate": _iso(modified), "ETag": etag.strip('"'),
            "StorageClass": storage_class, "IsMultipartUploaded": "true" if attrs.get("parts") else "false",
            "ReplicationStatus": attrs.get("replication", ""), "EncryptionStatus": encryption, "ObjectLockRetainUntilDate": "",
            "ObjectLockMode": "", "ObjectLockLegalHoldStatus": "",
            # a new INTELLIGENT_TIERING object sits in the Frequent Access tier
            "IntelligentTieringAccessTier": "FREQUENT" if storage_class == "INTELLIGENT_TIERING" else "",
            "BucketKeyStatus": "ENABLED" if sse.get("BucketKeyEnabled") else "DISABLED",
            "ChecksumAlgorithm": (attrs.get("checksum") or {}).get("algorithm", ""),
            "ObjectAccessControlList": _acl_field(attrs, attrs.get("owner") or source.account),
            "ObjectOwner": attrs.get("owner") or source.account,
            "LifecycleExpirationDate": expiry,
        }
