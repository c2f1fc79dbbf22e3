"""Export tasks through a real server: CreateExportTask's checks, the objects in S3 (AWS's key
layout, gzipped ``<ISO timestamp> <message>`` lines), the task's states on the cloud clock,
DescribeExportTasks' filters and pages, CancelExportTask, and a task surviving a restart."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import datetime, timezone

import pytest

from aws_clients import STRICT, make_client
from logs_helpers import advance_clock, cloud_now_ms, error_of, logs  # noqa: F401
from serverproc import ServerProcess

BUCKET = "exports-bucket"
START_DELAY = 10  # cloud seconds before a task runs (exports.py)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def logs_write_policy(bucket: str, region: str = "us-east-1") -> str:
    """The bucket policy of AWS's guide "Export log data to Amazon S3"."""
    service = {"Service": f"logs.{region}.amazonaws.com"}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": service, "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Principal": service, "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]})


def make_bucket(s3, name: str = BUCKET) -> None:
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=logs_write_policy(name))


def fill_group(logs, now: int) -> None:
    logs.create_log_group(logGroupName="/app/web")
    for stream, offsets in (("i-a", (0, 1000, 5000)), ("i-b", (2000,)), ("other", (3000,))):
        logs.create_log_stream(logGroupName="/app/web", logStreamName=stream)
        logs.put_log_events(logGroupName="/app/web", logStreamName=stream, logEvents=[
            {"timestamp": now + offset, "message": f"{stream} at +{offset}"} for offset in offsets])


def task_of(logs, task_id: str) -> dict:
    [task] = logs.describe_export_tasks(taskId=task_id)["exportTasks"]
    return task


def gunzipped_lines(s3, key: str, bucket: str = BUCKET) -> list[str]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return gzip.decompress(body).decode().splitlines()


def test_an_export_writes_awss_layout_once_the_task_runs(logs, aws_client, server):
    s3 = aws_client("s3")
    make_bucket(s3)
    now = cloud_now_ms(server)
    fill_group(logs, now)
    task_id = logs.create_export_task(taskName="daily", logGroupName="/app/web", fromTime=now, to=now + 2000,
                                      destination=BUCKET, destinationPrefix="backup")["taskId"]
    uuid.UUID(task_id)
    task = task_of(logs, task_id)
    assert task["status"] == {"code": "PENDING"}  # no message while pending
    assert {k: task[k] for k in ("taskName", "logGroupName", "from", "to", "destination", "destinationPrefix")} == {
        "taskName": "daily", "logGroupName": "/app/web", "from": now, "to": now + 2000, "destination": BUCKET,
        "destinationPrefix": "backup"}
    assert "creationTime" in task["executionInfo"]
    test_object = s3.get_object(Bucket=BUCKET, Key="backup/aws-logs-write-test")["Body"].read()
    assert test_object == b"Permission Check Successful"
    advance_clock(server, START_DELAY + 1)
    task = task_of(logs, task_id)
    assert task["status"] == {"code": "COMPLETED", "message": "Completed successfully"}
    assert task["executionInfo"]["completionTime"] >= task["executionInfo"]["creationTime"]
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=f"backup/{task_id}/")["Contents"])
    assert keys == [f"backup/{task_id}/i-a/000000.gz", f"backup/{task_id}/i-b/000000.gz"]
    # from and to are both included; the event at +5000 and the stream without events in range are not
    assert gunzipped_lines(s3, keys[0]) == [f"{iso(now)} i-a at +0", f"{iso(now + 1000)} i-a at +1000"]
    assert gunzipped_lines(s3, keys[1]) == [f"{iso(now + 2000)} i-b at +2000"]


def test_default_prefix_and_stream_prefix(logs, aws_client, server):
    s3 = aws_client("s3")
    make_bucket(s3)
    now = cloud_now_ms(server)
    fill_group(logs, now)
    task_id = logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now + 10_000, destination=BUCKET,
                                      logStreamNamePrefix="oth")["taskId"]
    advance_clock(server, START_DELAY + 1)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="exportedlogs/")["Contents"]]
    assert set(keys) == {"exportedlogs/aws-logs-write-test", f"exportedlogs/{task_id}/other/000000.gz"}


def test_create_checks(logs, aws_client, server):
    s3 = aws_client("s3")
    now = cloud_now_ms(server)
    code, message, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now + 1, to=now,
                                destination=BUCKET)
    assert (code, message) == ("InvalidParameterException",
                               f"Specified time range of '{now + 1}' and '{now}' is not valid. Please make sure the "
                               "values are within the retention period of the log group and from value is less than "
                               "the to values")
    code, message, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now, to=now,
                                destination=BUCKET)
    assert (code, message) == ("ResourceNotFoundException", "The specified log group does not exist.")
    logs.create_log_group(logGroupName="/app/web")
    code, message, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now, to=now,
                                destination=BUCKET)
    assert (code, message) == ("InvalidParameterException",
                               "The given bucket does not exist. Please make sure the bucket is valid.")
    logs.create_log_group(logGroupName="/archive", logGroupClass="INFREQUENT_ACCESS")
    code, message, _ = error_of(logs.create_export_task, logGroupName="/archive", fromTime=now, to=now,
                                destination=BUCKET)
    assert (code, message) == ("ValidationException", "This operation is only supported on the Standard log class.")
    s3.create_bucket(Bucket="far-away", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    code, _, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now, to=now,
                          destination="far-away")
    assert code == "InvalidParameterException"
    assert logs.describe_export_tasks()["exportTasks"] == []


def test_one_active_task_and_cancelling(logs, aws_client, server):
    s3 = aws_client("s3")
    make_bucket(s3)
    now = cloud_now_ms(server)
    fill_group(logs, now)
    first = logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now + 10_000, destination=BUCKET)
    code, message, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now, to=now + 10_000,
                                destination=BUCKET)
    assert (code, message) == ("LimitExceededException", "Resource limit exceeded.")
    logs.cancel_export_task(taskId=first["taskId"])
    assert task_of(logs, first["taskId"])["status"] == {"code": "CANCELLED", "message": "Cancelled by user"}
    advance_clock(server, START_DELAY + 1)
    assert task_of(logs, first["taskId"])["status"]["code"] == "CANCELLED"  # it never ran
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"exportedlogs/{first['taskId']}/")
    assert listed["KeyCount"] == 0
    code, message, _ = error_of(logs.cancel_export_task, taskId=first["taskId"])
    assert (code, message) == ("InvalidOperationException", "The specified export task has already finished")
    code, message, _ = error_of(logs.cancel_export_task, taskId=str(uuid.uuid4()))
    assert (code, message) == ("ResourceNotFoundException", "The specified export task does not exist.")
    second = logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now + 10_000, destination=BUCKET)
    advance_clock(server, START_DELAY + 1)
    assert task_of(logs, second["taskId"])["status"]["code"] == "COMPLETED"


def test_describe_filters_and_pages(logs, aws_client, server):
    s3 = aws_client("s3")
    make_bucket(s3)
    now = cloud_now_ms(server)
    fill_group(logs, now)
    ids = []
    for _ in range(3):
        ids.append(logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now + 10_000,
                                           destination=BUCKET)["taskId"])
        advance_clock(server, START_DELAY + 1)
    logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now, destination=BUCKET)
    assert len(logs.describe_export_tasks(statusCode="COMPLETED")["exportTasks"]) == 3
    assert len(logs.describe_export_tasks(statusCode="PENDING")["exportTasks"]) == 1
    page = logs.describe_export_tasks(limit=2)
    rest = logs.describe_export_tasks(limit=2, nextToken=page["nextToken"])
    listed = [t["taskId"] for t in page["exportTasks"] + rest["exportTasks"]]
    assert len(listed) == 4 and set(ids) <= set(listed) and "nextToken" not in rest
    assert listed[1:] == ids[::-1]  # newest first


def test_a_task_whose_bucket_went_fails_with_the_reason(logs, aws_client, server):
    s3 = aws_client("s3")
    make_bucket(s3)
    now = cloud_now_ms(server)
    fill_group(logs, now)
    task_id = logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now + 10_000,
                                      destination=BUCKET)["taskId"]
    s3.delete_object(Bucket=BUCKET, Key="exportedlogs/aws-logs-write-test")
    s3.delete_bucket(Bucket=BUCKET)
    advance_clock(server, START_DELAY + 1)
    task = task_of(logs, task_id)
    assert task["status"] == {"code": "FAILED", "message": "The specified bucket does not exist"}
    assert "completionTime" in task["executionInfo"]
    # a failed task is no longer active
    make_bucket(s3)
    assert logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now, destination=BUCKET)["taskId"]


def test_an_object_lock_bucket_and_a_prefix_too_long(logs, aws_client, server):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=BUCKET, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    s3.put_bucket_policy(Bucket=BUCKET, Policy=logs_write_policy(BUCKET))
    now = cloud_now_ms(server)
    fill_group(logs, now)
    code, _, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now, to=now,
                          destination=BUCKET, destinationPrefix="p" * 1020)
    assert code == "InvalidParameterException"
    # "Exporting log data to Amazon S3 buckets that have S3 Object Lock enabled with a retention period"
    task_id = logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now + 10_000,
                                      destination=BUCKET)["taskId"]
    advance_clock(server, START_DELAY + 1)
    assert task_of(logs, task_id)["status"]["code"] == "COMPLETED"
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=f"exportedlogs/{task_id}/")["KeyCount"] == 3


@pytest.mark.skipif(not STRICT, reason="bucket policies are checked in strict mode")
def test_strict_mode_needs_the_bucket_policy_of_awss_guide(logs, aws_client, server):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    now = cloud_now_ms(server)
    logs.create_log_group(logGroupName="/app/web")
    code, message, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now, to=now,
                                destination=BUCKET)
    assert (code, message) == ("AccessDeniedException", "GetBucketAcl call on the given bucket failed. Please check "
                                                         "if CloudWatch Logs has been granted permission to perform "
                                                         "this operation.")
    acl_only = json.loads(logs_write_policy(BUCKET))
    acl_only["Statement"] = acl_only["Statement"][:1]
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(acl_only))
    code, message, _ = error_of(logs.create_export_task, logGroupName="/app/web", fromTime=now, to=now,
                                destination=BUCKET)
    assert code == "AccessDeniedException" and message.startswith("PutObject call on the given bucket failed.")
    s3.put_bucket_policy(Bucket=BUCKET, Policy=logs_write_policy(BUCKET))
    # "you must use credentials that have permission to write to the S3 bucket"
    iam = aws_client("iam")
    iam.create_user(UserName="exporter")
    grant = {"Effect": "Allow", "Action": "logs:CreateExportTask", "Resource": "*"}
    iam.put_user_policy(UserName="exporter", PolicyName="logs", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [grant]}))
    key = iam.create_access_key(UserName="exporter")["AccessKey"]
    exporter = aws_client("logs", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    code, message, _ = error_of(exporter.create_export_task, logGroupName="/app/web", fromTime=now, to=now,
                                destination=BUCKET)
    assert (code, message) == ("AccessDeniedException", "Please ensure that the CreateExportTask caller has been "
                                                        "granted s3:PutObject access to the bucket.")
    iam.put_user_policy(UserName="exporter", PolicyName="logs", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [grant, {"Effect": "Allow", "Action": "s3:PutObject",
                                                        "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    assert exporter.create_export_task(logGroupName="/app/web", fromTime=now, to=now, destination=BUCKET)["taskId"]


def test_a_task_survives_a_restart(tmp_path):
    extra = ("--strict",) if STRICT else ()
    server = ServerProcess(str(tmp_path / "data"), *extra).start()
    try:
        logs, s3 = make_client(server.endpoint, "logs"), make_client(server.endpoint, "s3")
        make_bucket(s3)
        now = cloud_now_ms(server)
        fill_group(logs, now)
        task_id = logs.create_export_task(logGroupName="/app/web", fromTime=now, to=now + 10_000,
                                          destination=BUCKET)["taskId"]
        server.kill()  # before its start: the task and its timer are on disk only
        server.start()
        logs, s3 = make_client(server.endpoint, "logs"), make_client(server.endpoint, "s3")
        advance_clock(server, START_DELAY + 1)  # (a slow restart may have run it already: overdue)
        assert task_of(logs, task_id)["status"]["code"] == "COMPLETED"
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=f"exportedlogs/{task_id}/")["Contents"]]
        assert len(keys) == 3
    finally:
        server.stop()
