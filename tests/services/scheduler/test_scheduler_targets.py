"""What a schedule calls: the templated targets (SQS incl. FIFO, SNS, EventBridge PutEvents,
Lambda), the universal target, retries per RetryPolicy and the dead-letter queue with the error
in its message attributes."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

from scheduler_helpers import OFF, advance, drain, let_service_send, make_queue, now, target

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "awslambda"))
from lambda_helpers import create_python_function  # noqa: E402

SCHEDULER_ARN = "arn:aws:scheduler:::aws-sdk"


def _now_and_hourly(scheduler, name: str, target_spec: dict, **extra) -> str:
    """A schedule whose first run is at its creation (a rate without StartDate), the next an hour on."""
    return scheduler.create_schedule(Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                                     Target=target_spec, **extra)["ScheduleArn"]


def test_sqs_fifo_target_with_message_group(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true",
                                                              "ContentBasedDeduplication": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _now_and_hourly(scheduler, "fifo", target(arn, Input='{"job": 1}', SqsParameters={"MessageGroupId": "batch"}))
    advance(server, 1)
    [message] = drain(sqs, url, AttributeNames=["MessageGroupId"])
    assert message["Body"] == '{"job": 1}' and message["Attributes"]["MessageGroupId"] == "batch"


def test_sns_target(aws_client, server):
    sqs, sns, scheduler = aws_client("sqs"), aws_client("sns"), aws_client("scheduler")
    url, queue_arn = make_queue(sqs, "from-topic")
    let_service_send(sqs, url, queue_arn, "sns.amazonaws.com")
    topic = sns.create_topic(Name="ticks")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    _now_and_hourly(scheduler, "sns", target(topic, Input="tick"))
    advance(server, 1)
    assert [m["Body"] for m in drain(sqs, url)] == ["tick"]


def test_eventbridge_target_puts_the_input_as_detail(aws_client, server):
    sqs, events, scheduler = aws_client("sqs"), aws_client("events"), aws_client("scheduler")
    url, queue_arn = make_queue(sqs, "from-bus")
    let_service_send(sqs, url, queue_arn, "events.amazonaws.com")
    bus = events.create_event_bus(Name="app-bus")["EventBusArn"]
    events.put_rule(Name="from-scheduler", EventBusName="app-bus", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="from-scheduler", EventBusName="app-bus", Targets=[{"Id": "q", "Arn": queue_arn}])
    schedule_arn = _now_and_hourly(scheduler, "bus", target(
        bus, Input='{"order": 7}', EventBridgeParameters={"DetailType": "Tick", "Source": "my.app"}))
    advance(server, 1)
    [message] = drain(sqs, url)
    event = json.loads(message["Body"])
    assert (event["source"], event["detail-type"], event["detail"]) == ("my.app", "Tick", {"order": 7})
    assert event["resources"] == [schedule_arn]


def test_universal_target_calls_the_api_action(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    url, _arn = make_queue(sqs, "universal")
    _now_and_hourly(scheduler, "utp", target(f"{SCHEDULER_ARN}:sqs:sendMessage",
                                           Input=json.dumps({"QueueUrl": url, "MessageBody": "via the SDK"})))
    advance(server, 1)
    assert [m["Body"] for m in drain(sqs, url)] == ["via the SDK"]


def test_retries_until_the_target_exists(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    missing = "arn:aws:sqs:us-east-1:000000000000:later"
    scheduler.create_schedule(Name="late", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                              Target=target(missing, Input="x", RetryPolicy={"MaximumRetryAttempts": 10,
                                                                             "MaximumEventAgeInSeconds": 3600}))
    advance(server, 2)  # the first run failed: its retries back off (1, 2, 4... seconds)
    url, _arn = make_queue(sqs, "later")
    advance(server, 300)  # the retries back off, at most 5 minutes apart
    assert [m["Body"] for m in drain(sqs, url)] == ["x"]


def test_exhausted_retries_go_to_the_dead_letter_queue(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    missing = "arn:aws:sqs:us-east-1:000000000000:nowhere"
    schedule_arn = scheduler.create_schedule(
        Name="doomed", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
        Target=target(missing, Input='{"lost": true}', DeadLetterConfig={"Arn": dlq_arn},
                      RetryPolicy={"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60}))["ScheduleArn"]
    advance(server, 30)
    [message] = drain(sqs, dlq_url, MessageAttributeNames=["All"])
    assert message["Body"] == '{"lost": true}'
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["SCHEDULE_ARN"] == schedule_arn and attributes["TARGET_ARN"] == missing
    assert attributes["RETRY_ATTEMPTS"] == "2" and attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["ERROR_CODE"] == "QueueDoesNotExist" and len(attributes["EXECUTION_ID"]) == 36
    advance(server, 600)
    assert drain(sqs, dlq_url) == []  # dead-lettered once


def test_a_service_overcast_lacks_fails_to_the_dead_letter_queue(aws_client, server):
    sqs, scheduler = aws_client("sqs"), aws_client("scheduler")
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    _now_and_hourly(scheduler, "ddb", target(f"{SCHEDULER_ARN}:dynamodb:putItem",
                                           Input='{"TableName": "t", "Item": {}}', DeadLetterConfig={"Arn": dlq_arn}))
    _now_and_hourly(scheduler, "ecs", target("arn:aws:ecs:us-east-1:000000000000:cluster/c",
                                           DeadLetterConfig={"Arn": dlq_arn}))
    advance(server, 1)
    messages = drain(sqs, dlq_url, MessageAttributeNames=["All"])
    assert sorted(m["MessageAttributes"]["TARGET_ARN"]["StringValue"] for m in messages) == [
        "arn:aws:ecs:us-east-1:000000000000:cluster/c", f"{SCHEDULER_ARN}:dynamodb:putItem"]
    assert {m["MessageAttributes"]["ERROR_CODE"]["StringValue"] for m in messages} == {"NotImplemented"}


def test_lambda_target_invokes_the_function_with_the_input(aws_client, server):
    sqs, scheduler, lam = aws_client("sqs"), aws_client("scheduler"), aws_client("lambda")
    function = create_python_function(lam, "scheduled", "def handler(event, context):\n    return event\n")
    url, queue_arn = make_queue(sqs, "ran")
    lam.put_function_event_invoke_config(FunctionName="scheduled",
                                         DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
    _now_and_hourly(scheduler, "fn", target(function["FunctionArn"], Input='{"tick": 1}'))
    advance(server, 1)
    deadline, got = time.monotonic() + 20, []
    while not got and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    [message] = got
    assert json.loads(message["Body"])["requestPayload"] == {"tick": 1}


def test_aws_scheduler_metrics(aws_client, server):
    sqs, scheduler, cloudwatch = aws_client("sqs"), aws_client("scheduler"), aws_client("cloudwatch")
    _url, arn = make_queue(sqs, "counted")
    _dlq_url, dlq_arn = make_queue(sqs, "counted-dlq")
    scheduler.create_schedule_group(Name="metered")
    # both first runs at one instant of the moved clock, so one minute's flush counts them
    start = dt.datetime.fromtimestamp(now(server) + 120, dt.timezone.utc)
    scheduler.create_schedule(Name="ok", GroupName="metered", ScheduleExpression="rate(1 hour)", StartDate=start,
                              FlexibleTimeWindow=OFF, Target=target(arn))
    scheduler.create_schedule(Name="bad", GroupName="metered", ScheduleExpression="rate(1 hour)", StartDate=start,
                              FlexibleTimeWindow=OFF, Target=target(
                                  "arn:aws:sqs:us-east-1:000000000000:gone", DeadLetterConfig={"Arn": dlq_arn},
                                  RetryPolicy={"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60}))
    advance(server, 300)  # the first runs, then the minute's flush

    def total(name: str, namespace: str = "AWS/Scheduler", **dimensions) -> float:
        found = cloudwatch.get_metric_data(MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {
            "Namespace": namespace, "MetricName": name,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]},
            "Period": 3600 * 3, "Stat": "Sum"}}], StartTime=server_time(server) - dt.timedelta(hours=3),
            EndTime=server_time(server) + dt.timedelta(minutes=1))["MetricDataResults"][0]["Values"]
        return sum(found)

    assert total("InvocationAttemptCount") == 2
    assert total("InvocationAttemptCount", ScheduleGroup="metered") == 2
    assert total("TargetErrorCount", ScheduleGroup="metered") == 1
    assert total("InvocationsSentToDeadLetterCount") == 1
    assert total("InvocationDroppedCount") == 0
    # AWS/Usage names the service "Scheduler" (the user guide's usage metrics)
    assert total("CallCount", "AWS/Usage", Class="None", Resource="CreateSchedule", Service="Scheduler",
                 Type="API") == 2


def server_time(server) -> dt.datetime:
    return dt.datetime.fromtimestamp(now(server), dt.timezone.utc)
