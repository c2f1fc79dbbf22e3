"""Strict mode: an alarm's SNS action publishes as the CloudWatch service principal, so another
account's topic takes it only when the topic policy lets ``cloudwatch.amazonaws.com`` publish
(as AWS); until then the action fails and the alarm's history says why."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, ACCOUNT_B, client  # noqa: E402


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-cw-topic")), "--strict").start()
    yield proc
    proc.stop()


def _inbox(strict, topic_arn: str) -> str:
    """A queue of account B subscribed to B's topic (its policy lets SNS send)."""
    sqs, sns = client(strict, "sqs", ACCOUNT_B), client(strict, "sns", ACCOUNT_B)
    url = sqs.create_queue(QueueName="alarm-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                "Action": "sqs:SendMessage", "Resource": arn}]})})
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def _actions(cw, name: str) -> list[dict]:
    items = cw.describe_alarm_history(AlarmName=name, HistoryItemType="Action",
                                      ScanBy="TimestampAscending")["AlarmHistoryItems"]
    return [json.loads(item["HistoryData"]) for item in items]


def test_another_accounts_topic_must_let_cloudwatch_publish(strict):
    sns_b = client(strict, "sns", ACCOUNT_B)
    topic = sns_b.create_topic(Name="ops-alerts")["TopicArn"]
    url = _inbox(strict, topic)
    cw = client(strict, "cloudwatch", ACCOUNT_A)
    cw.put_metric_alarm(AlarmName="cross-account", Namespace="Strict/Topic", MetricName="Load", Statistic="Sum",
                        Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[topic])
    cw.set_alarm_state(AlarmName="cross-account", StateValue="ALARM", StateReason="drill")
    [refused] = _actions(cw, "cross-account")
    assert refused["actionState"] == "Failed"
    assert refused["error"] == (f"User: cloudwatch.amazonaws.com is not authorized to perform: SNS:Publish on "
                                f"resource: {topic} because no resource-based policy allows the SNS:Publish action")
    sqs_b = client(strict, "sqs", ACCOUNT_B)
    assert "Messages" not in sqs_b.receive_message(QueueUrl=url, WaitTimeSeconds=0)

    alarm_arn = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT_A}:alarm:cross-account"
    sns_b.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": topic, "Condition": {"ArnLike": {"aws:SourceArn": alarm_arn}}}]}))
    cw.set_alarm_state(AlarmName="cross-account", StateValue="OK", StateReason="calm")
    cw.set_alarm_state(AlarmName="cross-account", StateValue="ALARM", StateReason="drill again")
    assert _actions(cw, "cross-account")[-1]["actionState"] == "Succeeded"
    messages = sqs_b.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    notification = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert (notification["AlarmName"], notification["NewStateReason"]) == ("cross-account", "drill again")


def test_the_alarms_own_account_topic_needs_no_policy_statement(strict):
    sns_a = client(strict, "sns", ACCOUNT_A)
    topic = sns_a.create_topic(Name="own-alerts")["TopicArn"]
    cw = client(strict, "cloudwatch", ACCOUNT_A)
    cw.put_metric_alarm(AlarmName="same-account", Namespace="Strict/Topic", MetricName="Load", Statistic="Sum",
                        Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[topic])
    cw.set_alarm_state(AlarmName="same-account", StateValue="ALARM", StateReason="drill")
    assert [a["actionState"] for a in _actions(cw, "same-account")] == ["Succeeded"]
