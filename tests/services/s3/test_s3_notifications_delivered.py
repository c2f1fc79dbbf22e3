"""S3 event notifications that arrive: S3 -> SQS and S3 -> SNS -> SQS through boto3, the
s3:TestEvent sent when a configuration is set, and PutBucketNotificationConfiguration's check
of SNS topics (the topic exists, its policy lets S3 publish)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"  # the test credentials' account
REFUSED_TOPIC = "Permissions on the destination topic do not allow S3 to publish notifications from this bucket"


def _may(service: str, action: str, arn: str, source_arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": action, "Resource": arn,
        "Condition": {"ArnLike": {"aws:SourceArn": source_arn}}}]})


def _queue(sqs, name: str, policy_for=None) -> tuple[str, str]:
    """(url, arn) of a new queue; ``policy_for(arn)`` gives its policy."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if policy_for is not None:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy_for(arn)})
    return url, arn


def _receive(sqs, url: str, count: int = 1) -> list[dict]:
    """``count`` message bodies (JSON-decoded), waiting for them with long polls."""
    bodies: list[dict] = []
    for _ in range(10):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        for message in answer.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if len(bodies) >= count:
            return bodies
    raise AssertionError(f"only {len(bodies)} of {count} messages arrived: {bodies}")


def _nothing_more(sqs, url: str) -> None:
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


@pytest.fixture
def sns(aws_client):
    return aws_client("sns")


@pytest.fixture
def s3_queue(sqs, bucket):
    """A queue whose policy lets S3 send events of ``bucket``: (url, arn)."""
    return _queue(sqs, "s3-events", lambda arn: _may("s3.amazonaws.com", "sqs:SendMessage", arn,
                                                     f"arn:aws:s3:::{bucket}"))


def test_object_events_reach_the_queue_after_the_test_event(s3, sqs, bucket, s3_queue):
    url, arn = s3_queue
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "uploads", "QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
         "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    [test_event] = _receive(sqs, url)
    assert test_event["Service"] == "Amazon S3" and test_event["Event"] == "s3:TestEvent"
    assert test_event["Bucket"] == bucket
    assert set(test_event) == {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}

    put = s3.put_object(Bucket=bucket, Key="in/a b.txt", Body=b"hello")
    s3.put_object(Bucket=bucket, Key="out/skipped.txt", Body=b"not selected by the prefix")
    s3.delete_object(Bucket=bucket, Key="in/a b.txt")
    created, removed = _receive(sqs, url, 2)
    _nothing_more(sqs, url)

    [record] = created["Records"]
    assert record["eventSource"] == "aws:s3" and record["eventVersion"] == "2.1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["awsRegion"] == "us-east-1"
    assert record["s3"]["configurationId"] == "uploads"
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert record["s3"]["object"]["key"] == "in/a+b.txt"  # keys are URL-encoded, as S3 sends them
    assert record["s3"]["object"]["size"] == 5
    assert record["s3"]["object"]["eTag"] == put["ETag"].strip('"')
    assert removed["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    assert removed["Records"][0]["s3"]["object"]["sequencer"] > record["s3"]["object"]["sequencer"]


def test_a_bucket_without_configuration_sends_nothing(s3, sqs, bucket, s3_queue):
    url, _ = s3_queue
    s3.put_object(Bucket=bucket, Key="in/a.txt", Body=b"x")
    _nothing_more(sqs, url)


def test_removing_the_configuration_stops_the_events(s3, sqs, bucket, s3_queue):
    url, arn = s3_queue
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    _receive(sqs, url)  # the test event
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"x")
    _nothing_more(sqs, url)


def _topic(sns, name: str, s3_bucket: str | None) -> str:
    arn = sns.create_topic(Name=name)["TopicArn"]
    if s3_bucket is not None:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                 AttributeValue=_may("s3.amazonaws.com", "sns:Publish", arn,
                                                     f"arn:aws:s3:::{s3_bucket}"))
    return arn


def _subscribed_queue(sns, sqs, topic_arn: str, name: str) -> str:
    url, arn = _queue(sqs, name, lambda arn: _may("sns.amazonaws.com", "sqs:SendMessage", arn, topic_arn))
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def test_object_events_reach_a_topic_and_its_subscribers(s3, sqs, sns, bucket):
    topic = _topic(sns, "s3-events", bucket)
    url = _subscribed_queue(sns, sqs, topic, "from-topic")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"Id": "to-topic", "TopicArn": topic, "Events": ["s3:ObjectCreated:Put"]}]})
    [test_envelope] = _receive(sqs, url)
    assert test_envelope["Type"] == "Notification" and test_envelope["TopicArn"] == topic
    assert test_envelope["Subject"] == "Amazon S3 Notification"
    assert json.loads(test_envelope["Message"])["Event"] == "s3:TestEvent"

    s3.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b\n")
    [envelope] = _receive(sqs, url)
    assert envelope["Subject"] == "Amazon S3 Notification"
    [record] = json.loads(envelope["Message"])["Records"]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["configurationId"] == "to-topic"
    assert record["s3"]["object"]["key"] == "report.csv"


def _config_error(s3, bucket: str, topic: str) -> dict:
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
            {"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})
    error = exc.value.response["Error"]
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (error["Code"], error["Message"]) == ("InvalidArgument",
                                                 "Unable to validate the following destination configurations")
    return error


def test_a_topic_that_does_not_exist_is_refused(s3, bucket):
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:no-such-topic"
    error = _config_error(s3, bucket, topic)
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (topic, "The destination topic does not exist")


def test_a_topic_whose_policy_does_not_let_s3_publish_is_refused(s3, sns, bucket):
    default_policy = _topic(sns, "default-policy", None)
    error = _config_error(s3, bucket, default_policy)
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (default_policy, REFUSED_TOPIC)
    other_bucket = _topic(sns, "other-bucket", "some-other-bucket")
    error = _config_error(s3, bucket, other_bucket)
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (other_bucket, REFUSED_TOPIC)
    assert "TopicConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_a_topic_whose_policy_lets_s3_publish_is_accepted(s3, sns, bucket):
    topic = _topic(sns, "accepting", bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}]})
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"]
    assert [entry["TopicArn"] for entry in stored] == [topic]
