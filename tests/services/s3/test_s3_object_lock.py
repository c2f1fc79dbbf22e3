"""S3 Object Lock through boto3 (and the AWS CLI): the bucket's configuration and default
retention, a version's retention and legal hold, the lock headers of writes and reads, deletes
refused while a version is locked, retention ending on the cloud clock, and a restart."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

import boto3
import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

DAY = 86400
LOCKED = ("AccessDenied", 403, "Access Denied because object protected by object lock.")


def _error(call, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.fixture
def clock(server):
    """``clock(advance)``: move the cloud clock ``advance`` seconds; returns the cloud time."""

    def move(advance: float = 0) -> float:
        return json.loads(server.post("/_overcast/clock", json.dumps({"advance": advance}).encode()))["now"]

    return move


def _at(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)


@pytest.fixture
def locked_bucket(s3):
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    return "locked"


def test_create_with_object_lock_enables_versioning_for_good(s3, locked_bucket):
    assert s3.get_bucket_versioning(Bucket=locked_bucket)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    code, status, message = _error(s3.put_bucket_versioning, Bucket=locked_bucket,
                                   VersioningConfiguration={"Status": "Suspended"})
    assert (code, status) == ("InvalidBucketState", 409)
    assert message == "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."
    s3.put_bucket_versioning(Bucket=locked_bucket, VersioningConfiguration={"Status": "Enabled"})


def test_configuration_not_found_and_enabling_on_an_existing_bucket(s3, bucket):
    assert _error(s3.get_object_lock_configuration, Bucket=bucket) == (
        "ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket")
    enabled = {"ObjectLockEnabled": "Enabled"}
    assert _error(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration=enabled) == (
        "InvalidBucketState", 409, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=enabled)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == enabled
    assert _error(s3.put_bucket_versioning, Bucket=bucket,
                  VersioningConfiguration={"Status": "Suspended"})[0] == "InvalidBucketState"


@pytest.mark.parametrize("rule, expected", [
    ({"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}, ("MalformedXML", 400)),
    ({"DefaultRetention": {"Mode": "GOVERNANCE"}}, ("MalformedXML", 400)),
    ({"DefaultRetention": {"Mode": "governance", "Days": 1}}, ("MalformedXML", 400)),
    ({"DefaultRetention": {"Days": 1}}, ("MalformedXML", 400)),
    ({}, ("MalformedXML", 400)),
    ({"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 0}}, ("InvalidArgument", 400)),
    ({"DefaultRetention": {"Mode": "COMPLIANCE", "Years": -1}}, ("InvalidArgument", 400)),
    ({"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 999999999}}, ("InvalidArgument", 400)),
])
def test_default_retention_is_validated(s3, locked_bucket, rule, expected):
    code, status, message = _error(s3.put_object_lock_configuration, Bucket=locked_bucket,
                                   ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule})
    assert (code, status) == expected
    if code == "InvalidArgument":
        assert message.startswith("Default retention period")


def test_enabled_must_be_given(s3, locked_bucket):
    assert _error(s3.put_object_lock_configuration, Bucket=locked_bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Disabled"})[:2] == ("MalformedXML", 400)


def test_default_retention_applies_to_new_versions(s3, locked_bucket, clock):
    config = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}}
    s3.put_object_lock_configuration(Bucket=locked_bucket, ObjectLockConfiguration=config)
    assert s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"] == config
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"data")["VersionId"]
    head = s3.head_object(Bucket=locked_bucket, Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] == head["LastModified"] + datetime.timedelta(days=2)
    assert "ObjectLockLegalHoldStatus" not in head  # never had a legal hold
    retention = s3.get_object_retention(Bucket=locked_bucket, Key="k", VersionId=version)["Retention"]
    assert retention == {"Mode": "GOVERNANCE", "RetainUntilDate": head["ObjectLockRetainUntilDate"]}
    assert _error(s3.delete_object, Bucket=locked_bucket, Key="k", VersionId=version) == LOCKED
    # the default goes away with a configuration without a rule; existing versions keep theirs
    s3.put_object_lock_configuration(Bucket=locked_bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    s3.put_object(Bucket=locked_bucket, Key="free", Body=b"x")
    assert "ObjectLockMode" not in s3.head_object(Bucket=locked_bucket, Key="free")
    assert s3.head_object(Bucket=locked_bucket, Key="k")["ObjectLockMode"] == "GOVERNANCE"


def test_lock_operations_on_a_bucket_without_object_lock(s3, bucket, clock):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    missing = ("InvalidRequest", 400, "Bucket is missing Object Lock Configuration")
    until = _at(clock() + DAY)
    assert _error(s3.get_object_retention, Bucket=bucket, Key="k") == missing
    assert _error(s3.get_object_legal_hold, Bucket=bucket, Key="k") == missing
    assert _error(s3.put_object_retention, Bucket=bucket, Key="k",
                  Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until}) == missing
    assert _error(s3.put_object_legal_hold, Bucket=bucket, Key="k", LegalHold={"Status": "ON"}) == missing
    assert _error(s3.put_object, Bucket=bucket, Key="k2", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=until) == missing
    code, status, message = _error(s3.delete_object, Bucket=bucket, Key="k", BypassGovernanceRetention=True)
    assert (code, status, message) == ("InvalidArgument", 400, "x-amz-bypass-governance-retention is only "
                                       "applicable to Object Lock enabled buckets.")
    assert _error(s3.delete_objects, Bucket=bucket, BypassGovernanceRetention=False,
                  Delete={"Objects": [{"Key": "k"}]})[:2] == ("InvalidArgument", 400)


def test_objects_without_a_lock_answer_not_found(s3, locked_bucket):
    s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x")
    none = ("NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration")
    assert _error(s3.get_object_retention, Bucket=locked_bucket, Key="k") == none
    assert _error(s3.get_object_legal_hold, Bucket=locked_bucket, Key="k") == none
    assert _error(s3.get_object_retention, Bucket=locked_bucket, Key="absent")[:2] == ("NoSuchKey", 404)


def test_governance_retention_shortened_only_with_bypass(s3, locked_bucket, clock):
    now = clock()
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x")["VersionId"]
    far, near = _at(now + 10 * DAY), _at(now + DAY)
    s3.put_object_retention(Bucket=locked_bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": near})
    # extending needs no bypass
    s3.put_object_retention(Bucket=locked_bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": far})
    assert _error(s3.put_object_retention, Bucket=locked_bucket, Key="k",
                  Retention={"Mode": "GOVERNANCE", "RetainUntilDate": near}) == LOCKED
    assert _error(s3.put_object_retention, Bucket=locked_bucket, Key="k", Retention={}) == LOCKED
    s3.put_object_retention(Bucket=locked_bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": near},
                            BypassGovernanceRetention=True)
    assert s3.get_object_retention(Bucket=locked_bucket, Key="k")["Retention"]["RetainUntilDate"] == near
    assert _error(s3.delete_object, Bucket=locked_bucket, Key="k", VersionId=version) == LOCKED
    s3.delete_object(Bucket=locked_bucket, Key="k", VersionId=version, BypassGovernanceRetention=True)
    assert "Versions" not in s3.list_object_versions(Bucket=locked_bucket)


def test_governance_retention_removed_with_bypass(s3, locked_bucket, clock):
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                            ObjectLockRetainUntilDate=_at(clock() + DAY))["VersionId"]
    s3.put_object_retention(Bucket=locked_bucket, Key="k", Retention={}, BypassGovernanceRetention=True)
    assert _error(s3.get_object_retention, Bucket=locked_bucket, Key="k")[0] == "NoSuchObjectLockConfiguration"
    s3.delete_object(Bucket=locked_bucket, Key="k", VersionId=version)


def test_compliance_can_only_be_extended(s3, locked_bucket, clock):
    now = clock()
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                            ObjectLockRetainUntilDate=_at(now + DAY))["VersionId"]
    head = s3.head_object(Bucket=locked_bucket, Key="k")
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"]) == ("COMPLIANCE", _at(now + DAY))
    s3.put_object_retention(Bucket=locked_bucket, Key="k",
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _at(now + 2 * DAY)})
    for retention in ({"Mode": "COMPLIANCE", "RetainUntilDate": _at(now + 3600)},
                      {"Mode": "GOVERNANCE", "RetainUntilDate": _at(now + 5 * DAY)}, {}):
        assert _error(s3.put_object_retention, Bucket=locked_bucket, Key="k", Retention=retention,
                      BypassGovernanceRetention=True) == LOCKED
    assert _error(s3.delete_object, Bucket=locked_bucket, Key="k", VersionId=version,
                  BypassGovernanceRetention=True) == LOCKED


def test_retention_ends_on_the_cloud_clock(s3, locked_bucket, clock):
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                            ObjectLockRetainUntilDate=_at(clock() + DAY))["VersionId"]
    assert _error(s3.delete_object, Bucket=locked_bucket, Key="k", VersionId=version) == LOCKED
    clock(DAY + 60)
    s3.delete_object(Bucket=locked_bucket, Key="k", VersionId=version)
    assert "Versions" not in s3.list_object_versions(Bucket=locked_bucket)


def test_retention_dates_and_modes_are_validated(s3, locked_bucket, clock):
    s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x")
    past = _at(clock() - 60)
    assert _error(s3.put_object_retention, Bucket=locked_bucket, Key="k",
                  Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past}) == (
        "InvalidArgument", 400, "The retain until date must be in the future!")
    assert _error(s3.put_object_retention, Bucket=locked_bucket, Key="k",
                  Retention={"Mode": "GOVERNANCE"})[:2] == ("MalformedXML", 400)
    assert _error(s3.put_object_retention, Bucket=locked_bucket, Key="k",
                  Retention={"Mode": "FOREVER", "RetainUntilDate": _at(clock() + DAY)})[:2] == ("MalformedXML", 400)
    future = _at(clock() + DAY)
    assert _error(s3.put_object, Bucket=locked_bucket, Key="p", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=past) == (
        "InvalidArgument", 400, "The retain until date must be in the future!")
    assert _error(s3.put_object, Bucket=locked_bucket, Key="p", Body=b"x", ObjectLockMode="GOVERNANCE") == (
        "InvalidArgument", 400, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
    assert _error(s3.put_object, Bucket=locked_bucket, Key="p", Body=b"x", ObjectLockRetainUntilDate=future)[0] == \
        "InvalidArgument"
    assert _error(s3.put_object, Bucket=locked_bucket, Key="p", Body=b"x", ObjectLockMode="FOREVER",
                  ObjectLockRetainUntilDate=future) == ("InvalidArgument", 400, "Unknown wormMode directive.")
    assert _error(s3.put_object, Bucket=locked_bucket, Key="p", Body=b"x", ObjectLockLegalHoldStatus="MAYBE") == (
        "InvalidArgument", 400, "Legal Hold must be either of 'ON' or 'OFF'")
    assert _error(s3.put_object_legal_hold, Bucket=locked_bucket, Key="k",
                  LegalHold={"Status": "MAYBE"})[:2] == ("MalformedXML", 400)


def test_legal_hold_blocks_deletes_until_removed(s3, locked_bucket):
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.head_object(Bucket=locked_bucket, Key="k")["ObjectLockLegalHoldStatus"] == "ON"
    assert s3.get_object_legal_hold(Bucket=locked_bucket, Key="k")["LegalHold"] == {"Status": "ON"}
    assert _error(s3.delete_object, Bucket=locked_bucket, Key="k", VersionId=version,
                  BypassGovernanceRetention=True) == LOCKED
    # a plain DELETE still places a delete marker over the held version
    marker = s3.delete_object(Bucket=locked_bucket, Key="k")
    assert marker["DeleteMarker"] is True
    s3.delete_object(Bucket=locked_bucket, Key="k", VersionId=marker["VersionId"])  # markers are never locked
    s3.put_object_legal_hold(Bucket=locked_bucket, Key="k", VersionId=version, LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=locked_bucket, Key="k")["LegalHold"] == {"Status": "OFF"}
    assert s3.get_object(Bucket=locked_bucket, Key="k")["ObjectLockLegalHoldStatus"] == "OFF"
    s3.delete_object(Bucket=locked_bucket, Key="k", VersionId=version)


def test_delete_objects_reports_locked_versions_per_key(s3, locked_bucket, clock):
    locked = s3.put_object(Bucket=locked_bucket, Key="locked", Body=b"x", ObjectLockMode="GOVERNANCE",
                           ObjectLockRetainUntilDate=_at(clock() + DAY))["VersionId"]
    free = s3.put_object(Bucket=locked_bucket, Key="free", Body=b"x")["VersionId"]
    result = s3.delete_objects(Bucket=locked_bucket, Delete={"Objects": [
        {"Key": "locked", "VersionId": locked}, {"Key": "free", "VersionId": free}]})
    assert [d["Key"] for d in result["Deleted"]] == ["free"]
    assert result["Errors"] == [{"Key": "locked", "VersionId": locked, "Code": "AccessDenied",
                                 "Message": "Access Denied because object protected by object lock."}]
    result = s3.delete_objects(Bucket=locked_bucket, BypassGovernanceRetention=True,
                               Delete={"Objects": [{"Key": "locked", "VersionId": locked}]})
    assert "Errors" not in result and result["Deleted"][0]["VersionId"] == locked


def test_delete_bucket_with_locked_versions_fails(s3, locked_bucket, clock):
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                            ObjectLockRetainUntilDate=_at(clock() + DAY))["VersionId"]
    assert _error(s3.delete_bucket, Bucket=locked_bucket)[:2] == ("BucketNotEmpty", 409)
    clock(DAY + 1)
    s3.delete_object(Bucket=locked_bucket, Key="k", VersionId=version)
    s3.delete_bucket(Bucket=locked_bucket)


def test_lifecycle_keeps_locked_noncurrent_versions(s3, locked_bucket, clock):
    s3.put_bucket_lifecycle_configuration(Bucket=locked_bucket, LifecycleConfiguration={"Rules": [{
        "ID": "old", "Status": "Enabled", "Filter": {},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    now = clock()
    held = s3.put_object(Bucket=locked_bucket, Key="held", Body=b"1", ObjectLockMode="COMPLIANCE",
                         ObjectLockRetainUntilDate=_at(now + 10 * DAY))["VersionId"]
    loose = s3.put_object(Bucket=locked_bucket, Key="loose", Body=b"1")["VersionId"]
    s3.put_object(Bucket=locked_bucket, Key="held", Body=b"2")
    s3.put_object(Bucket=locked_bucket, Key="loose", Body=b"2")
    clock(3 * DAY)
    ids = {v["VersionId"] for v in s3.list_object_versions(Bucket=locked_bucket)["Versions"]}
    assert held in ids and loose not in ids
    clock(10 * DAY)  # the retention is over: the next evaluation expires it
    ids = {v["VersionId"] for v in s3.list_object_versions(Bucket=locked_bucket)["Versions"]}
    assert held not in ids


def test_copy_and_multipart_take_the_request_lock_not_the_source(s3, locked_bucket, clock):
    until = _at(clock() + DAY)
    s3.put_object(Bucket=locked_bucket, Key="src", Body=b"x", ObjectLockMode="COMPLIANCE",
                  ObjectLockRetainUntilDate=until)
    s3.copy_object(Bucket=locked_bucket, Key="plain", CopySource=f"{locked_bucket}/src")
    assert "ObjectLockMode" not in s3.head_object(Bucket=locked_bucket, Key="plain")
    s3.copy_object(Bucket=locked_bucket, Key="held", CopySource=f"{locked_bucket}/src", ObjectLockLegalHoldStatus="ON")
    assert s3.head_object(Bucket=locked_bucket, Key="held")["ObjectLockLegalHoldStatus"] == "ON"
    upload = s3.create_multipart_upload(Bucket=locked_bucket, Key="mp", ObjectLockMode="GOVERNANCE",
                                        ObjectLockRetainUntilDate=until)["UploadId"]
    etag = s3.upload_part(Bucket=locked_bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    version = s3.complete_multipart_upload(Bucket=locked_bucket, Key="mp", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})["VersionId"]
    head = s3.head_object(Bucket=locked_bucket, Key="mp")
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"]) == ("GOVERNANCE", until)
    assert _error(s3.delete_object, Bucket=locked_bucket, Key="mp", VersionId=version) == LOCKED


def test_put_with_a_lock_needs_an_integrity_header(aws_client, locked_bucket, clock):
    # boto3 sends no checksum for PutObject when only required ones are asked for
    s3 = aws_client("s3", config=Config(request_checksum_calculation="when_required",
                                        retries={"max_attempts": 1}))
    until = _at(clock() + DAY)
    assert _error(s3.put_object, Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=until) == (
        "InvalidRequest", 400, "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests "
        "with Object Lock parameters")
    md5 = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=until, ContentMD5=md5)
    s3.put_object(Bucket=locked_bucket, Key="plain", Body=b"x")  # no lock, no default: no header needed
    s3.put_object_lock_configuration(Bucket=locked_bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    assert _error(s3.put_object, Bucket=locked_bucket, Key="plain", Body=b"x")[0] == "InvalidRequest"


@pytest.mark.parametrize("query, body", [
    ("object-lock", b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>"),
    ("retention", b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>"),
    ("legal-hold", b"<LegalHold><Status>ON</Status></LegalHold>"),
])
def test_lock_puts_need_an_integrity_header(s3, endpoint, locked_bucket, query, body):
    s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x")
    path = f"/{locked_bucket}" if query == "object-lock" else f"/{locked_bucket}/k"
    request = AWSRequest(method="PUT", url=f"{endpoint}{path}?{query}", data=body)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    response = requests.put(request.url, data=body, headers=dict(request.headers), timeout=30)
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text
    assert "Missing required header for this request: Content-MD5" in response.text
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    request = AWSRequest(method="PUT", url=f"{endpoint}{path}?{query}", data=body, headers={"Content-MD5": md5})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    assert requests.put(request.url, data=body, headers=dict(request.headers), timeout=30).status_code == 200


def test_parts_of_a_locked_upload_need_an_integrity_header(aws_client, locked_bucket, clock):
    s3 = aws_client("s3", config=Config(request_checksum_calculation="when_required",
                                        retries={"max_attempts": 1}))
    plain = s3.create_multipart_upload(Bucket=locked_bucket, Key="plain")["UploadId"]
    s3.upload_part(Bucket=locked_bucket, Key="plain", UploadId=plain, PartNumber=1, Body=b"x")
    held = s3.create_multipart_upload(Bucket=locked_bucket, Key="held", ObjectLockLegalHoldStatus="ON")["UploadId"]
    assert _error(s3.upload_part, Bucket=locked_bucket, Key="held", UploadId=held, PartNumber=1, Body=b"x") == (
        "InvalidRequest", 400, "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests with "
        "Object Lock parameters")
    md5 = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    s3.upload_part(Bucket=locked_bucket, Key="held", UploadId=held, PartNumber=1, Body=b"x", ContentMD5=md5)


def test_cli_flow(aws_cli, clock):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-locked", "--object-lock-enabled-for-bucket")
    aws_cli("s3api", "put-object-lock-configuration", "--bucket", "cli-locked", "--object-lock-configuration",
            json.dumps({"ObjectLockEnabled": "Enabled",
                        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}}))
    version = aws_cli("s3api", "put-object", "--bucket", "cli-locked", "--key", "doc1.rtf")["VersionId"]
    retention = aws_cli("s3api", "get-object-retention", "--bucket", "cli-locked", "--key", "doc1.rtf")
    assert retention["Retention"]["Mode"] == "COMPLIANCE"
    aws_cli("s3api", "put-object-legal-hold", "--bucket", "cli-locked", "--key", "doc1.rtf",
            "--legal-hold", "Status=ON")
    assert aws_cli("s3api", "get-object-legal-hold", "--bucket", "cli-locked", "--key", "doc1.rtf") == {
        "LegalHold": {"Status": "ON"}}
    denied = aws_cli("s3api", "delete-object", "--bucket", "cli-locked", "--key", "doc1.rtf", "--version-id",
                     version, check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr


def test_a_restart_keeps_the_lock(tmp_path):
    server = ServerProcess(str(tmp_path / "data")).start()

    def client():
        return boto3.session.Session().client(
            "s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))

    try:
        s3 = client()
        s3.create_bucket(Bucket="kept", ObjectLockEnabledForBucket=True)
        now = json.loads(server.post("/_overcast/clock", b'{"advance": 0}'))["now"]
        version = s3.put_object(Bucket="kept", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                                ObjectLockRetainUntilDate=_at(now + DAY))["VersionId"]
        s3.put_object_legal_hold(Bucket="kept", Key="k", LegalHold={"Status": "ON"})
        server.kill()
        server.start()
        s3 = client()
        assert s3.get_object_lock_configuration(Bucket="kept")["ObjectLockConfiguration"]["ObjectLockEnabled"] == \
            "Enabled"
        head = s3.head_object(Bucket="kept", Key="k")
        assert (head["ObjectLockMode"], head["ObjectLockLegalHoldStatus"]) == ("GOVERNANCE", "ON")
        assert _error(s3.delete_object, Bucket="kept", Key="k", VersionId=version) == LOCKED
        assert _error(s3.put_bucket_versioning, Bucket="kept",
                      VersioningConfiguration={"Status": "Suspended"})[0] == "InvalidBucketState"
    finally:
        server.stop()


# -- strict mode: s3:BypassGovernanceRetention and the object-lock condition keys --------------

ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-object-lock")), "--strict").start()
    yield proc
    proc.stop()


def _strict_client(server, service, key=ACCOUNT, secret="test"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))


def _user(server, name, *statements):
    iam = _strict_client(server, "iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": list(statements)}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return _strict_client(server, "s3", key["AccessKeyId"], key["SecretAccessKey"])


def test_strict_bypass_needs_its_permission(strict):
    root = _strict_client(strict, "s3")
    root.create_bucket(Bucket="strict-locked", ObjectLockEnabledForBucket=True)
    now = json.loads(strict.post("/_overcast/clock", b'{"advance": 0}'))["now"]
    version = root.put_object(Bucket="strict-locked", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                              ObjectLockRetainUntilDate=_at(now + 10 * DAY))["VersionId"]
    everything = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    no_bypass = _user(strict, "no-bypass", everything,
                      {"Effect": "Deny", "Action": "s3:BypassGovernanceRetention", "Resource": "*"})
    shorter = {"Mode": "GOVERNANCE", "RetainUntilDate": _at(now + DAY)}
    assert _error(no_bypass.put_object_retention, Bucket="strict-locked", Key="k", Retention=shorter,
                  BypassGovernanceRetention=True) == LOCKED
    assert _error(no_bypass.delete_object, Bucket="strict-locked", Key="k", VersionId=version,
                  BypassGovernanceRetention=True) == LOCKED
    result = no_bypass.delete_objects(Bucket="strict-locked", BypassGovernanceRetention=True,
                                      Delete={"Objects": [{"Key": "k", "VersionId": version}]})
    assert result["Errors"][0]["Code"] == "AccessDenied"
    # extending needs no bypass, so no such permission
    no_bypass.put_object_retention(Bucket="strict-locked", Key="k", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _at(now + 20 * DAY)})
    bypasser = _user(strict, "bypasser", everything)
    bypasser.put_object_retention(Bucket="strict-locked", Key="k", Retention=shorter, BypassGovernanceRetention=True)
    bypasser.delete_object(Bucket="strict-locked", Key="k", VersionId=version, BypassGovernanceRetention=True)


def test_strict_lock_headers_need_the_read_permissions(strict):
    root = _strict_client(strict, "s3")
    root.create_bucket(Bucket="strict-headers", ObjectLockEnabledForBucket=True)
    now = json.loads(strict.post("/_overcast/clock", b'{"advance": 0}'))["now"]
    root.put_object(Bucket="strict-headers", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                    ObjectLockRetainUntilDate=_at(now + DAY), ObjectLockLegalHoldStatus="ON")
    reader = _user(strict, "reader", {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                                      "Resource": "*"})
    head = reader.head_object(Bucket="strict-headers", Key="k")
    assert not [name for name in head if name.startswith("ObjectLock")]
    auditor = _user(strict, "auditor", {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectRetention",
                                                                      "s3:GetObjectLegalHold"], "Resource": "*"})
    got = auditor.get_object(Bucket="strict-headers", Key="k")
    assert (got["ObjectLockMode"], got["ObjectLockLegalHoldStatus"]) == ("GOVERNANCE", "ON")


def test_strict_object_lock_condition_keys(strict):
    root = _strict_client(strict, "s3")
    root.create_bucket(Bucket="strict-keys", ObjectLockEnabledForBucket=True)
    now = json.loads(strict.post("/_overcast/clock", b'{"advance": 0}'))["now"]
    limited = _user(strict, "limited", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    {"Effect": "Deny", "Action": ["s3:PutObject", "s3:PutObjectRetention"], "Resource": "*",
                     "Condition": {"NumericGreaterThan": {"s3:object-lock-remaining-retention-days": "30"}}},
                    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
                     "Condition": {"StringEquals": {"s3:object-lock-mode": "COMPLIANCE"}}},
                    {"Effect": "Deny", "Action": "s3:PutObjectLegalHold", "Resource": "*",
                     "Condition": {"StringEquals": {"s3:object-lock-legal-hold": "ON"}}})
    limited.put_object(Bucket="strict-keys", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                       ObjectLockRetainUntilDate=_at(now + 10 * DAY))
    assert _error(limited.put_object, Bucket="strict-keys", Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=_at(now + 40 * DAY))[:2] == ("AccessDenied", 403)
    assert _error(limited.put_object, Bucket="strict-keys", Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                  ObjectLockRetainUntilDate=_at(now + DAY))[:2] == ("AccessDenied", 403)
    assert _error(limited.put_object_retention, Bucket="strict-keys", Key="k", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _at(now + 40 * DAY)})[:2] == ("AccessDenied", 403)
    limited.put_object_retention(Bucket="strict-keys", Key="k", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _at(now + 20 * DAY)})
    assert _error(limited.put_object_legal_hold, Bucket="strict-keys", Key="k",
                  LegalHold={"Status": "ON"})[:2] == ("AccessDenied", 403)
    limited.put_object_legal_hold(Bucket="strict-keys", Key="k", LegalHold={"Status": "OFF"})
