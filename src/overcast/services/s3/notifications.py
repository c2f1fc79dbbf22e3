"""S3 event notifications: the bucket's notification configuration, and the events it selects.

``PutBucketNotificationConfiguration`` checks destination ARNs and event names as S3 does and
stores the configuration. ``Notifier`` subscribes to the object store's change events
(``ObjectStore.subscribe``), matches each against the bucket's configuration (event name,
wildcards such as ``s3:ObjectCreated:*``, prefix / suffix key filters) and hands every match
to ``deliver(destination_arn, message, bucket)`` as the S3 event message (``{"Records": [...]}``,
event version 2.1). The default ``deliver`` hands it to ``notification_delivery``: a durable
timer, sent right after to the SQS queue or SNS topic (Lambda and EventBridge with those
services). Nothing is kept in memory per event, and a write to a bucket without a
configuration costs a set lookup.
"""

from __future__ import annotations

import datetime
import json
import re
import secrets
import uuid
from types import SimpleNamespace
from typing import Callable
from urllib.parse import quote_plus

from overcast.errors import AwsError

from .bucket_config import malformed_xml
from .notification_delivery import NotificationSender, schedule_delivery
from .notification_destinations import check_destinations

KIND = "notification"
# The event types S3 can publish (s3:<type>; a trailing * selects a family).
EVENT_NAMES = frozenset({
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*", "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete", "s3:ReducedRedundancyLostObject",
    "s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put",
})
_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d"
_PARTITION = r"arn:aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?"
# (configuration list, its ARN member, the XML name S3 reports, the ARN's form)
DESTINATIONS = (
    ("TopicConfigurations", "TopicArn", "Topic", re.compile(rf"^{_PARTITION}:sns:{_REGION}:\d{{12}}:[\w-]{{1,256}}(\.fifo)?$")),
    ("QueueConfigurations", "QueueArn", "Queue", re.compile(rf"^{_PARTITION}:sqs:{_REGION}:\d{{12}}:[\w-]{{1,80}}(\.fifo)?$")),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "CloudFunction",
     re.compile(rf"^{_PARTITION}:lambda:{_REGION}:\d{{12}}:function:[\w-]{{1,64}}(:[\w$-]{{1,128}})?$")),
)


def _invalid(message: str, name: str, value: str) -> AwsError:
    return AwsError("InvalidArgument", message, 400, fields={"ArgumentName": name, "ArgumentValue": value})


def _filter_rules(config: dict) -> dict:
    """``{"prefix": ..., "suffix": ...}`` of a configuration's key filter, checked."""
    rules = (((config.get("Filter") or {}).get("Key") or {}).get("FilterRules")) or []
    found: dict[str, str] = {}
    for rule in rules:
        name = (rule.get("Name") or "").lower()
        if name not in ("prefix", "suffix"):
            raise _invalid("filter rule name must be either prefix or suffix", "FilterRule.Name", rule.get("Name") or "")
        if name in found:
            raise _invalid(f"Cannot specify more than one {name} rule in a filter.", "FilterRule.Name",
                           rule.get("Name") or "")
        found[name] = rule.get("Value") or ""
    return found


def _events_overlap(a: str, b: str) -> bool:
    if a == b:
        return True
    for wild, other in ((a, b), (b, a)):
        if wild.endswith("*") and other.startswith(wild[:-1]):
            return True
    return False


def normalize_configuration(config: dict) -> dict:
    """The configuration as stored and returned: checked, with ids and filter names S3's way."""
    stored: dict = {}
    seen: list[tuple[set, dict]] = []
    for list_name, arn_member, xml_name, pattern in DESTINATIONS:
        entries = []
        for entry in config.get(list_name) or []:
            arn = entry.get(arn_member)
            events = entry.get("Events") or []
            if not arn or not events:
                raise malformed_xml()
            if not pattern.match(arn):
                raise _invalid("The ARN is not well formed", xml_name, arn)
            for event in events:
                if event not in EVENT_NAMES:
                    raise _invalid("The event is not supported for notifications", "Event", event)
            rules = _filter_rules(entry)
            for other_events, other_rules in seen:
                if (any(_events_overlap(a, b) for a in events for b in other_events)
                        and _prefixes_overlap(rules.get("prefix", ""), other_rules.get("prefix", ""))
                        and _suffixes_overlap(rules.get("suffix", ""), other_rules.get("suffix", ""))):
                    raise _invalid("Configuration is ambiguously defined. Cannot have overlapping suffixes in two "
                                   "rules if the prefixes are overlapping for the same event type.", "Event",
                                   events[0])
            seen.append((set(events), rules))
            out = {"Id": entry.get("Id") or secrets.token_hex(16), arn_member: arn, "Events": list(events)}
            if rules:
                out["Filter"] = {"Key": {"FilterRules": [{"Name": name.capitalize(), "Value": value}
                                                         for name, value in rules.items()]}}
            entries.append(out)
        if entries:
            stored[list_name] = entries
    if config.get("EventBridgeConfiguration") is not None:
        stored["EventBridgeConfiguration"] = {}
    return stored


def _prefixes_overlap(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _suffixes_overlap(a: str, b: str) -> bool:
    return a.endswith(b) or b.endswith(a)


def matches(entry: dict, event_name: str, key: str) -> bool:
    """Whether a configuration entry selects ``event_name`` (``s3:ObjectCreated:Put``) on ``key``."""
    if not any(_events_overlap(wanted, event_name) for wanted in entry.get("Events") or ()):
        return False
    for rule in ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or ():
        name, value = rule["Name"].lower(), rule["Value"]
        if (name == "prefix" and not key.startswith(value)) or (name == "suffix" and not key.endswith(value)):
            return False
    return True


def iso_time(epoch: float) -> str:
    """``2024-01-31T12:00:00.000Z``: S3's event time format."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def event_record(event, *, region: str, owner: str, configuration_id: str, sequencer: str,
                 requester: str = "", source_ip: str = "127.0.0.1", request_id: str = "") -> dict:
    """One S3 event record (event version 2.1) for an ``ObjectEvent``."""
    request_id = request_id or secrets.token_hex(8).upper()
    obj = {"key": quote_plus(event.key, safe="/")}
    if event.kind.startswith("ObjectCreated"):
        obj["size"] = event.size
        obj["eTag"] = event.etag.strip('"')
    if event.version is not None:
        obj["versionId"] = event.version
    obj["sequencer"] = sequencer
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": iso_time(event.time),
        "eventName": event.kind,
        "userIdentity": {"principalId": requester or owner},
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {"x-amz-request-id": request_id, "x-amz-id-2": secrets.token_urlsafe(48)},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {"name": event.bucket, "ownerIdentity": {"principalId": owner},
                       "arn": f"arn:{_partition_prefix(event.partition)}:s3:::{event.bucket}"},
            "object": obj,
        },
    }


# EventBridge detail types and reasons of the S3 event kinds (S3 user guide, "EventBridge
# event message structure")
_BRIDGE_TYPES = {"ObjectCreated": "Object Created", "ObjectRemoved": "Object Deleted",
                 "LifecycleExpiration": "Object Deleted", "ObjectRestore": "Object Restore Completed",
                 "ObjectTagging": "Object Tags Added", "LifecycleTransition": "Object Storage Class Changed"}
_BRIDGE_REASONS = {"ObjectCreated:Put": "PutObject", "ObjectCreated:Post": "POST Object",
                   "ObjectCreated:Copy": "CopyObject", "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
                   "ObjectRemoved:Delete": "DeleteObject", "ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
                   "LifecycleExpiration:Delete": "Lifecycle Expiration",
                   "LifecycleExpiration:DeleteMarkerCreated": "Lifecycle Expiration"}


def eventbridge_event(event, *, region: str, owner: str, sequencer: str, requester: str = "",
                      source_ip: str = "127.0.0.1", request_id: str = "") -> dict | None:
    """The EventBridge event S3 sends for ``event`` when the bucket has EventBridge on
    (None for kinds it does not send there)."""
    detail_type = _BRIDGE_TYPES.get(event.kind.split(":", 1)[0])
    if detail_type is None:
        return None
    obj = {"key": event.key}
    if event.kind.startswith("ObjectCreated"):
        obj.update(size=event.size, etag=event.etag.strip('"'))
    if event.version is not None:
        obj["version-id"] = event.version
    obj["sequencer"] = sequencer
    detail = {"version": "0", "bucket": {"name": event.bucket}, "object": obj,
              "request-id": request_id or secrets.token_hex(8).upper(), "requester": requester or owner,
              "source-ip-address": source_ip}
    if event.kind in _BRIDGE_REASONS:
        detail["reason"] = _BRIDGE_REASONS[event.kind]
    if detail_type == "Object Deleted":
        detail["deletion-type"] = ("Delete Marker Created" if event.kind.endswith("DeleteMarkerCreated")
                                   else "Permanently Deleted")
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type, "source": "aws.s3",
            "account": owner, "time": iso_time(event.time)[:-5] + "Z", "region": region,
            "resources": [f"arn:{_partition_prefix(event.partition)}:s3:::{event.bucket}"], "detail": detail}


def _partition_prefix(partition: str) -> str:
    return partition or "aws"


class Notifier:
    """Matches committed object changes against notification configurations."""

    def __init__(self, provider, deliver: Callable[[str, dict, object], None] | None = None):
        self.provider = provider
        self.deliver = deliver or (lambda destination, message, bucket:
                                   schedule_delivery(provider.cloud, destination, message, bucket))
        self._last_sequence = 0
        # (partition, bucket) of the buckets with a configuration, loaded on first use: a write
        # to any other bucket costs a set lookup, not a query.
        self._buckets: set[tuple[str, str]] | None = None

    def _configured_buckets(self) -> set[tuple[str, str]]:
        if self._buckets is None:
            self._buckets = {(partition, name) for partition, name in self.provider.db.query(
                "SELECT partition, bucket FROM bucket_configs WHERE kind = ?", (KIND,))}
        return self._buckets

    def configured(self, bucket) -> None:
        """A configuration was stored for ``bucket``."""
        self._configured_buckets().add((bucket.partition, bucket.name))

    def unconfigured(self, bucket) -> None:
        """``bucket``'s configuration was removed."""
        self._configured_buckets().discard((bucket.partition, bucket.name))

    def forget(self) -> None:
        self._buckets = None

    def _sequencer(self) -> str:
        # Increasing for successive events of a key, as S3's sequencer is (hex, compared as strings)
        now = int(self.provider.clock.now() * 1_000_000)
        self._last_sequence = max(self._last_sequence + 1, now)
        return f"{self._last_sequence:016X}"

    def on_event(self, event) -> None:
        """``ObjectStore`` subscriber: deliver ``event`` to every destination it matches."""
        if (event.partition, event.bucket) not in self._configured_buckets():
            return
        row = self.provider.db.query_one("SELECT c.value, b.region, b.account FROM bucket_configs c JOIN buckets b "
                           "ON b.partition = c.partition AND b.name = c.bucket "
                           "WHERE c.partition = ? AND c.bucket = ? AND c.kind = ?",
                           (event.partition, event.bucket, KIND))
        if row is None:
            return
        config, region, owner = json.loads(row[0]), row[1], row[2]
        bucket = SimpleNamespace(name=event.bucket, partition=event.partition, account=owner)
        name = "s3:" + event.kind
        for list_name, arn_member, _, _ in DESTINATIONS:
            for entry in config.get(list_name) or ():
                if matches(entry, name, event.key):
                    record = event_record(event, region=region, owner=owner, configuration_id=entry["Id"],
                                          sequencer=self._sequencer())
                    self.deliver(entry[arn_member], {"Records": [record]}, bucket)
        if "EventBridgeConfiguration" in config:
            bridged = eventbridge_event(event, region=region, owner=owner, sequencer=self._sequencer())
            if bridged is not None:
                self.deliver(f"arn:{_partition_prefix(event.partition)}:events:{region}:{owner}:event-bus/default",
                             bridged, bucket)

    def test_event(self, bucket, config: dict, request_id: str) -> None:
        """The ``s3:TestEvent`` S3 sends to each destination when a configuration is set."""
        for list_name, arn_member, _, _ in DESTINATIONS:
            if list_name == "LambdaFunctionConfigurations":
                continue  # queues and topics get it; S3 does not invoke a function with it
            for entry in config.get(list_name) or ():
                self.deliver(entry[arn_member], {"Service": "Amazon S3", "Event": "s3:TestEvent",
                                                 "Time": iso_time(self.provider.clock.now()), "Bucket": bucket.name,
                                                 "RequestId": request_id, "HostId": secrets.token_urlsafe(48)},
                             bucket)


class NotificationsMixin:
    _notifier: Notifier | None = None

    def __init__(self, cloud):
        super().__init__(cloud)
        self._notification_sender = NotificationSender(self)  # sends what the notifier queued

    @property
    def notifier(self) -> Notifier:
        """Matches object changes against notification configurations (subscribed on first use)."""
        if self._notifier is None:
            self._notifier = Notifier(self)
            self.store.subscribe(self._notifier.on_event)
        return self._notifier

    async def put_bucket_notification_configuration(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        config = normalize_configuration(params.get("NotificationConfiguration") or {})
        if config and not params.get("SkipDestinationValidation"):
            await check_destinations(ctx, bucket, config, self.clock.now())
        if config:
            self.configs.put(bucket, KIND, config)
            self.notifier.configured(bucket)
            self.notifier.test_event(bucket, config, ctx.request_id)
        else:
            self.configs.delete(bucket, KIND)
            self.notifier.unconfigured(bucket)
        return {}

    def get_bucket_notification_configuration(self, ctx, params: dict) -> dict:
        return self.configs.get(self.config_bucket(ctx, params), KIND) or {}
