"""S3 replication configuration: Put/Get/DeleteBucketReplication and its checks.

The configuration is stored as given (rule IDs filled in) in ``bucket_configs`` (kind
``replication``); ``replication_runner.Replicator`` applies it to every later write.

The checks follow S3 (PutBucketReplication API reference, "Replication configuration file
elements" and "Backward compatibility considerations" in the S3 user guide), in S3's order:
the document first, then the source bucket's versioning, then each destination bucket.

- A rule with a ``Filter`` is of the current schema (V2): it needs ``Priority`` and
  ``DeleteMarkerReplication``, and delete markers cannot be replicated by a rule that filters
  on tags. A rule without one (the legacy top-level ``Prefix``, V1) replicates delete markers.
- All rules of a configuration use one schema; V1 prefixes cannot overlap for a destination.
- Priorities are unique; rule IDs are unique and at most 255 characters.
- SSE-KMS objects are selected with ``SseKmsEncryptedObjects``, which needs a
  ``ReplicaKmsKeyID``; an owner override (``AccessControlTranslation``) needs ``Account``;
  Replication Time Control needs metrics, both at 15 minutes.
- The source and every destination bucket must have versioning Enabled; the destination must
  exist and not be the source.
"""

from __future__ import annotations

import re
import secrets

from overcast.errors import AwsError

from .bucket_config import malformed_xml

KIND = "replication"
# S3 limits: at most 1,000 rules, rule IDs up to 255 characters, priorities 0..2^31-1
MAX_RULES = 1000
MAX_ID = 255
MAX_PRIORITY = 2**31 - 1
_STATUSES = ("Enabled", "Disabled")
# the Destination StorageClass values S3 takes for replicas (the model's enum less the
# classes that are not S3 regions' own: Outposts, Snow, Express One Zone, FSx)
REPLICA_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                   "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR")
_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$")
_V2_SCHEMA = "for this version of Cross Region Replication configuration schema."


def _invalid_request(message: str) -> AwsError:
    return AwsError("InvalidRequest", message, 400)


def _invalid_argument(message: str, name: str, value) -> AwsError:
    return AwsError("InvalidArgument", message, 400, fields={"ArgumentName": name, "ArgumentValue": str(value)})


def destination_bucket(rule: dict) -> str:
    """The destination bucket's name from the rule's ``Destination.Bucket`` ARN."""
    match = _BUCKET_ARN.match((rule.get("Destination") or {}).get("Bucket") or "")
    return match.group(1) if match else ""


def _status(holder: dict | None, required: bool = True) -> None:
    if holder is None:
        return
    status = holder.get("Status")
    if (status is None and required) or (status is not None and status not in _STATUSES):
        raise malformed_xml()


def has_tag_filter(rule: dict) -> bool:
    conditions = rule.get("Filter") or {}
    return bool(conditions.get("Tag") or (conditions.get("And") or {}).get("Tags"))


def _check_filter(rule: dict) -> None:
    given = {name: value for name, value in (rule.get("Filter") or {}).items() if value is not None}
    if len(given) > 1:  # a Filter holds exactly one of Prefix, Tag, And (several go in And)
        raise malformed_xml()
    tags = list((given.get("And") or {}).get("Tags") or []) + ([given["Tag"]] if "Tag" in given else [])
    keys = [tag.get("Key") for tag in tags]
    if any(key is None or tag.get("Value") is None for key, tag in zip(keys, tags)):
        raise malformed_xml()
    if len(set(keys)) != len(keys):
        raise _invalid_argument("Duplicate Tag Keys are not allowed.", "Tag", keys[0])


def _check_destination(destination: dict) -> None:
    if not destination.get("Bucket"):
        raise malformed_xml()
    if not _BUCKET_ARN.match(destination["Bucket"]):
        raise _invalid_argument("Invalid bucket ARN.", "Bucket", destination["Bucket"])
    account = destination.get("Account")
    if account is not None and not (len(account) == 12 and account.isdigit()):
        raise _invalid_argument("Invalid account id.", "Account", account)
    translation = destination.get("AccessControlTranslation")
    if translation is not None:
        if translation.get("Owner") != "Destination":
            raise malformed_xml()
        if account is None:  # the new owner is the destination account: it must be named
            raise _invalid_request("Account must be specified when AccessControlTranslation is specified.")
    storage_class = destination.get("StorageClass")
    if storage_class is not None and storage_class not in REPLICA_CLASSES:
        raise AwsError("InvalidStorageClass", "The storage class you specified is not valid", 400,
                       fields={"StorageClassRequested": storage_class})
    timing = destination.get("ReplicationTime")
    _status(timing)
    if timing is not None and (timing.get("Time") or {}).get("Minutes") != 15:
        raise malformed_xml()  # S3 Replication Time Control takes exactly 15 minutes
    metrics = destination.get("Metrics")
    _status(metrics)
    if metrics is not None and metrics.get("EventThreshold") is not None \
            and metrics["EventThreshold"].get("Minutes") != 15:
        raise malformed_xml()
    if (timing or {}).get("Status") == "Enabled" and (metrics or {}).get("Status") != "Enabled":
        raise _invalid_request("Replication Time Control must be used in conjunction with metrics.")


def _check_rule(rule: dict) -> None:
    if rule.get("Status") not in _STATUSES or not rule.get("Destination"):
        raise malformed_xml()
    if rule.get("Prefix") is not None and rule.get("Filter") is not None:
        raise malformed_xml()
    rule_id = rule.get("ID")
    if rule_id is not None and len(rule_id) > MAX_ID:
        raise _invalid_argument(f"ID length should not exceed allowed limit of {MAX_ID}", "ID", rule_id)
    _check_filter(rule)
    _check_destination(rule["Destination"])
    _status(rule.get("DeleteMarkerReplication"), required=False)
    _status(rule.get("ExistingObjectReplication"))
    criteria = rule.get("SourceSelectionCriteria") or {}
    _status(criteria.get("SseKmsEncryptedObjects"))
    _status(criteria.get("ReplicaModifications"))
    encryption = rule["Destination"].get("EncryptionConfiguration")
    if encryption is not None and criteria.get("SseKmsEncryptedObjects") is None:
        raise _invalid_request("SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present.")
    if criteria.get("SseKmsEncryptedObjects", {}).get("Status") == "Enabled" \
            and not (encryption or {}).get("ReplicaKmsKeyID"):
        raise _invalid_request("ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
    priority = rule.get("Priority")
    if priority is not None and not 0 <= priority <= MAX_PRIORITY:
        raise _invalid_request(f"Priority must be between 0 and {MAX_PRIORITY}.")
    if rule.get("Filter") is not None:  # the current schema (V2)
        if priority is None:
            raise _invalid_request("Priority must be specified " + _V2_SCHEMA)
        if rule.get("DeleteMarkerReplication") is None:
            raise _invalid_request("DeleteMarkerReplication must be specified " + _V2_SCHEMA)
        if (rule["DeleteMarkerReplication"].get("Status") == "Enabled") and has_tag_filter(rule):
            raise _invalid_request("Delete marker replication is not supported if any Tag filter is specified. "
                                   "Please refer to S3 Developer Guide for more information.")


def check_configuration(config: dict) -> dict:
    """The configuration as stored and returned (rule IDs filled in); raises S3's error for
    the first thing wrong with the document itself."""
    role, rules = config.get("Role"), config.get("Rules") or []
    if not role or not rules or len(rules) > MAX_RULES:
        raise malformed_xml()
    if not _ROLE.match(role):
        raise _invalid_argument("Invalid Role specified in replication config", "Role", role)
    ids, priorities = set(), set()
    stored = []
    for given in rules:
        rule = {name: value for name, value in given.items() if value is not None}
        _check_rule(rule)
        rule.setdefault("ID", secrets.token_urlsafe(36))  # S3 names an unnamed rule itself
        if rule["ID"] in ids:
            raise _invalid_argument("Rule Id must be unique", "ID", rule["ID"])
        ids.add(rule["ID"])
        if rule.get("Priority") is not None:
            if rule["Priority"] in priorities:
                raise _invalid_request(f"Found duplicate priority {rule['Priority']}.")
            priorities.add(rule["Priority"])
        stored.append(rule)
    legacy = [rule for rule in stored if rule.get("Filter") is None]
    if legacy and len(legacy) != len(stored):
        raise malformed_xml()  # one schema per configuration: all rules with Filter (V2) or none (V1)
    _check_legacy_prefixes(legacy)
    return {"Role": role, "Rules": stored}


def _check_legacy_prefixes(rules: list) -> None:
    """V1 rules have no priority to settle a conflict: their prefixes cannot overlap for a
    destination."""
    for index, rule in enumerate(rules):
        for other in rules[:index]:
            a, b = other.get("Prefix") or "", rule.get("Prefix") or ""
            if destination_bucket(rule) == destination_bucket(other) and (a.startswith(b) or b.startswith(a)):
                raise _invalid_request(f"Found overlapping prefixes '{a}' and '{b}'")


class ReplicationConfigMixin:
    def check_versioning_can_be_suspended(self, bucket) -> None:
        """A bucket with a replication configuration keeps versioning Enabled."""
        if self.configs.get(bucket, KIND):
            raise AwsError("InvalidBucketState", "A replication configuration is present on this bucket, so you "
                           "cannot change the versioning state. To change the versioning state, first delete the "
                           "replication configuration.", 409)

    def put_bucket_replication(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        config = check_configuration(params.get("ReplicationConfiguration") or {})
        if bucket.versioning != "Enabled":
            raise AwsError("InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication "
                           "configuration", 400, fields={"BucketName": bucket.name})
        for rule in config["Rules"]:
            name = destination_bucket(rule)
            if name == bucket.name:
                raise _invalid_request("Destination bucket cannot be the same as the source bucket.")
            versioning = self.replicator.bucket_versioning(bucket.partition, name)
            if versioning is False:
                raise _invalid_request("Destination bucket must exist.")
            if versioning != "Enabled":
                raise _invalid_request("Destination bucket must have versioning enabled.")
        self.configs.put(bucket, KIND, config)
        self.replicator.configuration_changed()
        return {}

    def get_bucket_replication(self, ctx, params: dict) -> dict:
        config = self.configs.get(self.config_bucket(ctx, params), KIND)
        if not config:
            raise AwsError("ReplicationConfigurationNotFoundError", "The replication configuration was not found",
                           404, fields={"BucketName": params["Bucket"]})
        return {"ReplicationConfiguration": config}

    def delete_bucket_replication(self, ctx, params: dict) -> dict:
        self.configs.delete(self.config_bucket(ctx, params), KIND)
        self.replicator.configuration_changed()
        return {"__status__": 204}
