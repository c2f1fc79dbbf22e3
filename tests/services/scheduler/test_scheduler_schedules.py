"""Schedules through boto3: every field GetSchedule answers, UpdateSchedule replacing the whole
schedule, ListSchedules' filters and pages, ClientToken, and AWS's validation in its order."""

from __future__ import annotations

import datetime as dt

import botocore.exceptions
import pytest
from botocore.config import Config
from scheduler_helpers import OFF, ROLE_ARN, now, target

QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"
ARN_PREFIX = "arn:aws:scheduler:us-east-1:000000000000"


def _error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response


def test_create_and_get_every_field(aws_client, server):
    scheduler = aws_client("scheduler")
    start = dt.datetime.fromtimestamp(now(server) + 3600, dt.timezone.utc).replace(microsecond=0)
    end = start + dt.timedelta(days=2)
    full_target = target(QUEUE, Input='{"hello": 1}', SqsParameters={"MessageGroupId": "g"},
                         RetryPolicy={"MaximumEventAgeInSeconds": 600, "MaximumRetryAttempts": 3},
                         DeadLetterConfig={"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"})
    arn = scheduler.create_schedule(
        Name="full", ScheduleExpression="cron(0 9 ? * MON-FRI *)", ScheduleExpressionTimezone="Europe/Paris",
        StartDate=start, EndDate=end, FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        State="DISABLED", ActionAfterCompletion="NONE", Description="weekday mornings",
        KmsKeyArn="arn:aws:kms:us-east-1:000000000000:key/abc", Target=full_target)["ScheduleArn"]
    assert arn == f"{ARN_PREFIX}:schedule/default/full"
    got = scheduler.get_schedule(Name="full")
    assert got["Arn"] == arn and got["GroupName"] == "default" and got["Name"] == "full"
    assert got["ScheduleExpression"] == "cron(0 9 ? * MON-FRI *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert (got["StartDate"], got["EndDate"]) == (start, end)
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert (got["State"], got["ActionAfterCompletion"]) == ("DISABLED", "NONE")
    assert (got["Description"], got["KmsKeyArn"]) == ("weekday mornings", "arn:aws:kms:us-east-1:000000000000:key/abc")
    assert got["Target"] == full_target
    assert got["CreationDate"] == got["LastModificationDate"]


def test_defaults_of_a_minimal_schedule(aws_client):
    scheduler = aws_client("scheduler")
    scheduler.create_schedule(Name="min", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF,
                              Target=target(QUEUE))
    got = scheduler.get_schedule(Name="min", GroupName="default")
    assert got["State"] == "ENABLED" and got["ActionAfterCompletion"] == "NONE"
    assert got["ScheduleExpressionTimezone"] == "UTC"
    assert got["Target"] == {"Arn": QUEUE, "RoleArn": ROLE_ARN,
                             "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}}
    assert "StartDate" not in got and "Description" not in got


def test_update_replaces_the_whole_schedule(aws_client):
    scheduler = aws_client("scheduler")
    scheduler.create_schedule(Name="s", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF,
                              Description="old", State="DISABLED", Target=target(QUEUE, Input="{}"))
    before = scheduler.get_schedule(Name="s")
    scheduler.update_schedule(Name="s", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                              Target=target("arn:aws:sns:us-east-1:000000000000:t"))
    after = scheduler.get_schedule(Name="s")
    assert after["ScheduleExpression"] == "rate(1 hour)" and after["State"] == "ENABLED"
    assert "Description" not in after and "Input" not in after["Target"]
    assert after["CreationDate"] == before["CreationDate"]
    assert after["LastModificationDate"] >= before["LastModificationDate"]
    error = _error(scheduler.update_schedule, Name="nope", ScheduleExpression="rate(1 hour)",
                   FlexibleTimeWindow=OFF, Target=target(QUEUE))
    assert error["Error"] == {"Code": "ResourceNotFoundException", "Message": "Schedule nope does not exist."}


def test_missing_and_conflicting_schedules(aws_client):
    scheduler = aws_client("scheduler")
    kwargs = dict(Name="dup", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF, Target=target(QUEUE))
    scheduler.create_schedule(**kwargs)
    error = _error(scheduler.create_schedule, **kwargs)
    assert error["Error"] == {"Code": "ConflictException", "Message": "Schedule dup already exists."}
    assert _error(scheduler.get_schedule, Name="none")["Error"] == {
        "Code": "ResourceNotFoundException", "Message": "Schedule none does not exist."}
    assert _error(scheduler.delete_schedule, Name="none")["ResponseMetadata"]["HTTPStatusCode"] == 404
    error = _error(scheduler.create_schedule, **{**kwargs, "GroupName": "ghost"})
    assert error["Error"] == {"Code": "ResourceNotFoundException", "Message": "Schedule group ghost does not exist."}
    scheduler.delete_schedule(Name="dup")
    assert scheduler.list_schedules()["Schedules"] == []


def test_client_token_makes_create_idempotent(aws_client):
    scheduler = aws_client("scheduler")
    kwargs = dict(Name="once", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF, Target=target(QUEUE),
                  ClientToken="token-1")
    first = scheduler.create_schedule(**kwargs)["ScheduleArn"]
    assert scheduler.create_schedule(**kwargs)["ScheduleArn"] == first
    error = _error(scheduler.create_schedule, **{**kwargs, "ClientToken": "token-2"})
    assert error["Error"]["Code"] == "ConflictException"


def test_list_schedules_filters_and_pages(aws_client):
    scheduler = aws_client("scheduler")
    scheduler.create_schedule_group(Name="other")
    for group, name, state in (("default", "alpha", "ENABLED"), ("default", "beta", "DISABLED"),
                               ("other", "alpha", "ENABLED"), ("other", "gamma", "DISABLED")):
        scheduler.create_schedule(Name=name, GroupName=group, State=state, ScheduleExpression="rate(1 day)",
                                  FlexibleTimeWindow=OFF, Target=target(QUEUE))
    every = scheduler.list_schedules()["Schedules"]
    assert [(s["GroupName"], s["Name"]) for s in every] == [
        ("default", "alpha"), ("default", "beta"), ("other", "alpha"), ("other", "gamma")]
    assert every[0]["Target"] == {"Arn": QUEUE} and every[0]["Arn"] == f"{ARN_PREFIX}:schedule/default/alpha"
    assert {"CreationDate", "LastModificationDate", "State"} <= set(every[0])
    assert [s["Name"] for s in scheduler.list_schedules(GroupName="other")["Schedules"]] == ["alpha", "gamma"]
    assert [s["Name"] for s in scheduler.list_schedules(NamePrefix="al")["Schedules"]] == ["alpha", "alpha"]
    assert [s["Name"] for s in scheduler.list_schedules(State="DISABLED")["Schedules"]] == ["beta", "gamma"]
    names, token = [], None
    while True:
        page = scheduler.list_schedules(MaxResults=3, **({"NextToken": token} if token else {}))
        names += [(s["GroupName"], s["Name"]) for s in page["Schedules"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == [(s["GroupName"], s["Name"]) for s in every]
    error = _error(scheduler.list_schedules, GroupName="ghost")
    assert error["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize("kwargs, message", [
    (dict(ScheduleExpression="rate(0 minutes)"), "Invalid Schedule Expression rate(0 minutes)."),
    (dict(ScheduleExpression="at(2030-02-30T10:00:00)"), "Invalid Schedule Expression at(2030-02-30T10:00:00)."),
    (dict(ScheduleExpressionTimezone="Mars/Olympus"), "Invalid time zone Mars/Olympus."),
    (dict(FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 1441}),
     "1 validation error detected: Value '1441' at 'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy "
     "constraint: Member must have value less than or equal to 1440"),
    (dict(Target=target(QUEUE, RetryPolicy={"MaximumRetryAttempts": 186})),
     "1 validation error detected: Value '186' at 'target.retryPolicy.maximumRetryAttempts' failed to satisfy "
     "constraint: Member must have value less than or equal to 185"),
    (dict(Target=target(QUEUE, RetryPolicy={"MaximumEventAgeInSeconds": 59})),
     "1 validation error detected: Value '59' at 'target.retryPolicy.maximumEventAgeInSeconds' failed to satisfy "
     "constraint: Member must have value greater than or equal to 60"),
    (dict(Target={"Arn": QUEUE, "RoleArn": "not-a-role"}),
     "1 validation error detected: Value 'not-a-role' at 'target.roleArn' failed to satisfy constraint: Member must "
     "satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$"),
])
def test_validation(aws_client, kwargs, message):
    # the client's own checks are off: the server's answer is what is tested
    scheduler = aws_client("scheduler", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    request = dict(Name="v", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF, Target=target(QUEUE))
    error = _error(scheduler.create_schedule, **{**request, **kwargs})
    assert error["Error"] == {"Code": "ValidationException", "Message": message}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_model_constraints_come_before_the_expression_and_the_group(aws_client):
    scheduler = aws_client("scheduler")
    error = _error(scheduler.create_schedule, Name="bad name", GroupName="ghost", ScheduleExpression="nonsense",
                   FlexibleTimeWindow=OFF, Target=target(QUEUE))
    assert error["Error"]["Message"].startswith("1 validation error detected: Value 'bad name' at 'name'")
    error = _error(scheduler.create_schedule, Name="ok", GroupName="ghost", ScheduleExpression="nonsense",
                   FlexibleTimeWindow=OFF, Target=target(QUEUE))
    assert error["Error"]["Message"] == "Invalid Schedule Expression nonsense."


def test_start_date_in_the_past_is_refused(aws_client, server):
    scheduler = aws_client("scheduler")
    past = dt.datetime.fromtimestamp(now(server) - 3600, dt.timezone.utc)
    error = _error(scheduler.create_schedule, Name="p", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF,
                   StartDate=past, Target=target(QUEUE))
    assert error["Error"] == {"Code": "ValidationException",
                              "Message": "The StartDate you specify cannot be earlier than 5 minutes ago."}


def test_the_aws_cli(aws_cli):
    aws_cli("scheduler", "create-schedule-group", "--name", "cli-group")
    aws_cli("scheduler", "create-schedule", "--name", "cli", "--group-name", "cli-group",
            "--schedule-expression", "rate(10 minutes)", "--flexible-time-window", "Mode=OFF",
            "--target", f'{{"Arn": "{QUEUE}", "RoleArn": "{ROLE_ARN}", "Input": "{{}}"}}')
    got = aws_cli("scheduler", "get-schedule", "--name", "cli", "--group-name", "cli-group")
    assert got["Arn"] == f"{ARN_PREFIX}:schedule/cli-group/cli" and got["Target"]["Input"] == "{}"
    listed = aws_cli("scheduler", "list-schedules", "--group-name", "cli-group")
    assert [s["Name"] for s in listed["Schedules"]] == ["cli"]
    aws_cli("scheduler", "delete-schedule", "--name", "cli", "--group-name", "cli-group")
    groups = aws_cli("scheduler", "list-schedule-groups")
    assert [g["Name"] for g in groups["ScheduleGroups"]] == ["cli-group", "default"]


@pytest.mark.parametrize("target_spec, message", [
    (target("not-an-arn"), "Invalid target arn not-an-arn."),
    (target("arn:aws:events:us-east-1:000000000000:event-bus/default"),
     "EventBridgeParameters must be specified for an EventBridge target."),
    (target(QUEUE, EventBridgeParameters={"DetailType": "d", "Source": "s"}),
     "EventBridgeParameters can only be specified for an EventBridge target."),
    (target("arn:aws:scheduler:::aws-sdk:sqs:sendMessage", Input="[1, 2]"),
     "Invalid RequestJson provided. Reason Input must be a JSON object."),
])
def test_target_checks(aws_client, target_spec, message):
    scheduler = aws_client("scheduler")
    error = _error(scheduler.create_schedule, Name="t", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF,
                   Target=target_spec)
    assert error["Error"] == {"Code": "ValidationException", "Message": message}


def test_a_one_time_schedule_ignores_its_dates(aws_client, server):
    scheduler = aws_client("scheduler")
    past = dt.datetime.fromtimestamp(now(server) - 86400, dt.timezone.utc)
    scheduler.create_schedule(Name="o", ScheduleExpression="at(2099-01-01T00:00:00)", FlexibleTimeWindow=OFF,
                              StartDate=past, Target=target(QUEUE))
    assert scheduler.get_schedule(Name="o")["StartDate"] == past.replace(microsecond=0)  # boto3 sends seconds


def test_a_next_token_not_handed_out_is_refused(aws_client):
    scheduler = aws_client("scheduler")
    for call in (scheduler.list_schedules, scheduler.list_schedule_groups):
        error = _error(call, NextToken="made-up")
        assert error["Error"] == {"Code": "ValidationException", "Message": "Invalid NextToken."}
