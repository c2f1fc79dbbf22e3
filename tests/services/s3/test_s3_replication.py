"""S3 replication: Put/Get/DeleteBucketReplication and the replication the rules perform.

The tests run their own server with replication set to happen 600 s of cloud time after a
write, so a test sees ``PENDING`` for sure and moves the clock to see the replica.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import subprocess
import sys

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

from serverproc import ServerProcess  # noqa: E402

STRICT = os.environ.get("OVERCAST_TEST_MODE") == "strict"
DELAY = 600
ACCOUNT = "000000000000"
OTHER = "111111111111"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/replication"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _start(data_dir: str, strict: bool = STRICT) -> ServerProcess:
    extra = ("--strict",) if strict else ()
    return ServerProcess(data_dir, *extra, env={"OVERCAST_S3_REPLICATION_SECONDS": str(DELAY)}).start()


@pytest.fixture(scope="module")
def replication_server(tmp_path_factory):
    server = _start(str(tmp_path_factory.mktemp("replication-data")))
    yield server
    server.stop()


def _client(server, service: str = "s3", key: str = "test", region: str = "us-east-1"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name=region, aws_access_key_id=key,
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def srv(replication_server):
    replication_server.post("/_overcast/reset")
    _client(replication_server, "iam").create_role(RoleName="replication", AssumeRolePolicyDocument=TRUST)
    return replication_server


@pytest.fixture
def s3(srv):
    return _client(srv)


def _advance(server, seconds: float = DELAY + 1) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def _versioned(s3, name: str, **create) -> str:
    s3.create_bucket(Bucket=name, **create)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def _rule(destination: str, **members) -> dict:
    rule = {"ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
            "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": f"arn:aws:s3:::{destination}"}}
    rule.update(members)
    return rule


def _configure(s3, source: str, *rules: dict) -> None:
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": list(rules)})


def _error(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"].get("Message", "")


# -- configuration -------------------------------------------------------------------------


def test_get_without_configuration(s3):
    _versioned(s3, "plain")
    assert _error(lambda: s3.get_bucket_replication(Bucket="plain")) == (
        404, "ReplicationConfigurationNotFoundError", "The replication configuration was not found")


def test_missing_bucket_and_expected_owner(s3):
    assert _error(lambda: s3.get_bucket_replication(Bucket="no-such-bucket"))[:2] == (404, "NoSuchBucket")
    assert _error(lambda: s3.delete_bucket_replication(Bucket="no-such-bucket"))[:2] == (404, "NoSuchBucket")
    assert _error(lambda: _configure(s3, "no-such-bucket", _rule("dst")))[:2] == (404, "NoSuchBucket")
    _versioned(s3, "src")
    assert _error(lambda: s3.get_bucket_replication(Bucket="src", ExpectedBucketOwner=OTHER))[:2] == (
        403, "AccessDenied")


def test_put_get_delete_round_trip(s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    rule = _rule("dst", ID="docs", Priority=7,
                 Filter={"And": {"Prefix": "docs/", "Tags": [{"Key": "team", "Value": "a"}]}},
                 SourceSelectionCriteria={"ReplicaModifications": {"Status": "Enabled"}},
                 ExistingObjectReplication={"Status": "Disabled"})
    rule["Destination"].update(Account=ACCOUNT, StorageClass="STANDARD_IA",
                               AccessControlTranslation={"Owner": "Destination"},
                               ReplicationTime={"Status": "Enabled", "Time": {"Minutes": 15}},
                               Metrics={"Status": "Enabled", "EventThreshold": {"Minutes": 15}})
    _configure(s3, "src", rule)
    got = s3.get_bucket_replication(Bucket="src")["ReplicationConfiguration"]
    assert got == {"Role": ROLE, "Rules": [rule]}
    assert s3.delete_bucket_replication(Bucket="src")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _error(lambda: s3.get_bucket_replication(Bucket="src"))[1] == "ReplicationConfigurationNotFoundError"


def test_legacy_rule_gets_an_id(s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", {"Prefix": "logs/", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dst"}})
    rule = s3.get_bucket_replication(Bucket="src")["ReplicationConfiguration"]["Rules"][0]
    assert rule["Prefix"] == "logs/" and rule["ID"] and "Filter" not in rule and "Priority" not in rule


_TAG_FILTER = {"Tag": {"Key": "k", "Value": "v"}}
_MALFORMED = (400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                                   "published schema")


@pytest.mark.parametrize("rules, expected", [
    ([_rule("dst", Priority=None)], (400, "InvalidRequest", "Priority must be specified for this version of Cross "
                                     "Region Replication configuration schema.")),
    ([_rule("dst", DeleteMarkerReplication=None)],
     (400, "InvalidRequest", "DeleteMarkerReplication must be specified for this version of Cross Region "
                             "Replication configuration schema.")),
    ([_rule("dst", Filter=_TAG_FILTER, DeleteMarkerReplication={"Status": "Enabled"})],
     (400, "InvalidRequest", "Delete marker replication is not supported if any Tag filter is specified. Please "
                             "refer to S3 Developer Guide for more information.")),
    ([_rule("dst"), _rule("dst", ID="second")], (400, "InvalidRequest", "Found duplicate priority 1.")),
    ([_rule("dst"), _rule("dst", Priority=2)], (400, "InvalidArgument", "Rule Id must be unique")),
    ([_rule("dst", Destination={"Bucket": "dst"})], (400, "InvalidArgument", "Invalid bucket ARN.")),
    ([_rule("dst", ID="x" * 256)], (400, "InvalidArgument", "ID length should not exceed allowed limit of 255")),
    ([_rule("dst", Prefix="a")], _MALFORMED),  # a legacy Prefix beside a Filter
    ([_rule("dst", Filter={"Prefix": "a", **_TAG_FILTER})], _MALFORMED),  # two conditions outside And
    ([_rule("dst", Status="On")], _MALFORMED),
    ([_rule("dst"), {"ID": "v1", "Prefix": "a", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dst"}}],
     _MALFORMED),  # V1 and V2 rules mixed
    ([{"ID": "one", "Prefix": "logs/", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dst"}},
      {"ID": "two", "Prefix": "logs/app", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dst"}}],
     (400, "InvalidRequest", "Found overlapping prefixes 'logs/' and 'logs/app'")),
    ([_rule("dst", SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}})],
     (400, "InvalidRequest", "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")),
    ([_rule("missing")], (400, "InvalidRequest", "Destination bucket must exist.")),
    ([_rule("unversioned")], (400, "InvalidRequest", "Destination bucket must have versioning enabled.")),
    ([_rule("src")], (400, "InvalidRequest", "Destination bucket cannot be the same as the source bucket.")),
])
def test_invalid_configurations(s3, rules, expected):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    s3.create_bucket(Bucket="unversioned")
    rules = [{k: v for k, v in rule.items() if v is not None} for rule in rules]
    assert _error(lambda: _configure(s3, "src", *rules)) == expected
    assert _error(lambda: s3.get_bucket_replication(Bucket="src"))[0] == 404


def test_source_must_be_versioned(s3):
    s3.create_bucket(Bucket="src")
    _versioned(s3, "dst")
    status, code, message = _error(lambda: _configure(s3, "src", _rule("dst")))
    assert (status, code, message) == (400, "InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply "
                                                              "a replication configuration")


def test_source_versioning_cannot_be_suspended_while_configured(s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    suspend = lambda: s3.put_bucket_versioning(  # noqa: E731
        Bucket="src", VersioningConfiguration={"Status": "Suspended"})
    assert _error(suspend) == (409, "InvalidBucketState", "A replication configuration is present on this bucket, "
                               "so you cannot change the versioning state. To change the versioning state, first "
                               "delete the replication configuration.")
    s3.delete_bucket_replication(Bucket="src")
    suspend()
    assert s3.get_bucket_versioning(Bucket="src")["Status"] == "Suspended"


def test_role_must_be_a_role_arn(s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    call = lambda: s3.put_bucket_replication(  # noqa: E731
        Bucket="src", ReplicationConfiguration={"Role": "replication", "Rules": [_rule("dst")]})
    assert _error(call) == (400, "InvalidArgument", "Invalid Role specified in replication config")


# -- replication ---------------------------------------------------------------------------


def test_new_versions_replicate_with_their_identity(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    s3.put_object(Bucket="src", Key="before", Body=b"old")
    _configure(s3, "src", _rule("dst"))
    put = s3.put_object(Bucket="src", Key="doc.txt", Body=b"hello", ContentType="text/plain",
                        Metadata={"colour": "blue"}, Tagging="team=a")
    source = s3.head_object(Bucket="src", Key="doc.txt")
    assert source["ReplicationStatus"] == "PENDING"
    assert _error(lambda: s3.head_object(Bucket="dst", Key="doc.txt"))[0] == 404
    _advance(srv)
    assert s3.head_object(Bucket="src", Key="doc.txt")["ReplicationStatus"] == "COMPLETED"
    assert s3.get_object(Bucket="src", Key="doc.txt")["ReplicationStatus"] == "COMPLETED"
    replica = s3.get_object(Bucket="dst", Key="doc.txt")
    assert replica["Body"].read() == b"hello"
    assert replica["ReplicationStatus"] == "REPLICA"
    assert replica["VersionId"] == put["VersionId"]
    assert replica["ETag"] == put["ETag"]
    assert replica["LastModified"] == source["LastModified"]
    assert replica["ContentType"] == "text/plain" and replica["Metadata"] == {"colour": "blue"}
    assert s3.get_object_tagging(Bucket="dst", Key="doc.txt")["TagSet"] == [{"Key": "team", "Value": "a"}]
    # an object written before the rule is not replicated, and no status is reported for it
    assert "ReplicationStatus" not in s3.head_object(Bucket="src", Key="before")
    assert _error(lambda: s3.head_object(Bucket="dst", Key="before"))[0] == 404


def test_every_version_replicates_in_order(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    ids = [s3.put_object(Bucket="src", Key="k", Body=body)["VersionId"] for body in (b"1", b"22", b"333")]
    _advance(srv)
    versions = s3.list_object_versions(Bucket="dst")["Versions"]
    assert [v["VersionId"] for v in versions] == ids[::-1]
    assert s3.get_object(Bucket="dst", Key="k")["Body"].read() == b"333"


def test_multipart_and_copied_objects_replicate(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    upload = s3.create_multipart_upload(Bucket="src", Key="big")["UploadId"]
    parts = []
    for number, body in ((1, b"a" * 5 * 1024 * 1024), (2, b"tail")):
        etag = s3.upload_part(Bucket="src", Key="big", UploadId=upload, PartNumber=number, Body=body)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    done = s3.complete_multipart_upload(Bucket="src", Key="big", UploadId=upload, MultipartUpload={"Parts": parts})
    s3.copy_object(Bucket="src", Key="copy", CopySource={"Bucket": "src", "Key": "big"})
    _advance(srv)
    replica = s3.get_object(Bucket="dst", Key="big")
    assert replica["ETag"] == done["ETag"] and replica["Body"].read() == b"a" * 5 * 1024 * 1024 + b"tail"
    assert s3.head_object(Bucket="dst", Key="copy")["ContentLength"] == 5 * 1024 * 1024 + 4
    # the source's bytes stay readable after its replica is gone (the replica had its own links)
    s3.delete_object(Bucket="dst", Key="big", VersionId=done["VersionId"])
    assert s3.get_object(Bucket="src", Key="big")["ContentLength"] == 5 * 1024 * 1024 + 4


def test_tag_changes_reach_the_replica(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    s3.put_object(Bucket="src", Key="k", Body=b"1", Tagging="stage=draft")
    _advance(srv)
    s3.put_object_tagging(Bucket="src", Key="k", Tagging={"TagSet": [{"Key": "stage", "Value": "final"}]})
    assert s3.get_object_tagging(Bucket="dst", Key="k")["TagSet"] == [{"Key": "stage", "Value": "draft"}]
    _advance(srv)
    assert s3.get_object_tagging(Bucket="dst", Key="k")["TagSet"] == [{"Key": "stage", "Value": "final"}]
    s3.delete_object_tagging(Bucket="src", Key="k")
    _advance(srv)
    assert s3.get_object_tagging(Bucket="dst", Key="k")["TagSet"] == []
    assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "COMPLETED"
    # a change made on the replica stays there (replica modification sync is not applied)
    s3.put_object_tagging(Bucket="dst", Key="k", Tagging={"TagSet": [{"Key": "local", "Value": "1"}]})
    _advance(srv)
    assert s3.get_object_tagging(Bucket="src", Key="k")["TagSet"] == []


def test_replica_modification_sync_brings_replica_tags_back(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    _configure(s3, "dst", _rule("src", SourceSelectionCriteria={"ReplicaModifications": {"Status": "Enabled"}}))
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    _advance(srv)
    s3.put_object_tagging(Bucket="dst", Key="k", Tagging={"TagSet": [{"Key": "seen", "Value": "yes"}]})
    _advance(srv)
    _advance(srv)
    assert s3.get_object_tagging(Bucket="src", Key="k")["TagSet"] == [{"Key": "seen", "Value": "yes"}]
    assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "COMPLETED"
    assert s3.head_object(Bucket="dst", Key="k")["ReplicationStatus"] == "REPLICA"
    # the replica itself is not copied back: src keeps its one version
    assert len(s3.list_object_versions(Bucket="src")["Versions"]) == 1


def test_filters_select_by_prefix_and_tags(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst", Filter={"And": {"Prefix": "docs/", "Tags": [{"Key": "team", "Value": "a"}]}}))
    s3.put_object(Bucket="src", Key="docs/yes", Body=b"1", Tagging="team=a")
    s3.put_object(Bucket="src", Key="docs/untagged", Body=b"2")
    s3.put_object(Bucket="src", Key="other/tagged", Body=b"3", Tagging="team=a")
    assert "ReplicationStatus" not in s3.head_object(Bucket="src", Key="docs/untagged")
    _advance(srv)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="dst").get("Contents", [])] == ["docs/yes"]


def _kms_object(s3, key: str, kms_key: str) -> None:
    upload = s3.create_multipart_upload(Bucket="src", Key=key, ServerSideEncryption="aws:kms",
                                        SSEKMSKeyId=kms_key)["UploadId"]
    etag = s3.upload_part(Bucket="src", Key=key, UploadId=upload, PartNumber=1, Body=b"secret")["ETag"]
    s3.complete_multipart_upload(Bucket="src", Key=key, UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})


def test_kms_encrypted_objects_need_opting_in(srv, s3):
    kms = _client(srv, "kms")
    source_key, replica_key = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
    _versioned(s3, "src")
    _versioned(s3, "plain")
    _versioned(s3, "kms")
    kms_rule = _rule("kms", ID="kms", Priority=2,
                     SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}})
    kms_rule["Destination"]["EncryptionConfiguration"] = {"ReplicaKmsKeyID": replica_key}
    _configure(s3, "src", _rule("plain"), kms_rule)
    _kms_object(s3, "sealed", source_key)
    _advance(srv)
    assert s3.head_object(Bucket="src", Key="sealed")["ReplicationStatus"] == "COMPLETED"
    replica = s3.get_object(Bucket="kms", Key="sealed")
    assert replica["Body"].read() == b"secret" and replica["SSEKMSKeyId"] == replica_key
    kms.disable_key(KeyId=source_key)  # the replica's data key is its own, under the replica key
    assert s3.get_object(Bucket="kms", Key="sealed")["Body"].read() == b"secret"
    assert _error(lambda: s3.head_object(Bucket="plain", Key="sealed"))[0] == 404


def test_disabled_rule_replicates_nothing(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst", Status="Disabled"))
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    _advance(srv)
    assert "ReplicationStatus" not in s3.head_object(Bucket="src", Key="k")
    assert s3.list_objects_v2(Bucket="dst")["KeyCount"] == 0


def test_delete_markers_replicate_when_enabled(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _versioned(s3, "nomarkers")
    _configure(s3, "src", _rule("dst", DeleteMarkerReplication={"Status": "Enabled"}),
               _rule("nomarkers", ID="second", Priority=2))
    first = s3.put_object(Bucket="src", Key="k", Body=b"1")["VersionId"]
    second = s3.put_object(Bucket="src", Key="k", Body=b"2")["VersionId"]
    _advance(srv)
    marker = s3.delete_object(Bucket="src", Key="k")["VersionId"]
    s3.delete_object(Bucket="src", Key="k", VersionId=first)  # version-specific: never replicated
    _advance(srv)
    listed = s3.list_object_versions(Bucket="dst")
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == [marker]
    assert sorted(v["VersionId"] for v in listed["Versions"]) == sorted([first, second])
    assert _error(lambda: s3.get_object(Bucket="dst", Key="k"))[0] == 404
    other = s3.list_object_versions(Bucket="nomarkers")
    assert "DeleteMarkers" not in other and len(other["Versions"]) == 2
    assert s3.get_object(Bucket="nomarkers", Key="k")["Body"].read() == b"2"


def test_legacy_rule_replicates_delete_markers(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", {"ID": "v1", "Prefix": "", "Status": "Enabled",
                           "Destination": {"Bucket": "arn:aws:s3:::dst"}})
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    marker = s3.delete_object(Bucket="src", Key="k")["VersionId"]
    _advance(srv)
    assert [m["VersionId"] for m in s3.list_object_versions(Bucket="dst")["DeleteMarkers"]] == [marker]


def test_other_account_with_owner_override(srv, s3):
    other = _client(srv, key=OTHER)
    _versioned(s3, "src")
    _versioned(other, "theirs")
    rule = _rule("theirs")
    rule["Destination"].update(Account=OTHER, AccessControlTranslation={"Owner": "Destination"},
                               StorageClass="STANDARD_IA")
    _configure(s3, "src", rule)
    version = s3.put_object(Bucket="src", Key="k", Body=b"shared")["VersionId"]
    _advance(srv)
    assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "COMPLETED"
    replica = other.get_object(Bucket="theirs", Key="k")
    assert replica["Body"].read() == b"shared" and replica["VersionId"] == version
    assert replica["StorageClass"] == "STANDARD_IA"
    listed = other.list_object_versions(Bucket="theirs")["Versions"][0]
    assert listed["Owner"]["ID"] == other.list_buckets()["Owner"]["ID"]  # the other account's canonical id


def test_other_region(srv, s3):
    europe = _client(srv, region="eu-west-1")
    _versioned(s3, "src")
    _versioned(europe, "dst-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    _configure(s3, "src", _rule("dst-eu"))
    s3.put_object(Bucket="src", Key="k", Body=b"far")
    _advance(srv)
    assert europe.get_object(Bucket="dst-eu", Key="k")["Body"].read() == b"far"
    assert europe.get_bucket_location(Bucket="dst-eu")["LocationConstraint"] == "eu-west-1"


def test_failed_when_the_destination_is_gone(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    s3.delete_bucket(Bucket="dst")
    _advance(srv)
    assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "FAILED"


def test_failed_when_the_destination_stops_versioning(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    s3.put_bucket_versioning(Bucket="dst", VersioningConfiguration={"Status": "Suspended"})
    _advance(srv)
    assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "FAILED"
    assert s3.list_objects_v2(Bucket="dst")["KeyCount"] == 0


def test_object_lock_goes_only_where_locks_hold(srv, s3):
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    s3.create_bucket(Bucket="locked-too", ObjectLockEnabledForBucket=True)
    _versioned(s3, "unlocked")
    _configure(s3, "locked", _rule("locked-too"), _rule("unlocked", ID="second", Priority=2))
    until = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
    s3.put_object(Bucket="locked", Key="k", Body=b"1", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until,
                  ChecksumAlgorithm="SHA256")
    _advance(srv)
    assert s3.head_object(Bucket="locked", Key="k")["ReplicationStatus"] == "FAILED"
    replica = s3.head_object(Bucket="locked-too", Key="k")
    assert (replica["ObjectLockMode"], replica["ObjectLockRetainUntilDate"]) == ("GOVERNANCE", until)
    assert _error(lambda: s3.head_object(Bucket="unlocked", Key="k"))[0] == 404


def test_two_destinations_complete_together(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "one")
    _versioned(s3, "two")
    _configure(s3, "src", _rule("one"), _rule("two", ID="second", Priority=2))
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    _advance(srv)
    assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "COMPLETED"
    assert s3.get_object(Bucket="one", Key="k")["Body"].read() == s3.get_object(Bucket="two", Key="k")["Body"].read()


def test_replicas_are_not_replicated_again(srv, s3):
    for name in ("aaa", "bbb", "ccc"):
        _versioned(s3, name)
    _configure(s3, "aaa", _rule("bbb"))
    _configure(s3, "bbb", _rule("ccc"))
    s3.put_object(Bucket="aaa", Key="k", Body=b"1")
    _advance(srv)
    s3.put_object(Bucket="bbb", Key="own", Body=b"2")  # b's own writes do replicate
    _advance(srv)
    assert s3.head_object(Bucket="bbb", Key="k")["ReplicationStatus"] == "REPLICA"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="ccc")["Contents"]] == ["own"]


def test_inventory_reports_the_replication_status(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    s3.create_bucket(Bucket="reports")
    _configure(s3, "src", _rule("dst"))
    s3.put_bucket_inventory_configuration(Bucket="src", Id="inv", InventoryConfiguration={
        "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::reports", "Format": "CSV"}},
        "IsEnabled": True, "Id": "inv", "IncludedObjectVersions": "Current", "Schedule": {"Frequency": "Daily"},
        "OptionalFields": ["ReplicationStatus"]})
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    _advance(srv)
    _advance(srv, 86400)  # past midnight: the daily report is written
    data_keys = [o["Key"] for o in s3.list_objects_v2(Bucket="reports")["Contents"] if o["Key"].endswith(".csv.gz")]
    rows = gzip.decompress(s3.get_object(Bucket="reports", Key=data_keys[0])["Body"].read()).decode().splitlines()
    assert rows == ['"src","k","COMPLETED"']


def test_deleting_the_configuration_stops_replication(srv, s3):
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    s3.delete_bucket_replication(Bucket="src")
    s3.put_object(Bucket="src", Key="k", Body=b"1")
    _advance(srv)
    assert "ReplicationStatus" not in s3.head_object(Bucket="src", Key="k")
    assert s3.list_objects_v2(Bucket="dst")["KeyCount"] == 0


# -- durability and strict mode ------------------------------------------------------------


def test_pending_replication_survives_a_kill(tmp_path):
    server = _start(str(tmp_path / "data"))
    try:
        s3 = _client(server)
        _client(server, "iam").create_role(RoleName="replication", AssumeRolePolicyDocument=TRUST)
        _versioned(s3, "src")
        _versioned(s3, "dst")
        _configure(s3, "src", _rule("dst"))
        version = s3.put_object(Bucket="src", Key="k", Body=b"survivor")["VersionId"]
        server.kill()
        server.start()
        s3 = _client(server)
        assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "PENDING"
        _advance(server)
        assert s3.head_object(Bucket="src", Key="k")["ReplicationStatus"] == "COMPLETED"
        replica = s3.get_object(Bucket="dst", Key="k")
        assert replica["Body"].read() == b"survivor" and replica["VersionId"] == version
    finally:
        server.stop()


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    server = _start(str(tmp_path_factory.mktemp("replication-strict")), strict=True)
    yield server
    server.stop()


def test_strict_mode_needs_the_role_to_exist(strict_server):
    server = strict_server
    server.post("/_overcast/reset")
    s3 = _client(server)
    iam = _client(server, "iam")
    iam.create_role(RoleName="replication", AssumeRolePolicyDocument=TRUST)
    _versioned(s3, "src")
    _versioned(s3, "dst")
    _configure(s3, "src", _rule("dst"))
    s3.put_object(Bucket="src", Key="with-role", Body=b"1")
    _advance(server)
    assert s3.head_object(Bucket="src", Key="with-role")["ReplicationStatus"] == "COMPLETED"
    iam.delete_role(RoleName="replication")
    s3.put_object(Bucket="src", Key="without-role", Body=b"2")
    _advance(server)
    assert s3.head_object(Bucket="src", Key="without-role")["ReplicationStatus"] == "FAILED"
    assert _error(lambda: s3.head_object(Bucket="dst", Key="without-role"))[0] == 404


def test_strict_mode_put_needs_pass_role(strict_server):
    """PutBucketReplication needs s3:PutReplicationConfiguration and iam:PassRole on the role."""
    server = strict_server
    server.post("/_overcast/reset")
    s3, iam = _client(server), _client(server, "iam")
    iam.create_role(RoleName="replication", AssumeRolePolicyDocument=TRUST)
    _versioned(s3, "src")
    _versioned(s3, "dst")
    iam.create_user(UserName="admin")
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    statements = [{"Effect": "Allow", "Action": "s3:PutReplicationConfiguration", "Resource": "arn:aws:s3:::src"}]

    def allow(extra: list) -> None:
        iam.put_user_policy(UserName="admin", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements + extra}))

    user = boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"], config=Config(retries={"max_attempts": 1}))
    allow([])
    assert _error(lambda: _configure(user, "src", _rule("dst")))[:2] == (403, "AccessDenied")
    allow([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": ROLE,
            "Condition": {"StringEquals": {"iam:PassedToService": "s3.amazonaws.com"}}}])
    _configure(user, "src", _rule("dst"))
    assert s3.get_bucket_replication(Bucket="src")["ReplicationConfiguration"]["Role"] == ROLE


def test_aws_cli_put_and_get(srv, s3, tmp_path):
    """The AWS CLI's own example (s3api put-bucket-replication) against a real server."""
    _versioned(s3, "src")
    _versioned(s3, "dst")
    document = tmp_path / "replication.json"
    document.write_text(json.dumps({"Role": ROLE, "Rules": [{
        "Status": "Enabled", "Priority": 1, "DeleteMarkerReplication": {"Status": "Disabled"},
        "Filter": {"Prefix": ""}, "Destination": {"Bucket": "arn:aws:s3:::dst"}}]}))
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")}
    env.pop("AWS_PROFILE", None)

    def aws(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["aws", "--endpoint-url", srv.endpoint, "--output", "json", "s3api", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    put = aws("put-bucket-replication", "--bucket", "src", "--replication-configuration", f"file://{document}")
    assert put.returncode == 0, put.stderr
    got = json.loads(aws("get-bucket-replication", "--bucket", "src").stdout)["ReplicationConfiguration"]
    assert got["Role"] == ROLE and got["Rules"][0]["Destination"] == {"Bucket": "arn:aws:s3:::dst"}
    assert len(got["Rules"][0]["ID"]) == 48
    assert aws("delete-bucket-replication", "--bucket", "src").returncode == 0
    missing = aws("get-bucket-replication", "--bucket", "src")
    assert missing.returncode != 0 and "ReplicationConfigurationNotFoundError" in missing.stderr
