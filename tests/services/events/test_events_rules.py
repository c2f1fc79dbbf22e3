"""Rules through boto3 and the AWS CLI: PutRule creates or replaces (what is omitted becomes
null; tags only on creation), names and states AWS refuses, patterns and schedules checked with
AWS's texts, rules of custom buses (their ARN is rule/<bus>/<name>), listing with a prefix and
pages, enable/disable, deletion (idempotent, refused while targets remain) and the 300-rule
limit."""

from __future__ import annotations

import json

import pytest
from events_helpers import error_of

PATTERN = json.dumps({"source": ["com.example.orders"]})


@pytest.fixture
def events(aws_client):
    return aws_client("events")


def test_put_and_describe_rule(events):
    arn = events.put_rule(Name="orders", EventPattern=PATTERN, Description="orders in",
                          RoleArn="arn:aws:iam::000000000000:role/events")["RuleArn"]
    assert arn.startswith("arn:aws:events:us-east-1:") and arn.endswith(":rule/orders")
    rule = events.describe_rule(Name="orders")
    assert {k: v for k, v in rule.items() if k != "ResponseMetadata"} == {
        "Name": "orders", "Arn": arn, "EventPattern": PATTERN, "State": "ENABLED", "Description": "orders in",
        "RoleArn": "arn:aws:iam::000000000000:role/events", "EventBusName": "default",
        "CreatedBy": rule["CreatedBy"]}
    assert rule["CreatedBy"].isdigit() and len(rule["CreatedBy"]) == 12


def test_put_rule_replaces_and_keeps_tags_of_creation(events):
    arn = events.put_rule(Name="r", EventPattern=PATTERN, Description="first",
                          Tags=[{"Key": "team", "Value": "blue"}])["RuleArn"]
    assert events.put_rule(Name="r", ScheduleExpression="rate(5 minutes)", State="DISABLED",
                           Tags=[{"Key": "ignored", "Value": "x"}])["RuleArn"] == arn
    rule = events.describe_rule(Name="r")
    assert "EventPattern" not in rule and "Description" not in rule
    assert (rule["ScheduleExpression"], rule["State"]) == ("rate(5 minutes)", "DISABLED")
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "blue"}]


def test_rule_on_custom_bus(events):
    bus_arn = events.create_event_bus(Name="shop")["EventBusArn"]
    arn = events.put_rule(Name="paid", EventBusName="shop", EventPattern=PATTERN)["RuleArn"]
    assert arn.endswith(":rule/shop/paid")
    assert events.describe_rule(Name="paid", EventBusName=bus_arn)["EventBusName"] == "shop"
    assert error_of(events.describe_rule, Name="paid") == ("ResourceNotFoundException",
                                                           "Rule paid does not exist on EventBus default.")
    assert error_of(events.put_rule, Name="x", EventBusName="nobus", EventPattern=PATTERN) == (
        "ResourceNotFoundException", "Event bus nobus does not exist.")
    for bus in ("shop", "nobus", bus_arn):
        assert error_of(events.put_rule, Name="tick", EventBusName=bus, ScheduleExpression="rate(1 minute)") == (
            "ValidationException", "ScheduleExpression is supported only on the default event bus.")


@pytest.mark.parametrize("params, expected", [
    ({"Name": "r"}, ("ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.")),
    ({"Name": "r", "ScheduleExpression": "rate(1 minutes)"},
     ("ValidationException", "Parameter ScheduleExpression is not valid.")),
    ({"Name": "r", "ScheduleExpression": "cron(0 12 * * *)"},
     ("ValidationException", "Parameter ScheduleExpression is not valid.")),
    ({"Name": "bad name", "EventPattern": PATTERN},
     ("ValidationException", "1 validation error detected: Value 'bad name' at 'name' failed to satisfy "
                             "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")),
    ({"Name": "r", "EventPattern": PATTERN, "State": "ON"},
     ("ValidationException", "1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: "
                             "Member must satisfy enum value set: [ENABLED, DISABLED, "
                             "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]")),
])
def test_put_rule_refusals(events, params, expected):
    assert error_of(events.put_rule, **params) == expected


def test_invalid_patterns(events):
    code, message = error_of(events.put_rule, Name="r", EventPattern="{not json")
    assert code == "InvalidEventPatternException" and message.startswith("Event pattern is not valid.")
    code, message = error_of(events.put_rule, Name="r", EventPattern='{"source": "not-a-list"}')
    assert code == "InvalidEventPatternException" and message.startswith("Event pattern is not valid.")


def test_states(events):
    events.put_rule(Name="ct", EventPattern=PATTERN, State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
    assert events.describe_rule(Name="ct")["State"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    events.disable_rule(Name="ct")
    assert events.describe_rule(Name="ct")["State"] == "DISABLED"
    events.enable_rule(Name="ct")
    assert events.describe_rule(Name="ct")["State"] == "ENABLED"
    assert error_of(events.enable_rule, Name="ghost") == ("ResourceNotFoundException",
                                                          "Rule ghost does not exist on EventBus default.")


def test_list_rules(events):
    for name in ("daily-b", "daily-a", "hourly", "daily-c"):
        events.put_rule(Name=name, ScheduleExpression="rate(1 day)")
    events.create_event_bus(Name="other")
    events.put_rule(Name="daily-other", EventBusName="other", EventPattern=PATTERN)
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["daily-a", "daily-b", "daily-c", "hourly"]
    first = events.list_rules(NamePrefix="daily", Limit=2)
    assert [r["Name"] for r in first["Rules"]] == ["daily-a", "daily-b"]
    rest = events.list_rules(NamePrefix="daily", Limit=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in rest["Rules"]] == ["daily-c"] and "NextToken" not in rest
    [other] = events.list_rules(EventBusName="other")["Rules"]
    assert (other["Name"], other["EventBusName"], other["EventPattern"]) == ("daily-other", "other", PATTERN)
    assert "CreatedBy" not in other
    assert error_of(events.list_rules, EventBusName="nobus") == ("ResourceNotFoundException",
                                                                 "Event bus nobus does not exist.")


def test_delete_rule(events, aws_client):
    events.put_rule(Name="gone", EventPattern=PATTERN)
    events.delete_rule(Name="gone")
    events.delete_rule(Name="gone")  # again: still a success
    assert error_of(events.describe_rule, Name="gone")[0] == "ResourceNotFoundException"
    assert error_of(events.delete_rule, Name="x", EventBusName="nobus") == ("ResourceNotFoundException",
                                                                            "Event bus nobus does not exist.")


def test_delete_refused_while_targets_remain(events, aws_client):
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName="rule-target")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="busy", EventPattern=PATTERN)
    events.put_targets(Rule="busy", Targets=[{"Id": "q", "Arn": arn}])
    assert error_of(events.delete_rule, Name="busy") == ("ValidationException",
                                                         "Rule can't be deleted since it has targets.")
    events.remove_targets(Rule="busy", Ids=["q"])
    events.delete_rule(Name="busy")


def test_rule_limit_per_bus(events):
    events.create_event_bus(Name="full")
    for index in range(300):
        events.put_rule(Name=f"r{index:03}", EventBusName="full", EventPattern=PATTERN)
    assert error_of(events.put_rule, Name="r300", EventBusName="full", EventPattern=PATTERN) == (
        "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
    events.put_rule(Name="r000", EventBusName="full", EventPattern=PATTERN, Description="an update still works")


def test_cli_rules(aws_cli):
    arn = aws_cli("events", "put-rule", "--name", "DailyLambdaFunction",
                  "--schedule-expression", "cron(0 9 * * ? *)")["RuleArn"]
    assert arn.endswith(":rule/DailyLambdaFunction")
    rule = aws_cli("events", "describe-rule", "--name", "DailyLambdaFunction")
    assert (rule["ScheduleExpression"], rule["State"], rule["EventBusName"]) == ("cron(0 9 * * ? *)", "ENABLED",
                                                                                 "default")
    assert [r["Name"] for r in aws_cli("events", "list-rules", "--name-prefix", "Daily")["Rules"]] == [
        "DailyLambdaFunction"]
    aws_cli("events", "disable-rule", "--name", "DailyLambdaFunction")
    assert aws_cli("events", "describe-rule", "--name", "DailyLambdaFunction")["State"] == "DISABLED"
    aws_cli("events", "delete-rule", "--name", "DailyLambdaFunction")
    assert aws_cli("events", "list-rules")["Rules"] == []


def test_cli_examples_with_patterns(aws_cli):
    """The AWS CLI's own put-rule examples with event patterns and a role (of the caller's own
    account: strict mode refuses to pass another account's role, as AWS does)."""
    role = f"arn:aws:iam::{aws_cli('sts', 'get-caller-identity')['Account']}:role/MyRoleForThisRule"
    changes = '{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}'
    stops = ('{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],'
             '"detail":{"state":["stopped","terminated"]}}')
    aws_cli("events", "put-rule", "--name", "EC2InstanceStateChanges", "--event-pattern", changes,
            "--role-arn", role)
    aws_cli("events", "put-rule", "--name", "EC2InstanceStateChangeStopOrTerminate", "--event-pattern", stops,
            "--role-arn", role)
    rule = aws_cli("events", "describe-rule", "--name", "EC2InstanceStateChangeStopOrTerminate")
    assert (rule["EventPattern"], rule["RoleArn"]) == (stops, role)
    aws_cli("events", "delete-rule", "--name", "EC2InstanceStateChanges")
    assert [r["Name"] for r in aws_cli("events", "list-rules")["Rules"]] == ["EC2InstanceStateChangeStopOrTerminate"]
    aws_cli("events", "disable-rule", "--name", "EC2InstanceStateChangeStopOrTerminate")
    aws_cli("events", "enable-rule", "--name", "EC2InstanceStateChangeStopOrTerminate")
    assert aws_cli("events", "describe-rule", "--name", "EC2InstanceStateChangeStopOrTerminate")["State"] == "ENABLED"
