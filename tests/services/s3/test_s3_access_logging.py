"""S3 server access logging applied: the records of requests to a logging bucket are delivered
to the target bucket and prefix, in S3's record format, batched on the cloud clock, and survive
a kill -9 of the server."""

from __future__ import annotations

import re
import time

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

from overcast.canonical_users import canonical_id

INTERVAL = 300  # OVERCAST_S3_ACCESS_LOG_SECONDS's default: deliveries on the cloud clock
OWNER_ID = canonical_id("000000000000")
# S3's record: fields separated by spaces, the time in brackets, three fields in quotes
RECORD = re.compile(
    r'^(\S+) (\S+) \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000)\] (\S+) (\S+) (\S+) (\S+) (\S+) "([^"]*)" (\d{3}) '
    r'(\S+) (\S+) (\S+) (\d+) (\d+) "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$')
NAMES = ("owner", "bucket", "time", "ip", "requester", "request_id", "operation", "key", "uri", "status", "error",
         "bytes_sent", "object_size", "total_ms", "turnaround_ms", "referer", "user_agent", "version", "host_id",
         "signature", "cipher", "auth", "host", "tls", "access_point", "acl_required")
KEY_NAME = re.compile(r"^logs/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$")


def advance(endpoint: str, seconds: float) -> None:
    requests.post(endpoint + "/_overcast/clock", json={"advance": seconds}, timeout=30).raise_for_status()


def log_objects(s3, target: str, prefix: str = "logs/") -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=target, Prefix=prefix).get("Contents", [])]


def delivered(endpoint: str, s3, target: str, wanted: int, prefix: str = "logs/") -> list[dict]:
    """Every record delivered under ``prefix``, after moving the clock past a delivery; a
    record is written once its answer is sent, so one more delivery may be needed."""
    records: list[dict] = []
    for _ in range(3):
        advance(endpoint, INTERVAL)
        records = []
        for key in log_objects(s3, target, prefix):
            body = s3.get_object(Bucket=target, Key=key)["Body"].read().decode()
            for line in body.splitlines():
                match = RECORD.match(line)
                assert match, line
                records.append(dict(zip(NAMES, match.groups())))
        if len(records) >= wanted:
            break
    return records


@pytest.fixture
def logging_pair(s3):
    s3.create_bucket(Bucket="logged-source")
    s3.create_bucket(Bucket="log-target")
    s3.put_bucket_logging(Bucket="logged-source", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "log-target", "TargetPrefix": "logs/"}})
    return "logged-source", "log-target"


def test_records_in_s3_format_reach_the_target(endpoint, s3, logging_pair):
    source, target = logging_pair
    s3.put_object(Bucket=source, Key="dir/a file.txt", Body=b"12345")
    assert s3.get_object(Bucket=source, Key="dir/a file.txt")["Body"].read() == b"12345"
    with pytest.raises(ClientError):
        s3.get_object(Bucket=source, Key="missing")
    s3.list_objects_v2(Bucket=source)
    assert log_objects(s3, target) == []  # nothing before a delivery
    records = delivered(endpoint, s3, target, 4)
    assert [r["operation"] for r in records] == ["REST.PUT.OBJECT", "REST.GET.OBJECT", "REST.GET.OBJECT",
                                                 "REST.GET.BUCKET"]
    put, get, missing, listing = records
    for record in records:
        assert (record["owner"], record["bucket"], record["requester"]) == (OWNER_ID, source, OWNER_ID)
        assert (record["signature"], record["auth"], record["ip"]) == ("SigV4", "AuthHeader", "127.0.0.1")
        assert record["host"] == endpoint.split("//")[1]
        assert record["user_agent"].startswith("Boto3/")
        assert (record["cipher"], record["tls"], record["access_point"]) == ("-", "-", "-")
    assert (put["key"], put["status"], put["object_size"], put["error"]) == ("dir/a%20file.txt", "200", "5", "-")
    assert put["uri"].startswith("PUT /logged-source/dir/a%20file.txt") and put["uri"].endswith(" HTTP/1.1")
    assert (get["bytes_sent"], get["object_size"], get["status"]) == ("5", "5", "200")
    assert (missing["status"], missing["error"], missing["key"]) == ("404", "NoSuchKey", "missing")
    assert (listing["key"], listing["object_size"]) == ("-", "-")
    assert len({r["request_id"] for r in records}) == 4
    keys = log_objects(s3, target)
    assert keys and all(KEY_NAME.match(key) for key in keys)


def test_nothing_is_delivered_before_the_interval(endpoint, s3, logging_pair):
    source, target = logging_pair
    s3.head_bucket(Bucket=source)
    advance(endpoint, INTERVAL / 3)
    assert log_objects(s3, target) == []
    records = delivered(endpoint, s3, target, 1)
    assert [r["operation"] for r in records] == ["REST.HEAD.BUCKET"]


def test_sub_resources_versions_and_presigned_urls(endpoint, s3, logging_pair):
    source, target = logging_pair
    s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=source, Key="v", Body=b"x")["VersionId"]
    s3.get_object(Bucket=source, Key="v", VersionId=version)
    s3.put_object_tagging(Bucket=source, Key="v", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    url = s3.generate_presigned_url("get_object", Params={"Bucket": source, "Key": "v"})
    assert requests.get(url, timeout=10, headers={"Referer": "http://example.com/"}).status_code == 200
    records = delivered(endpoint, s3, target, 5)
    operations = [r["operation"] for r in records]
    assert operations == ["REST.PUT.VERSIONING", "REST.PUT.OBJECT", "REST.GET.OBJECT", "REST.PUT.OBJECT_TAGGING",
                          "REST.GET.OBJECT"]
    assert records[2]["version"] == version
    form = "SigV4" if "X-Amz-Algorithm=" in url else "SigV2"  # boto3's default form for this endpoint
    assert (records[4]["auth"], records[4]["signature"], records[4]["referer"]) == (
        "QueryString", form, "http://example.com/")


def test_only_the_logging_bucket_is_recorded_and_disabling_stops_it(endpoint, s3, logging_pair):
    source, target = logging_pair
    s3.create_bucket(Bucket="quiet")
    s3.put_object(Bucket="quiet", Key="k", Body=b"x")
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert [r["bucket"] for r in delivered(endpoint, s3, target, 1)] == [source]
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    s3.put_object(Bucket=source, Key="after", Body=b"x")
    records = delivered(endpoint, s3, target, 3)
    assert [r["key"] for r in records] == ["k", "-"]  # the PutBucketLogging that turned it off is the last


def test_partitioned_key_format(endpoint, s3):
    s3.create_bucket(Bucket="part-source")
    s3.create_bucket(Bucket="part-target")
    s3.put_bucket_logging(Bucket="part-source", BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": "part-target", "TargetPrefix": "p/",
        "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}}}})
    s3.put_object(Bucket="part-source", Key="k", Body=b"x")
    records = delivered(endpoint, s3, "part-target", 1, prefix="p/")
    assert [r["operation"] for r in records] == ["REST.PUT.OBJECT"]
    key = log_objects(s3, "part-target", "p/")[0]
    assert re.match(r"^p/000000000000/us-east-1/part-source/\d{4}/\d\d/\d\d/"
                    r"\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$", key), key


def test_records_survive_kill_9(tmp_path):
    proc = ServerProcess(str(tmp_path)).start()
    try:
        s3 = boto3.session.Session().client(
            "s3", endpoint_url=proc.endpoint, region_name="us-east-1", aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        s3.create_bucket(Bucket="src")
        s3.create_bucket(Bucket="dst")
        s3.put_bucket_logging(Bucket="src", BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "dst", "TargetPrefix": "logs/"}})
        s3.put_object(Bucket="src", Key="before-the-crash", Body=b"x")
        time.sleep(1.5)  # records reach the table within a second
        proc.kill()
        proc.start()
        records = delivered(proc.endpoint, s3_for(proc), "dst", 1)
        assert [r["key"] for r in records] == ["before-the-crash"]
    finally:
        proc.stop()


def s3_for(proc, key="test", secret="test"):
    return boto3.session.Session().client(
        "s3", endpoint_url=proc.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def test_target_bucket_of_another_account_is_refused(s3, aws_client):
    s3.create_bucket(Bucket="mine")
    other = aws_client("s3", aws_access_key_id="111111111111")
    other.create_bucket(Bucket="theirs")
    with pytest.raises(ClientError) as caught:
        s3.put_bucket_logging(Bucket="mine", BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "theirs", "TargetPrefix": "logs/"}})
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"], error["TargetBucket"]) == (
        "InvalidTargetBucketForLogging", "The owner for the bucket to be logged and the target bucket must be the same.",
        "theirs")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket="mine")


def test_refused_requests_are_logged_with_their_error_code(tmp_path):
    """Strict mode: a request refused before it reaches a logging bucket (an anonymous GET
    the policy denies, a PUT whose signature does not match) is logged with its error code."""
    proc = ServerProcess(str(tmp_path), "--strict").start()
    try:
        owner = s3_for(proc, "111122223333")
        owner.create_bucket(Bucket="refused-source")
        owner.create_bucket(Bucket="refused-target")
        owner.put_bucket_logging(Bucket="refused-source", BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "refused-target", "TargetPrefix": "logs/"}})
        anonymous = requests.get(proc.endpoint + "/refused-source/secret.txt", timeout=30)
        assert anonymous.status_code == 403 and b"<Code>AccessDenied</Code>" in anonymous.content
        forged = s3_for(proc, "111122223333", secret="not-the-secret")
        with pytest.raises(ClientError) as caught:
            forged.put_object(Bucket="refused-source", Key="forged.txt", Body=b"x")
        assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        records = delivered(proc.endpoint, owner, "refused-target", 2)
        seen = sorted((r["operation"], r["key"], r["status"], r["error"], r["requester"]) for r in records)
        assert seen == [("REST.GET.OBJECT", "secret.txt", "403", "AccessDenied", "-"),
                        ("REST.PUT.OBJECT", "forged.txt", "403", "SignatureDoesNotMatch", "-")]
        assert "Contents" not in owner.list_objects_v2(Bucket="refused-source")  # nothing stored
    finally:
        proc.stop()
