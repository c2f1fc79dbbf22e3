"""Message archiving (ArchivePolicy, BeginningArchiveTime) and replay (ReplayPolicy,
ReplayStatus) of FIFO topics: archived messages replayed to a new subscription in order,
within the window asked, and gone once the retention period passed on the cloud clock."""

from __future__ import annotations

import datetime
import json
import time

import pytest
from botocore.exceptions import ClientError


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def advance(server):
    def move(seconds: float) -> None:
        server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())

    return move


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _archived_topic(sns, topic, days: int = 30) -> str:
    return topic(f"archived-{time.time_ns()}.fifo", FifoTopic="true", ContentBasedDeduplication="true",
                 ArchivePolicy=json.dumps({"MessageRetentionPeriod": str(days)}))


def _publish(sns, arn: str, *bodies: str) -> None:
    for body in bodies:
        sns.publish(TopicArn=arn, Message=body, MessageGroupId="g")


def _replaying_queue(sns, queue, arn: str, policy: dict) -> tuple[str, str]:
    url, queue_arn = queue(f"replay-{time.time_ns()}.fifo", FifoQueue="true")
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True, Attributes={
        "RawMessageDelivery": "true", "ReplayPolicy": json.dumps({"PointType": "Timestamp", **policy})})
    return url, sub["SubscriptionArn"]


def test_archive_policy_and_beginning_archive_time(sns, topic):
    arn = _archived_topic(sns, topic)
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert json.loads(attributes["ArchivePolicy"]) == {"MessageRetentionPeriod": "30"}
    begins = _parse(attributes["BeginningArchiveTime"])
    assert abs((datetime.datetime.now(datetime.timezone.utc) - begins).total_seconds()) < 600
    assert not any(name.startswith("_") for name in attributes)
    sns.set_topic_attributes(TopicArn=arn, AttributeName="ArchivePolicy", AttributeValue="{}")
    assert "BeginningArchiveTime" not in sns.get_topic_attributes(TopicArn=arn)["Attributes"]


@pytest.mark.parametrize("value", ["0", "366", "ten"])
def test_archive_policy_retention_is_1_to_365_days(sns, topic, value):
    arn = topic(f"bad-{value}.fifo", FifoTopic="true")
    with pytest.raises(ClientError) as excinfo:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="ArchivePolicy",
                                 AttributeValue=json.dumps({"MessageRetentionPeriod": value}))
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: ArchivePolicy: MessageRetentionPeriod "
                                 "must be an integer between 1 and 365", 400)


def test_archive_policy_on_a_standard_topic(sns, topic):
    with pytest.raises(ClientError) as excinfo:
        sns.set_topic_attributes(TopicArn=topic(), AttributeName="ArchivePolicy",
                                 AttributeValue=json.dumps({"MessageRetentionPeriod": "3"}))
    assert error_of(excinfo)[0] == "InvalidParameter"


def test_replay_policy_checks(sns, topic, queue):
    arn = _archived_topic(sns, topic)
    _, queue_arn = queue(f"q-{time.time_ns()}.fifo", FifoQueue="true")
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={
            "ReplayPolicy": json.dumps({"PointType": "Sequence", "StartingPoint": "2026-01-01T00:00:00Z"})})
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Attributes Reason: ReplayPolicy: "
                                 "PointType must be Timestamp", 400)
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True)
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"], AttributeName="ReplayPolicy",
                                        AttributeValue=json.dumps({"PointType": "Timestamp",
                                                                   "StartingPoint": "yesterday"}))
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: ReplayPolicy: StartingPoint must be a "
                                 "valid timestamp", 400)


def test_replay_delivers_the_archived_window_in_order(sns, topic, queue, receive, advance):
    arn = _archived_topic(sns, topic)
    start = sns.get_topic_attributes(TopicArn=arn)["Attributes"]["BeginningArchiveTime"]
    _publish(sns, arn, "one", "two", "three")
    advance(100)
    _publish(sns, arn, "four")
    # everything archived, replayed in publish order
    url, sub_arn = _replaying_queue(sns, queue, arn, {"StartingPoint": start})
    assert [m["Body"] for m in receive(url, 4)] == ["one", "two", "three", "four"]
    for _ in range(100):
        status = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]["ReplayStatus"]
        if status == "Completed":
            break
        time.sleep(0.05)
    assert status == "Completed"
    # a window that ends before the last message; what is published afterwards arrives live
    end = _iso(_parse(start) + datetime.timedelta(seconds=50))
    url, _ = _replaying_queue(sns, queue, arn, {"StartingPoint": start, "EndingPoint": end})
    _publish(sns, arn, "five")
    assert [m["Body"] for m in receive(url, 4)] == ["one", "two", "three", "five"]


def test_archived_messages_expire_with_the_retention_period(sns, topic, queue, receive, advance):
    arn = _archived_topic(sns, topic, days=1)
    start = sns.get_topic_attributes(TopicArn=arn)["Attributes"]["BeginningArchiveTime"]
    _publish(sns, arn, "old")
    advance(2 * 86400)
    later = sns.get_topic_attributes(TopicArn=arn)["Attributes"]["BeginningArchiveTime"]
    assert _parse(later) > _parse(start) + datetime.timedelta(days=1)
    _publish(sns, arn, "new")
    url, _ = _replaying_queue(sns, queue, arn, {"StartingPoint": start})
    # the expired message would have come first: the replay starts with what is still archived
    assert [m["Body"] for m in receive(url, 1)] == ["new"]
