"""Alarm actions: the SNS notification arriving in a subscribed SQS queue, EC2 actions on a
recorded instance, disabled actions, the history of every action, composite alarms."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from datetime import datetime, timezone

from cw_helpers import NAMESPACE, advance_clock, cloud_now, cw  # noqa: F401

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "awslambda"))
from lambda_helpers import create_python_function  # noqa: E402


def minute_start(server) -> float:
    now = cloud_now(server)
    advance_clock(server, 60 - now % 60 + 1)
    return cloud_now(server) // 60 * 60


def subscribed_queue(aws_client, topic_arn: str) -> str:
    sqs, sns = aws_client("sqs"), aws_client("sns")
    url = sqs.create_queue(QueueName="alarm-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # what AWS asks of a queue SNS delivers to (strict mode checks it as AWS does)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": arn}]})})
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def received(aws_client, url: str) -> list[dict]:
    messages = aws_client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def test_the_alarm_notification_arrives_in_a_queue_subscribed_to_the_topic(cw, server, aws_client):
    topic = aws_client("sns").create_topic(Name="pager")["TopicArn"]
    url = subscribed_queue(aws_client, topic)
    start = minute_start(server)
    cw.put_metric_alarm(AlarmName="queue-backed-up", AlarmDescription="too many messages", Namespace=NAMESPACE,
                        MetricName="Depth", Dimensions=[{"Name": "Queue", "Value": "jobs"}], Statistic="Average",
                        Period=60, EvaluationPeriods=1, Threshold=100.0, Unit="Count",
                        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic], OKActions=[topic])
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Depth", "Dimensions": [{"Name": "Queue", "Value": "jobs"}], "Value": 250.0, "Unit": "Count",
         "Timestamp": datetime.fromtimestamp(start + 1, tz=timezone.utc)}])
    advance_clock(server, 60)
    [envelope] = received(aws_client, url)
    assert envelope["Subject"] == 'ALARM: "queue-backed-up" in US East (N. Virginia)'
    message = json.loads(envelope["Message"])
    assert message["AlarmName"] == "queue-backed-up"
    assert message["AlarmDescription"] == "too many messages"
    assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "INSUFFICIENT_DATA"
    assert message["Region"] == "US East (N. Virginia)"
    assert message["AlarmArn"].endswith(":alarm:queue-backed-up")
    assert message["NewStateReason"].startswith("Threshold Crossed: 1 datapoint [250.0 (")
    assert message["Trigger"] == {
        "MetricName": "Depth", "Namespace": NAMESPACE, "StatisticType": "Statistic", "Statistic": "AVERAGE",
        "Unit": "Count", "Dimensions": [{"value": "jobs", "name": "Queue"}], "Period": 60, "EvaluationPeriods": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 100.0, "TreatMissingData": "missing",
        "EvaluateLowSampleCountPercentile": ""}
    actions = cw.describe_alarm_history(AlarmName="queue-backed-up", HistoryItemType="Action")["AlarmHistoryItems"]
    assert [a["HistorySummary"] for a in actions] == [f"Successfully executed action {topic}"]
    assert json.loads(actions[0]["HistoryData"])["actionState"] == "Succeeded"


def test_set_alarm_state_fires_the_actions_unless_disabled(cw, server, aws_client):
    topic = aws_client("sns").create_topic(Name="pager")["TopicArn"]
    url = subscribed_queue(aws_client, topic)
    cw.put_metric_alarm(AlarmName="quiet", Namespace=NAMESPACE, MetricName="Depth", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[topic])
    cw.disable_alarm_actions(AlarmNames=["quiet"])
    cw.set_alarm_state(AlarmName="quiet", StateValue="ALARM", StateReason="drill")
    assert received(aws_client, url) == []
    assert cw.describe_alarms(AlarmNames=["quiet"])["MetricAlarms"][0]["ActionsEnabled"] is False
    cw.enable_alarm_actions(AlarmNames=["quiet"])
    cw.set_alarm_state(AlarmName="quiet", StateValue="OK", StateReason="drill over")
    cw.set_alarm_state(AlarmName="quiet", StateValue="ALARM", StateReason="drill again")
    [envelope] = received(aws_client, url)
    assert json.loads(envelope["Message"])["NewStateReason"] == "drill again"


def test_an_action_that_fails_is_recorded_in_the_history(cw, server, aws_client):
    gone = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    cw.put_metric_alarm(AlarmName="orphan", Namespace=NAMESPACE, MetricName="Depth", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[gone])
    cw.set_alarm_state(AlarmName="orphan", StateValue="ALARM", StateReason="drill")
    [item] = cw.describe_alarm_history(AlarmName="orphan", HistoryItemType="Action")["AlarmHistoryItems"]
    assert item["HistorySummary"].startswith(f"Failed to execute action {gone}. Received error: ")
    assert json.loads(item["HistoryData"])["actionState"] == "Failed"


def test_composite_alarm_follows_its_children(cw, server, aws_client):
    topic = aws_client("sns").create_topic(Name="pager")["TopicArn"]
    url = subscribed_queue(aws_client, topic)
    for name in ("cpu", "disk"):
        cw.put_metric_alarm(AlarmName=name, Namespace=NAMESPACE, MetricName=name, Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    cw.put_composite_alarm(AlarmName="both", AlarmRule='ALARM(cpu) AND ALARM("disk")', AlarmActions=[topic])
    [composite] = cw.describe_alarms(AlarmNames=["both"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert composite["StateValue"] == "OK"
    cw.set_alarm_state(AlarmName="cpu", StateValue="ALARM", StateReason="drill")
    assert cw.describe_alarms(AlarmNames=["both"], AlarmTypes=["CompositeAlarm"])[
        "CompositeAlarms"][0]["StateValue"] == "OK"
    cw.set_alarm_state(AlarmName="disk", StateValue="ALARM", StateReason="drill")
    [composite] = cw.describe_alarms(AlarmNames=["both"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert composite["StateValue"] == "ALARM"
    disk_arn = composite["AlarmArn"].replace(":alarm:both", ":alarm:disk")
    assert composite["StateReason"].startswith(f"{disk_arn} transitioned to ALARM at ")
    assert json.loads(composite["StateReasonData"])["triggeringAlarms"][0]["arn"] == disk_arn
    [envelope] = received(aws_client, url)
    message = json.loads(envelope["Message"])
    assert message["AlarmRule"] == 'ALARM(cpu) AND ALARM("disk")' and message["NewStateValue"] == "ALARM"
    children = cw.describe_alarms(ChildrenOfAlarmName="both")
    assert sorted(a["AlarmName"] for a in children["MetricAlarms"]) == ["cpu", "disk"]
    parents = cw.describe_alarms(ParentsOfAlarmName="cpu")
    assert [a["AlarmName"] for a in parents["CompositeAlarms"]] == ["both"]


def test_ec2_stop_action_stops_the_instance_of_the_alarm(cw, server, aws_client):
    ec2 = aws_client("ec2")
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    advance_clock(server, 60)  # pending -> running
    cw.put_metric_alarm(AlarmName="idle", Namespace="AWS/EC2", MetricName="CPUUtilization", Statistic="Average",
                        Dimensions=[{"Name": "InstanceId", "Value": instance}], Period=300, EvaluationPeriods=1,
                        Threshold=1.0, ComparisonOperator="LessThanThreshold",
                        AlarmActions=["arn:aws:automate:us-east-1:ec2:stop"])
    cw.set_alarm_state(AlarmName="idle", StateValue="ALARM", StateReason="idle")
    state = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert state in ("stopping", "stopped")
    [item] = cw.describe_alarm_history(AlarmName="idle", HistoryItemType="Action")["AlarmHistoryItems"]
    assert item["HistorySummary"] == "Successfully executed action arn:aws:automate:us-east-1:ec2:stop"


def test_actions_suppressor_holds_a_composite_alarms_actions(cw, server, aws_client):
    topic = aws_client("sns").create_topic(Name="pager")["TopicArn"]
    url = subscribed_queue(aws_client, topic)
    for name in ("errors", "deploying"):
        cw.put_metric_alarm(AlarmName=name, Namespace=NAMESPACE, MetricName=name, Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                            TreatMissingData="ignore")
    cw.put_composite_alarm(AlarmName="page", AlarmRule="ALARM(errors)", AlarmActions=[topic],
                           ActionsSuppressor="deploying", ActionsSuppressorWaitPeriod=120,
                           ActionsSuppressorExtensionPeriod=180)

    def composite():
        return cw.describe_alarms(AlarmNames=["page"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0]

    # the suppressor goes into ALARM during the wait: the actions stay held
    cw.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="errors")
    assert (composite()["StateValue"], composite()["ActionsSuppressedBy"]) == ("ALARM", "WaitPeriod")
    cw.set_alarm_state(AlarmName="deploying", StateValue="ALARM", StateReason="deploy started")
    assert composite()["ActionsSuppressedBy"] == "Alarm"
    advance_clock(server, 150)
    assert received(aws_client, url) == []
    # the deployment ends: the extension runs, then the held actions
    cw.set_alarm_state(AlarmName="deploying", StateValue="OK", StateReason="deploy done")
    assert composite()["ActionsSuppressedBy"] == "ExtensionPeriod"
    assert composite()["ActionsSuppressedReason"] == "Actions suppressed by ExtensionPeriod"
    advance_clock(server, 100)
    assert received(aws_client, url) == []
    advance_clock(server, 100)
    [envelope] = received(aws_client, url)
    assert json.loads(envelope["Message"])["AlarmName"] == "page"
    assert "ActionsSuppressedBy" not in composite()


def test_without_the_suppressor_the_actions_run_when_the_wait_ends(cw, server, aws_client):
    topic = aws_client("sns").create_topic(Name="pager")["TopicArn"]
    url = subscribed_queue(aws_client, topic)
    for name in ("errors", "deploying"):
        cw.put_metric_alarm(AlarmName=name, Namespace=NAMESPACE, MetricName=name, Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                            TreatMissingData="ignore")
    cw.put_composite_alarm(AlarmName="page", AlarmRule="ALARM(errors)", AlarmActions=[topic],
                           ActionsSuppressor="deploying", ActionsSuppressorWaitPeriod=60,
                           ActionsSuppressorExtensionPeriod=60)
    cw.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="errors")
    assert received(aws_client, url) == []
    advance_clock(server, 61)
    [envelope] = received(aws_client, url)
    assert json.loads(envelope["Message"])["OldStateValue"] == "OK"


def test_a_lambda_action_invokes_the_function_with_the_alarm_event(cw, aws_client):
    lam, sqs = aws_client("lambda"), aws_client("sqs")
    function = create_python_function(lam, "on-alarm", "def handler(event, context):\n    return None\n")["FunctionArn"]
    url = sqs.create_queue(QueueName="alarm-events")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # the function's on-success destination shows the event it received
    lam.put_function_event_invoke_config(FunctionName="on-alarm",
                                         DestinationConfig={"OnSuccess": {"Destination": queue}})
    cw.put_metric_alarm(AlarmName="to-lambda", AlarmDescription="invoke", Namespace=NAMESPACE, MetricName="Depth",
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                        ComparisonOperator="GreaterThanThreshold", AlarmActions=[function])
    cw.set_alarm_state(AlarmName="to-lambda", StateValue="ALARM", StateReason="drill")
    got, deadline = [], time.monotonic() + 20
    while not got and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    [message] = got
    event = json.loads(message["Body"])["requestPayload"]
    assert (event["source"], event["alarmData"]["alarmName"]) == ("aws.cloudwatch", "to-lambda")
    assert event["alarmData"]["state"]["value"] == "ALARM"
    assert event["alarmData"]["previousState"]["value"] == "INSUFFICIENT_DATA"
    assert event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["metric"]["name"] == "Depth"
    [item] = cw.describe_alarm_history(AlarmName="to-lambda", HistoryItemType="Action")["AlarmHistoryItems"]
    assert json.loads(item["HistoryData"])["actionState"] == "Succeeded"
