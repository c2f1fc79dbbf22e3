"""The services that invoke functions asynchronously, each with its own event shape: SNS
subscriptions (protocol lambda), EventBridge targets, S3 event notifications and Logs
subscription filters. The function's on-success destination shows the event it received.
Each source is let in by the function's policy (AddPermission), as AWS requires."""

from __future__ import annotations

import base64
import gzip
import json
import time

import pytest
from async_helpers import make_function, make_queue, records


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


@pytest.fixture
def received(lam, sqs):
    """(function ARN, the events it receives: a function reading them from its success queue)."""
    arn = make_function(lam)
    url, queue_arn = make_queue(sqs, "events-received")
    lam.put_function_event_invoke_config(FunctionName="async-fn",
                                         DestinationConfig={"OnSuccess": {"Destination": queue_arn}})

    def events(count: int = 1) -> list[dict]:
        return [record["requestPayload"] for record in records(sqs, url, count)]

    return arn, events


def _allow(lam, statement: str, principal: str, source_arn: str) -> None:
    lam.add_permission(FunctionName="async-fn", StatementId=statement, Action="lambda:InvokeFunction",
                       Principal=principal, SourceArn=source_arn)


def test_an_sns_subscription_invokes_with_the_sns_event(aws_client, lam, received):
    arn, events = received
    sns = aws_client("sns")
    topic = sns.create_topic(Name="to-function")["TopicArn"]
    _allow(lam, "sns", "sns.amazonaws.com", topic)
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)["SubscriptionArn"]
    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="greeting", MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "blue"}})["MessageId"]
    [event] = events()
    [record] = event["Records"]
    assert list(record) == ["EventSource", "EventVersion", "EventSubscriptionArn", "Sns"]
    assert (record["EventSource"], record["EventVersion"], record["EventSubscriptionArn"]) == \
        ("aws:sns", "1.0", subscription)
    sns_part = record["Sns"]
    assert list(sns_part) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                              "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"]
    assert (sns_part["Type"], sns_part["MessageId"], sns_part["TopicArn"]) == ("Notification", message_id, topic)
    assert (sns_part["Subject"], sns_part["Message"]) == ("greeting", "hello")
    assert sns_part["MessageAttributes"] == {"colour": {"Type": "String", "Value": "blue"}}
    assert "Action=Unsubscribe" in sns_part["UnsubscribeUrl"] and sns_part["Signature"]


def test_an_eventbridge_rule_invokes_with_the_event(aws_client, lam, received):
    arn, events = received
    bridge = aws_client("events")
    rule = bridge.put_rule(Name="to-function", EventPattern=json.dumps({"source": ["app.orders"]}))["RuleArn"]
    _allow(lam, "events", "events.amazonaws.com", rule)
    bridge.put_targets(Rule="to-function", Targets=[{"Id": "fn", "Arn": arn}])
    event_id = bridge.put_events(Entries=[{"Source": "app.orders", "DetailType": "placed",
                                           "Detail": json.dumps({"order": 7})}])["Entries"][0]["EventId"]
    [event] = events()
    assert (event["id"], event["source"], event["detail-type"], event["detail"]) == \
        (event_id, "app.orders", "placed", {"order": 7})


def test_an_s3_notification_invokes_with_the_s3_event(aws_client, lam, received):
    arn, events = received
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="uploads-to-function")
    _allow(lam, "s3", "s3.amazonaws.com", "arn:aws:s3:::uploads-to-function")
    s3.put_bucket_notification_configuration(Bucket="uploads-to-function", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket="uploads-to-function", Key="report.csv", Body=b"a,b\n")
    [event] = events()
    [record] = event["Records"]
    assert (record["eventSource"], record["eventName"]) == ("aws:s3", "ObjectCreated:Put")
    assert record["s3"]["bucket"]["name"] == "uploads-to-function"
    assert (record["s3"]["object"]["key"], record["s3"]["object"]["size"]) == ("report.csv", 4)


def test_a_logs_subscription_filter_invokes_with_the_awslogs_event(aws_client, lam, received):
    arn, events = received
    logs = aws_client("logs")
    logs.create_log_group(logGroupName="/app/web")
    logs.create_log_stream(logGroupName="/app/web", logStreamName="i-1")
    _allow(lam, "logs", "logs.amazonaws.com", "arn:aws:logs:us-east-1:000000000000:log-group:/app/web:*")
    logs.put_subscription_filter(logGroupName="/app/web", filterName="errors", filterPattern="ERROR",
                                 destinationArn=arn)
    logs.put_log_events(logGroupName="/app/web", logStreamName="i-1", logEvents=[
        {"timestamp": int(time.time() * 1000), "message": "ERROR disk full"}])
    [event] = events()
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    assert (data["messageType"], data["logGroup"], data["logStream"]) == ("DATA_MESSAGE", "/app/web", "i-1")
    assert [e["message"] for e in data["logEvents"]] == ["ERROR disk full"]
