"""S3 DeleteObjects: many keys at once, quiet mode, versions, limits, integrity header, CLI."""

from __future__ import annotations

import base64
import hashlib

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def _keys(s3, bucket) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_delete_many(s3, bucket):
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in (0, 2, 4)]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["k0", "k2", "k4"]
    assert all(set(d) == {"Key"} for d in result["Deleted"])  # unversioned: no marker, no version id
    assert "Errors" not in result
    assert _keys(s3, bucket) == ["k1", "k3"]


def test_missing_keys_are_reported_deleted(s3, bucket):
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "never-was"}]})
    assert result["Deleted"] == [{"Key": "never-was"}]


def test_quiet_mode_lists_only_errors(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": True})
    assert "Deleted" not in result and "Errors" not in result
    assert _keys(s3, bucket) == []


def test_per_key_errors_do_not_stop_the_rest(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ok", Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k" * 1025}, {"Key": "ok"}],
                                                      "Quiet": True})
    assert [e["Key"] for e in result["Errors"]] == ["k" * 1025]
    assert result["Errors"][0]["Code"] == "KeyTooLongError"
    assert _keys(s3, bucket) == []


def test_malformed_version_id_is_a_per_key_error(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a", "VersionId": "not-a-version"},
                                                                  {"Key": "b"}]})
    assert result["Errors"] == [{"Key": "a", "VersionId": "not-a-version", "Code": "NoSuchVersion",
                                 "Message": "The specified version does not exist."}]
    assert [d["Key"] for d in result["Deleted"]] == ["b"]
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"1"


def test_versioned_delete_markers_and_versions(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="a", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="b", Body=b"2")["VersionId"]
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}]})
    (entry,) = result["Deleted"]
    assert entry["Key"] == "a" and entry["DeleteMarker"] is True
    marker = entry["DeleteMarkerVersionId"]
    assert marker not in (v1, v2)
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="a")
    # deleting the marker by id brings the object back; deleting a version removes it for good
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a", "VersionId": marker},
                                                                  {"Key": "b", "VersionId": v2}]})
    by_key = {d["Key"]: d for d in result["Deleted"]}
    assert by_key["a"] == {"Key": "a", "VersionId": marker, "DeleteMarker": True, "DeleteMarkerVersionId": marker}
    assert by_key["b"] == {"Key": "b", "VersionId": v2}
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"1"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="b", VersionId=v2)
    assert exc.value.response["Error"]["Code"] == "NoSuchVersion"


def test_more_than_1000_keys_is_malformed(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k1", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)]})
    assert exc.value.response["Error"]["Code"] == "MalformedXML"
    assert _keys(s3, bucket) == ["k1"]
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1000)]})
    assert len(result["Deleted"]) == 1000
    assert _keys(s3, bucket) == []


def test_missing_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket="no-such-bucket-x", Delete={"Objects": [{"Key": "a"}]})
    assert exc.value.response["Error"]["Code"] == "NoSuchBucket"


def _signed_post(endpoint, bucket, body: bytes, headers: dict) -> requests.Response:
    url = f"{endpoint}/{bucket}?delete"
    request = AWSRequest("POST", url, data=body, headers={"Content-Type": "application/xml", **headers})
    request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return requests.post(url, data=body, headers=dict(request.headers), timeout=10)


_BODY = (b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object>'
         b'</Delete>')


def test_integrity_header_is_required(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    response = _signed_post(endpoint, bucket, _BODY, {})
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text
    assert "Missing required header for this request: Content-MD5" in response.text
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    response = _signed_post(endpoint, bucket, _BODY, {"Content-MD5": wrong})
    assert response.status_code == 400 and "<Code>BadDigest</Code>" in response.text
    assert _keys(s3, bucket) == ["a"]
    right = base64.b64encode(hashlib.md5(_BODY).digest()).decode()
    response = _signed_post(endpoint, bucket, _BODY, {"Content-MD5": right})
    assert response.status_code == 200 and "<Deleted><Key>a</Key></Deleted>" in response.text
    assert _keys(s3, bucket) == []


def test_cli_rm_recursive_and_rb_force(aws_cli, s3):
    s3.create_bucket(Bucket="cli-rm")
    for i in range(30):
        s3.put_object(Bucket="cli-rm", Key=f"dir/{i:02d}", Body=b"x")
    s3.put_object(Bucket="cli-rm", Key="keep", Body=b"x")
    assert aws_cli("s3", "rm", "s3://cli-rm/dir/", "--recursive", check=False).returncode == 0
    assert _keys(s3, "cli-rm") == ["keep"]
    assert aws_cli("s3", "rb", "s3://cli-rm", "--force", check=False).returncode == 0
    assert "cli-rm" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_cli_delete_objects(aws_cli, s3):
    s3.create_bucket(Bucket="cli-delete")
    s3.put_object(Bucket="cli-delete", Key="x", Body=b"1")
    result = aws_cli("s3api", "delete-objects", "--bucket", "cli-delete",
                     "--delete", '{"Objects": [{"Key": "x"}, {"Key": "y"}]}')
    assert sorted(d["Key"] for d in result["Deleted"]) == ["x", "y"]
