"""S3 versioning through boto3: version ids, reads by id, delete markers, suspended
versioning's null version, and the errors S3 answers around them."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess


def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return exc.value.response


@pytest.fixture
def versioned(s3, bucket):
    enable(s3, bucket)
    return bucket


def test_put_returns_distinct_version_ids_and_old_versions_stay_readable(s3, versioned):
    ids = [s3.put_object(Bucket=versioned, Key="k", Body=b"v%d" % i)["VersionId"] for i in range(3)]
    assert len(set(ids)) == 3 and all(ids) and "null" not in ids
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"v2"
    for i, version in enumerate(ids):
        got = s3.get_object(Bucket=versioned, Key="k", VersionId=version)
        assert got["Body"].read() == b"v%d" % i and got["VersionId"] == version
        head = s3.head_object(Bucket=versioned, Key="k", VersionId=version)
        assert head["VersionId"] == version and head["ContentLength"] == 2
    assert s3.get_object(Bucket=versioned, Key="k")["VersionId"] == ids[-1]


def test_plain_delete_adds_a_marker_that_hides_the_object(s3, versioned):
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"data")["VersionId"]
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] not in (None, "null", first)
    response = error_of(s3.get_object, Bucket=versioned, Key="k")
    assert response["Error"]["Code"] == "NoSuchKey"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true" and headers["x-amz-version-id"] == deleted["VersionId"]
    head = error_of(s3.head_object, Bucket=versioned, Key="k")
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    # the data is still there by id
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=first)["Body"].read() == b"data"
    assert "Contents" not in s3.list_objects_v2(Bucket=versioned)


def test_marker_by_id_is_method_not_allowed(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"data")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    response = error_of(s3.get_object, Bucket=versioned, Key="k", VersionId=marker)
    assert response["Error"]["Code"] == "MethodNotAllowed"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 405
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true" and "last-modified" in headers
    head = error_of(s3.head_object, Bucket=versioned, Key="k", VersionId=marker)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"] == marker


def test_deleting_the_marker_by_id_brings_the_object_back(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"back")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    removed = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"back"
    assert "DeleteMarkers" not in s3.list_object_versions(Bucket=versioned)


def test_deleting_a_version_by_id_removes_it_for_good(s3, versioned):
    old = s3.put_object(Bucket=versioned, Key="k", Body=b"old")["VersionId"]
    new = s3.put_object(Bucket=versioned, Key="k", Body=b"new")["VersionId"]
    removed = s3.delete_object(Bucket=versioned, Key="k", VersionId=new)
    assert removed["VersionId"] == new and "DeleteMarker" not in removed
    # the older version becomes current again; the removed one is gone
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"old"
    assert error_of(s3.get_object, Bucket=versioned, Key="k", VersionId=new)["Error"]["Code"] == "NoSuchVersion"
    s3.delete_object(Bucket=versioned, Key="k", VersionId=old)
    assert error_of(s3.get_object, Bucket=versioned, Key="k")["Error"]["Code"] == "NoSuchKey"
    assert "Versions" not in s3.list_object_versions(Bucket=versioned)
    s3.delete_bucket(Bucket=versioned)  # nothing left: not even a marker


def test_deleted_version_is_no_such_version(s3, versioned):
    unknown = s3.put_object(Bucket=versioned, Key="k", Body=b"x")["VersionId"]
    s3.put_object(Bucket=versioned, Key="k", Body=b"y")
    s3.delete_object(Bucket=versioned, Key="k", VersionId=unknown)
    response = error_of(s3.get_object, Bucket=versioned, Key="k", VersionId=unknown)
    assert response["Error"]["Code"] == "NoSuchVersion"
    assert response["Error"]["VersionId"] == unknown and response["Error"]["Key"] == "k"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error_of(s3.head_object, Bucket=versioned, Key="k",
                    VersionId=unknown)["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("call", ["get_object", "head_object", "delete_object"])
def test_malformed_version_id_is_invalid_argument(s3, versioned, call):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    response = error_of(getattr(s3, call), Bucket=versioned, Key="k", VersionId="not-a-version")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if call != "head_object":  # a HEAD error has no body
        assert response["Error"]["Code"] == "InvalidArgument"
        assert response["Error"]["Message"] == "Invalid version id specified"
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"x"


def test_empty_version_id_is_invalid_argument(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    response = error_of(s3.get_object, Bucket=versioned, Key="k", VersionId="")
    assert response["Error"]["Code"] == "InvalidArgument"
    assert response["Error"]["Message"] == "Version id cannot be the empty string"


def test_objects_from_before_versioning_are_the_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    assert "VersionId" not in s3.head_object(Bucket=bucket, Key="k")  # never versioned: no header
    enable(s3, bucket)
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    later = s3.put_object(Bucket=bucket, Key="k", Body=b"after")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(later, True), ("null", False)]


def test_overwrites_before_versioning_leave_one_null_version_older_than_later_ones(s3, bucket):
    for i in range(3):  # unversioned overwrites replace the object in place
        s3.put_object(Bucket=bucket, Key="k", Body=b"old%d" % i, Metadata={"n": str(i)})
    s3.put_object(Bucket=bucket, Key="j", Body=b"other")
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ContentLength"] == 4 and head["Metadata"] == {"n": "2"}
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["j", "k"]
    enable(s3, bucket)
    later = s3.put_object(Bucket=bucket, Key="k", Body=b"new")["VersionId"]
    versions = s3.list_object_versions(Bucket=bucket, Prefix="k")["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(later, True), ("null", False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"old2"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"new"


def test_suspended_writes_replace_the_null_version_and_keep_older_ones(s3, versioned):
    kept = s3.put_object(Bucket=versioned, Key="k", Body=b"enabled")["VersionId"]
    enable(s3, versioned, "Suspended")
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"null-1")
    assert "VersionId" not in first  # S3 answers a write to a suspended bucket without the header
    assert s3.head_object(Bucket=versioned, Key="k")["VersionId"] == "null"
    s3.put_object(Bucket=versioned, Key="k", Body=b"null-2")
    versions = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert s3.get_object(Bucket=versioned, Key="k", VersionId="null")["Body"].read() == b"null-2"
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=kept)["Body"].read() == b"enabled"
    # a plain delete makes a null delete marker, which replaces the null version
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
    listing = s3.list_object_versions(Bucket=versioned)
    assert [v["VersionId"] for v in listing["Versions"]] == [kept]
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [("null", True)]


def test_unversioned_delete_removes_the_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert "DeleteMarker" not in deleted and "VersionId" not in deleted
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)


@pytest.mark.parametrize("leftover", ["version", "marker"])
def test_bucket_with_versions_or_markers_is_not_empty(s3, versioned, leftover):
    version = s3.put_object(Bucket=versioned, Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    s3.delete_object(Bucket=versioned, Key="k", VersionId=version if leftover == "marker" else marker)
    response = error_of(s3.delete_bucket, Bucket=versioned)
    assert response["Error"]["Code"] == "BucketNotEmpty"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    s3.delete_object(Bucket=versioned, Key="k", VersionId=marker if leftover == "marker" else version)
    s3.delete_bucket(Bucket=versioned)
    assert error_of(s3.head_bucket, Bucket=versioned)["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_bucket_versioning_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    for status in ("Enabled", "Suspended", "Enabled"):
        enable(s3, bucket, status)
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == status
    response = error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "Disabled"})
    assert response["Error"]["Code"] == "MalformedXML"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert error_of(s3.get_bucket_versioning, Bucket="no-such-bucket-here")["Error"]["Code"] == "NoSuchBucket"


def _client(server: ServerProcess):
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def test_restart_keeps_every_version_and_marker(tmp_path):
    server = ServerProcess(str(tmp_path / "data")).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="durable-versions")
        s3.put_object(Bucket="durable-versions", Key="k", Body=b"null")
        enable(s3, "durable-versions")
        ids = [s3.put_object(Bucket="durable-versions", Key="k", Body=b"v%d" % i)["VersionId"] for i in range(2)]
        marker = s3.delete_object(Bucket="durable-versions", Key="k")["VersionId"]
        before = s3.list_object_versions(Bucket="durable-versions")
        server.stop()
        server.start()
        s3 = _client(server)
        after = s3.list_object_versions(Bucket="durable-versions")
        for member in ("Versions", "DeleteMarkers"):
            assert after[member] == before[member]
        assert [v["VersionId"] for v in after["Versions"]] == [ids[1], ids[0], "null"]
        assert after["DeleteMarkers"][0]["VersionId"] == marker
        assert s3.get_bucket_versioning(Bucket="durable-versions")["Status"] == "Enabled"
        assert s3.get_object(Bucket="durable-versions", Key="k", VersionId=ids[0])["Body"].read() == b"v0"
        assert s3.get_object(Bucket="durable-versions", Key="k", VersionId="null")["Body"].read() == b"null"
        # new versions after the restart sort newest first too
        newest = s3.put_object(Bucket="durable-versions", Key="k", Body=b"v2")["VersionId"]
        assert s3.list_object_versions(Bucket="durable-versions")["Versions"][0]["VersionId"] == newest
    finally:
        server.stop()
