"""S3 lifecycle: the configuration operations and their checks, and the rules applied by the
runtime as the cloud clock moves (objects expire at the first midnight UTC after creation +
Days, noncurrent versions NoncurrentDays after they became noncurrent, incomplete uploads
are aborted, transitions change the storage class)."""

from __future__ import annotations

import datetime
import json
import math

import pytest
from botocore.exceptions import ClientError

DAY = 86400


def _error(exc) -> tuple[str, int, str]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _due(created: datetime.datetime, days: int) -> float:
    """The first midnight UTC after ``created`` + ``days``: when S3 acts."""
    return math.ceil((created.timestamp() + days * DAY) / DAY) * DAY


@pytest.fixture
def clock(server):
    """``clock(time)``: move the cloud clock to ``time``, firing what falls due; ``clock()``: now."""

    def move(target: float | None = None) -> float:
        body = {"advance": 0} if target is None else {"time": target}
        return json.loads(server.post("/_overcast/clock", json.dumps(body).encode()))["now"]

    return move


def _keys(s3, bucket) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _put_rules(s3, bucket, *rules):
    return s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)})


# -- configuration ---------------------------------------------------------------------------

def test_lifecycle_configuration_round_trip(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert _error(exc) == ("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist")
    rules = [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30},
         "Transitions": [{"Days": 0, "StorageClass": "GLACIER"}],
         "NoncurrentVersionExpiration": {"NoncurrentDays": 7, "NewerNoncurrentVersions": 2},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}},
        {"ID": "big", "Filter": {"And": {"Prefix": "data/", "Tags": [{"Key": "tier", "Value": "cold"}],
                                         "ObjectSizeGreaterThan": 1024}},
         "Status": "Disabled", "Expiration": {"Date": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)}},
        {"ID": "markers", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ]
    answer = _put_rules(s3, bucket, *rules)
    assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["Rules"] == rules
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert _error(exc)[0] == "NoSuchLifecycleConfiguration"


@pytest.mark.parametrize("rule, expected", [
    ({"ID": "a", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}},
     ("InvalidArgument", 400, "'Days' for Expiration action must be a positive integer")),
    ({"ID": "a", "Filter": {}, "Status": "Enabled",
      "Expiration": {"Date": datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.timezone.utc)}},
     ("InvalidArgument", 400, "'Date' must be at midnight GMT")),
    ({"ID": "a", "Filter": {}, "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": -1}},
     ("InvalidArgument", 400, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")),
    ({"ID": "a", "Filter": {}, "Status": "Enabled"},
     ("InvalidRequest", 400, "At least one action needs to be specified in a rule")),
    ({"ID": "a", "Filter": {"Tag": {"Key": "k", "Value": "v"}}, "Status": "Enabled",
      "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
     ("InvalidRequest", 400, "AbortIncompleteMultipartUpload cannot be specified with Tags.")),
    ({"ID": "a", "Filter": {}, "Status": "Enabled", "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}]},
     ("InvalidArgument", 400,
      "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'")),
    ({"ID": "x" * 256, "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}},
     ("InvalidArgument", 400, "ID length should not exceed allowed limit of 255")),
])
def test_invalid_rules(s3, bucket, rule, expected):
    with pytest.raises(ClientError) as exc:
        _put_rules(s3, bucket, rule)
    assert _error(exc) == expected


def test_rule_ids_unique_and_1000_rules_at_most(s3, bucket):
    rule = {"ID": "same", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}
    with pytest.raises(ClientError) as exc:
        _put_rules(s3, bucket, rule, dict(rule))
    assert _error(exc) == ("InvalidArgument", 400, "Rule ID must be unique. Found same ID for more than one rule")
    rules = [{"ID": f"r{i}", "Filter": {"Prefix": f"p{i}/"}, "Status": "Enabled", "Expiration": {"Days": 1}}
             for i in range(1001)]
    with pytest.raises(ClientError) as exc:
        _put_rules(s3, bucket, *rules)
    assert _error(exc)[:2] == ("MalformedXML", 400)
    _put_rules(s3, bucket, *rules[:1000])
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]) == 1000


# -- application -----------------------------------------------------------------------------

def test_objects_expire_at_the_first_midnight_after_days(s3, bucket, clock):
    _put_rules(s3, bucket, {"ID": "tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 2}})
    s3.put_object(Bucket=bucket, Key="tmp/a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="keep/b", Body=b"b")
    due = _due(s3.head_object(Bucket=bucket, Key="tmp/a")["LastModified"], 2)
    clock(due - 1)
    assert _keys(s3, bucket) == ["keep/b", "tmp/a"]
    clock(due + 3600)
    assert _keys(s3, bucket) == ["keep/b"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="tmp/a")
    assert _error(exc)[0] == "NoSuchKey"


def test_disabled_rules_and_filters_on_tags_and_size(s3, bucket, clock):
    _put_rules(
        s3, bucket,
        {"ID": "off", "Filter": {"Prefix": ""}, "Status": "Disabled", "Expiration": {"Days": 1}},
        {"ID": "cold-big", "Filter": {"And": {"Tags": [{"Key": "tier", "Value": "cold"}], "ObjectSizeGreaterThan": 4}},
         "Status": "Enabled", "Expiration": {"Days": 1}},
    )
    s3.put_object(Bucket=bucket, Key="cold-big", Body=b"123456", Tagging="tier=cold")
    s3.put_object(Bucket=bucket, Key="cold-small", Body=b"12", Tagging="tier=cold")
    s3.put_object(Bucket=bucket, Key="hot-big", Body=b"123456", Tagging="tier=hot")
    clock(clock() + 3 * DAY)
    assert _keys(s3, bucket) == ["cold-small", "hot-big"]


def test_versioned_expiration_noncurrent_versions_and_delete_markers(s3, bucket, clock):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    _put_rules(
        s3, bucket,
        {"ID": "current", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 1},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 3}},
        {"ID": "markers", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
    )
    first = s3.put_object(Bucket=bucket, Key="doc", Body=b"v1")["VersionId"]
    created = s3.head_object(Bucket=bucket, Key="doc")["LastModified"]
    expired_at = _due(created, 1)
    clock(expired_at + 3600)
    # the current version expired: a delete marker is current, the data is a noncurrent version
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in versions.get("Versions", [])] == [first]
    assert len(versions.get("DeleteMarkers", [])) == 1
    assert _keys(s3, bucket) == []
    # noncurrent since the marker was written (at the evaluation): removed 3 days later, then the
    # marker, left alone, is an expired object delete marker and goes too
    marker_time = versions["DeleteMarkers"][0]["LastModified"]
    clock(_due(marker_time, 3) - 1)
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket).get("Versions", [])] == [first]
    clock(_due(marker_time, 3) + 3600)
    versions = s3.list_object_versions(Bucket=bucket)
    assert versions.get("Versions", []) == [] and versions.get("DeleteMarkers", []) == []


def test_newer_noncurrent_versions_are_kept(s3, bucket, clock):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"] for i in range(5)]
    _put_rules(s3, bucket, {"ID": "keep2", "Filter": {}, "Status": "Enabled",
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 2}})
    clock(clock() + 3 * DAY)
    left = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]]
    assert left == [ids[4], ids[3], ids[2]]  # the current one and the 2 newest noncurrent ones
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v4"


def test_incomplete_multipart_uploads_are_aborted(s3, bucket, clock):
    _put_rules(s3, bucket, {"ID": "abort", "Filter": {"Prefix": "up/"}, "Status": "Enabled",
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="up/big")["UploadId"]
    other = s3.create_multipart_upload(Bucket=bucket, Key="elsewhere/big")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="up/big", UploadId=upload, PartNumber=1, Body=b"x" * 1024)
    initiated = [u for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"] if u["UploadId"] == upload][0]
    clock(_due(initiated["Initiated"], 1) + 3600)
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == [other]
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="up/big", UploadId=upload)
    assert _error(exc)[0] == "NoSuchUpload"


def test_transition_to_glacier_changes_the_storage_class(s3, bucket, clock):
    _put_rules(s3, bucket, {"ID": "archive", "Filter": {"Prefix": "old/"}, "Status": "Enabled",
                            "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]})
    s3.put_object(Bucket=bucket, Key="old/report", Body=b"r")
    s3.put_object(Bucket=bucket, Key="new/report", Body=b"r")
    clock(clock() + 2 * DAY + 3600)
    assert s3.head_object(Bucket=bucket, Key="old/report")["StorageClass"] == "GLACIER"
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="new/report")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="old/report")
    assert _error(exc)[0] == "InvalidObjectState"


def test_expiration_header_names_the_rule_and_date(s3, bucket):
    _put_rules(s3, bucket,
               {"ID": "short", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1}},
               {"ID": "long", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 30}})
    put = s3.put_object(Bucket=bucket, Key="tmp/x", Body=b"x")
    created = s3.head_object(Bucket=bucket, Key="tmp/x")["LastModified"]
    expiry = datetime.datetime.fromtimestamp(_due(created, 1), datetime.timezone.utc)
    expected = f'expiry-date="{expiry.strftime("%a, %d %b %Y %H:%M:%S GMT")}", rule-id="short"'
    assert put["Expiration"] == expected
    assert s3.head_object(Bucket=bucket, Key="tmp/x")["Expiration"] == expected
    assert s3.get_object(Bucket=bucket, Key="tmp/x")["Expiration"] == expected
    assert 'rule-id="long"' in s3.put_object(Bucket=bucket, Key="other", Body=b"y")["Expiration"]
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="tmp/x")


def test_rules_apply_after_a_restart(tmp_path):
    """Lifecycle state is S3's own rows and the clock's persisted offset: after a kill -9 and a
    restart, the daily evaluation resumes and expires what fell due."""
    import boto3
    from botocore.config import Config
    from serverproc import ServerProcess

    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        s3 = boto3.session.Session().client(
            "s3", endpoint_url=proc.endpoint, region_name="us-east-1", aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        s3.create_bucket(Bucket="restarts")
        _put_rules(s3, "restarts", {"ID": "day", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}})
        s3.put_object(Bucket="restarts", Key="k", Body=b"v")
        proc.kill()
        proc.start()
        assert _keys(s3, "restarts") == ["k"]
        proc.post("/_overcast/clock", json.dumps({"advance": 2 * DAY + 3600}).encode())
        assert _keys(s3, "restarts") == []
    finally:
        proc.stop()
