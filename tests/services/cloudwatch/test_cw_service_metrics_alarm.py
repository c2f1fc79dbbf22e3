"""The issue's end to end: an alarm on a backed-up queue's ApproximateNumberOfMessagesVisible
(the metric SQS publishes each minute) goes to ALARM and notifies through SNS into another
queue, and back to OK once the queue is drained, all driven by ``POST /_overcast/clock``."""

from __future__ import annotations

import json

from cw_helpers import advance_clock, cw, queue_subscribed_to  # noqa: F401


def _notifications(sqs, url: str) -> list[dict]:
    out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
    for message in out:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    notices = [json.loads(json.loads(m["Body"])["Message"]) for m in out]
    return sorted(notices, key=lambda notice: notice["StateChangeTime"])


def test_a_backed_up_queue_alarms_through_sns_into_a_queue_and_recovers(cw, aws_client, server):
    sqs, sns = aws_client("sqs"), aws_client("sns")
    jobs = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    topic = sns.create_topic(Name="pager")["TopicArn"]
    inbox = queue_subscribed_to(aws_client, topic, "pager-inbox")
    cw.put_metric_alarm(
        AlarmName="jobs-backed-up", Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "jobs"}], Statistic="Maximum", Period=60, EvaluationPeriods=2,
        Threshold=5.0, ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
        AlarmActions=[topic], OKActions=[topic])
    for index in range(8):  # nobody consumes: the queue backs up
        sqs.send_message(QueueUrl=jobs, MessageBody=f"job {index}")
    advance_clock(server, 240)
    alarm = cw.describe_alarms(AlarmNames=["jobs-backed-up"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 2 datapoints [8.0 (")
    # the first evaluation finds no datapoint yet (notBreaching: OK), then the backlog breaches
    *_, notice = _notifications(sqs, inbox)
    assert (notice["NewStateValue"], notice["AlarmName"]) == ("ALARM", "jobs-backed-up")
    assert notice["Trigger"]["Namespace"] == "AWS/SQS" and notice["Trigger"]["MetricName"] == (
        "ApproximateNumberOfMessagesVisible")

    sqs.purge_queue(QueueUrl=jobs)
    advance_clock(server, 240)
    assert cw.describe_alarms(AlarmNames=["jobs-backed-up"])["MetricAlarms"][0]["StateValue"] == "OK"
    [recovered] = _notifications(sqs, inbox)
    assert (recovered["OldStateValue"], recovered["NewStateValue"]) == ("ALARM", "OK")
