"""S3 event notifications, in process: object changes matched against the bucket's
notification configuration (event names with wildcards, prefix / suffix filters) and the
S3 event message each match hands to ``deliver``, recorded here in process (the delivery
itself, to real queues and topics, is tested in test_s3_notifications_delivered.py)."""

from __future__ import annotations

import asyncio
import hashlib
import re

from overcast.config import Settings
from overcast.context import RequestContext
from overcast.gateway.app import create_app

ACCOUNT = "000000000000"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:uploads"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:removals"
CONFIG = {
    "QueueConfigurations": [{"Id": "jpegs", "QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
                             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"},
                                                                {"Name": "suffix", "Value": ".jpg"}]}}}],
    "TopicConfigurations": [{"Id": "gone", "TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:*"]}],
}


class _Recorder:
    """Stands in for the notifier's delivery: keeps what it is handed."""

    def __init__(self):
        self.delivered: list[tuple[str, dict]] = []

    def __call__(self, destination: str, message: dict, bucket) -> None:
        self.delivered.append((destination, message))


def _run(tmp_path, scenario):
    """Run ``scenario(call, notifier, cloud)`` against a started cloud; ``call(op, **params)``."""
    app = create_app(Settings(data_dir=str(tmp_path), log_level="warning"))

    async def main():
        cloud = app.cloud
        await cloud.start()
        try:
            provider = cloud.services.provider("s3")
            await provider.start()

            async def call(operation: str, **params):
                ctx = RequestContext(account=ACCOUNT, region="us-east-1", service="s3", operation=operation,
                                     request_id="req-1", registry=cloud.services)
                return await cloud.services.invoke(ctx, params)

            recorder = _Recorder()
            provider.notifier.deliver = recorder
            return await scenario(call, recorder, cloud)
        finally:
            await cloud.stop()

    return asyncio.run(main())


def test_matching_events_are_delivered_as_s3_event_records(tmp_path):
    async def scenario(call, notifier, cloud):
        await call("CreateBucket", Bucket="photos")
        await call("PutBucketNotificationConfiguration", SkipDestinationValidation=True, Bucket="photos", NotificationConfiguration=CONFIG)
        tests = list(notifier.delivered)
        notifier.delivered.clear()
        await call("PutObject", Bucket="photos", Key="images/my cat=1.jpg", Body=b"meow")
        await call("PutObject", Bucket="photos", Key="images/dog.png", Body=b"woof")   # suffix differs
        await call("PutObject", Bucket="photos", Key="docs/cat.jpg", Body=b"meow")     # prefix differs
        await call("PutObject", Bucket="photos", Key="images/my cat=1.jpg", Body=b"purr")
        await call("DeleteObject", Bucket="photos", Key="images/dog.png")
        return tests, list(notifier.delivered)

    tests, delivered = _run(tmp_path, scenario)
    assert sorted(dest for dest, _ in tests) == sorted([QUEUE, TOPIC])
    test_event = tests[0][1]
    assert test_event["Service"] == "Amazon S3" and test_event["Event"] == "s3:TestEvent"
    assert test_event["Bucket"] == "photos"

    assert [dest for dest, _ in delivered] == [QUEUE, QUEUE, TOPIC]
    first, second, removal = (message["Records"] for _, message in delivered)
    assert len(first) == 1
    record = first[0]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["eventTime"])
    assert record["userIdentity"]["principalId"]
    assert record["requestParameters"]["sourceIPAddress"]
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    s3 = record["s3"]
    assert s3["s3SchemaVersion"] == "1.0" and s3["configurationId"] == "jpegs"
    assert s3["bucket"] == {"name": "photos", "ownerIdentity": {"principalId": ACCOUNT},
                            "arn": "arn:aws:s3:::photos"}
    obj = s3["object"]
    assert obj["key"] == "images/my+cat%3D1.jpg"  # URL-encoded, as S3 sends keys
    assert obj["size"] == 4
    assert obj["eTag"] == hashlib.md5(b"meow").hexdigest()  # no quotes
    assert "versionId" not in obj  # an unversioned bucket
    assert re.fullmatch(r"[0-9A-F]{16}", obj["sequencer"])
    # a later event on the same key has a greater sequencer
    assert second[0]["s3"]["object"]["sequencer"] > obj["sequencer"]
    gone = removal[0]
    assert gone["eventName"] == "ObjectRemoved:Delete" and gone["s3"]["configurationId"] == "gone"
    assert gone["s3"]["object"]["key"] == "images/dog.png"
    assert "size" not in gone["s3"]["object"] and "eTag" not in gone["s3"]["object"]


def test_versioned_buckets_report_version_ids_and_delete_markers(tmp_path):
    async def scenario(call, notifier, cloud):
        await call("CreateBucket", Bucket="docs")
        await call("PutBucketVersioning", Bucket="docs", VersioningConfiguration={"Status": "Enabled"})
        await call("PutBucketNotificationConfiguration", SkipDestinationValidation=True, Bucket="docs", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Put",
                                                                    "s3:ObjectRemoved:DeleteMarkerCreated"]}]})
        notifier.delivered.clear()
        put = await call("PutObject", Bucket="docs", Key="a.txt", Body=b"x")
        deleted = await call("DeleteObject", Bucket="docs", Key="a.txt")
        await call("DeleteObject", Bucket="docs", Key="a.txt", VersionId=put["VersionId"])  # not selected
        return put, deleted, list(notifier.delivered)

    put, deleted, delivered = _run(tmp_path, scenario)
    created, marker = (message["Records"][0] for _, message in delivered)
    assert created["s3"]["object"]["versionId"] == put["VersionId"]
    assert marker["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert marker["s3"]["object"]["versionId"] == deleted["VersionId"]


def test_no_configuration_no_delivery(tmp_path):
    async def scenario(call, notifier, cloud):
        await call("CreateBucket", Bucket="quiet")
        await call("PutObject", Bucket="quiet", Key="k", Body=b"v")
        await call("PutBucketNotificationConfiguration", SkipDestinationValidation=True, Bucket="quiet", NotificationConfiguration={})
        await call("PutObject", Bucket="quiet", Key="k", Body=b"v")
        return list(notifier.delivered)

    assert _run(tmp_path, scenario) == []


def test_lifecycle_expirations_are_lifecycle_events(tmp_path):
    async def scenario(call, notifier, cloud):
        await call("CreateBucket", Bucket="logs")
        await call("PutBucketNotificationConfiguration", SkipDestinationValidation=True, Bucket="logs", NotificationConfiguration={
            "QueueConfigurations": [{"Id": "expired", "QueueArn": QUEUE, "Events": ["s3:LifecycleExpiration:*"]}],
            "TopicConfigurations": [{"Id": "removed", "TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:*"]}]})
        await call("PutBucketLifecycleConfiguration", Bucket="logs", LifecycleConfiguration={
            "Rules": [{"ID": "day", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}]})
        await call("PutObject", Bucket="logs", Key="app.log", Body=b"line")
        notifier.delivered.clear()
        await cloud.advance_clock(3 * 86400)
        return list(notifier.delivered)

    delivered = _run(tmp_path, scenario)
    assert [(dest, message["Records"][0]["eventName"]) for dest, message in delivered] == [
        (QUEUE, "LifecycleExpiration:Delete")]


def test_eventbridge_gets_every_event_in_its_format(tmp_path):
    async def scenario(call, notifier, cloud):
        await call("CreateBucket", Bucket="bridged")
        await call("PutBucketNotificationConfiguration", SkipDestinationValidation=True, Bucket="bridged",
                   NotificationConfiguration={"EventBridgeConfiguration": {}})
        config = await call("GetBucketNotificationConfiguration", Bucket="bridged")
        await call("PutObject", Bucket="bridged", Key="a b.txt", Body=b"abc")
        await call("DeleteObject", Bucket="bridged", Key="a b.txt")
        return config, list(notifier.delivered)

    config, delivered = _run(tmp_path, scenario)
    assert config == {"EventBridgeConfiguration": {}}
    bus = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
    assert [dest for dest, _ in delivered] == [bus, bus]
    created, deleted = (message for _, message in delivered)
    assert created["source"] == "aws.s3" and created["detail-type"] == "Object Created"
    assert created["account"] == ACCOUNT and created["region"] == "us-east-1"
    assert created["resources"] == ["arn:aws:s3:::bridged"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["time"])
    detail = created["detail"]
    assert detail["bucket"] == {"name": "bridged"} and detail["reason"] == "PutObject"
    assert detail["object"]["key"] == "a b.txt" and detail["object"]["size"] == 3
    assert detail["object"]["etag"] == hashlib.md5(b"abc").hexdigest()
    assert deleted["detail-type"] == "Object Deleted"
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted" and deleted["detail"]["reason"] == "DeleteObject"
